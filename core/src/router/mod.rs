//! The router (feature `alloc`): the proxy configuration parsed once, and an infallible,
//! allocation-free decision per target.
//!
//! A [`Router`] owns both proxies ([`RouterProxy`]: parsed once, credentials kept encoded)
//! and the compiled `no_proxy` set. [`Router::route`] decides exactly like
//! [`ProxyConfig::route`](crate::ProxyConfig::route) (no fallback between the variables,
//! `no_proxy` only for proxied schemes) and returns a [`Decision`] with a [`RouteKey`] for
//! connection pools.
//!
//! ```
//! use egress_core::router::{RouteKind, Router, Setting};
//! use egress_core::{Scheme, Target};
//!
//! let router = Router::new(
//!     None,
//!     Some(Setting::new("HTTPS_PROXY", "http://user:secret@proxy.corp:3128")),
//!     Some(Setting::new("NO_PROXY", "10.0.0.0/8, .internal")),
//!     false,
//! )?;
//! let outside = Target::from_authority("https", "matrix.org")?;
//! let decision = router.route(&outside);
//! assert_eq!(decision.kind, RouteKind::Tunnel);
//! assert_eq!(decision.proxy.map(|p| p.shown()), Some("http://proxy.corp:3128"));
//! let inside = Target::from_authority("https", "db.internal:8443")?;
//! assert_eq!(router.route(&inside).kind, RouteKind::Direct);
//! assert_ne!(router.route(&inside).key, decision.key);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod info;
mod key;
mod proxy;
mod refusal;
pub(crate) use refusal::is_tinyproxy_refusal;
mod url_target;
mod warning;

pub use info::RouteInfo;
pub use key::{RouteKey, RouteKind};
pub use proxy::{ProxySlot, RouterProxy};
pub use url_target::url_target;
pub use warning::RouteWarning;

use alloc::string::{String, ToString};
use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::env::{EnvValue, ProxyEnv};
use crate::failure::Failure;
use crate::no_proxy::{CompiledNoProxy, Diagnostics, NoProxy};
use crate::route::{CODE_SOURCE, RouteReason};
use crate::target::{Scheme, Target};

/// One proxy setting: where it came from (a variable name, or [`CODE_SOURCE`]) and its
/// value. `Debug` never shows the value (a proxy URL may hold a password).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Setting {
    /// The variable name, or [`CODE_SOURCE`].
    pub source: String,
    /// The value as given.
    pub value: String,
}

impl Setting {
    /// A value that came from `source`.
    pub fn new(source: &str, value: &str) -> Self {
        Self {
            source: source.to_string(),
            value: value.to_string(),
        }
    }

    /// A value set in code, named [`CODE_SOURCE`] in messages.
    pub fn from_code(value: &str) -> Self {
        Self::new(CODE_SOURCE, value)
    }

    /// The settings of an environment that was read already.
    pub fn from_env_value(value: Option<EnvValue<'_>>) -> Option<Self> {
        value.map(|v| Self::new(v.name, v.value))
    }
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Setting({}, {} bytes hidden)",
            self.source,
            self.value.len()
        )
    }
}

/// The proxy configuration, parsed once; see the module doc.
#[derive(Debug)]
pub struct Router {
    http: Option<RouterProxy>,
    https: Option<RouterProxy>,
    no_proxy: CompiledNoProxy,
    no_proxy_source: Option<String>,
    /// How many decisions were made: frontends promise one per connection, and tests check.
    decisions: AtomicUsize,
}

impl Clone for Router {
    /// A router with the same configuration; its decision count starts at zero.
    fn clone(&self) -> Self {
        Self {
            http: self.http.clone(),
            https: self.https.clone(),
            no_proxy: self.no_proxy.clone(),
            no_proxy_source: self.no_proxy_source.clone(),
            decisions: AtomicUsize::new(0),
        }
    }
}

/// How to reach one target, decided by [`Router::route`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Decision<'r> {
    /// Direct, forward or tunnel.
    pub kind: RouteKind,
    /// The proxy, for forward and tunnel routes.
    pub proxy: Option<&'r RouterProxy>,
    /// Why.
    pub reason: RouteReason<'r>,
    /// The key for connection pools.
    pub key: RouteKey,
}

impl<'r> Decision<'r> {
    /// The one debug line a frontend logs per decision: `https://host:443 -> tunnel
    /// http://proxy:3128 (proxy from HTTPS_PROXY)`; never credentials.
    pub fn log_line<'d>(&'d self, target: &'d Target<'_>) -> impl fmt::Display + 'd {
        LogLine {
            decision: self,
            target,
        }
    }
}

struct LogLine<'d> {
    decision: &'d Decision<'d>,
    target: &'d Target<'d>,
}

impl fmt::Display for LogLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Decision {
            kind,
            proxy,
            reason,
            ..
        } = self.decision;
        write!(
            f,
            "{}://{} -> {} {} ({reason})",
            self.target.scheme,
            self.target.authority(),
            kind.as_str(),
            proxy.map_or("-", |p| p.shown())
        )
    }
}

impl Router {
    /// No proxy at all: every target is direct.
    pub fn none() -> Self {
        Self {
            http: None,
            https: None,
            no_proxy: CompiledNoProxy::parse(""),
            no_proxy_source: None,
            decisions: AtomicUsize::new(0),
        }
    }

    /// Parses the three settings. An invalid proxy URL is an error naming its variable
    /// (ignoring it would silently connect directly); an invalid `no_proxy` entry is skipped
    /// (see [`Router::no_proxy_diagnostics`]) unless `strict`.
    pub fn new(
        http_proxy: Option<Setting>,
        https_proxy: Option<Setting>,
        no_proxy: Option<Setting>,
        strict_no_proxy: bool,
    ) -> Result<Self, Failure> {
        let parse = |slot, setting: Option<Setting>| {
            setting
                .map(|s| {
                    RouterProxy::parse(slot, &s.source, &s.value).map_err(|error| {
                        Failure::InvalidConfig {
                            variable: proxy::owned_source(&s.source),
                            problem: error.kind().to_string(),
                        }
                    })
                })
                .transpose()
        };
        let http = parse(ProxySlot::Http, http_proxy)?;
        let https = parse(ProxySlot::Https, https_proxy)?;
        let (no_proxy, no_proxy_source) = match no_proxy {
            None => (CompiledNoProxy::parse(""), None),
            Some(setting) => {
                let compiled = if strict_no_proxy {
                    CompiledNoProxy::parse_strict(&setting.value).map_err(|error| {
                        Failure::InvalidConfig {
                            variable: setting.source.clone(),
                            problem: error.to_string(),
                        }
                    })?
                } else {
                    CompiledNoProxy::parse(&setting.value)
                };
                (compiled, Some(setting.source))
            }
        };
        Ok(Self {
            http,
            https,
            no_proxy,
            no_proxy_source,
            decisions: AtomicUsize::new(0),
        })
    }

    /// The three variables of an environment that was read already (see
    /// [`ProxyEnv`]); `no_proxy` lenient.
    pub fn from_env(env: &ProxyEnv<'_>) -> Result<Self, Failure> {
        Self::new(
            Setting::from_env_value(env.http_proxy),
            Setting::from_env_value(env.https_proxy),
            Setting::from_env_value(env.no_proxy),
            false,
        )
    }

    /// Decides how to reach `target`. Never fails, never allocates, never resolves.
    pub fn route(&self, target: &Target<'_>) -> Decision<'_> {
        self.decisions.fetch_add(1, Ordering::Relaxed);
        let (configured, kind) = match target.scheme {
            Scheme::Http => (self.http.as_ref(), RouteKind::Forward),
            Scheme::Https => (self.https.as_ref(), RouteKind::Tunnel),
        };
        let direct = |reason| Decision {
            kind: RouteKind::Direct,
            proxy: None,
            reason,
            key: RouteKey::new(RouteKind::Direct, None, target),
        };
        let Some(proxy) = configured else {
            return direct(RouteReason::NoProxyForScheme(target.scheme));
        };
        if let Some(matched) = self.no_proxy.matches(&target.host, target.port) {
            return direct(RouteReason::Bypassed(matched));
        }
        Decision {
            kind,
            proxy: Some(proxy),
            reason: RouteReason::Proxied {
                source: proxy.source(),
            },
            key: RouteKey::new(kind, Some((proxy.slot(), proxy.has_credentials())), target),
        }
    }

    /// How many times [`Router::route`] has decided a route (a frontend decides once per
    /// new connection, and never for a pooled one).
    pub fn decisions_made(&self) -> usize {
        self.decisions.load(Ordering::Relaxed)
    }

    /// The proxy for `http://` targets.
    pub fn http_proxy(&self) -> Option<&RouterProxy> {
        self.http.as_ref()
    }

    /// The proxy for `https://` targets.
    pub fn https_proxy(&self) -> Option<&RouterProxy> {
        self.https.as_ref()
    }

    /// The compiled bypass list.
    pub fn no_proxy(&self) -> &CompiledNoProxy {
        &self.no_proxy
    }

    /// The bypass list in linear form, e.g. to list its entries.
    pub fn no_proxy_linear(&self) -> NoProxy<'_> {
        self.no_proxy.linear()
    }

    /// Where `no_proxy` came from, if it was set.
    pub fn no_proxy_source(&self) -> Option<&str> {
        self.no_proxy_source.as_deref()
    }

    /// The `no_proxy` entries that were skipped as invalid, for the frontend to report.
    pub fn no_proxy_diagnostics(&self) -> Diagnostics<'_> {
        self.no_proxy.diagnostics()
    }
}

#[cfg(test)]
mod tests;
