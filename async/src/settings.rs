//! What a connector was configured with: the proxy
//! variables (owned, validated once at build time), the IP blocklist, TLS trust for proxies
//! and targets, phase timeouts and the CONNECT `User-Agent`.

use std::sync::Arc;
use std::time::Duration;

use egress_core::{ConfigError, EnvValue, IpBlocklist, ProxyConfig, ProxyEnv, Scheme, Target};
use rustls::ClientConfig;
use ureq_proto::http::Uri;

use crate::{Error, Runtime};

/// One proxy setting: where it came from (variable name or "configuration") and its value.
#[derive(Clone, Default)]
pub(crate) struct Setting {
    pub(crate) source: String,
    pub(crate) value: String,
}

/// Shows where the setting came from, never its value (a proxy URL may hold a password).
impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Setting({}, {} bytes hidden)",
            self.source,
            self.value.len()
        )
    }
}

/// Timeouts for the phases egress drives itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    pub(crate) connect: Option<Duration>,
    pub(crate) proxy_handshake: Option<Duration>,
    pub(crate) tls: Option<Duration>,
}

/// Everything the connector consults for every connection.
pub(crate) struct Settings {
    pub(crate) http_proxy: Option<Setting>,
    pub(crate) https_proxy: Option<Setting>,
    pub(crate) no_proxy: Option<Setting>,
    pub(crate) blocklist: IpBlocklist,
    pub(crate) proxy_tls: Arc<ClientConfig>,
    pub(crate) target_tls: Arc<ClientConfig>,
    pub(crate) timeouts: Timeouts,
    pub(crate) user_agent: Option<String>,
    pub(crate) runtime: Runtime,
}

fn borrow(setting: &Option<Setting>) -> Option<EnvValue<'_>> {
    setting.as_ref().map(|s| EnvValue {
        name: &s.source,
        value: &s.value,
    })
}

impl Settings {
    /// The borrowed routing configuration. Parsing is cheap and allocation-free; it cannot
    /// fail after [`Settings::validate`] succeeded.
    pub(crate) fn proxy_config(&self) -> Result<ProxyConfig<'_>, Error> {
        let env = ProxyEnv {
            http_proxy: borrow(&self.http_proxy),
            https_proxy: borrow(&self.https_proxy),
            no_proxy: borrow(&self.no_proxy),
            ignored_cgi_http_proxy: None,
        };
        ProxyConfig::from_env(&env).map_err(config_error)
    }

    /// Checks the proxy settings once, at build time (strictly, when asked).
    pub(crate) fn validate(&self, strict_no_proxy: bool) -> Result<(), Error> {
        let env = ProxyEnv {
            http_proxy: borrow(&self.http_proxy),
            https_proxy: borrow(&self.https_proxy),
            no_proxy: borrow(&self.no_proxy),
            ignored_cgi_http_proxy: None,
        };
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
}

/// A parsed URL as an egress target.
pub(crate) fn target_of(uri: &Uri) -> Result<Target<'_>, Error> {
    let bad = |why: &str| Error::InvalidConfig {
        message: format!("cannot route {uri}: {why}"),
    };
    let scheme = uri
        .scheme_str()
        .and_then(Scheme::parse)
        .ok_or_else(|| bad("only http:// and https:// URLs are supported"))?;
    let host = uri.host().ok_or_else(|| bad("the URL has no host"))?;
    Target::from_url_parts(scheme, host, uri.port_u16()).map_err(|e| bad(&e.to_string()))
}

fn config_error(error: ConfigError<'_>) -> Error {
    Error::InvalidConfig {
        message: error.to_string(),
    }
}
