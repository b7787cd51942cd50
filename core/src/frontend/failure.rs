//! The failures both frontends report, with one wording: each frontend's `Error` keeps its
//! own variants (its public API) and renders them through the borrowed view [`Failure`],
//! so a message, a kind name or the proxy-or-not classification exists once.

use alloc::string::String;
use core::fmt;
use core::net::IpAddr;
use std::io;

use ipnet::IpNet;

use crate::connect::ConnectError;
use crate::phase::Phase;

/// A borrowed view of a frontend error variant shared by both frontends; the frontend's
/// own variants (e.g. its HTTP exchange errors) have no view.
///
/// ```
/// use egress_core::Phase;
/// use egress_core::frontend::Failure;
///
/// let failure = Failure::Timeout { phase: Phase::ProxyHandshake };
/// assert_eq!(failure.kind_name(), "timeout");
/// assert!(failure.is_proxy_failure());
/// assert!(failure.to_string().starts_with("timed out while waiting for the proxy's answer"));
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Failure<'a> {
    /// The proxy configuration is invalid; the message names the variable and the problem.
    InvalidConfig {
        /// What is wrong (never a password).
        message: &'a str,
    },
    /// The proxy could not be reached (DNS, refused, unreachable).
    ProxyUnreachable {
        /// The proxy, as `scheme://host:port`.
        proxy: &'a str,
        /// The underlying failure.
        source: &'a io::Error,
    },
    /// TLS with an `https://` proxy failed.
    ProxyTls {
        /// The proxy, as `scheme://host:port`.
        proxy: &'a str,
        /// The TLS failure.
        source: &'a io::Error,
        /// The frontend's builder type, named in the advice (e.g. `AgentBuilder`).
        builder: &'a str,
    },
    /// The proxy demands authentication (407, or 401 from tinyproxy).
    ProxyAuthRequired {
        /// The proxy, as `scheme://host:port`.
        proxy: &'a str,
        /// 407 or 401.
        status: u16,
        /// The challenge schemes the proxy offered.
        schemes: &'a [String],
        /// Whether credentials were sent (so they are wrong, rather than missing).
        credentials_sent: bool,
    },
    /// The proxy refused to open a tunnel.
    ConnectRejected {
        /// The proxy, as `scheme://host:port`.
        proxy: &'a str,
        /// The target `host:port` of the CONNECT.
        target: &'a str,
        /// The status code.
        status: u16,
        /// The reason phrase the proxy sent.
        reason: &'a str,
    },
    /// The proxy's answer to CONNECT was not valid HTTP, or it closed the connection early.
    ProxyProtocol {
        /// The proxy, as `scheme://host:port`.
        proxy: &'a str,
        /// What was wrong with the answer.
        error: &'a ConnectError,
    },
    /// Every address of a directly connected target is in the IP blocklist.
    Blocked {
        /// The target host as requested.
        host: &'a str,
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
    /// The target could not be reached directly.
    TargetUnreachable {
        /// The target as `host:port`.
        target: &'a str,
        /// The underlying failure.
        source: &'a io::Error,
    },
    /// TLS with the target failed (through a tunnel or directly).
    TargetTls {
        /// The target as `host:port`.
        target: &'a str,
        /// The TLS failure.
        source: &'a io::Error,
        /// The frontend's builder type, named in the advice (e.g. `AgentBuilder`).
        builder: &'a str,
    },
}

impl<'a> Failure<'a> {
    /// A stable short name of the kind, e.g. `proxy-auth-required`, for logs and scripts.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Failure::InvalidConfig { .. } => "invalid-config",
            Failure::ProxyUnreachable { .. } => "proxy-unreachable",
            Failure::ProxyTls { .. } => "proxy-tls",
            Failure::ProxyAuthRequired { .. } => "proxy-auth-required",
            Failure::ConnectRejected { .. } => "connect-rejected",
            Failure::ProxyProtocol { .. } => "proxy-protocol",
            Failure::Blocked { .. } => "blocked-address",
            Failure::Timeout { .. } => "timeout",
            Failure::TargetUnreachable { .. } => "target-unreachable",
            Failure::TargetTls { .. } => "target-tls",
        }
    }

    /// Whether the failure is the proxy's side (unreachable, TLS, auth, refusal, protocol,
    /// or a timeout in a proxy phase).
    pub fn is_proxy_failure(&self) -> bool {
        match self {
            Failure::ProxyUnreachable { .. }
            | Failure::ProxyTls { .. }
            | Failure::ProxyAuthRequired { .. }
            | Failure::ConnectRejected { .. }
            | Failure::ProxyProtocol { .. } => true,
            Failure::Timeout { phase } => matches!(
                phase,
                Phase::ResolveProxy | Phase::ConnectProxy | Phase::ProxyTls | Phase::ProxyHandshake
            ),
            _ => false,
        }
    }

    /// The underlying error, for `std::error::Error::source`.
    pub fn source(&self) -> Option<&'a (dyn std::error::Error + 'static)> {
        match *self {
            Failure::ProxyUnreachable { source, .. }
            | Failure::ProxyTls { source, .. }
            | Failure::TargetUnreachable { source, .. }
            | Failure::TargetTls { source, .. } => Some(source),
            Failure::ProxyProtocol { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for Failure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Failure::InvalidConfig { message } => f.write_str(message),
            Failure::ProxyUnreachable { proxy, source } => write!(
                f,
                "cannot reach proxy {proxy}: {source}; check that the proxy is running and \
                 that the proxy variable points to it"
            ),
            Failure::ProxyTls {
                proxy,
                source,
                builder,
            } => write!(
                f,
                "TLS with proxy {proxy} failed: {source}; if the proxy's certificate comes from \
                 a private CA, add that CA (egress --proxy-ca FILE, or \
                 {builder}::add_proxy_ca_pem), otherwise check that the certificate is valid \
                 and names the proxy host"
            ),
            Failure::ProxyAuthRequired {
                proxy,
                status,
                schemes,
                credentials_sent,
            } => {
                write!(
                    f,
                    "proxy {proxy} requires authentication (status {status}, offers: "
                )?;
                if schemes.is_empty() {
                    f.write_str("no scheme named")?;
                }
                for (i, scheme) in schemes.iter().enumerate() {
                    let separator = if i == 0 { "" } else { ", " };
                    write!(f, "{separator}{scheme}")?;
                }
                f.write_str(if credentials_sent {
                    "); the credentials in the proxy URL were rejected; check user and password"
                } else {
                    "); add credentials to the proxy URL: http://user:password@host:port"
                })
            }
            Failure::ConnectRejected {
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
            Failure::ProxyProtocol { proxy, error } => write!(
                f,
                "proxy {proxy} answered CONNECT incorrectly: {error}; check that the proxy \
                 variable names an HTTP proxy"
            ),
            Failure::Blocked { host, addr, range } => write!(
                f,
                "refusing to connect to {host}: its address {addr} is in the blocked range \
                 {range}; add an exception to the IP blocklist if this target is intended"
            ),
            Failure::Timeout { phase } => write!(
                f,
                "timed out while {}; the peer may be down or filtered, or raise the timeout",
                phase.description()
            ),
            Failure::TargetUnreachable { target, source } => {
                write!(f, "cannot connect to {target}: {source}")
            }
            Failure::TargetTls {
                target,
                source,
                builder,
            } => write!(
                f,
                "TLS with {target} failed: {source}; for a private CA add it (egress --ca FILE, \
                 or {builder}::add_ca_pem)"
            ),
        }
    }
}

/// The configuration is invalid; `message` names the variable or option and the problem
/// (never a password). Each frontend turns it into its `Error::InvalidConfig`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidConfig {
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for InvalidConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidConfig {}

#[cfg(test)]
mod tests {
    use std::string::ToString;
    use std::vec;

    use super::*;

    #[test]
    fn auth_required_lists_schemes_and_advice() {
        let schemes = vec![String::from("Basic"), String::from("Negotiate")];
        let sent = Failure::ProxyAuthRequired {
            proxy: "http://proxy:3128",
            status: 407,
            schemes: &schemes,
            credentials_sent: true,
        };
        assert_eq!(
            sent.to_string(),
            "proxy http://proxy:3128 requires authentication (status 407, offers: Basic, \
             Negotiate); the credentials in the proxy URL were rejected; check user and password"
        );
        let none = Failure::ProxyAuthRequired {
            proxy: "http://proxy:3128",
            status: 401,
            schemes: &[],
            credentials_sent: false,
        };
        assert_eq!(
            none.to_string(),
            "proxy http://proxy:3128 requires authentication (status 401, offers: no scheme \
             named); add credentials to the proxy URL: http://user:password@host:port"
        );
    }

    #[test]
    fn tls_advice_names_the_builder() {
        let source = io::Error::other("bad certificate");
        let failure = Failure::TargetTls {
            target: "example.org:443",
            source: &source,
            builder: "ConnectorBuilder",
        };
        assert!(failure.to_string().contains("ConnectorBuilder::add_ca_pem"));
        assert!(failure.source().is_some());
        assert!(!failure.is_proxy_failure());
        assert_eq!(failure.kind_name(), "target-tls");
    }

    #[test]
    fn only_proxy_phases_are_proxy_timeouts() {
        let proxy = Failure::Timeout {
            phase: Phase::ConnectProxy,
        };
        let target = Failure::Timeout {
            phase: Phase::ConnectTarget,
        };
        assert!(proxy.is_proxy_failure());
        assert!(!target.is_proxy_failure());
    }
}
