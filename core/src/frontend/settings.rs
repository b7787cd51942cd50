//! What a built client (egress-sync's agent, egress-async's connector) consults for every
//! connection: the proxy variables (owned, validated once at build time), the `no_proxy`
//! list compiled once, the IP blocklist, TLS for proxies and targets, phase timeouts and the
//! `User-Agent`. Built by [`Options::build_settings`](super::Options::build_settings).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use core::fmt;
use core::time::Duration;

use rustls::ClientConfig;

use super::InvalidConfig;
use crate::blocklist::IpBlocklist;
use crate::env::{EnvValue, ProxyEnv};
use crate::no_proxy::CompiledNoProxy;
use crate::route::{CODE_SOURCE, ConfigError, ProxyConfig, RouteDecision};
use crate::target::{Scheme, Target};

/// One proxy setting: where it came from (a variable name, or `configuration` when set in
/// code) and its value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Setting {
    /// The variable name, or [`CODE_SOURCE`].
    pub source: String,
    /// The value as given (a proxy URL may hold a password).
    pub value: String,
}

impl Setting {
    /// A value that came from `source`.
    pub fn new(source: &str, value: &str) -> Self {
        Self {
            source: source.to_owned(),
            value: value.to_owned(),
        }
    }

    /// A value set in code, named [`CODE_SOURCE`] in messages.
    pub fn from_code(value: &str) -> Self {
        Self::new(CODE_SOURCE, value)
    }

    fn borrowed(&self) -> EnvValue<'_> {
        EnvValue {
            name: &self.source,
            value: &self.value,
        }
    }
}

/// Shows where the setting came from, never its value (a proxy URL may hold a password).
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

/// Limits for the phases egress drives itself (`None`: no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect to a proxy or a direct target (and resolving it).
    pub connect: Option<Duration>,
    /// The proxy's answer to CONNECT.
    pub proxy_handshake: Option<Duration>,
    /// Each TLS handshake (with the proxy, with the target).
    pub tls: Option<Duration>,
}

/// Everything a built client consults for every connection; see the module doc.
pub struct Settings {
    pub(super) http_proxy: Option<Setting>,
    pub(super) https_proxy: Option<Setting>,
    pub(super) no_proxy: Option<Setting>,
    /// `no_proxy` compiled once, so a decision costs the same at 10 or 10,000 entries.
    pub(super) compiled_no_proxy: CompiledNoProxy,
    pub(super) blocklist: IpBlocklist,
    pub(super) proxy_tls: Arc<ClientConfig>,
    pub(super) target_tls: Arc<ClientConfig>,
    pub(super) timeouts: Timeouts,
    pub(super) user_agent: Option<String>,
}

impl Settings {
    fn env(&self) -> ProxyEnv<'_> {
        ProxyEnv {
            http_proxy: self.http_proxy.as_ref().map(Setting::borrowed),
            https_proxy: self.https_proxy.as_ref().map(Setting::borrowed),
            no_proxy: self.no_proxy.as_ref().map(Setting::borrowed),
            ignored_cgi_http_proxy: None,
        }
    }

    /// The borrowed routing configuration. Parsing is cheap and allocation-free; it cannot
    /// fail after the settings were built.
    pub fn proxy_config(&self) -> Result<ProxyConfig<'_>, InvalidConfig> {
        ProxyConfig::from_env(&self.env()).map_err(config_error)
    }

    /// Routes `target` with the compiled bypass list.
    pub fn route<'s>(
        &'s self,
        config: &'s ProxyConfig<'s>,
        target: &Target<'_>,
    ) -> RouteDecision<'s> {
        config.route_with_compiled(target, &self.compiled_no_proxy)
    }

    /// Checks the proxy settings (strictly: invalid `no_proxy` entries are errors) and logs
    /// each ignored `no_proxy` entry as a warning.
    pub(super) fn validate(&self, strict_no_proxy: bool) -> Result<(), InvalidConfig> {
        let env = self.env();
        let config = if strict_no_proxy {
            ProxyConfig::from_env_strict(&env)
        } else {
            ProxyConfig::from_env(&env)
        };
        let config = config.map_err(config_error)?;
        for diagnostic in config.no_proxy().diagnostics() {
            log::warn!("egress: no_proxy entry ignored: {diagnostic}");
        }
        Ok(())
    }

    /// The IP blocklist for direct connections.
    pub fn blocklist(&self) -> &IpBlocklist {
        &self.blocklist
    }

    /// TLS configuration for `https://` proxies.
    pub fn proxy_tls(&self) -> &Arc<ClientConfig> {
        &self.proxy_tls
    }

    /// TLS configuration for `https://` targets.
    pub fn target_tls(&self) -> &Arc<ClientConfig> {
        &self.target_tls
    }

    /// The phase timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The `User-Agent` for CONNECT (and requests), if any.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }
}

/// Shows which variables are set and the timeouts, never a proxy URL.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("http_proxy", &self.http_proxy)
            .field("https_proxy", &self.https_proxy)
            .field("no_proxy", &self.no_proxy)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// A URL's parts as an egress target; `url` is only shown in the error.
///
/// ```
/// use egress_core::frontend::target_from_parts;
///
/// let target = target_from_parts(&"https://matrix.org/", Some("https"), Some("matrix.org"), None)?;
/// assert_eq!(target.port, 443);
/// let error = target_from_parts(&"ftp://x/", Some("ftp"), Some("x"), None).unwrap_err();
/// assert_eq!(
///     error.message,
///     "cannot route ftp://x/: only http:// and https:// URLs are supported"
/// );
/// # Ok::<(), egress_core::frontend::InvalidConfig>(())
/// ```
pub fn target_from_parts<'a>(
    url: &dyn fmt::Display,
    scheme: Option<&str>,
    host: Option<&'a str>,
    port: Option<u16>,
) -> Result<Target<'a>, InvalidConfig> {
    let bad = |why: &str| InvalidConfig {
        message: format!("cannot route {url}: {why}"),
    };
    let scheme = scheme
        .and_then(Scheme::parse)
        .ok_or_else(|| bad("only http:// and https:// URLs are supported"))?;
    let host = host.ok_or_else(|| bad("the URL has no host"))?;
    Target::from_url_parts(scheme, host, port).map_err(|e| bad(&e.to_string()))
}

fn config_error(error: ConfigError<'_>) -> InvalidConfig {
    InvalidConfig {
        message: error.to_string(),
    }
}
