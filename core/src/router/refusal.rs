//! Telling a forward proxy's refusal from an ordinary response.
//!
//! Through a tunnel the proxy's refusal answers the CONNECT and the connection machine
//! classifies it. On a forward route (`http://` target via `http_proxy`) it comes back as
//! the response to the request itself, so the frontends pass every response's status and
//! headers to [`Decision::forward_refusal`], written once here. The rule:
//!
//! | status | headers | result |
//! |---|---|---|
//! | 407 | any | the proxy refused: schemes from `Proxy-Authenticate` |
//! | 401 | `Server: tinyproxy/…` and a `WWW-Authenticate` challenge | the proxy refused (tinyproxy 1.11 answers wrong or missing credentials this way): schemes from `WWW-Authenticate` |
//! | 401 | anything else | the target's own answer: an ordinary response |
//! | other | any | an ordinary response |
//!
//! tinyproxy passes an origin's own `Server` header through unchanged, so an origin's 401
//! behind tinyproxy keeps its `Server` and stays the origin's.

use alloc::string::ToString;

use super::{Decision, RouteKind, RouterProxy};
use crate::auth::{AuthChoice, AuthProblem, ProxyAuth, SchemeKind};
use crate::connect::AuthSchemes;
use crate::establish::auth_round::reusable_body_len;
use crate::failure::Failure;

impl Decision<'_> {
    /// The failure for a forward proxy's refusal of a request on this route; `None` for
    /// any other response or route. `headers` are the response's fields as (name, value);
    /// names are compared case-insensitively. The rule:
    ///
    /// - 407: the proxy refused; schemes from `Proxy-Authenticate`.
    /// - 401 with `Server: tinyproxy/…` and a `WWW-Authenticate` challenge: the proxy
    ///   refused (tinyproxy 1.11 answers wrong or missing credentials this way); schemes
    ///   from `WWW-Authenticate`. tinyproxy passes an origin's own `Server` through, so an
    ///   origin's 401 keeps its own `Server` and stays an ordinary response.
    /// - Anything else, and any status on a direct or tunnel route: `None` (through a
    ///   tunnel the refusal answers the CONNECT, which the connection machine classifies).
    ///
    /// `choice` is the client's [`AuthChoice`]: with credentials, the scheme reported is
    /// the one the forward writer answered with (the strongest offered and allowed; Basic
    /// goes with every request under `any` and `basic`), and the problem is
    /// [`AuthProblem::CannotResend`] when that scheme needed the request sent again and the
    /// 407 closed the connection or had no `Content-Length`.
    pub fn forward_refusal<'v, I>(
        &self,
        choice: AuthChoice,
        status: u16,
        headers: I,
    ) -> Option<Failure>
    where
        I: IntoIterator<Item = (&'v [u8], &'v [u8])>,
        I::IntoIter: Clone,
    {
        let proxy = self.proxy.filter(|_| self.kind == RouteKind::Forward)?;
        let headers = headers.into_iter();
        let challenge_field: &[u8] = match status {
            407 => b"proxy-authenticate",
            401 if is_tinyproxy_refusal(headers.clone()) => b"www-authenticate",
            _ => return None,
        };
        let challenges = headers
            .clone()
            .filter(|(name, _)| name.eq_ignore_ascii_case(challenge_field))
            .map(|(_, value)| value);
        let schemes = AuthSchemes::from_challenges(challenges);
        let (scheme, problem) = if proxy.has_credentials() {
            answered_with(choice, proxy, &schemes, status, headers)
        } else {
            (None, AuthProblem::NoCredentials)
        };
        Some(Failure::ProxyAuthRequired {
            proxy: proxy.shown().to_string(),
            status,
            schemes: schemes.iter().map(|s| s.as_str().to_string()).collect(),
            credentials_sent: scheme.is_some(),
            scheme,
            problem,
        })
    }
}

/// The scheme the forward writer used for a refused request, and why the refusal reached
/// the client.
fn answered_with<'v>(
    choice: AuthChoice,
    proxy: &RouterProxy,
    schemes: &AuthSchemes,
    status: u16,
    headers: impl Iterator<Item = (&'v [u8], &'v [u8])>,
) -> (Option<&'static str>, AuthProblem) {
    // What the forward writer sent before any challenge, by the same rule.
    let first = ProxyAuth::for_proxy(
        choice,
        proxy.scheme() == crate::Scheme::Https,
        proxy.learned_scheme().get(),
    )
    .sends_first();
    let preemptive_basic = first == Some(SchemeKind::Basic);
    let best = SchemeKind::ALL_STRONGEST_FIRST
        .into_iter()
        .find(|&kind| choice.allows(kind) && schemes.contains(kind.name()));
    match best {
        None if preemptive_basic => (Some("Basic"), AuthProblem::Unsupported),
        None => (None, AuthProblem::Unsupported),
        Some(SchemeKind::Basic) => (Some("Basic"), AuthProblem::Rejected),
        Some(kind) => {
            // The HTTP engine parsed the head; an HTTP/1.0 proxy's 407 is taken as 1.1 here,
            // which only matters for the reported reason.
            let resendable = status == 407 && reusable_body_len(false, headers).is_some();
            let problem = if resendable {
                AuthProblem::Rejected
            } else {
                AuthProblem::CannotResend
            };
            (Some(kind.name()), problem)
        }
    }
}

/// tinyproxy's marks on its own 401: its `Server` and a `WWW-Authenticate` challenge.
pub(crate) fn is_tinyproxy_refusal<'v>(
    headers: impl Iterator<Item = (&'v [u8], &'v [u8])>,
) -> bool {
    let (mut server, mut challenge) = (false, false);
    for (name, value) in headers {
        if name.eq_ignore_ascii_case(b"server") {
            let prefix = b"tinyproxy/";
            server |=
                value.len() >= prefix.len() && value[..prefix.len()].eq_ignore_ascii_case(prefix);
        } else if name.eq_ignore_ascii_case(b"www-authenticate") {
            challenge = true;
        }
    }
    server && challenge
}
