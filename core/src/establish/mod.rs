//! The connection machine (feature `alloc`): everything between "route decided" and
//! "stream ready", as one sans-IO state machine both frontends drive.
//!
//! [`Establish`] is given the route decision, the target and the phase timeouts. It tells
//! its driver what to do next ([`Action`]: resolve a name, connect TCP to one address, start
//! TLS with the proxy or the target, send bytes, read), takes each result with the current
//! time (the driver's clock, as a `Duration` since any fixed point), reports its next
//! deadline and phase [`Event`]s, and ends in exactly one of two ways: [`Action::Ready`]
//! with the stream's layers, or [`Action::Failed`] with one classified
//! [`Failure`](crate::failure::Failure).
//!
//! ```text
//!   Direct:  [resolve target] ─► blocklist ─► connect target ─► [TLS target] ─► Ready
//!   Forward: [resolve proxy] ─► connect proxy ─► [TLS proxy] ─────────────────► Ready
//!   Tunnel:  [resolve proxy] ─► connect proxy ─► [TLS proxy] ─► send CONNECT ─► read*
//!                 ─► 2xx ─► [TLS target, leftover first] ─► Ready
//!                 ─► 407 a scheme can answer ─► skip its body ─► send CONNECT again
//!                        (proxy closes: connect again, unless NTLM; at most MAX_ROUNDS)
//!   any step ─► Failed (sticky)         [..] only when needed
//! ```
//!
//! # Driving it
//! The driver MUST loop: call [`Establish::poll_action`], drain [`Establish::poll_event`],
//! perform the action within [`Establish::poll_timeout`] and report its result with the
//! matching `handle_*` call, until the action is `Ready` or `Failed`:
//!
//! | action | the driver does | then calls |
//! |---|---|---|
//! | `Resolve` | looks up the name | `handle_resolved` or `handle_resolve_failed` |
//! | `Connect` | TCP connect to the address | `handle_connected` or `handle_connect_failed` |
//! | `StartTls` | a TLS handshake with `host` over the current stream | `handle_tls_done` or `handle_tls_failed` |
//! | `Send` | writes all the bytes | `handle_sent` or `handle_io_failed` |
//! | `Read` | reads once | `handle_bytes`, `handle_eof` or `handle_io_failed` |
//! | any | its own timer fired at the deadline | `handle_timeout` |
//!
//! `handle_bytes` returns how many bytes it took; the rest belong to the tunnel and the
//! driver MUST put them in front of the stream's own bytes (the target's TLS reads them
//! first). A call that does not fit the current action is ignored. Every `handle_*` first
//! checks the deadline, so a late result becomes a timeout of its phase.
//!
//! ```
//! use core::time::Duration;
//! use egress_core::establish::{Action, Establish, Options, TlsPeer};
//! use egress_core::router::{Router, Setting};
//! use egress_core::Target;
//!
//! let router = Router::new(None, Some(Setting::new("https_proxy", "http://127.0.0.1:3128")), None, false)?;
//! let target = Target::from_authority("https", "matrix.org")?;
//! let decision = router.route(&target);
//! let mut machine = Establish::new(&decision, target, Options::default(), Duration::ZERO);
//! assert!(matches!(machine.poll_action(), Action::Connect { .. }));
//! machine.handle_connected(Duration::from_millis(1));
//! let Action::Send(request) = machine.poll_action() else { panic!() };
//! assert!(request.starts_with(b"CONNECT matrix.org:443 HTTP/1.1\r\n"));
//! machine.handle_sent(Duration::from_millis(2));
//! let reply = b"HTTP/1.1 200 OK\r\n\r\n\x16\x03";
//! assert_eq!(machine.handle_bytes(Duration::from_millis(3), reply), reply.len() - 2);
//! assert!(matches!(machine.poll_action(), Action::StartTls { peer: TlsPeer::Target, .. }));
//! machine.handle_tls_done(Duration::from_millis(4));
//! assert!(matches!(machine.poll_action(), Action::Ready(ready) if ready.target_tls));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod auth_round;
mod forward_watch;
mod machine;

pub use forward_watch::ForwardWatch;
pub use machine::Establish;

use core::net::SocketAddr;
use core::time::Duration;

use crate::auth::{AuthChoice, SchemeKind};
use crate::blocklist::IpBlocklist;
use crate::connect::AuthSchemes;
use crate::host::Host;
use crate::phase::Phase;
use crate::router::RouteKind;

/// Default limit for resolving and for TCP connect (to a proxy or a direct target).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for the proxy's answer to CONNECT, and for a forward proxy's response head.
pub const DEFAULT_PROXY_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for each TLS handshake (with the proxy, with the target).
pub const DEFAULT_TLS_TIMEOUT: Duration = Duration::from_secs(30);

/// Limits for the phases of establishing a connection (`None`: no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Resolving a name, and TCP connect over all of its addresses.
    pub connect: Option<Duration>,
    /// The proxy's answer to CONNECT; also a forward proxy's response head.
    pub proxy_handshake: Option<Duration>,
    /// Each TLS handshake (with the proxy, with the target).
    pub tls: Option<Duration>,
}

impl Default for Timeouts {
    /// 30 seconds each ([`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_PROXY_HANDSHAKE_TIMEOUT`],
    /// [`DEFAULT_TLS_TIMEOUT`]).
    fn default() -> Self {
        Self {
            connect: Some(DEFAULT_CONNECT_TIMEOUT),
            proxy_handshake: Some(DEFAULT_PROXY_HANDSHAKE_TIMEOUT),
            tls: Some(DEFAULT_TLS_TIMEOUT),
        }
    }
}

/// What a connection is established with, besides the route.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// The phase limits.
    pub timeouts: Timeouts,
    /// The IP blocklist for direct connections (`None`: none).
    pub blocklist: Option<&'a IpBlocklist>,
    /// The `User-Agent` sent with CONNECT, if any.
    pub user_agent: Option<&'a str>,
    /// Which proxy authentication schemes may answer a 407 (default: the strongest offered).
    pub auth: AuthChoice,
    /// 16 random bytes from the driver for this connection (Digest's cnonce, NTLM's client
    /// challenge); the core has no randomness of its own.
    pub random: [u8; 16],
    /// Seconds since the Unix epoch on the driver's wall clock (NTLMv2's timestamp).
    pub unix_time: u64,
    /// A whole-request deadline on the driver's clock: no phase runs past it, and a phase
    /// cut short by it times out as that phase (`None`: only the phase limits apply).
    pub deadline: Option<Duration>,
    /// Header lines for the proxy, sent with CONNECT after the others (none by default).
    pub proxy_headers: crate::proxy_headers::ProxyHeaderLines<'a>,
    /// Where Negotiate tokens come from (`None`: Negotiate is never answered). The service
    /// is `HTTP@<proxy host>`, the host as written in the proxy URL.
    pub negotiate: Option<&'a alloc::sync::Arc<dyn crate::auth::NegotiateProvider>>,
}

/// The side a TLS handshake is with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsPeer {
    /// An `https://` proxy (TLS over the TCP connection to it).
    Proxy,
    /// An `https://` target (over TCP, a tunnel, or a tunnel inside the proxy's TLS).
    Target,
}

/// What the driver must do next; see the module doc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'m> {
    /// Resolve `name`; report every address (the port is added by the machine).
    Resolve {
        /// The name to look up.
        name: &'m str,
        /// The phase (resolving the proxy or the target).
        phase: Phase,
    },
    /// Connect TCP to `addr`.
    Connect {
        /// The address to try.
        addr: SocketAddr,
        /// The phase (the proxy or the target).
        phase: Phase,
    },
    /// Run a TLS handshake with `host` over the current stream.
    StartTls {
        /// Whose certificate is verified (picks the trust settings).
        peer: TlsPeer,
        /// The server name to verify, as parsed (an address for IP literals).
        host: Host<'m>,
    },
    /// Write all of these bytes to the stream.
    Send(&'m [u8]),
    /// Read once from the stream.
    Read,
    /// The stream is ready.
    Ready(Ready),
    /// Establishing failed; take the failure with [`Establish::take_failure`].
    Failed,
}

/// The layers of a ready stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ready {
    /// The route taken.
    pub kind: RouteKind,
    /// TLS between egress and the proxy (an `https://` proxy).
    pub proxy_tls: bool,
    /// TLS between egress and the target (an `https://` target).
    pub target_tls: bool,
    /// Requests must go through the forward rewriter (absolute form,
    /// `Proxy-Authorization`), with a [`ForwardWatch`] on the response.
    pub forward: bool,
    /// The scheme the proxy accepted (a CONNECT route; `None`: no authentication).
    pub proxy_auth: Option<SchemeKind>,
}

/// Something the machine did, for observers and verbose output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A phase began.
    Started(Phase),
    /// A phase finished.
    Done {
        /// Which.
        phase: Phase,
        /// What it did.
        detail: Detail,
    },
}

/// What a finished phase did. Never a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// A name resolved to this many addresses (of which `allowed` passed the blocklist).
    Resolved {
        /// Addresses returned.
        addresses: usize,
        /// Addresses kept after the blocklist.
        allowed: usize,
    },
    /// TCP connected to this address.
    Connected(SocketAddr),
    /// The peer's certificate was verified.
    TlsVerified(TlsPeer),
    /// The proxy opened the tunnel with this status.
    TunnelOpened(u16),
    /// The proxy answered 407 offering these schemes; another round may follow.
    ProxyChallenged(AuthSchemes),
    /// The proxy accepted this scheme's answer (the tunnel opens next).
    ProxyAuthenticated(SchemeKind),
}

#[cfg(test)]
mod tests;
