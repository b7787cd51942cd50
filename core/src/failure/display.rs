//! The messages of [`Failure`]: what happened and what to do next, in the words of the
//! configuration (variables, proxy URLs), never a frontend's API, a CLI flag or a source's
//! own text (reporters print `source()` themselves).

use core::fmt;

use super::{Failure, PeerErrorKind};
use crate::phase::Phase;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::InvalidConfig { variable, problem } => {
                write!(f, "invalid proxy configuration in {variable}: {problem}")
            }
            Failure::InvalidTarget { url, problem } => write!(f, "cannot route {url}: {problem}"),
            Failure::ProxyUnreachable { proxy, .. } => write!(
                f,
                "cannot reach proxy {proxy}; check that the proxy is running and that the proxy \
                 variable points to it"
            ),
            Failure::ProxyTls { proxy, source } if source.kind() == PeerErrorKind::NotTls => {
                write!(
                    f,
                    "proxy {proxy} answered TLS in plain text: this proxy port speaks plain \
                     HTTP; write its URL with http:// instead of https://"
                )
            }
            Failure::ProxyTls { proxy, .. } => write!(
                f,
                "TLS with proxy {proxy} failed; if the proxy's certificate comes from a private \
                 CA, trust that CA for proxies, otherwise check that the certificate is valid and \
                 names the proxy host (and that the proxy port speaks TLS at all)"
            ),
            Failure::ProxyAuthRequired {
                proxy,
                status,
                schemes,
                scheme,
                problem,
                ..
            } => {
                write!(
                    f,
                    "proxy {proxy} requires authentication (status {status}, offers: "
                )?;
                if schemes.is_empty() {
                    f.write_str("no scheme named")?;
                }
                for (i, offered) in schemes.iter().enumerate() {
                    let separator = if i == 0 { "" } else { ", " };
                    write!(f, "{separator}{offered}")?;
                }
                match scheme {
                    Some(scheme) => write!(f, "; {scheme} failed): {problem}"),
                    None => write!(f, "): {problem}"),
                }
            }
            Failure::ConnectRejected {
                proxy,
                target,
                status,
                reason,
                explanation,
            } => {
                write!(
                    f,
                    "proxy {proxy} refused to open a tunnel to {target}: {status} {reason}"
                )?;
                let said = [
                    ("error", &explanation.squid_error),
                    ("Proxy-Status", &explanation.proxy_status),
                    ("via", &explanation.via),
                    ("page", &explanation.body_line),
                ];
                let mut first = true;
                for (label, value) in said {
                    if let Some(value) = value {
                        f.write_str(if first { " (" } else { "; " })?;
                        write!(f, "{label}: {value}")?;
                        first = false;
                    }
                }
                if !first {
                    f.write_str(")")?;
                }
                f.write_str(
                    "; the proxy's rules may not allow this host or port (squid allows CONNECT \
                     only to SSL ports by default), or add the host to no_proxy to connect \
                     directly",
                )
            }
            Failure::ProxyProtocol { proxy, .. } => write!(
                f,
                "proxy {proxy} answered CONNECT incorrectly; check that the proxy variable names \
                 an HTTP proxy"
            ),
            Failure::ProxyClosed { proxy, phase, .. } => match phase {
                Phase::TargetTls => write!(
                    f,
                    "proxy {proxy} closed the tunnel right after opening it, before TLS with the \
                     target finished; the proxy or a filter behind it dropped the connection \
                     (check the proxy's logs)"
                ),
                // A TLS port given as http:// resets or closes on the plain-text CONNECT.
                Phase::ProxyHandshake if proxy.starts_with("http://") => write!(
                    f,
                    "proxy {proxy} closed the connection while {}; if this proxy port expects \
                     TLS, write its URL with https://, otherwise check the proxy's logs",
                    phase.description()
                ),
                _ => write!(
                    f,
                    "proxy {proxy} closed the connection while {}; the request did not reach \
                     the target through it (check the proxy's logs)",
                    phase.description()
                ),
            },
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
            Failure::TargetUnreachable { target, phase, .. } => match phase {
                Phase::ResolveTarget => write!(
                    f,
                    "cannot resolve {target}; check the name, or route it through a proxy if \
                     only the proxy can resolve it"
                ),
                _ => write!(
                    f,
                    "cannot connect to {target}; check that it is up and reachable from here"
                ),
            },
            Failure::TargetTls { target, .. } => write!(
                f,
                "TLS with {target} failed; if its certificate comes from a private CA, trust \
                 that CA for targets"
            ),
        }
    }
}
