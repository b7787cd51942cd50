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
    /// A forward proxy's response head to a request it accepted (`http://` via `http_proxy`).
    ProxyResponse,
    /// TCP connection to the target (direct routes).
    ConnectTarget,
    /// TLS handshake with an `https://` target.
    TargetTls,
    /// Sending the request and receiving the response head.
    Exchange,
    /// Receiving the response body.
    ReceiveBody,
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
            Phase::ProxyResponse => "proxy-response",
            Phase::ConnectTarget => "connect-target",
            Phase::TargetTls => "target-tls",
            Phase::Exchange => "exchange",
            Phase::ReceiveBody => "receive-body",
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
            Phase::ProxyResponse => "waiting for the forward proxy's response",
            Phase::ConnectTarget => "connecting to the target",
            Phase::TargetTls => "negotiating TLS with the target",
            Phase::Exchange => "exchanging the request and response",
            Phase::ReceiveBody => "receiving the response body",
        }
    }
}

impl Phase {
    /// Whether the phase is spent with the proxy (so a timeout in it is the proxy's).
    pub fn is_proxy_phase(self) -> bool {
        matches!(
            self,
            Phase::ResolveProxy
                | Phase::ConnectProxy
                | Phase::ProxyTls
                | Phase::ProxyHandshake
                | Phase::ProxyResponse
        )
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
