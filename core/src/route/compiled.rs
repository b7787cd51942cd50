//! Routing with a compiled `no_proxy` set (feature `alloc`), for frontends that build their
//! configuration once per agent and route many requests with it.

use super::{ProxyConfig, RouteDecision};
use crate::no_proxy::CompiledNoProxy;
use crate::target::Target;

/// A [`ProxyConfig`] whose `no_proxy` list is compiled: the same decisions, at a cost that
/// does not grow with the list.
///
/// The proxy URLs still borrow their text (`'a`), as in [`ProxyConfig`]; the bypass list
/// is owned. Build it once (compiling allocates) and route with it; routing never
/// allocates.
///
/// ```
/// use egress_core::{CompiledProxyConfig, ProxyConfig, ProxyEnv, Route, Scheme, Target};
///
/// let env = ProxyEnv::from_pairs([
///     ("https_proxy", "http://proxy.corp:3128"),
///     ("no_proxy", "10.0.0.0/8, .internal"),
/// ]);
/// let config = CompiledProxyConfig::new(ProxyConfig::from_env(&env)?);
/// let inside = Target::from_url_parts(Scheme::Https, "db.INTERNAL", None)?;
/// let decision = config.route(&inside);
/// assert_eq!(decision.route, Route::Direct);
/// assert_eq!(decision.reason.to_string(), "no_proxy entry '.internal' matched");
/// let outside = Target::from_url_parts(Scheme::Https, "matrix.org", None)?;
/// assert!(matches!(config.route(&outside).route, Route::Tunnel(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledProxyConfig<'a> {
    config: ProxyConfig<'a>,
    no_proxy: CompiledNoProxy,
}

impl<'a> CompiledProxyConfig<'a> {
    /// Compiles the `no_proxy` list of `config`.
    pub fn new(config: ProxyConfig<'a>) -> Self {
        Self {
            no_proxy: CompiledNoProxy::new(config.no_proxy()),
            config,
        }
    }

    /// The configuration as given (its `no_proxy` in linear form, e.g. for diagnostics).
    pub fn config(&self) -> &ProxyConfig<'a> {
        &self.config
    }

    /// The compiled bypass list.
    pub fn no_proxy(&self) -> &CompiledNoProxy {
        &self.no_proxy
    }

    /// Decides how to reach `target`, exactly as [`ProxyConfig::route`] does.
    pub fn route(&self, target: &Target<'_>) -> RouteDecision<'_> {
        self.config
            .route_with(target, |host, port| self.no_proxy.matches(host, port))
    }
}

impl<'a> From<ProxyConfig<'a>> for CompiledProxyConfig<'a> {
    fn from(config: ProxyConfig<'a>) -> Self {
        Self::new(config)
    }
}
