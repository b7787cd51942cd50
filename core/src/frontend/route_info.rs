//! An owned description of a routing decision, for diagnostics and the `egress` tool; both
//! frontends return it from their `route(url)` method.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};

use crate::route::{RouteDecision, RouteReason};
use crate::target::Target;

/// Where a request would go, and why, with the proxy rendered without credentials.
///
/// ```
/// use egress_core::frontend::RouteInfo;
/// use egress_core::{ProxyConfig, ProxyEnv, Scheme, Target};
///
/// let env = ProxyEnv::from_pairs([("HTTPS_PROXY", "http://user:secret@proxy:3128")]);
/// let config = ProxyConfig::from_env(&env)?;
/// let target = Target::from_url_parts(Scheme::Https, "matrix.org", None)?;
/// let info = RouteInfo::from_decision(&target, &config.route(&target));
/// assert_eq!(info.route, "tunnel");
/// assert_eq!(info.proxy.as_deref(), Some("http://proxy:3128"));
/// assert_eq!(info.source.as_deref(), Some("HTTPS_PROXY"));
/// assert!(info.proxy_credentials);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// The variable the proxy came from (e.g. `HTTPS_PROXY`, or `configuration` when set in
    /// code), if the route uses a proxy.
    pub source: Option<String>,
    /// Whether the proxy URL carries credentials (which are never shown).
    pub proxy_credentials: bool,
}

impl RouteInfo {
    /// Describes `decision` for `target`.
    pub fn from_decision(target: &Target<'_>, decision: &RouteDecision<'_>) -> Self {
        let (matched, source) = match decision.reason {
            RouteReason::Bypassed(m) => (Some(m.entry.to_owned()), None),
            RouteReason::Proxied { source } => (None, Some(source.to_owned())),
            RouteReason::NoProxyForScheme(_) => (None, None),
        };
        Self {
            route: decision.route.kind_name(),
            target: format!("{}://{}", target.scheme, target.authority()),
            proxy: decision.route.proxy().map(ToString::to_string),
            matched,
            reason: decision.reason.to_string(),
            source,
            proxy_credentials: decision
                .route
                .proxy()
                .is_some_and(|proxy| proxy.credentials().is_some()),
        }
    }
}
