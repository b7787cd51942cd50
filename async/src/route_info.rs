//! An owned description of a routing decision, for diagnostics.

use egress_core::{RouteDecision, Target};

/// Where a request would go, and why, with the proxy rendered without credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
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
}

impl RouteInfo {
    /// Describes `decision` for `target`.
    pub fn from_decision(target: &Target<'_>, decision: &RouteDecision<'_>) -> Self {
        let matched = match decision.reason {
            egress_core::RouteReason::Bypassed(m) => Some(m.entry.to_owned()),
            _ => None,
        };
        Self {
            route: decision.route.kind_name(),
            target: format!("{}://{}", target.scheme, target.authority()),
            proxy: decision.route.proxy().map(ToString::to_string),
            matched,
            reason: decision.reason.to_string(),
        }
    }
}
