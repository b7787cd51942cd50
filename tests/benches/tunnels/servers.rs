//! The loopback peers of the benchmark, on tokio so that 10,000 concurrent connections cost
//! tasks, not threads (egress-tests' `TestProxy` and `Origin` serve a thread per connection
//! and cap at `MAX_CONNECTIONS` = 4,096): a CONNECT-only relay and an HTTPS origin
//! answering every request with the same 1 KiB body, keep-alive. A request for
//! `/kib?together=N` is answered only once N such requests have arrived (see [`Gate`]), so
//! that no request of a burst can finish, and hand its connection back to the client's pool
//! for a later one to reuse, before all N hold a connection of their own. Each runs in a process of
//! its own, the relay as two worker processes on one port (`SO_REUSEPORT`, the kernel
//! spreads connections), because a tunnel holds two sockets and the machine's hard
//! open-file limit (20,000 here, not raisable without `CAP_SYS_RESOURCE`) is per process.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

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

/// Holds the answers to a burst's requests until all of them have arrived: the `N` of
/// `?together=N` in the request target. A gate that does not fill (a client whose requests
/// failed on the way) opens after [`Gate::PATIENCE`] without a new arrival, so the client
/// finishes and reports its failures instead of hanging.
struct Gate {
    /// Requests waiting at the gate now, and how many times it has opened.
    state: Mutex<(usize, u64)>,
    /// Sends the number of openings; waiters watch for it to pass theirs.
    opened: tokio::sync::watch::Sender<u64>,
}

impl Gate {
    /// How long waiters wait for the next arrival before the gate opens anyway.
    const PATIENCE: Duration = Duration::from_secs(30);

    fn new() -> Self {
        Self {
            state: Mutex::new((0, 0)),
            opened: tokio::sync::watch::channel(0).0,
        }
    }

    /// Returns once `size` requests (this one included) have arrived since the gate last
    /// opened, or when none arrived for [`Gate::PATIENCE`].
    async fn pass(&self, size: usize) {
        let (mut opened, generation) = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.0 += 1;
            if state.0 >= size {
                self.open(&mut state);
                return;
            }
            (self.opened.subscribe(), state.1)
        };
        loop {
            if *opened.borrow_and_update() > generation {
                return;
            }
            let arrivals = self.state.lock().unwrap_or_else(PoisonError::into_inner).0;
            match tokio::time::timeout(Self::PATIENCE, opened.changed()).await {
                Ok(_) => {}
                Err(_) => {
                    let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                    // Nobody came during the whole wait: give up on the rest of the burst.
                    if state.1 == generation && state.0 == arrivals {
                        eprintln!("origin: gate of {size} opened with {arrivals} arrived");
                        self.open(&mut state);
                    }
                }
            }
        }
    }

    fn open(&self, state: &mut (usize, u64)) {
        state.0 = 0;
        state.1 += 1;
        self.opened.send_replace(state.1);
    }
}

/// The `N` of `?together=N` in the request line of `head`, if any.
fn together(head: &[u8]) -> Option<usize> {
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let target = line.split(' ').nth(1)?;
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("together="))
        .and_then(|n| n.parse().ok())
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
        let gate = Arc::new(Gate::new());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, response) = (acceptor.clone(), Arc::clone(&response));
                let gate = Arc::clone(&gate);
                // Clients exit without close_notify: an error just ends the connection.
                tokio::spawn(async move { drop(serve(acceptor, tcp, &response, &gate).await) });
            }
        });
        Ok(TlsOrigin { addr })
    }
}

async fn serve(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: TcpStream,
    response: &[u8],
    gate: &Gate,
) -> io::Result<()> {
    tcp.set_nodelay(true)?;
    let mut tls = acceptor.accept(tcp).await?;
    let mut buf = [0u8; MAX_HEAD];
    let mut len = 0;
    while let Some(end) = read_head(&mut tls, &mut buf, &mut len).await? {
        let size = together(&buf[..end]);
        consume(&mut buf, &mut len, end);
        if let Some(size) = size {
            gate.pass(size).await;
        }
        write_all(&mut tls, response).await?;
    }
    Ok(())
}

async fn write_all<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}
