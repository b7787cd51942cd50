//! The route key: what a connection pool must compare before reusing a connection.
//!
//! Two requests may share a connection only when they would take the same route to the
//! same target with the same proxy identity, so the key holds all four: the route kind, the
//! proxy (which setting), the credentials identity and the target (scheme, host, port). It
//! is `Copy + Eq + Hash` and built without allocating or formatting. Keys are comparable
//! between decisions of one [`Router`](super::Router).

use core::net::{Ipv4Addr, Ipv6Addr};

use super::ProxySlot;
use crate::host::{Host, MAX_ZONE_LEN};
use crate::inline_str::InlineStr;
use crate::target::{Scheme, Target};

/// Which way a connection goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// Straight to the target.
    Direct,
    /// `http://` requests in absolute form to a forward proxy.
    Forward,
    /// A CONNECT tunnel through a proxy.
    Tunnel,
}

impl RouteKind {
    /// `"direct"`, `"forward"` or `"tunnel"`: stable names for logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Forward => "forward",
            Self::Tunnel => "tunnel",
        }
    }
}

/// A target host held by value. Names are at most 254 bytes and zone ids at most
/// [`MAX_ZONE_LEN`] (both enforced by [`Host::parse`]), so nothing is ever cut and two keys
/// are equal only for the same host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum HostKey {
    Name(InlineStr<254>),
    Ipv4(Ipv4Addr),
    Ipv6 {
        addr: Ipv6Addr,
        zone: Option<InlineStr<MAX_ZONE_LEN>>,
    },
}

/// The key of a route decision; see the module doc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RouteKey {
    kind: RouteKind,
    proxy: Option<ProxySlot>,
    credentials: bool,
    scheme: Scheme,
    host: HostKey,
    port: u16,
}

impl RouteKey {
    pub(super) fn new(
        kind: RouteKind,
        proxy: Option<(ProxySlot, bool)>,
        target: &Target<'_>,
    ) -> Self {
        let host = match target.host {
            Host::Name(name) => HostKey::Name(InlineStr::new(name)),
            Host::Ipv4(addr) => HostKey::Ipv4(addr),
            Host::Ipv6 { addr, zone } => HostKey::Ipv6 {
                addr,
                zone: zone.map(InlineStr::new),
            },
        };
        Self {
            kind,
            proxy: proxy.map(|(slot, _)| slot),
            credentials: proxy.is_some_and(|(_, credentials)| credentials),
            scheme: target.scheme,
            host,
            port: target.port,
        }
    }

    /// The route kind.
    pub fn kind(&self) -> RouteKind {
        self.kind
    }
}
