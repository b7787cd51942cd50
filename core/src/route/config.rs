//! Proxy configuration: the two proxies and the bypass list, from the environment or code.

use core::fmt;

use super::{Route, RouteDecision, RouteReason};
use crate::env::{EnvValue, ProxyEnv};
use crate::no_proxy::{NoProxy, NoProxyError};
use crate::proxy_url::{ProxyUrl, ProxyUrlError};
use crate::target::{Scheme, Target};

/// The name used as a proxy's source when it was configured in code.
pub const CODE_SOURCE: &str = "configuration";

/// A proxy and where it was configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Configured<'a> {
    url: ProxyUrl<'a>,
    source: &'a str,
}

/// Everything the router needs: `http_proxy`, `https_proxy` and `no_proxy`, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyConfig<'a> {
    http: Option<Configured<'a>>,
    https: Option<Configured<'a>>,
    no_proxy: NoProxy<'a>,
}

/// A configuration that cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError<'a> {
    /// A proxy URL is invalid; the error names its variable.
    ProxyUrl(ProxyUrlError),
    /// In strict mode, a `no_proxy` entry is invalid.
    NoProxy(NoProxyError<'a>),
}

impl fmt::Display for ConfigError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ProxyUrl(error) => fmt::Display::fmt(error, f),
            ConfigError::NoProxy(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl core::error::Error for ConfigError<'_> {}

impl From<ProxyUrlError> for ConfigError<'_> {
    fn from(error: ProxyUrlError) -> Self {
        ConfigError::ProxyUrl(error)
    }
}

fn parse_variable(value: Option<EnvValue<'_>>) -> Result<Option<Configured<'_>>, ProxyUrlError> {
    value
        .map(|EnvValue { name, value }| {
            ProxyUrl::parse(value)
                .map(|url| Configured { url, source: name })
                .map_err(|error| error.with_variable(name))
        })
        .transpose()
}

impl<'a> ProxyConfig<'a> {
    /// No proxy at all: every target is direct. For traffic that must never use a proxy
    /// (Synapse: application services, identity servers, workers, Redis).
    pub fn none() -> Self {
        Self {
            http: None,
            https: None,
            no_proxy: NoProxy::parse(""),
        }
    }

    /// A configuration given in code. `no_proxy` is parsed leniently; see
    /// [`NoProxy::parse_strict`] to reject invalid entries first.
    pub fn new(
        http_proxy: Option<ProxyUrl<'a>>,
        https_proxy: Option<ProxyUrl<'a>>,
        no_proxy: NoProxy<'a>,
    ) -> Self {
        let configured = |url| Configured {
            url,
            source: CODE_SOURCE,
        };
        Self {
            http: http_proxy.map(configured),
            https: https_proxy.map(configured),
            no_proxy,
        }
    }

    /// Parses the variables chosen from an environment. Invalid `no_proxy` entries are
    /// skipped (see [`NoProxy::diagnostics`]); an invalid proxy URL is an error naming its
    /// variable, because ignoring it would silently connect directly.
    pub fn from_env(env: &ProxyEnv<'a>) -> Result<Self, ConfigError<'a>> {
        Ok(Self {
            http: parse_variable(env.http_proxy)?,
            https: parse_variable(env.https_proxy)?,
            no_proxy: NoProxy::parse(env.no_proxy.map_or("", |v| v.value)),
        })
    }

    /// Like [`ProxyConfig::from_env`], but an invalid `no_proxy` entry is an error too.
    pub fn from_env_strict(env: &ProxyEnv<'a>) -> Result<Self, ConfigError<'a>> {
        let no_proxy = NoProxy::parse_strict(env.no_proxy.map_or("", |v| v.value))
            .map_err(ConfigError::NoProxy)?;
        Ok(Self {
            no_proxy,
            ..Self::from_env(env)?
        })
    }

    /// The proxy for `http://` targets.
    pub fn http_proxy(&self) -> Option<&ProxyUrl<'a>> {
        self.http.as_ref().map(|c| &c.url)
    }

    /// The proxy for `https://` targets.
    pub fn https_proxy(&self) -> Option<&ProxyUrl<'a>> {
        self.https.as_ref().map(|c| &c.url)
    }

    /// The bypass list.
    pub fn no_proxy(&self) -> &NoProxy<'a> {
        &self.no_proxy
    }

    /// Decides how to reach `target`.
    pub fn route(&self, target: &Target<'_>) -> RouteDecision<'_> {
        let configured = match target.scheme {
            Scheme::Http => self.http.as_ref(),
            Scheme::Https => self.https.as_ref(),
        };
        let Some(configured) = configured else {
            return RouteDecision {
                route: Route::Direct,
                reason: RouteReason::NoProxyForScheme(target.scheme),
            };
        };
        if let Some(matched) = self.no_proxy.matches(&target.host, target.port) {
            return RouteDecision {
                route: Route::Direct,
                reason: RouteReason::Bypassed(matched),
            };
        }
        let route = match target.scheme {
            Scheme::Http => Route::Forward(&configured.url),
            Scheme::Https => Route::Tunnel(&configured.url),
        };
        RouteDecision {
            route,
            reason: RouteReason::Proxied {
                source: configured.source,
            },
        }
    }
}
