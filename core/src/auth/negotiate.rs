//! Negotiate (RFC 4559: SPNEGO, in practice Kerberos) as seen by [`ProxyAuth`]: the seam to
//! a GSSAPI implementation, and the rounds of one security context with one proxy.
//!
//! The core does no I/O, and a Kerberos exchange needs some (the KDC is asked for a service
//! ticket), so the tokens come from a [`NegotiateProvider`] the frontend supplies: egress-core's
//! `gssapi` module (feature `gssapi`) over the system's GSSAPI library, or any other (a test's
//! scripted one). The provider starts one [`SecurityContext`] per connection for the service
//! `HTTP@<proxy host>`; this module turns its tokens into `Negotiate <base64>` values and feeds
//! the proxy's tokens back:
//!
//! ```text
//!   407 `Negotiate` ─► start(host) ─► step(None) ─► `Negotiate <token>` ─► (CONNECT again)
//!     ─► 407 `Negotiate <server token>` ─► step(token) ─► `Negotiate <next token>` ─► …
//!     ─► 407 bare `Negotiate`         ─► NegotiateRejected (the proxy refused the ticket)
//!     ─► 2xx [`Negotiate <final token>`] ─► step(token): mutual authentication verified
//! ```
//!
//! Identity comes from the provider (the caller's Kerberos ticket cache), never from the proxy
//! URL, which needs no password. Tokens never appear in `Debug` output or errors.
//!
//! [`ProxyAuth`]: super::ProxyAuth

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::challenge::Challenges;
use super::error::AuthProblem;
use crate::host::Host;

/// The most bytes of a proxy's Negotiate token accepted (Kerberos AP-REPs are a few hundred;
/// a PAC-carrying token a few KiB).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Starts GSSAPI security contexts. One provider serves every connection of a client; it
/// MUST NOT block forever (GSSAPI's KDC lookups have their own timeouts). Its `Debug` MUST
/// NOT show a secret.
pub trait NegotiateProvider: Send + Sync + fmt::Debug {
    /// Starts a context for the service `HTTP@host` (`host`: the proxy's name as written in
    /// its URL, without a trailing dot, or its address). Errors are the typed
    /// [`AuthProblem`]s: [`AuthProblem::NoKerberosTicket`], [`AuthProblem::Gssapi`], ...
    fn start(&self, host: &str) -> Result<Box<dyn SecurityContext>, AuthProblem>;
}

/// One GSSAPI initiator context, bound to one connection to one proxy.
pub trait SecurityContext: Send {
    /// One step: `server_token` is `None` for the first call, then the proxy's token. Returns
    /// the token to send, if any, and whether the context is complete. Typical failures:
    /// [`AuthProblem::UnknownServicePrincipal`] (first step), [`AuthProblem::MutualAuthFailed`]
    /// or [`AuthProblem::Gssapi`] (later steps).
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthProblem>;
}

/// What a [`SecurityContext::step`] produced. `Debug` shows the token's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Step {
    /// The token to send to the proxy (`None`: nothing to send).
    pub token: Option<Vec<u8>>,
    /// Whether the context is established (no more tokens expected from the proxy).
    pub complete: bool,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("token_len", &self.token.as_ref().map(Vec::len))
            .field("complete", &self.complete)
            .finish()
    }
}

/// The service host for `HTTP@host`: a name without its trailing dot, an address as text.
pub fn service_host(host: Host<'_>) -> String {
    match host {
        Host::Name(name) => String::from(name.strip_suffix('.').unwrap_or(name)),
        Host::Ipv4(addr) => alloc::format!("{addr}"),
        Host::Ipv6 { addr, .. } => alloc::format!("{addr}"),
    }
}

/// The Negotiate state of one [`ProxyAuth`](super::ProxyAuth): the provider, the proxy's
/// service host, and the context of the connection in progress.
pub(super) struct Negotiator {
    provider: Arc<dyn NegotiateProvider>,
    host: String,
    context: Option<Box<dyn SecurityContext>>,
    /// The context has consumed a token of the proxy, so it is bound to this connection.
    answered: bool,
    /// The context said it is complete (nothing more to verify).
    complete: bool,
}

impl Negotiator {
    pub(super) fn new(provider: Arc<dyn NegotiateProvider>, host: String) -> Self {
        Self {
            provider,
            host,
            context: None,
            answered: false,
            complete: false,
        }
    }

    /// A fresh context and its first token as a header value.
    pub(super) fn start(&mut self) -> Result<String, AuthProblem> {
        self.context = None;
        self.answered = false;
        let mut context = self.provider.start(&self.host)?;
        let step = context.step(None)?;
        let token = step.token.ok_or(AuthProblem::Gssapi {
            major: GSS_S_FAILURE,
            minor: 0,
        })?;
        self.complete = step.complete;
        self.context = Some(context);
        Ok(value(&token))
    }

    /// The next value after a 407 that carried Negotiate again: a continuation token is
    /// stepped; a bare `Negotiate` means the proxy refused what was sent.
    pub(super) fn continue_with(&mut self, challenges: &Challenges) -> Result<String, AuthProblem> {
        let Some(token) = server_token(challenges)? else {
            self.context = None;
            return Err(AuthProblem::NegotiateRejected);
        };
        let Some(context) = self.context.as_mut() else {
            return Err(AuthProblem::NegotiateRejected);
        };
        self.answered = true;
        let step = context.step(Some(&token))?;
        self.complete = step.complete;
        match step.token {
            Some(token) => Ok(value(&token)),
            // Complete on our side, yet the proxy still says 407: it refused.
            None => Err(AuthProblem::NegotiateRejected),
        }
    }

    /// The proxy accepted: verifies its final token when it sent one (mutual authentication),
    /// then forgets the context.
    pub(super) fn established(&mut self, challenges: &Challenges) -> Result<(), AuthProblem> {
        let context = self.context.take();
        let token = server_token(challenges).map_err(|_| AuthProblem::MutualAuthFailed)?;
        match (context, token) {
            (Some(mut context), Some(token)) if !self.complete => {
                let step = context
                    .step(Some(&token))
                    .map_err(|_| AuthProblem::MutualAuthFailed)?;
                // A context that wants to send more after the proxy said yes cannot be
                // finished: there is no round left to send it in.
                if step.token.is_some() || !step.complete {
                    return Err(AuthProblem::MutualAuthFailed);
                }
                Ok(())
            }
            // A token for a context that is already complete, or that never started.
            (_, Some(_)) => Err(AuthProblem::MutualAuthFailed),
            // Proxies commonly send no final token (squid does not on CONNECT): accepted;
            // the ticket was still only usable by the holder of the service key.
            (_, None) => Ok(()),
        }
    }

    /// Whether the context is bound to the connection (it consumed a token of the proxy).
    pub(super) fn is_connection_bound(&self) -> bool {
        self.context.is_some() && self.answered
    }

    /// A new connection: a context in the middle of its exchange is dropped; one that only
    /// produced its first token is kept (that token is sent again on the new connection).
    /// Returns whether the context was kept.
    pub(super) fn next_connection(&mut self) -> bool {
        if self.answered {
            self.context = None;
            self.answered = false;
        }
        self.context.is_some()
    }
}

impl fmt::Debug for Negotiator {
    /// The service host and the state only: never a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Negotiator")
            .field("service", &format_args!("HTTP@{}", self.host))
            .field("context", &self.context.is_some())
            .field("answered", &self.answered)
            .finish()
    }
}

/// RFC 2744's `GSS_S_FAILURE`, for a provider that broke its contract (no first token).
const GSS_S_FAILURE: u32 = 13 << 16;

/// The proxy's Negotiate token, if its Negotiate challenge carries one.
fn server_token(challenges: &Challenges) -> Result<Option<Vec<u8>>, AuthProblem> {
    let Some(text) = challenges
        .iter()
        .filter(|c| c.is("Negotiate"))
        .find_map(|c| c.token68())
    else {
        return Ok(None);
    };
    let text = text.trim();
    if text.len() > MAX_TOKEN_LEN.div_ceil(3) * 4 {
        return Err(AuthProblem::BadChallenge);
    }
    let mut out = alloc::vec![0u8; text.len() / 4 * 3 + 3];
    let written = STANDARD
        .decode_slice(text, &mut out)
        .map_err(|_| AuthProblem::BadChallenge)?;
    out.truncate(written);
    Ok(Some(out))
}

/// `Negotiate ` + base64(`token`).
fn value(token: &[u8]) -> String {
    let mut out = alloc::vec![0u8; token.len().div_ceil(3) * 4];
    let written = STANDARD.encode_slice(token, &mut out).unwrap_or(0);
    out.truncate(written);
    let mut value = String::from("Negotiate ");
    value.push_str(core::str::from_utf8(&out).unwrap_or(""));
    value
}

#[cfg(test)]
pub(crate) mod fake;

#[cfg(test)]
#[path = "negotiate_tests.rs"]
mod tests;
