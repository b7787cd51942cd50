//! The loopback peers of the benchmark, on tokio so that 10,000 concurrent connections cost
//! tasks, not threads (egress-tests' `TestProxy` and `Origin` serve a thread per connection
//! and cap at `MAX_CONNECTIONS` = 4,096): a CONNECT-only relay and an HTTPS origin
//! answering every request with the same 1 KiB body, keep-alive. Each runs in a process of
//! its own, the relay as two worker processes on one port (`SO_REUSEPORT`, the kernel
//! spreads connections), because a tunnel holds two sockets and the machine's hard
//! open-file limit (20,000 here, not raisable without `CAP_SYS_RESOURCE`) is per process.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Size of the origin's body.
pub(crate) const BODY_LEN: usize = 1024;

/// Longest request head either peer reads.
const MAX_HEAD: usize = 8 * 1024;

/// Listen backlog asked for (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 65_535;

/// Listens on 127.0.0.1:`port` (0: any), shareable with other processes on the same port.
fn listen(port: u16) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(BACKLOG)
}

/// Reads one request head into `buf[..*len]` (keeping bytes already there); returns where
/// the head ends, or `None` at a clean end of stream before any byte of a new head.
async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut [u8; MAX_HEAD],
    len: &mut usize,
) -> io::Result<Option<usize>> {
    loop {
        if let Some(at) = buf[..*len].windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some(at + 4));
        }
        if *len == buf.len() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        let n = stream.read(&mut buf[*len..]).await?;
        if n == 0 {
            return match *len {
                0 => Ok(None),
                _ => Err(io::ErrorKind::UnexpectedEof.into()),
            };
        }
        *len += n;
    }
}

/// Drops the first `used` bytes of `buf[..*len]`, keeping what follows (pipelined bytes).
fn consume(buf: &mut [u8; MAX_HEAD], len: &mut usize, used: usize) {
    buf.copy_within(used..*len, 0);
    *len -= used;
}

/// The CONNECT relay: `CONNECT host:port` → TCP to it → `200` → bytes both ways until
/// either side closes. Anything else gets `405` and a close.
pub(crate) struct Relay {
    /// Listening address.
    pub(crate) addr: SocketAddr,
}

impl Relay {
    /// Starts accepting on 127.0.0.1:`port` (0: any) on the current tokio runtime.
    pub(crate) fn start(port: u16) -> io::Result<Relay> {
        let listener = listen(port)?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                // A client exiting resets its tunnels: errors end the tunnel, no more.
                // Failures are counted by the clients, which check every response.
                tokio::spawn(async move { drop(tunnel(tcp).await) });
            }
        });
        Ok(Relay { addr })
    }
}

async fn tunnel(mut client: TcpStream) -> io::Result<()> {
    client.set_nodelay(true)?;
    let mut buf = [0u8; MAX_HEAD];
    let mut len = 0;
    let Some(end) = read_head(&mut client, &mut buf, &mut len).await? else {
        return Ok(());
    };
    let head = std::str::from_utf8(&buf[..end]).unwrap_or("");
    let mut words = head.split(' ');
    let (Some("CONNECT"), Some(authority)) = (words.next(), words.next()) else {
        client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Err(io::Error::new(io::ErrorKind::InvalidData, "not CONNECT"));
    };
    let mut upstream = match TcpStream::connect(authority).await {
        Ok(upstream) => upstream,
        Err(e) => {
            client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                .await?;
            return Err(e);
        }
    };
    upstream.set_nodelay(true)?;
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    upstream.write_all(&buf[end..len]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// The HTTPS origin: every request head gets `200` with [`BODY_LEN`] pattern bytes
/// (`Content-Length`, keep-alive), until the client closes.
pub(crate) struct TlsOrigin {
    /// Listening address.
    pub(crate) addr: SocketAddr,
}

impl TlsOrigin {
    /// Starts accepting on the current tokio runtime.
    pub(crate) fn start(config: Arc<ServerConfig>) -> io::Result<TlsOrigin> {
        let listener = listen(0)?;
        let addr = listener.local_addr()?;
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: {BODY_LEN}\r\n\r\n"
        )
        .into_bytes();
        response.extend(egress_tests::pattern_bytes(BODY_LEN));
        let response: Arc<[u8]> = response.into();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, response) = (acceptor.clone(), Arc::clone(&response));
                // Clients exit without close_notify: an error just ends the connection.
                tokio::spawn(async move { drop(serve(acceptor, tcp, &response).await) });
            }
        });
        Ok(TlsOrigin { addr })
    }
}

async fn serve(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: TcpStream,
    response: &[u8],
) -> io::Result<()> {
    tcp.set_nodelay(true)?;
    let mut tls = acceptor.accept(tcp).await?;
    let mut buf = [0u8; MAX_HEAD];
    let mut len = 0;
    while let Some(end) = read_head(&mut tls, &mut buf, &mut len).await? {
        consume(&mut buf, &mut len, end);
        write_all(&mut tls, response).await?;
    }
    Ok(())
}

async fn write_all<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}
