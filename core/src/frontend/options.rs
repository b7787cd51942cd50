//! The builder options both frontends offer, with their defaults, and the step that turns
//! them into [`Settings`]. `AgentBuilder` (egress-sync) and `ConnectorBuilder`
//! (egress-async) hold an [`Options`] and delegate each shared method to it, so an option
//! means the same thing, and defaults the same way, in both.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use core::time::Duration;

use super::{InvalidConfig, Setting, Settings, Timeouts};
use crate::blocklist::IpBlocklist;
use crate::env::{EnvValue, OwnedProxyEnv};
use crate::no_proxy::CompiledNoProxy;
use crate::tls::{TlsTrust, TlsTrustError};

/// Default limit for TCP connect to a proxy or a direct target.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for the proxy's answer to CONNECT.
pub const DEFAULT_PROXY_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for each TLS handshake (with the proxy, with the target).
pub const DEFAULT_TLS_TIMEOUT: Duration = Duration::from_secs(30);
/// Default `User-Agent`: `egress/` and the version (all egress crates share one).
pub const DEFAULT_USER_AGENT: &str = concat!("egress/", env!("CARGO_PKG_VERSION"));

/// The options shared by the frontends' builders. The default: no proxy, no blocklist,
/// webpki-roots only, the `DEFAULT_*` timeouts and [`DEFAULT_USER_AGENT`].
///
/// ```
/// use egress_core::frontend::Options;
///
/// let mut options = Options::default();
/// options.set_https_proxy("http://proxy.corp:3128");
/// options.set_no_proxy("localhost, 10.0.0.0/8");
/// let settings = options.build_settings("client")?;
/// let config = settings.proxy_config()?;
/// assert!(config.https_proxy().is_some());
/// # Ok::<(), egress_core::frontend::InvalidConfig>(())
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    http_proxy: Option<Setting>,
    https_proxy: Option<Setting>,
    no_proxy: Option<Setting>,
    strict_no_proxy: bool,
    blocklist: IpBlocklist,
    proxy_trust: TlsTrust,
    target_trust: TlsTrust,
    /// The phase limits; the builders set them field by field.
    pub timeouts: Timeouts,
    user_agent: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            http_proxy: None,
            https_proxy: None,
            no_proxy: None,
            strict_no_proxy: false,
            blocklist: IpBlocklist::new(),
            proxy_trust: TlsTrust::new(),
            target_trust: TlsTrust::new(),
            timeouts: Timeouts {
                connect: Some(DEFAULT_CONNECT_TIMEOUT),
                proxy_handshake: Some(DEFAULT_PROXY_HANDSHAKE_TIMEOUT),
                tls: Some(DEFAULT_TLS_TIMEOUT),
            },
            user_agent: Some(DEFAULT_USER_AGENT.to_owned()),
        }
    }
}

impl Options {
    /// The proxy variables of an already-read environment, other options at their
    /// defaults. Warns when an `HTTP_PROXY` was ignored because of CGI (httpoxy).
    pub fn from_proxy_env(env: &OwnedProxyEnv) -> Self {
        let env = env.borrowed();
        if let Some(ignored) = env.ignored_cgi_http_proxy {
            log::warn!(
                "egress: ignoring {} because REQUEST_METHOD is set (CGI, httpoxy)",
                ignored.name
            );
        }
        let own = |value: Option<EnvValue<'_>>| value.map(|v| Setting::new(v.name, v.value));
        Self {
            http_proxy: own(env.http_proxy),
            https_proxy: own(env.https_proxy),
            no_proxy: own(env.no_proxy),
            ..Self::default()
        }
    }

    /// The proxy for `http://` targets, set in code.
    pub fn set_http_proxy(&mut self, url: &str) {
        self.http_proxy = Some(Setting::from_code(url));
    }

    /// The proxy for `https://` targets, set in code.
    pub fn set_https_proxy(&mut self, url: &str) {
        self.https_proxy = Some(Setting::from_code(url));
    }

    /// The bypass list, set in code.
    pub fn set_no_proxy(&mut self, list: &str) {
        self.no_proxy = Some(Setting::from_code(list));
    }

    /// Whether an invalid `no_proxy` entry fails the build instead of being logged.
    pub fn set_strict_no_proxy(&mut self, strict: bool) {
        self.strict_no_proxy = strict;
    }

    /// The IP blocklist for direct connections.
    pub fn set_blocklist(&mut self, blocklist: IpBlocklist) {
        self.blocklist = blocklist;
    }

    /// Trusts the CA certificates in `pem` for `https://` proxies.
    pub fn add_proxy_ca_pem(&mut self, pem: &[u8]) -> Result<(), InvalidConfig> {
        add_pem(&mut self.proxy_trust, pem, "proxy CA certificate")
    }

    /// Trusts the CA certificates in `pem` for `https://` targets.
    pub fn add_ca_pem(&mut self, pem: &[u8]) -> Result<(), InvalidConfig> {
        add_pem(&mut self.target_trust, pem, "CA certificate")
    }

    /// Accepts any certificate from proxies and targets (tests only; every build warns).
    pub fn danger_accept_invalid_certs_for_testing(&mut self) {
        self.proxy_trust.danger_accept_invalid_certs_for_testing();
        self.target_trust.danger_accept_invalid_certs_for_testing();
    }

    /// The `User-Agent` for CONNECT and requests (`None`: send none).
    pub fn set_user_agent(&mut self, agent: Option<&str>) {
        self.user_agent = agent.map(str::to_owned);
    }

    /// Builds the TLS configurations, compiles `no_proxy` and validates the proxy settings
    /// (strictly when asked), logging ignored `no_proxy` entries. `built` names what is
    /// being built (`agent`, `connector`) in the warning logged when verification is off.
    pub fn build_settings(self, built: &str) -> Result<Settings, InvalidConfig> {
        let trust_error = |e: TlsTrustError| InvalidConfig {
            message: format!("TLS configuration: {e}"),
        };
        if self.proxy_trust.is_insecure() || self.target_trust.is_insecure() {
            log::warn!(
                "egress: TLS certificate verification is OFF for this {built} \
                 (danger_accept_invalid_certs_for_testing); never use this in production"
            );
        }
        let compiled_no_proxy =
            CompiledNoProxy::parse(self.no_proxy.as_ref().map_or("", |s| &s.value));
        let settings = Settings {
            http_proxy: self.http_proxy,
            https_proxy: self.https_proxy,
            no_proxy: self.no_proxy,
            compiled_no_proxy,
            blocklist: self.blocklist,
            proxy_tls: self.proxy_trust.client_config().map_err(trust_error)?,
            target_tls: self.target_trust.client_config().map_err(trust_error)?,
            timeouts: self.timeouts,
            user_agent: self.user_agent,
        };
        settings.validate(self.strict_no_proxy)?;
        Ok(settings)
    }
}

fn add_pem(trust: &mut TlsTrust, pem: &[u8], what: &str) -> Result<(), InvalidConfig> {
    match trust.add_pem(pem) {
        Ok(_) => Ok(()),
        Err(e) => Err(InvalidConfig {
            message: format!("{what}: {e}"),
        }),
    }
}
