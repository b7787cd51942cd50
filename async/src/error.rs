//! The one error type of egress-async, with the same variants (names and meanings) as
//! egress-sync's, so a service sees the same kinds whichever frontend it uses, and messages
//! that say what to do next.
//!
//! Failures of the HTTP exchange itself (after the connection is ready) are
//! [`Error::Http`], carrying an [`HttpError`]. No variant ever holds a credential: proxies
//! are rendered as `scheme://host:port`.

use std::fmt;
use std::io;
use std::net::IpAddr;

use egress_core::Phase;
use egress_core::connect::ConnectError;
use ipnet::IpNet;

use crate::HttpError;

/// Everything that can go wrong when egress-async routes a connection or sends a request.
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
    /// Any other failure while exchanging a request with the target over a ready connection
    /// (HTTP protocol errors from ureq-proto, I/O errors, too many redirects).
    Http(HttpError),
}

impl Error {
    /// A stable short name of the variant, e.g. `proxy-auth-required`, for logs and scripts.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::InvalidConfig { .. } => "invalid-config",
            Error::ProxyUnreachable { .. } => "proxy-unreachable",
            Error::ProxyTls { .. } => "proxy-tls",
            Error::ProxyAuthRequired { .. } => "proxy-auth-required",
            Error::ConnectRejected { .. } => "connect-rejected",
            Error::ProxyProtocol { .. } => "proxy-protocol",
            Error::Blocked { .. } => "blocked-address",
            Error::Timeout { .. } => "timeout",
            Error::TargetUnreachable { .. } => "target-unreachable",
            Error::TargetTls { .. } => "target-tls",
            Error::Http(_) => "http",
        }
    }

    /// Whether the failure is the proxy's side (unreachable, TLS, auth, refusal, protocol).
    pub fn is_proxy_failure(&self) -> bool {
        matches!(
            self,
            Error::ProxyUnreachable { .. }
                | Error::ProxyTls { .. }
                | Error::ProxyAuthRequired { .. }
                | Error::ConnectRejected { .. }
                | Error::ProxyProtocol { .. }
        ) || matches!(
            self,
            Error::Timeout {
                phase: Phase::ResolveProxy
                    | Phase::ConnectProxy
                    | Phase::ProxyTls
                    | Phase::ProxyHandshake
            }
        )
    }
}

impl From<HttpError> for Error {
    fn from(error: HttpError) -> Self {
        Error::Http(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig { message } => f.write_str(message),
            Error::ProxyUnreachable { proxy, source } => write!(
                f,
                "cannot reach proxy {proxy}: {source}; check that the proxy is running and \
                 that the proxy variable points to it"
            ),
            Error::ProxyTls { proxy, source } => write!(
                f,
                "TLS with proxy {proxy} failed: {source}; if the proxy's certificate comes from \
                 a private CA, add that CA (egress --proxy-ca FILE, or \
                 ConnectorBuilder::add_proxy_ca_pem), otherwise check that the certificate is valid \
                 and names the proxy host"
            ),
            Error::ProxyAuthRequired {
                proxy,
                status,
                schemes,
                credentials_sent,
            } => {
                let offered = if schemes.is_empty() {
                    String::from("no scheme named")
                } else {
                    schemes.join(", ")
                };
                let advice = if *credentials_sent {
                    "the credentials in the proxy URL were rejected; check user and password"
                } else {
                    "add credentials to the proxy URL: http://user:password@host:port"
                };
                write!(
                    f,
                    "proxy {proxy} requires authentication (status {status}, offers: {offered}); \
                     {advice}"
                )
            }
            Error::ConnectRejected {
                proxy,
                target,
                status,
                reason,
            } => write!(
                f,
                "proxy {proxy} refused to open a tunnel to {target}: {status} {reason}; the \
                 proxy's rules may not allow this host or port (squid allows CONNECT only to \
                 SSL ports by default), or add the host to no_proxy to connect directly"
            ),
            Error::ProxyProtocol { proxy, error } => write!(
                f,
                "proxy {proxy} answered CONNECT incorrectly: {error}; check that the proxy \
                 variable names an HTTP proxy"
            ),
            Error::Blocked { host, addr, range } => write!(
                f,
                "refusing to connect to {host}: its address {addr} is in the blocked range \
                 {range}; add an exception to the IP blocklist if this target is intended"
            ),
            Error::Timeout { phase } => write!(
                f,
                "timed out while {}; the peer may be down or filtered, or raise the timeout",
                phase.description()
            ),
            Error::TargetUnreachable { target, source } => {
                write!(f, "cannot connect to {target}: {source}")
            }
            Error::TargetTls { target, source } => write!(
                f,
                "TLS with {target} failed: {source}; for a private CA add it (egress --ca FILE, \
                 or ConnectorBuilder::add_ca_pem)"
            ),
            Error::Http(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::ProxyUnreachable { source, .. }
            | Error::ProxyTls { source, .. }
            | Error::TargetUnreachable { source, .. }
            | Error::TargetTls { source, .. } => Some(source),
            Error::ProxyProtocol { error, .. } => Some(error),
            Error::Http(error) => Some(error),
            _ => None,
        }
    }
}
