//! The one error type of egress-sync, with a variant per failure a program may handle
//! differently, and messages that say what to do next.
//!
//! Errors raised inside ureq's connector chain travel through ureq as
//! `ureq::Error::Other(Box<Error>)`; [`Error::from`] unwraps them again, so callers always
//! match on these variants. No variant ever holds a credential: proxies are rendered as
//! `scheme://host:port`.

use std::fmt;
use std::io;
use std::net::IpAddr;

use egress_core::Phase;
use egress_core::connect::ConnectError;
use egress_core::frontend::{Blocked, Failure, InvalidConfig, TunnelFailure};
use ipnet::IpNet;

/// Everything that can go wrong when egress-sync routes and sends a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The proxy configuration is invalid. The message names the variable and the problem.
    InvalidConfig {
        /// What is wrong, naming the variable (never its password).
        message: String,
    },
    /// The proxy could not be reached (DNS, refused, unreachable).
    ProxyUnreachable {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// The underlying failure.
        source: io::Error,
    },
    /// TLS with an `https://` proxy failed, usually its certificate.
    ProxyTls {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// The TLS failure (a [`rustls::Error`] inside when verification failed).
        source: io::Error,
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
    },
    /// The proxy's answer to CONNECT was not valid HTTP, or it closed the connection early.
    ProxyProtocol {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// What was wrong with the answer.
        error: ConnectError,
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
        /// The underlying failure.
        source: io::Error,
    },
    /// TLS with the target failed (through a tunnel or directly).
    TargetTls {
        /// The target as `host:port`.
        target: String,
        /// The TLS failure.
        source: io::Error,
    },
    /// Any other failure while exchanging the request with the target, as ureq reports it
    /// (protocol errors, HTTP status errors when enabled, body errors, ...).
    Http(ureq::Error),
}

impl Error {
    /// The shared view of this error, which holds the messages and kinds egress-sync and
    /// egress-async have in common; `Err` for [`Error::Http`], this frontend's own.
    fn view(&self) -> Result<Failure<'_>, &ureq::Error> {
        Ok(match self {
            Error::InvalidConfig { message } => Failure::InvalidConfig { message },
            Error::ProxyUnreachable { proxy, source } => {
                Failure::ProxyUnreachable { proxy, source }
            }
            Error::ProxyTls { proxy, source } => Failure::ProxyTls {
                proxy,
                source,
                builder: "AgentBuilder",
            },
            Error::ProxyAuthRequired {
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
            Error::ConnectRejected {
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
            Error::ProxyProtocol { proxy, error } => Failure::ProxyProtocol { proxy, error },
            Error::Blocked { host, addr, range } => Failure::Blocked {
                host,
                addr: *addr,
                range: *range,
            },
            Error::Timeout { phase } => Failure::Timeout { phase: *phase },
            Error::TargetUnreachable { target, source } => {
                Failure::TargetUnreachable { target, source }
            }
            Error::TargetTls { target, source } => Failure::TargetTls {
                target,
                source,
                builder: "AgentBuilder",
            },
            Error::Http(error) => return Err(error),
        })
    }

    /// A stable short name of the variant, e.g. `proxy-auth-required`, for logs and scripts.
    pub fn kind_name(&self) -> &'static str {
        self.view().map_or("http", |failure| failure.kind_name())
    }

    /// Whether the failure is the proxy's side (unreachable, TLS, auth, refusal, protocol).
    pub fn is_proxy_failure(&self) -> bool {
        self.view().is_ok_and(|failure| failure.is_proxy_failure())
    }

    /// Wraps this error so it can travel through ureq's connector chain.
    pub(crate) fn into_ureq(self) -> ureq::Error {
        ureq::Error::Other(Box::new(self))
    }
}

impl From<ureq::Error> for Error {
    fn from(error: ureq::Error) -> Self {
        match error {
            ureq::Error::Other(boxed) => match boxed.downcast::<Error>() {
                Ok(ours) => *ours,
                Err(other) => Error::Http(ureq::Error::Other(other)),
            },
            ureq::Error::Timeout(timeout) => Error::Timeout {
                phase: phase_of(timeout),
            },
            ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<Error>()) => {
                match io.into_inner().map(|inner| inner.downcast::<Error>()) {
                    Some(Ok(ours)) => *ours,
                    _ => Error::Http(ureq::Error::ConnectionFailed),
                }
            }
            other => Error::Http(other),
        }
    }
}

fn phase_of(timeout: ureq::Timeout) -> Phase {
    match timeout {
        ureq::Timeout::Resolve => Phase::ResolveTarget,
        ureq::Timeout::Connect => Phase::ConnectTarget,
        _ => Phase::Exchange,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.view() {
            Ok(failure) => failure.fmt(f),
            Err(http) => write!(f, "{http}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.view() {
            Ok(failure) => failure.source(),
            Err(http) => Some(http),
        }
    }
}

impl From<InvalidConfig> for Error {
    fn from(error: InvalidConfig) -> Self {
        Error::InvalidConfig {
            message: error.message,
        }
    }
}

impl From<Blocked> for Error {
    fn from(Blocked { host, addr, range }: Blocked) -> Self {
        Error::Blocked { host, addr, range }
    }
}

impl From<TunnelFailure> for Error {
    fn from(failure: TunnelFailure) -> Self {
        match failure {
            TunnelFailure::AuthRequired {
                proxy,
                status,
                schemes,
                credentials_sent,
            } => Error::ProxyAuthRequired {
                proxy,
                status,
                schemes,
                credentials_sent,
            },
            TunnelFailure::Rejected {
                proxy,
                target,
                status,
                reason,
            } => Error::ConnectRejected {
                proxy,
                target,
                status,
                reason,
            },
            TunnelFailure::Protocol { proxy, error } => Error::ProxyProtocol { proxy, error },
        }
    }
}
