//! The agent's connector: for each new connection ureq asks for, decide the route once with
//! egress-core's router, drive egress-core's connection machine along it, and hand ureq a
//! transport over the ready stream.
//!
//! ```text
//!   Direct  ─► [resolve, blocklist] ─► TCP ────────────────────────┐
//!   Forward ─► TCP/TLS to proxy ─► rewrite requests, watch answers ├─► TLS to target
//!   Tunnel  ─► TCP/TLS to proxy ─► CONNECT ─► tunnel ──────────────┘    (https:// only)
//! ```
//!
//! ureq's resolver is not used: with ureq's own proxy support off it would resolve every
//! target, including the proxied ones only the proxy can resolve. The machine asks for the
//! lookups it needs, and the connector does them.

use std::fmt;
use std::sync::Arc;

use egress_core::establish::ForwardWatch;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout, Transport};

use crate::Error;
use crate::establish::establish;
use crate::establish::fresh_seed;
use crate::settings::{Settings, target_of};
use crate::transport::SocketTransport;

/// Connector that routes every connection through egress-core.
pub(crate) struct EgressConnector {
    settings: Arc<Settings>,
}

impl EgressConnector {
    pub(crate) fn new(settings: Arc<Settings>) -> Self {
        Self { settings }
    }

    fn connect_routed(&self, details: &ConnectionDetails<'_>) -> Result<SocketTransport, Error> {
        let settings = &*self.settings;
        let target = target_of(details.uri)?;
        let decision = settings.shared.router().route(&target);
        log::debug!("egress: {}", decision.log_line(&target));
        let within = details.timeout.not_zero().map(|left| *left);
        let established = establish(settings, &decision, target, within)?;
        let ready = established.ready;
        let transport = SocketTransport::new(established.stream, ready.target_tls, details.config);
        let Some(proxy) = decision.proxy.filter(|_| ready.forward) else {
            return Ok(transport);
        };
        let rewriter = settings
            .shared
            .forward_writer(&target, proxy, fresh_seed())
            .map(Box::new)?;
        let watch = ForwardWatch::new(proxy.shown(), settings.shared.timeouts().proxy_handshake);
        Ok(transport.forwarding(
            rewriter,
            watch,
            established.clock,
            Arc::clone(&self.settings),
            details.uri.clone(),
        ))
    }
}

impl Connector<()> for EgressConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails<'_>,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.connect_routed(details)
            .map(|transport| Some(Box::new(transport) as Box<dyn Transport>))
            .map_err(Error::into_ureq)
    }
}

impl fmt::Debug for EgressConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EgressConnector")
    }
}

/// A resolver that resolves nothing: the connection machine asks for the lookups a route
/// needs (never one for a proxied target), and the connector performs them.
#[derive(Debug)]
pub(crate) struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(
        &self,
        _uri: &Uri,
        _config: &Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        Ok(self.empty())
    }
}
