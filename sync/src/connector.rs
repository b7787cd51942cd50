//! The agent's connector: for each new connection ureq asks for, route the target with
//! egress-core and build the transport along that route.
//!
//! ```text
//!   Direct  ─► TCP to a checked address ─────────────────────────┐
//!   Forward ─► TCP/TLS to proxy ─► rewrite requests to absolute form ├─► TLS to target
//!   Tunnel  ─► TCP/TLS to proxy ─► CONNECT ─► tunnel ────────────┘    (https:// only)
//! ```

use std::fmt;
use std::sync::Arc;

use egress_core::forward::ForwardRewriter;
use egress_core::{Phase, Route, Scheme, Target};
use ureq::unversioned::transport::{ConnectionDetails, Connector, Transport};

use crate::Error;
use crate::proxy::{self, ConnectFailure, ProxyDial};
use crate::settings::{Settings, target_of};
use crate::transport::{Deadline, SocketStream, SocketTransport, wrap_target_tls};
use crate::tunnel::open_tunnel;

/// Connector that routes every connection through egress-core.
pub(crate) struct EgressConnector {
    settings: Arc<Settings>,
}

impl EgressConnector {
    pub(crate) fn new(settings: Arc<Settings>) -> Self {
        Self { settings }
    }

    fn connect_routed(&self, details: &ConnectionDetails<'_>) -> Result<Box<dyn Transport>, Error> {
        let settings = &*self.settings;
        let target = target_of(details.uri)?;
        let proxies = settings.proxy_config()?;
        let decision = settings.route(&proxies, &target);
        let proxy_shown = decision.route.proxy().map(ToString::to_string);
        log::debug!(
            "egress: {}://{} -> {} {} ({})",
            target.scheme,
            target.authority(),
            decision.route.kind_name(),
            proxy_shown.as_deref().unwrap_or("-"),
            decision.reason
        );
        let timeouts = settings.timeouts();
        let dial = ProxyDial {
            tls: settings.proxy_tls(),
            connect: Deadline::after(timeouts.connect, Phase::ConnectProxy),
            tls_deadline: Deadline::after(timeouts.tls, Phase::ProxyTls),
            observer: &settings.observer,
        };
        let transport: Box<dyn Transport> = match decision.route {
            Route::Direct => Box::new(self.connect_direct(details, &target)?),
            Route::Forward(proxy) => {
                let stream = proxy::open(proxy, dial)?;
                let rewriter =
                    ForwardRewriter::new(&target, proxy.credentials()).map_err(|error| {
                        Error::InvalidConfig {
                            message: format!("cannot forward to {}: {error}", target.authority()),
                        }
                    })?;
                Box::new(SocketTransport::new(stream, details.config).with_rewriter(rewriter))
            }
            Route::Tunnel(proxy) => {
                let mut stream = proxy::open(proxy, dial)?;
                let deadline = Deadline::after(timeouts.proxy_handshake, Phase::ProxyHandshake);
                let timer = settings.observer.start(Phase::ProxyHandshake);
                let tunnel =
                    open_tunnel(&mut stream, proxy, &target, settings.user_agent(), deadline)?;
                log::debug!(
                    "egress: CONNECT {} -> {}",
                    target.authority(),
                    tunnel.status
                );
                timer.done(|| format!("CONNECT {} -> {}", target.authority(), tunnel.status));
                let mut transport = SocketTransport::new(stream, details.config);
                transport.preload(&tunnel.leftover);
                Box::new(transport)
            }
        };
        if target.scheme == Scheme::Https {
            let deadline = Deadline::after(timeouts.tls, Phase::TargetTls);
            let timer = settings.observer.start(Phase::TargetTls);
            let tls =
                wrap_target_tls(transport, &target, settings.target_tls(), details, deadline)?;
            timer.done(|| format!("certificate of {} verified", target.host));
            return Ok(Box::new(tls));
        }
        Ok(transport)
    }

    /// TCP to the addresses the resolver checked against the blocklist. Never resolves again.
    fn connect_direct(
        &self,
        details: &ConnectionDetails<'_>,
        target: &Target<'_>,
    ) -> Result<SocketTransport, Error> {
        let deadline = Deadline::after(self.settings.timeouts().connect, Phase::ConnectTarget);
        let addrs: Vec<_> = details.addrs.iter().copied().collect();
        let timer = self.settings.observer.start(Phase::ConnectTarget);
        let tcp = proxy::connect_any(&addrs, deadline).map_err(|failure| match failure {
            ConnectFailure::Timeout => deadline.expired(),
            ConnectFailure::Io(source) => Error::TargetUnreachable {
                target: target.authority().to_string(),
                source,
            },
        })?;
        tcp.set_nodelay(true)
            .map_err(|source| Error::TargetUnreachable {
                target: target.authority().to_string(),
                source,
            })?;
        timer.done(|| proxy::peer_of(&tcp));
        Ok(SocketTransport::new(
            SocketStream::Plain(tcp),
            details.config,
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
            .map(Some)
            .map_err(Error::into_ureq)
    }
}

impl fmt::Debug for EgressConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EgressConnector")
    }
}
