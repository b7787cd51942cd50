//! The router: which way a request to a target goes, and why.
//!
//! ```text
//!   target ──► proxy set for its scheme? ──no──► Direct (NoProxyForScheme)
//!                     │ yes
//!                     ▼
//!              no_proxy matches? ──yes──► Direct (Bypassed, with the entry)
//!                     │ no
//!                     ▼
//!        http:// target ──► Forward(http_proxy)   absolute-form requests
//!        https:// target ──► Tunnel(https_proxy)  CONNECT, then TLS inside
//! ```
//!
//! There is no fallback between the two variables: an `https://` target with only
//! `http_proxy` set goes direct. Routing never resolves names and never allocates.
//!
//! ```
//! use egress_core::{ProxyConfig, ProxyEnv, Route, Scheme, Target};
//!
//! let env = ProxyEnv::from_pairs([
//!     ("https_proxy", "http://proxy.corp:3128"),
//!     ("no_proxy", "10.0.0.0/8, .internal"),
//! ]);
//! let config = ProxyConfig::from_env(&env)?;
//! let target = Target::from_url_parts(Scheme::Https, "matrix.org", None)?;
//! let decision = config.route(&target);
//! assert!(matches!(decision.route, Route::Tunnel(proxy) if proxy.port() == 3128));
//! let inside = Target::from_url_parts(Scheme::Https, "10.1.2.3", None)?;
//! assert_eq!(config.route(&inside).route, Route::Direct);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;

pub use config::{CODE_SOURCE, ConfigError, ProxyConfig};

use core::fmt;

use crate::no_proxy::NoProxyMatch;
use crate::proxy_url::ProxyUrl;
use crate::target::Scheme;

/// How to reach a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route<'c> {
    /// Connect to the target itself (the IP blocklist applies).
    Direct,
    /// Send `http://` requests to this proxy in absolute form, with `Proxy-Authorization`.
    Forward(&'c ProxyUrl<'c>),
    /// Open a `CONNECT` tunnel through this proxy, then speak TLS to the target inside it.
    Tunnel(&'c ProxyUrl<'c>),
}

impl<'c> Route<'c> {
    /// The proxy this route goes through, if any.
    pub fn proxy(&self) -> Option<&'c ProxyUrl<'c>> {
        match *self {
            Route::Direct => None,
            Route::Forward(proxy) | Route::Tunnel(proxy) => Some(proxy),
        }
    }

    /// `"direct"`, `"forward"` or `"tunnel"`: stable names for logs and JSON.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Route::Direct => "direct",
            Route::Forward(_) => "forward",
            Route::Tunnel(_) => "tunnel",
        }
    }
}

/// Why the router chose a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteReason<'c> {
    /// No proxy is configured for the target's scheme.
    NoProxyForScheme(Scheme),
    /// A `no_proxy` entry matched the target.
    Bypassed(NoProxyMatch<'c>),
    /// The proxy comes from this variable (or `"configuration"` when set in code).
    Proxied {
        /// Where the proxy was configured, e.g. `HTTPS_PROXY`.
        source: &'c str,
    },
}

impl fmt::Display for RouteReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteReason::NoProxyForScheme(scheme) => {
                write!(f, "no proxy configured for {scheme}")
            }
            RouteReason::Bypassed(matched) => {
                write!(f, "no_proxy entry '{}' matched", matched.entry)
            }
            RouteReason::Proxied { source } => write!(f, "proxy from {source}"),
        }
    }
}

/// A route and the reason for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct RouteDecision<'c> {
    /// Where the request goes.
    pub route: Route<'c>,
    /// Why.
    pub reason: RouteReason<'c>,
}

#[cfg(test)]
mod tests;
