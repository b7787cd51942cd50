//! Building an [`Agent`]: proxies from the environment or from code, the IP blocklist, extra
//! CA certificates for proxies and targets, and phase timeouts.

use std::sync::Arc;
use std::time::Duration;

pub use egress_core::establish::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROXY_HANDSHAKE_TIMEOUT, DEFAULT_TLS_TIMEOUT,
};
use egress_core::settings::Options;

use crate::Error;
use crate::agent::Agent;
use crate::forward_auth::ForwardAuthCheck;
use crate::settings::Settings;

/// Default [`AgentBuilder::timeout_idle_read`]: a peer silent this long while egress waits
/// for response bytes ends the call.
pub const DEFAULT_IDLE_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures and builds an [`Agent`].
///
/// The options shared with egress-async's `ConnectorBuilder` (proxies, blocklist, CAs,
/// phase timeouts, `User-Agent`) live in egress-core's `settings::Options`; the methods
/// here delegate to it, so both frontends default and validate alike.
///
/// ```no_run
/// use std::time::Duration;
///
/// let agent = egress_sync::Agent::builder()
///     .https_proxy("http://user:secret@proxy.corp:3128")
///     .no_proxy("localhost, .corp, 10.0.0.0/8")
///     .timeout_proxy_handshake(Duration::from_secs(5))
///     .build()?;
/// # Ok::<(), egress_sync::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct AgentBuilder {
    options: Options,
    global_timeout: Option<Duration>,
    idle_read_timeout: Option<Duration>,
    max_redirects: u32,
    http_status_as_error: bool,
}

impl Default for AgentBuilder {
    fn default() -> Self {
        Self {
            options: Options::default(),
            global_timeout: None,
            idle_read_timeout: Some(DEFAULT_IDLE_READ_TIMEOUT),
            max_redirects: 10,
            http_status_as_error: true,
        }
    }
}

impl AgentBuilder {
    egress_core::options_builder_methods!(Error);

    /// Limit for a whole call, from connect to the last body byte, passed to ureq (default:
    /// none; the phase limits above still apply).
    pub fn timeout_global(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.global_timeout = limit.into();
        self
    }

    /// Limit for each wait for bytes from the peer (the response head and each piece of
    /// the body), restarted by every read that gets bytes; passed to ureq as its per-read
    /// timeout (default [`DEFAULT_IDLE_READ_TIMEOUT`], 30 s; `None`: no limit). A silent
    /// origin or forward proxy ends the call instead of holding it until the peer gives up.
    pub fn timeout_idle_read(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.idle_read_timeout = limit.into();
        self
    }

    /// How many redirects to follow (default 10; each hop is routed on its own); 0 turns
    /// them off.
    pub fn max_redirects(mut self, redirects: u32) -> Self {
        self.max_redirects = redirects;
        self
    }

    /// Whether 4xx/5xx responses are errors (default `true`, as in ureq) or ordinary
    /// responses.
    pub fn http_status_as_error(mut self, as_error: bool) -> Self {
        self.http_status_as_error = as_error;
        self
    }

    /// Validates the configuration and builds the agent.
    pub fn build(self) -> Result<Agent, Error> {
        let shared = self.options.build("agent", Self::load_system_roots)?;
        for warning in shared.warnings() {
            log::warn!("egress: {warning}");
        }
        let user_agent = match shared.user_agent() {
            Some(agent) => ureq::config::AutoHeaderValue::Provided(Arc::new(agent.to_owned())),
            None => ureq::config::AutoHeaderValue::None,
        };
        let settings = Arc::new(Settings { shared });
        let config = ureq::Agent::config_builder()
            // ureq must never read the environment or route on its own.
            .proxy(None)
            .timeout_global(self.global_timeout)
            .timeout_per_read(self.idle_read_timeout)
            .max_redirects(self.max_redirects)
            // Applied by the middleware, after it has seen a forward proxy's 407 headers.
            .http_status_as_error(false)
            .middleware(ForwardAuthCheck::new(
                Arc::clone(&settings),
                self.http_status_as_error,
            ))
            .user_agent(user_agent)
            .build();
        Ok(Agent::from_parts(config, settings))
    }
}
