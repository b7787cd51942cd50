//! An owned description of a routing decision, for diagnostics and the `egress` tool; both
//! frontends return it from their `route(url)` method.

use alloc::format;
use alloc::string::{String, ToString};

use super::{Decision, RouteKind};
use crate::route::RouteReason;
use crate::target::Target;

/// Where a request would go, and why, with the proxy rendered without credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    /// Direct, forward or tunnel.
    pub kind: RouteKind,
    /// `direct`, `forward` or `tunnel`.
    pub route: &'static str,
    /// The target as `scheme://host:port`.
    pub target: String,
    /// The proxy as `scheme://host:port` (never credentials), if any.
    pub proxy: Option<String>,
    /// The `no_proxy` entry that matched, as written, if any.
    pub matched: Option<String>,
    /// The reason, in words.
    pub reason: String,
    /// The variable the proxy came from (e.g. `HTTPS_PROXY`, or `configuration` when set in
    /// code), if the route uses a proxy.
    pub source: Option<String>,
    /// Whether the proxy URL carries credentials (which are never shown).
    pub proxy_credentials: bool,
    /// A warning about this route (e.g. a loopback target sent to a proxy), if any.
    pub warning: Option<super::RouteWarning>,
}

impl RouteInfo {
    /// Describes `decision` for `target`.
    pub fn from_decision(target: &Target<'_>, decision: &Decision<'_>) -> Self {
        let (matched, source) = match decision.reason {
            RouteReason::Bypassed(m) => (Some(m.entry.to_string()), None),
            RouteReason::Proxied { source } => (None, Some(source.to_string())),
            RouteReason::NoProxyForScheme(_) => (None, None),
        };
        Self {
            kind: decision.kind,
            route: decision.kind.as_str(),
            target: format!("{}://{}", target.scheme, target.authority()),
            proxy: decision.proxy.map(|proxy| proxy.shown().to_string()),
            matched,
            reason: decision.reason.to_string(),
            source,
            proxy_credentials: decision.proxy.is_some_and(|p| p.has_credentials()),
            warning: decision.warning(target),
        }
    }
}
