//! Building a [`Connector`]: proxies from the environment or from code, the IP blocklist,
//! extra CA certificates for proxies and targets, phase timeouts and the runtime. The
//! options and their defaults are egress-sync's `AgentBuilder`'s.

use std::sync::Arc;
use std::time::Duration;

use egress_core::tls::TlsTrust;
use egress_core::{IpBlocklist, OwnedProxyEnv, route::CODE_SOURCE};

use crate::settings::{Setting, Settings, Timeouts};
use crate::{Connector, Error, Runtime};

/// Default limit for TCP connect to a proxy or a direct target.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for the proxy's answer to CONNECT.
pub const DEFAULT_PROXY_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for each TLS handshake (with the proxy, with the target).
pub const DEFAULT_TLS_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures and builds a [`Connector`].
///
/// ```no_run
/// use std::time::Duration;
///
/// let connector = egress_async::Connector::builder()
///     .https_proxy("http://user:secret@proxy.corp:3128")
///     .no_proxy("localhost, .corp, 10.0.0.0/8")
///     .timeout_proxy_handshake(Duration::from_secs(5))
///     .build()?;
/// # Ok::<(), egress_async::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ConnectorBuilder {
    http_proxy: Option<Setting>,
    https_proxy: Option<Setting>,
    no_proxy: Option<Setting>,
    strict_no_proxy: bool,
    blocklist: IpBlocklist,
    proxy_trust: TlsTrust,
    target_trust: TlsTrust,
    timeouts: Timeouts,
    user_agent: Option<String>,
    runtime: Runtime,
}

impl Default for ConnectorBuilder {
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
            user_agent: Some(concat!("egress/", env!("CARGO_PKG_VERSION")).to_owned()),
            runtime: Runtime::default(),
        }
    }
}

fn setting(source: &str, value: &str) -> Setting {
    Setting {
        source: source.to_owned(),
        value: value.to_owned(),
    }
}

impl ConnectorBuilder {
    /// No proxy at all, every connection direct (the IP blocklist still applies). For
    /// traffic that must never use a proxy: Synapse's application services, identity
    /// servers, worker-to-worker and Redis connections.
    pub fn without_proxy() -> Self {
        Self::default()
    }

    /// `http_proxy`, `https_proxy` and `no_proxy` from the process environment, with
    /// Synapse's precedence (see `egress_core::env`).
    pub fn from_env() -> Self {
        Self::from_proxy_env(&OwnedProxyEnv::from_process())
    }

    /// The proxy variables from an already-read environment.
    pub fn from_proxy_env(env: &OwnedProxyEnv) -> Self {
        let env = env.borrowed();
        if let Some(ignored) = env.ignored_cgi_http_proxy {
            log::warn!(
                "egress: ignoring {} because REQUEST_METHOD is set (CGI, httpoxy)",
                ignored.name
            );
        }
        let own =
            |value: Option<egress_core::EnvValue<'_>>| value.map(|v| setting(v.name, v.value));
        Self {
            http_proxy: own(env.http_proxy),
            https_proxy: own(env.https_proxy),
            no_proxy: own(env.no_proxy),
            ..Self::default()
        }
    }

    /// The proxy for `http://` targets, `[http|https://][user:password@]host[:port]`.
    pub fn http_proxy(mut self, url: &str) -> Self {
        self.http_proxy = Some(setting(CODE_SOURCE, url));
        self
    }

    /// The proxy for `https://` targets (CONNECT tunnels).
    pub fn https_proxy(mut self, url: &str) -> Self {
        self.https_proxy = Some(setting(CODE_SOURCE, url));
        self
    }

    /// The bypass list: hosts, domains, IP addresses and CIDR ranges, `host:port`, or `*`.
    pub fn no_proxy(mut self, list: &str) -> Self {
        self.no_proxy = Some(setting(CODE_SOURCE, list));
        self
    }

    /// Makes an invalid `no_proxy` entry a build error instead of a logged warning.
    pub fn strict_no_proxy(mut self, strict: bool) -> Self {
        self.strict_no_proxy = strict;
        self
    }

    /// Blocks direct connections to these addresses (not connections through a proxy).
    pub fn ip_blocklist(mut self, blocklist: IpBlocklist) -> Self {
        self.blocklist = blocklist;
        self
    }

    /// Trusts the CA certificates in `pem` for `https://` proxies, besides webpki-roots.
    pub fn add_proxy_ca_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.proxy_trust
            .add_pem(pem)
            .map_err(|e| Error::InvalidConfig {
                message: format!("proxy CA certificate: {e}"),
            })?;
        Ok(self)
    }

    /// Trusts the CA certificates in `pem` for `https://` targets, besides webpki-roots.
    pub fn add_ca_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.target_trust
            .add_pem(pem)
            .map_err(|e| Error::InvalidConfig {
                message: format!("CA certificate: {e}"),
            })?;
        Ok(self)
    }

    /// Accepts any certificate from proxies and targets. For tests only: this removes the
    /// protection TLS gives, and every connector built this way logs a warning.
    pub fn danger_accept_invalid_certs_for_testing(mut self) -> Self {
        self.proxy_trust.danger_accept_invalid_certs_for_testing();
        self.target_trust.danger_accept_invalid_certs_for_testing();
        self
    }

    /// Limit for TCP connect to a proxy or a direct target (`None`: no limit).
    pub fn timeout_connect(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeouts.connect = limit.into();
        self
    }

    /// Limit for the proxy's answer to CONNECT.
    pub fn timeout_proxy_handshake(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeouts.proxy_handshake = limit.into();
        self
    }

    /// Limit for each TLS handshake.
    pub fn timeout_tls(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeouts.tls = limit.into();
        self
    }

    /// The `User-Agent` sent with CONNECT, and by a [`Client`](crate::Client) built on
    /// this connector with its requests (`None`: send none).
    pub fn user_agent(mut self, agent: Option<&str>) -> Self {
        self.user_agent = agent.map(str::to_owned);
        self
    }

    /// Which runtime provides TCP, DNS and timers (see [`Runtime`]).
    pub fn runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = runtime;
        self
    }

    /// Validates the configuration and builds the connector.
    pub fn build(self) -> Result<Connector, Error> {
        let trust_error = |e: egress_core::tls::TlsTrustError| Error::InvalidConfig {
            message: format!("TLS configuration: {e}"),
        };
        if self.proxy_trust.is_insecure() || self.target_trust.is_insecure() {
            log::warn!(
                "egress: TLS certificate verification is OFF for this connector \
                 (danger_accept_invalid_certs_for_testing); never use this in production"
            );
        }
        let settings = Settings {
            http_proxy: self.http_proxy,
            https_proxy: self.https_proxy,
            no_proxy: self.no_proxy,
            blocklist: self.blocklist,
            proxy_tls: self.proxy_trust.client_config().map_err(trust_error)?,
            target_tls: self.target_trust.client_config().map_err(trust_error)?,
            timeouts: self.timeouts,
            user_agent: self.user_agent,
            runtime: self.runtime,
        };
        settings.validate(self.strict_no_proxy)?;
        Ok(Connector::from_settings(Arc::new(settings)))
    }
}
