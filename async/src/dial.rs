//! Opening TCP and TLS under the phase timeouts: a proxy (resolved without the blocklist:
//! the proxy is trusted infrastructure, and TLS for an `https://` proxy), a direct target
//! (every resolved address checked against the IP blocklist, connection only to checked
//! ones, no second lookup), and the TLS handshake used for proxies and targets alike.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use egress_core::frontend::keep_allowed;
use egress_core::{Host, Phase, ProxyUrl, Scheme, Target};
use futures_io::{AsyncRead, AsyncWrite};
use futures_rustls::client::TlsStream;
use rustls::ClientConfig;

use crate::Error;
use crate::runtime::Tcp;
use crate::settings::Settings;
use crate::stream::Layer;

/// Runs `future` within `limit`, or fails with a timeout naming `phase`.
pub(crate) async fn within<F: Future>(
    settings: &Settings,
    limit: Option<Duration>,
    phase: Phase,
    future: F,
) -> Result<F::Output, Error> {
    settings
        .runtime
        .timeout(limit, future)
        .await
        .ok_or(Error::Timeout { phase })
}

/// TLS handshake with `host` over `stream`.
pub(crate) async fn tls_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    config: &Arc<ClientConfig>,
    host: &Host<'_>,
    stream: S,
) -> io::Result<TlsStream<S>> {
    let name = egress_core::tls::server_name(host).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the host is not a valid TLS server name",
        )
    })?;
    futures_rustls::TlsConnector::from(Arc::clone(config))
        .connect(name, stream)
        .await
}

/// Connects to `proxy`, with TLS for an `https://` proxy.
pub(crate) async fn open_proxy(
    settings: &Settings,
    proxy: &ProxyUrl<'_>,
) -> Result<Layer<Tcp>, Error> {
    let unreachable = |source: io::Error| Error::ProxyUnreachable {
        proxy: proxy.to_string(),
        source,
    };
    let timeouts = settings.timeouts();
    let addrs = match proxy.host() {
        Host::Name(name) => within(
            settings,
            timeouts.connect,
            Phase::ResolveProxy,
            settings.runtime.resolve(name, proxy.port()),
        )
        .await?
        .map_err(unreachable)?,
        host => host
            .ip()
            .map(|ip| SocketAddr::new(ip, proxy.port()))
            .into_iter()
            .collect(),
    };
    let tcp = within(
        settings,
        timeouts.connect,
        Phase::ConnectProxy,
        connect_any(settings, &addrs),
    )
    .await?
    .map_err(unreachable)?;
    if proxy.scheme() == Scheme::Http {
        return Ok(Layer::Plain(tcp));
    }
    let tls = Box::pin(within(
        settings,
        timeouts.tls,
        Phase::ProxyTls,
        tls_handshake(settings.proxy_tls(), &proxy.host(), tcp),
    ))
    .await?
    .map_err(|source| Error::ProxyTls {
        proxy: proxy.to_string(),
        source,
    })?;
    Ok(Layer::Tls(Box::new(tls)))
}

/// Connects directly to `target`: resolves it, drops blocked addresses, connects to one of
/// the rest.
pub(crate) async fn open_direct(settings: &Settings, target: &Target<'_>) -> Result<Tcp, Error> {
    let unreachable = |source: io::Error| Error::TargetUnreachable {
        target: target.authority().to_string(),
        source,
    };
    let timeouts = settings.timeouts();
    let resolved = match target.host {
        Host::Name(name) => within(
            settings,
            timeouts.connect,
            Phase::ResolveTarget,
            settings.runtime.resolve(name, target.port),
        )
        .await?
        .map_err(unreachable)?,
        host => host
            .ip()
            .map(|ip| SocketAddr::new(ip, target.port))
            .into_iter()
            .collect(),
    };
    let mut allowed = Vec::with_capacity(resolved.len());
    keep_allowed(settings.blocklist(), target, resolved, |addr| {
        allowed.push(addr);
    })?;
    within(
        settings,
        timeouts.connect,
        Phase::ConnectTarget,
        connect_any(settings, &allowed),
    )
    .await?
    .map_err(unreachable)
}

/// Tries each address in turn; the last error if none connects.
async fn connect_any(settings: &Settings, addrs: &[SocketAddr]) -> io::Result<Tcp> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    for &addr in addrs {
        match settings.runtime.connect_tcp(addr).await {
            Ok(tcp) => return Ok(tcp),
            Err(error) => last = error,
        }
    }
    Err(last)
}
