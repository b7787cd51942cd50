//! Opening a connection to a proxy: resolve its host (never checked against the blocklist:
//! the proxy is trusted infrastructure), TCP with `TCP_NODELAY`, and TLS when the proxy URL
//! is `https://`, verified against the proxy trust configuration.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;

use egress_core::{Host, Phase, ProxyUrl};
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::Error;
use crate::observe::ObserverSlot;
use crate::transport::{Deadline, SocketStream, is_timeout};

/// What the connector needs to reach proxies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProxyDial<'a> {
    pub(crate) tls: &'a Arc<ClientConfig>,
    pub(crate) connect: Deadline,
    pub(crate) tls_deadline: Deadline,
    pub(crate) observer: &'a ObserverSlot,
}

/// Connects to `proxy`, with TLS for an `https://` proxy.
pub(crate) fn open(proxy: &ProxyUrl<'_>, dial: ProxyDial<'_>) -> Result<SocketStream, Error> {
    let unreachable = |source: io::Error| Error::ProxyUnreachable {
        proxy: proxy.to_string(),
        source,
    };
    let timer = dial.observer.start(Phase::ResolveProxy);
    let addrs = resolve(proxy).map_err(unreachable)?;
    timer.done(|| format!("{} address(es) for {}", addrs.len(), proxy.host()));
    let timer = dial.observer.start(Phase::ConnectProxy);
    let tcp = connect_any(&addrs, dial.connect).map_err(|e| match e {
        ConnectFailure::Timeout => dial.connect.expired(),
        ConnectFailure::Io(source) => unreachable(source),
    })?;
    tcp.set_nodelay(true).map_err(unreachable)?;
    timer.done(|| peer_of(&tcp));
    match proxy.scheme() {
        egress_core::Scheme::Http => Ok(SocketStream::Plain(tcp)),
        egress_core::Scheme::Https => {
            let timer = dial.observer.start(Phase::ProxyTls);
            let stream = tls_to_proxy(proxy, tcp, dial)?;
            timer.done(|| format!("certificate of {} verified", proxy.host()));
            Ok(stream)
        }
    }
}

/// The connected address, for phase details.
pub(crate) fn peer_of(tcp: &TcpStream) -> String {
    tcp.peer_addr()
        .map_or_else(|_| String::from("connected"), |addr| addr.to_string())
}

fn resolve(proxy: &ProxyUrl<'_>) -> io::Result<Vec<SocketAddr>> {
    let port = proxy.port();
    let addrs: Vec<SocketAddr> = match proxy.host() {
        Host::Name(name) => (name, port).to_socket_addrs()?.collect(),
        host => host
            .ip()
            .map(|ip| SocketAddr::new(ip, port))
            .into_iter()
            .collect(),
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the proxy host name has no addresses",
        ));
    }
    Ok(addrs)
}

/// Why no address accepted a connection.
pub(crate) enum ConnectFailure {
    /// The deadline passed.
    Timeout,
    /// The last address's error.
    Io(io::Error),
}

/// Tries each address in turn until one connects or the deadline passes.
pub(crate) fn connect_any(
    addrs: &[SocketAddr],
    deadline: Deadline,
) -> Result<TcpStream, ConnectFailure> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    for addr in addrs {
        let attempt = match deadline.remaining() {
            Err(_) => return Err(ConnectFailure::Timeout),
            Ok(Some(left)) => TcpStream::connect_timeout(addr, left),
            Ok(None) => TcpStream::connect(addr),
        };
        match attempt {
            Ok(tcp) => return Ok(tcp),
            Err(e) if is_timeout(&e) => last = e,
            Err(e) => last = e,
        }
    }
    if deadline.remaining().is_err() {
        return Err(ConnectFailure::Timeout);
    }
    Err(ConnectFailure::Io(last))
}

fn tls_to_proxy(
    proxy: &ProxyUrl<'_>,
    tcp: TcpStream,
    dial: ProxyDial<'_>,
) -> Result<SocketStream, Error> {
    let tls_error = |source: io::Error| Error::ProxyTls {
        proxy: proxy.to_string(),
        source,
    };
    let name = egress_core::tls::server_name(&proxy.host()).ok_or_else(|| {
        tls_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the proxy host is not a valid TLS server name",
        ))
    })?;
    let connection = ClientConnection::new(Arc::clone(dial.tls), name)
        .map_err(|e| tls_error(io::Error::other(e)))?;
    let mut stream = StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        let left = dial.tls_deadline.remaining()?;
        stream
            .sock
            .set_read_timeout(left)
            .and_then(|()| stream.sock.set_write_timeout(left))
            .map_err(tls_error)?;
        if let Err(error) = stream.conn.complete_io(&mut stream.sock) {
            return Err(if is_timeout(&error) {
                Error::Timeout {
                    phase: Phase::ProxyTls,
                }
            } else {
                tls_error(error)
            });
        }
    }
    Ok(SocketStream::Tls(Box::new(stream)))
}
