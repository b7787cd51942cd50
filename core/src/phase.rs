//! The phases of establishing a connection, named the same way by every frontend.
//!
//! Timeouts, verbose output and errors all say *which* step failed; sharing the names keeps
//! `egress-sync`, `egress-async` and the `egress` tool consistent.

use core::fmt;

/// One step on the way to a ready connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Looking up the target's addresses (direct routes only).
    ResolveTarget,
    /// Looking up the proxy's addresses.
    ResolveProxy,
    /// TCP connection to the proxy.
    ConnectProxy,
    /// TLS handshake with an `https://` proxy.
    ProxyTls,
    /// Sending `CONNECT` and waiting for the proxy's answer.
    ProxyHandshake,
    /// TCP connection to the target (direct routes).
    ConnectTarget,
    /// TLS handshake with an `https://` target.
    TargetTls,
    /// Sending the request and receiving the response.
    Exchange,
}

impl Phase {
    /// A short stable name, e.g. `proxy-handshake`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::ResolveTarget => "resolve-target",
            Phase::ResolveProxy => "resolve-proxy",
            Phase::ConnectProxy => "connect-proxy",
            Phase::ProxyTls => "proxy-tls",
            Phase::ProxyHandshake => "proxy-handshake",
            Phase::ConnectTarget => "connect-target",
            Phase::TargetTls => "target-tls",
            Phase::Exchange => "exchange",
        }
    }

    /// What the phase does, for messages ("while {description}").
    pub fn description(self) -> &'static str {
        match self {
            Phase::ResolveTarget => "resolving the target's address",
            Phase::ResolveProxy => "resolving the proxy's address",
            Phase::ConnectProxy => "connecting to the proxy",
            Phase::ProxyTls => "negotiating TLS with the proxy",
            Phase::ProxyHandshake => "waiting for the proxy's answer to CONNECT",
            Phase::ConnectTarget => "connecting to the target",
            Phase::TargetTls => "negotiating TLS with the target",
            Phase::Exchange => "exchanging the request and response",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
