//! The one failure type of egress (feature `alloc`): every way establishing a connection can
//! fail, classified once by the connection machine (or by configuration and target
//! validation), with structured payloads a program can match on.
//!
//! Both frontends wrap [`Failure`] in their public `Error` next to their HTTP engine's own
//! errors, so a kind, a phase, a message and the proxy-or-target split exist once.
//! `Display` says what happened and what to do next; it never repeats the source (that is
//! `std::error::Error::source`), never names a frontend's API or a CLI flag, and never shows
//! a credential: proxies are rendered `scheme://host:port`, targets `host:port`.
//!
//! ```
//! use egress_core::failure::{Failure, FailureKind};
//! use egress_core::Phase;
//!
//! let failure = Failure::Timeout { phase: Phase::ProxyHandshake };
//! assert_eq!(failure.kind(), FailureKind::Timeout);
//! assert_eq!(failure.phase(), Some(Phase::ProxyHandshake));
//! assert!(failure.is_proxy_failure());
//! assert!(failure.to_string().starts_with("timed out while waiting for the proxy's answer"));
//! ```

mod accessors;
mod display;
mod peer_error;

pub use peer_error::{PeerError, PeerErrorKind};

use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use ipnet::IpNet;

use crate::auth::AuthProblem;
use crate::connect::ConnectError;
use crate::phase::Phase;
use crate::target::TargetError;

/// Where a configuration problem is: a variable name (`HTTPS_PROXY`), `configuration` for a
/// value set in code, or an option's name.
pub type Origin = String;

/// Every way egress can fail before a request's stream is ready; see the module doc.
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure {
    /// The proxy configuration is invalid.
    InvalidConfig {
        /// The variable or option the problem is in, e.g. `HTTPS_PROXY`.
        variable: Origin,
        /// What is wrong, never quoting a password.
        problem: String,
    },
    /// The URL cannot be routed: its scheme, host or port is unusable.
    InvalidTarget {
        /// The URL without user information, or `host:port`.
        url: String,
        /// What is wrong.
        problem: TargetError,
    },
    /// The proxy could not be reached (DNS, refused, unreachable).
    ProxyUnreachable {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// The phase: resolving the proxy, connecting to it, or talking to it.
        phase: Phase,
        /// The underlying failure.
        source: PeerError,
    },
    /// TLS with an `https://` proxy failed.
    ProxyTls {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// The TLS failure.
        source: PeerError,
    },
    /// The proxy demands authentication (407, or 401 from tinyproxy).
    ProxyAuthRequired {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// 407 or 401.
        status: u16,
        /// The challenge schemes the proxy offered, e.g. `["Basic"]`.
        schemes: Vec<String>,
        /// Whether credentials were sent (so they are wrong, rather than missing).
        credentials_sent: bool,
        /// The scheme egress answered with last (`Basic`, `Digest`, `NTLM`), if any.
        scheme: Option<&'static str>,
        /// Why authentication stopped: wrong credentials, none given, no usable scheme, ...
        problem: AuthProblem,
    },
    /// The proxy refused to open a tunnel (any non-2xx answer to CONNECT but 407/401).
    ConnectRejected {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// The target `host:port` of the CONNECT.
        target: String,
        /// The status code.
        status: u16,
        /// The reason phrase the proxy sent.
        reason: String,
        /// What the proxy said about why, when it said anything (boxed: rarely present,
        /// and it would make every `Result<_, Failure>` large).
        explanation: alloc::boxed::Box<ProxyExplanation>,
    },
    /// The proxy's answer to CONNECT was not valid HTTP, or it closed before finishing it.
    ProxyProtocol {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// What was wrong with the answer.
        error: ConnectError,
    },
    /// The proxy closed or reset the connection in `phase`: while a forward request waited
    /// for its response head, or inside a tunnel it had just opened.
    ProxyClosed {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// The phase the connection was in.
        phase: Phase,
        /// The underlying failure (an end of stream or a reset).
        source: PeerError,
    },
    /// Every address of a directly connected target is in the IP blocklist.
    Blocked {
        /// The target host as requested.
        host: String,
        /// The (first) blocked address.
        addr: IpAddr,
        /// The blocklist range that contains it.
        range: IpNet,
    },
    /// A phase took longer than its timeout.
    Timeout {
        /// The phase that timed out.
        phase: Phase,
    },
    /// The target could not be reached directly (DNS, refused, unreachable).
    TargetUnreachable {
        /// The target as `host:port`.
        target: String,
        /// The phase: resolving the target, or connecting to it.
        phase: Phase,
        /// The underlying failure.
        source: PeerError,
    },
    /// TLS with the target failed (through a tunnel or directly).
    TargetTls {
        /// The target as `host:port`.
        target: String,
        /// The TLS failure.
        source: PeerError,
    },
}

/// Why a proxy refused a tunnel, in its own words (each bounded, control characters
/// replaced): squid's `X-Squid-Error`, RFC 9209 `Proxy-Status`, `Via`, and the first line
/// of the refusal's body when it came with the head.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyExplanation {
    /// `X-Squid-Error`, e.g. `ERR_ACCESS_DENIED 0`.
    pub squid_error: Option<String>,
    /// `Proxy-Status`, e.g. `squid; error=http_request_denied`.
    pub proxy_status: Option<String>,
    /// `Via`: which proxy answered.
    pub via: Option<String>,
    /// The first non-empty line of the body.
    pub body_line: Option<String>,
}

impl ProxyExplanation {
    /// Whether the proxy said nothing beyond its status line.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The kind of a [`Failure`], without its payload: `Copy`, for matching and counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// [`Failure::InvalidConfig`].
    InvalidConfig,
    /// [`Failure::InvalidTarget`].
    InvalidTarget,
    /// [`Failure::ProxyUnreachable`].
    ProxyUnreachable,
    /// [`Failure::ProxyTls`].
    ProxyTls,
    /// [`Failure::ProxyAuthRequired`].
    ProxyAuthRequired,
    /// [`Failure::ConnectRejected`].
    ConnectRejected,
    /// [`Failure::ProxyProtocol`].
    ProxyProtocol,
    /// [`Failure::ProxyClosed`].
    ProxyClosed,
    /// [`Failure::Blocked`].
    Blocked,
    /// [`Failure::Timeout`].
    Timeout,
    /// [`Failure::TargetUnreachable`].
    TargetUnreachable,
    /// [`Failure::TargetTls`].
    TargetTls,
}

impl FailureKind {
    /// A stable short name, e.g. `proxy-auth-required`, for logs, JSON and scripts.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidConfig => "invalid-config",
            Self::InvalidTarget => "invalid-target",
            Self::ProxyUnreachable => "proxy-unreachable",
            Self::ProxyTls => "proxy-tls",
            Self::ProxyAuthRequired => "proxy-auth-required",
            Self::ConnectRejected => "connect-rejected",
            Self::ProxyProtocol => "proxy-protocol",
            Self::ProxyClosed => "proxy-closed",
            Self::Blocked => "blocked-address",
            Self::Timeout => "timeout",
            Self::TargetUnreachable => "target-unreachable",
            Self::TargetTls => "target-tls",
        }
    }
}

impl Failure {
    /// The kind, without the payload.
    pub fn kind(&self) -> FailureKind {
        match self {
            Self::InvalidConfig { .. } => FailureKind::InvalidConfig,
            Self::InvalidTarget { .. } => FailureKind::InvalidTarget,
            Self::ProxyUnreachable { .. } => FailureKind::ProxyUnreachable,
            Self::ProxyTls { .. } => FailureKind::ProxyTls,
            Self::ProxyAuthRequired { .. } => FailureKind::ProxyAuthRequired,
            Self::ConnectRejected { .. } => FailureKind::ConnectRejected,
            Self::ProxyProtocol { .. } => FailureKind::ProxyProtocol,
            Self::ProxyClosed { .. } => FailureKind::ProxyClosed,
            Self::Blocked { .. } => FailureKind::Blocked,
            Self::Timeout { .. } => FailureKind::Timeout,
            Self::TargetUnreachable { .. } => FailureKind::TargetUnreachable,
            Self::TargetTls { .. } => FailureKind::TargetTls,
        }
    }

    /// The phase the failure happened in, when it belongs to one.
    pub fn phase(&self) -> Option<Phase> {
        Some(match self {
            Self::InvalidConfig { .. } | Self::InvalidTarget { .. } => return None,
            Self::ProxyTls { .. } => Phase::ProxyTls,
            Self::ProxyAuthRequired { .. }
            | Self::ConnectRejected { .. }
            | Self::ProxyProtocol { .. } => Phase::ProxyHandshake,
            Self::ProxyUnreachable { phase, .. }
            | Self::ProxyClosed { phase, .. }
            | Self::Timeout { phase }
            | Self::TargetUnreachable { phase, .. } => *phase,
            Self::Blocked { .. } => Phase::ResolveTarget,
            Self::TargetTls { .. } => Phase::TargetTls,
        })
    }

    /// Whether the proxy's side failed (unreachable, TLS, authentication, refusal, protocol,
    /// a close, or a timeout in a proxy phase): the request never reached the target.
    pub fn is_proxy_failure(&self) -> bool {
        match self {
            Self::ProxyUnreachable { .. }
            | Self::ProxyTls { .. }
            | Self::ProxyAuthRequired { .. }
            | Self::ConnectRejected { .. }
            | Self::ProxyProtocol { .. }
            | Self::ProxyClosed { .. } => true,
            Self::Timeout { phase } => phase.is_proxy_phase(),
            _ => false,
        }
    }

    /// Whether the configuration or the URL is at fault (nothing was sent anywhere).
    pub fn is_usage_failure(&self) -> bool {
        matches!(
            self,
            Self::InvalidConfig { .. } | Self::InvalidTarget { .. }
        )
    }

    /// The underlying failure of a peer, if any.
    pub fn peer_error(&self) -> Option<&PeerError> {
        match self {
            Self::ProxyUnreachable { source, .. }
            | Self::ProxyTls { source, .. }
            | Self::ProxyClosed { source, .. }
            | Self::TargetUnreachable { source, .. }
            | Self::TargetTls { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl core::error::Error for Failure {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::ProxyProtocol { error, .. } => Some(error),
            _ => self
                .peer_error()
                .map(|error| error as &(dyn core::error::Error + 'static)),
        }
    }
}

#[cfg(test)]
mod tests;
