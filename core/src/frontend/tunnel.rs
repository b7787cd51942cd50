//! The CONNECT exchange of a frontend without its socket: the request bytes (with the proxy
//! URL's credentials and the `User-Agent`), then the proxy's answer fed chunk by chunk and
//! turned into an open tunnel or an owned failure. The frontends only move the bytes and
//! apply the handshake deadline.
//!
//! ```text
//! new ──► (request bytes: write them) ──► handle_bytes* ──► Ok(Some(established))
//!                                            │  Ok(None): read more
//!                                            ├─► Err(TunnelFailure)  (407/401, refusal, bad HTTP)
//!                                            └─► handle_eof ──► TunnelFailure::Protocol
//! ```
//!
//! ```
//! use egress_core::frontend::{TunnelFailure, TunnelHandshake};
//! use egress_core::{ProxyUrl, Scheme, Target};
//!
//! let proxy = ProxyUrl::parse("http://user:secret@proxy:3128")?;
//! let target = Target::from_url_parts(Scheme::Https, "matrix.org", None)?;
//! let (mut handshake, request) = TunnelHandshake::new(&proxy, &target, Some("egress/1"))?;
//! assert!(request.starts_with(b"CONNECT matrix.org:443 HTTP/1.1\r\n"));
//! assert_eq!(handshake.handle_bytes(b"HTTP/1.1 200 Connection established\r\n")?, None);
//! let open = handshake.handle_bytes(b"\r\nTLS")?.expect("the answer is complete");
//! assert_eq!((open.status, &open.leftover[..]), (200, &b"TLS"[..]));
//!
//! let (mut refused, _) = TunnelHandshake::new(&proxy, &target, None)?;
//! let failure = refused.handle_bytes(b"HTTP/1.1 403 Forbidden\r\n\r\n").unwrap_err();
//! assert!(matches!(failure, TunnelFailure::Rejected { status: 403, .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::{Failure, InvalidConfig};
use crate::connect::{
    ConnectError, ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus,
};
use crate::proxy_url::ProxyUrl;
use crate::target::Target;

/// Drives one CONNECT answer; see the module doc for the order of calls.
pub struct TunnelHandshake<'a> {
    proxy: &'a ProxyUrl<'a>,
    target: &'a Target<'a>,
    credentials_sent: bool,
    /// Boxed: the decoder holds the bounded header buffer.
    decoder: Box<ConnectResponse>,
}

/// The tunnel is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TunnelEstablished {
    /// The proxy's 2xx status.
    pub status: u16,
    /// Tunnel bytes that arrived with the answer, to be read before the stream's.
    pub leftover: Vec<u8>,
}

/// The proxy did not open the tunnel. Proxies are rendered as `scheme://host:port`,
/// never with credentials. Exhaustive on purpose: a new kind must be mapped by both
/// frontends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TunnelFailure {
    /// 407 (or 401 from tinyproxy): authentication required or refused.
    AuthRequired {
        /// The proxy.
        proxy: String,
        /// 407 or 401.
        status: u16,
        /// The challenge schemes offered.
        schemes: Vec<String>,
        /// Whether credentials were sent.
        credentials_sent: bool,
    },
    /// Any other non-2xx answer.
    Rejected {
        /// The proxy.
        proxy: String,
        /// The target `host:port` of the CONNECT.
        target: String,
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The answer was not valid HTTP, or the proxy closed the connection early.
    Protocol {
        /// The proxy.
        proxy: String,
        /// What was wrong.
        error: ConnectError,
    },
}

impl<'a> TunnelHandshake<'a> {
    /// Starts a handshake for `target` through `proxy`, returning the CONNECT request to
    /// send in one write. Fails if the request cannot be encoded (e.g. a `User-Agent` with
    /// control characters).
    pub fn new(
        proxy: &'a ProxyUrl<'a>,
        target: &'a Target<'a>,
        user_agent: Option<&str>,
    ) -> Result<(Self, Vec<u8>), InvalidConfig> {
        let credentials = proxy.credentials();
        let mut request = ConnectRequest::new(target);
        if let Some(credentials) = credentials {
            request = request.with_credentials(credentials);
        }
        if let Some(agent) = user_agent {
            request = request.with_user_agent(agent);
        }
        let mut head = vec![0u8; request.encoded_len()];
        let written = request.encode(&mut head).map_err(|error| InvalidConfig {
            message: format!("cannot send CONNECT for {}: {error}", target.authority()),
        })?;
        head.truncate(written);
        let handshake = Self {
            proxy,
            target,
            credentials_sent: credentials.is_some(),
            decoder: Box::new(ConnectResponse::new()),
        };
        Ok((handshake, head))
    }

    /// Feeds bytes read from the proxy: `Ok(None)` means read more.
    pub fn handle_bytes(
        &mut self,
        input: &[u8],
    ) -> Result<Option<TunnelEstablished>, TunnelFailure> {
        let status = self
            .decoder
            .handle_bytes(input)
            .map_err(|error| self.protocol(error))?;
        let ConnectStatus::Done(outcome) = status else {
            return Ok(None);
        };
        let proxy = self.proxy.to_string();
        match outcome {
            ConnectOutcome::Established { status, leftover } => Ok(Some(TunnelEstablished {
                status,
                leftover: leftover.to_vec(),
            })),
            ConnectOutcome::AuthRequired { status, schemes } => Err(TunnelFailure::AuthRequired {
                proxy,
                status,
                schemes: schemes.iter().map(|s| s.as_str().to_owned()).collect(),
                credentials_sent: self.credentials_sent,
            }),
            ConnectOutcome::Rejected { status, reason } => Err(TunnelFailure::Rejected {
                proxy,
                target: self.target.authority().to_string(),
                status,
                reason: reason.as_str().to_owned(),
            }),
        }
    }

    /// The proxy closed the connection before a complete answer.
    pub fn handle_eof(&mut self) -> TunnelFailure {
        let error = self.decoder.handle_eof().err();
        self.protocol(error.unwrap_or(ConnectError::AlreadyFinished))
    }

    fn protocol(&self, error: ConnectError) -> TunnelFailure {
        TunnelFailure::Protocol {
            proxy: self.proxy.to_string(),
            error,
        }
    }
}

impl fmt::Debug for TunnelHandshake<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TunnelHandshake")
            .field("proxy", self.proxy)
            .field("target", self.target)
            .finish_non_exhaustive()
    }
}

impl TunnelFailure {
    /// The shared view, for messages.
    pub fn as_failure(&self) -> Failure<'_> {
        match self {
            TunnelFailure::AuthRequired {
                proxy,
                status,
                schemes,
                credentials_sent,
            } => Failure::ProxyAuthRequired {
                proxy,
                status: *status,
                schemes,
                credentials_sent: *credentials_sent,
            },
            TunnelFailure::Rejected {
                proxy,
                target,
                status,
                reason,
            } => Failure::ConnectRejected {
                proxy,
                target,
                status: *status,
                reason,
            },
            TunnelFailure::Protocol { proxy, error } => Failure::ProxyProtocol { proxy, error },
        }
    }
}

impl fmt::Display for TunnelFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_failure().fmt(f)
    }
}

impl std::error::Error for TunnelFailure {}
