//! Building a [`Connector`]: proxies from the environment or from code, the IP blocklist,
//! extra CA certificates for proxies and targets, phase timeouts and the runtime. The
//! options and their defaults are egress-sync's `AgentBuilder`'s.

use std::sync::Arc;
use std::time::Duration;

pub use egress_core::establish::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROXY_HANDSHAKE_TIMEOUT, DEFAULT_TLS_TIMEOUT,
};
use egress_core::settings::Options;
use egress_core::{IpBlocklist, OwnedProxyEnv};

use crate::settings::Settings;
use crate::{Connector, Error, Runtime};

/// Configures and builds a [`Connector`].
///
/// The options shared with egress-sync's `AgentBuilder` (proxies, blocklist, CAs, phase
/// timeouts, `User-Agent`) live in egress-core's `frontend::Options`; the methods here
/// delegate to it, so both frontends default and validate alike.
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
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ConnectorBuilder {
    options: Options,
    runtime: Runtime,
}

impl ConnectorBuilder {
    /// Applies `set` to the shared options.
    fn with(mut self, set: impl FnOnce(&mut Options)) -> Self {
        set(&mut self.options);
        self
    }

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
        Self::default().with(|o| *o = Options::from_proxy_env(env))
    }

    /// The proxy for `http://` targets, `[http|https://][user:password@]host[:port]`.
    pub fn http_proxy(self, url: &str) -> Self {
        self.with(|o| o.set_http_proxy(url))
    }

    /// The proxy for `https://` targets (CONNECT tunnels).
    pub fn https_proxy(self, url: &str) -> Self {
        self.with(|o| o.set_https_proxy(url))
    }

    /// The bypass list: hosts, domains, IP addresses and CIDR ranges, `host:port`, or `*`.
    pub fn no_proxy(self, list: &str) -> Self {
        self.with(|o| o.set_no_proxy(list))
    }

    /// Makes an invalid `no_proxy` entry a build error instead of a logged warning.
    pub fn strict_no_proxy(self, strict: bool) -> Self {
        self.with(|o| o.set_strict_no_proxy(strict))
    }

    /// Blocks direct connections to these addresses (not connections through a proxy).
    pub fn ip_blocklist(self, blocklist: IpBlocklist) -> Self {
        self.with(|o| o.set_blocklist(blocklist))
    }

    /// Trusts the CA certificates in `pem` for `https://` proxies, besides webpki-roots.
    pub fn add_proxy_ca_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.options.add_proxy_ca_pem(pem)?;
        Ok(self)
    }

    /// Trusts the CA certificates in `pem` for `https://` targets, besides webpki-roots.
    pub fn add_ca_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.options.add_ca_pem(pem)?;
        Ok(self)
    }

    /// Accepts any certificate from proxies and targets. For tests only: this removes the
    /// protection TLS gives, and every connector built this way logs a warning.
    pub fn danger_accept_invalid_certs_for_testing(self) -> Self {
        self.with(Options::danger_accept_invalid_certs_for_testing)
    }

    /// Limit for resolving and TCP connect to a proxy or a direct target (default 30 s;
    /// `None`: no limit).
    pub fn timeout_connect(self, limit: impl Into<Option<Duration>>) -> Self {
        self.with(|o| o.timeouts.connect = limit.into())
    }

    /// Limit for the proxy's answer to CONNECT, and for a forward proxy's response head
    /// after a request was sent (default 30 s).
    pub fn timeout_proxy_handshake(self, limit: impl Into<Option<Duration>>) -> Self {
        self.with(|o| o.timeouts.proxy_handshake = limit.into())
    }

    /// Limit for each TLS handshake (default 30 s).
    pub fn timeout_tls(self, limit: impl Into<Option<Duration>>) -> Self {
        self.with(|o| o.timeouts.tls = limit.into())
    }

    /// The `User-Agent` sent with CONNECT, and by a [`Client`](crate::Client) built on
    /// this connector with its requests (`None`: send none).
    pub fn user_agent(self, agent: Option<&str>) -> Self {
        self.with(|o| o.set_user_agent(agent))
    }

    /// Which runtime provides TCP, DNS and timers (see [`Runtime`]).
    pub fn runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = runtime;
        self
    }

    /// Validates the configuration and builds the connector.
    pub fn build(self) -> Result<Connector, Error> {
        let shared = self.options.build("connector")?;
        for warning in shared.warnings() {
            log::warn!("egress: {warning}");
        }
        let settings = Settings {
            shared,
            runtime: self.runtime,
        };
        Ok(Connector::from_settings(Arc::new(settings)))
    }
}
