//! [`Connector`]: decide the route once with egress-core's router, drive egress-core's
//! connection machine along it, and hand back the ready stream.
//!
//! ```text
//!   Direct  ─► [resolve, blocklist] ─► TCP ──────────────────────┐
//!   Forward ─► TCP/TLS to proxy ─► rewrite writes to absolute form ├─► TLS to target
//!   Tunnel  ─► TCP/TLS to proxy ─► CONNECT ─► replay leftover ────┘   (https:// only)
//! ```
//!
//! Every step runs under its phase timeout (the machine's deadline); a future dropped at any
//! point drops the sockets it owned, and nothing is shared between connections.

use std::fmt;
use std::sync::Arc;

use egress_core::failure::Failure;
use egress_core::router::RouteInfo;
use egress_core::{Decision, Target, TargetError};
use ureq_proto::http::Uri;

use crate::connection::Connection;
use crate::establish::{establish, fresh_seed};
use crate::settings::{Settings, target_of};
use crate::stream::Rewriting;
use crate::{ConnectorBuilder, Error};

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
        Ok(RouteInfo::from_decision(&target, &self.decide(&target)))
    }

    /// How many route decisions this connector has made: one per connection it opened, one
    /// per request a [`Client`](crate::Client) sent (the decision's key finds a pooled
    /// connection, and a new one is opened along that same decision), and one per
    /// [`Connector::route`] call.
    pub fn route_decisions(&self) -> usize {
        self.settings.shared.router().decisions_made()
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
        let decision = self.decide(target);
        self.connect_decided(*target, &decision, None).await
    }

    /// The route to `target`, decided once and logged.
    pub(crate) fn decide<'c>(&'c self, target: &Target<'_>) -> Decision<'c> {
        let decision = self.settings.shared.router().route(target);
        log::debug!("egress: {}", decision.log_line(target));
        decision
    }

    /// Opens a ready stream to `target` along a route already decided, by `deadline` if
    /// one is given (the request's, cutting whichever phase it falls in).
    pub(crate) async fn connect_decided(
        &self,
        target: Target<'_>,
        decision: &Decision<'_>,
        deadline: Option<std::time::Instant>,
    ) -> Result<Connection, Error> {
        let (stack, ready) =
            Box::pin(establish(&self.settings, decision, target, deadline)).await?;
        let rewriting = match decision.proxy.filter(|_| ready.forward) {
            None => None,
            Some(proxy) => {
                let rewriter = self
                    .settings
                    .shared
                    .forward_writer(&target, proxy, fresh_seed())?;
                Some(Rewriting::new(rewriter))
            }
        };
        let connection = Connection::new(stack, rewriting, ready);
        Ok(if connection.is_forward_rewriting() {
            connection.reaching_again(Arc::clone(&self.settings), target.authority().to_string())
        } else {
            connection
        })
    }
}

/// Parses `url` as an absolute URL, or says why it is not one (never quoting it: it may
/// hold credentials).
pub(crate) fn parse_url(url: &str) -> Result<Uri, Error> {
    url.parse::<Uri>().map_err(|_| {
        Error::Failure(Failure::InvalidTarget {
            url: String::from("the URL"),
            problem: TargetError::NotAUrl,
        })
    })
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("runtime", &self.settings.runtime)
            .field("timeouts", &self.settings.shared.timeouts())
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
                matches!(error, Some(Error::Failure(Failure::InvalidTarget { .. }))),
                "{url}: {error:?}"
            );
        }
    }
}
