//! [`Connector`]: route a target with egress-core and build the stream along that route.
//!
//! ```text
//!   Direct  ─► resolve ─► blocklist ─► TCP to a checked address ───────┐
//!   Forward ─► TCP/TLS to proxy ─► rewrite writes to absolute form     ├─► TLS to target
//!   Tunnel  ─► TCP/TLS to proxy ─► CONNECT ─► replay leftover ─────────┘   (https:// only)
//! ```
//!
//! Every step runs under its phase timeout; a future dropped at any point drops the sockets
//! it owned, and nothing is shared between connections.

use std::fmt;
use std::sync::Arc;

use egress_core::forward::ForwardRewriter;
use egress_core::{Phase, Route, Scheme, Target};
use ureq_proto::http::Uri;

use crate::connection::Connection;
use crate::dial::{open_direct, open_proxy, tls_handshake, within};
use crate::settings::{Settings, target_of};
use crate::stream::{Layer, Replay, Rewriting};
use crate::tunnel::open_tunnel;
use crate::{ConnectorBuilder, Error, RouteInfo};

/// Opens connections to targets along the route egress-core decides. Cheap to clone
/// (shares its configuration).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let connector = egress_async::Connector::from_env()?;
/// let mut stream = connector.connect("https://example.com/").await?;
/// stream.write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n").await?;
/// let mut answer = Vec::new();
/// stream.read_to_end(&mut answer).await?;
/// # Ok(()) }
/// ```
///
/// For an `http://` target routed to a forward proxy (`http_proxy`), the stream is the
/// connection to the proxy with egress-core's forward rewriter on its write path: write
/// ordinary origin-form HTTP/1.1 requests and they reach the proxy in absolute form with
/// `Proxy-Authorization`. Only HTTP can be spoken over such a stream; for other protocols
/// use an `https://` target (CONNECT tunnel) or a bypassed one.
#[derive(Clone)]
pub struct Connector {
    settings: Arc<Settings>,
}

impl Connector {
    pub(crate) fn from_settings(settings: Arc<Settings>) -> Self {
        Self { settings }
    }

    /// A builder with no proxy, to be configured in code.
    pub fn builder() -> ConnectorBuilder {
        ConnectorBuilder::default()
    }

    /// A connector configured from `http_proxy`, `https_proxy` and `no_proxy`.
    pub fn from_env() -> Result<Self, Error> {
        ConnectorBuilder::from_env().build()
    }

    /// A connector that never uses a proxy (the IP blocklist still applies when set).
    pub fn without_proxy() -> Result<Self, Error> {
        ConnectorBuilder::without_proxy().build()
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Where `url` would go and why, without connecting.
    pub fn route(&self, url: &str) -> Result<RouteInfo, Error> {
        let uri = parse_url(url)?;
        let target = target_of(&uri)?;
        let proxies = self.settings.proxy_config()?;
        Ok(RouteInfo::from_decision(
            &target,
            &self.settings.route(&proxies, &target),
        ))
    }

    /// Opens a ready stream to the target of `url` (`http://` or `https://`; only scheme,
    /// host and port are used). See the type docs for forward routes.
    pub async fn connect(&self, url: &str) -> Result<Connection, Error> {
        let uri = parse_url(url)?;
        let target = target_of(&uri)?;
        self.connect_target(&target).await
    }

    /// Opens a ready stream to `target`.
    pub async fn connect_target(&self, target: &Target<'_>) -> Result<Connection, Error> {
        let settings = &*self.settings;
        let proxies = settings.proxy_config()?;
        let decision = settings.route(&proxies, target);
        log::debug!(
            "egress: {}://{} -> {} {} ({})",
            target.scheme,
            target.authority(),
            decision.route.kind_name(),
            decision
                .route
                .proxy()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
            decision.reason
        );
        let route = decision.route.kind_name();
        let (below, rewriting) = match decision.route {
            Route::Direct => {
                let tcp = Box::pin(open_direct(settings, target)).await?;
                (Replay::new(Vec::new(), Layer::Plain(tcp)), None)
            }
            Route::Forward(proxy) => {
                let rewriter =
                    ForwardRewriter::new(target, proxy.credentials()).map_err(|error| {
                        Error::InvalidConfig {
                            message: format!("cannot forward to {}: {error}", target.authority()),
                        }
                    })?;
                let stream = Box::pin(open_proxy(settings, proxy)).await?;
                (
                    Replay::new(Vec::new(), stream),
                    Some(Rewriting::new(rewriter)),
                )
            }
            Route::Tunnel(proxy) => {
                let mut stream = Box::pin(open_proxy(settings, proxy)).await?;
                let leftover = Box::pin(within(
                    settings,
                    settings.timeouts().proxy_handshake,
                    Phase::ProxyHandshake,
                    open_tunnel(&mut stream, proxy, target, settings.user_agent()),
                ))
                .await??;
                (Replay::new(leftover, stream), None)
            }
        };
        if target.scheme == Scheme::Http || rewriting.is_some() {
            return Ok(Connection::new(Layer::Plain(below), rewriting, route));
        }
        let tls = Box::pin(within(
            settings,
            settings.timeouts().tls,
            Phase::TargetTls,
            tls_handshake(settings.target_tls(), &target.host, below),
        ))
        .await?
        .map_err(|source| Error::TargetTls {
            target: target.authority().to_string(),
            source,
        })?;
        Ok(Connection::new(Layer::Tls(Box::new(tls)), None, route))
    }
}

/// Parses `url` as an absolute URL, or says why it is not one.
pub(crate) fn parse_url(url: &str) -> Result<Uri, Error> {
    url.parse::<Uri>().map_err(|e| Error::InvalidConfig {
        message: format!("cannot route {url:?}: not a valid URL ({e})"),
    })
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("runtime", &self.settings.runtime)
            .field("timeouts", &self.settings.timeouts())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn connect_futures_are_send_and_connections_are_send_and_unpin() {
        fn send_unpin<T: Send + Unpin>() {}
        send_unpin::<Connection>();
        let connector = Connector::without_proxy().unwrap_or_else(|e| panic!("{e}"));
        let future = connector.connect("http://127.0.0.1:9/");
        assert_send(&future);
    }

    #[test]
    fn urls_that_cannot_be_routed_are_config_errors() {
        let connector = Connector::without_proxy().unwrap_or_else(|e| panic!("{e}"));
        for url in ["not a url", "ftp://example.com/", "/relative"] {
            let error = connector.route(url).err();
            assert!(
                matches!(error, Some(Error::InvalidConfig { .. })),
                "{url}: {error:?}"
            );
        }
    }
}
