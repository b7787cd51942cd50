//! The loopback forward proxy: absolute-form forwarding for `http://` targets (keep-alive on
//! both sides), CONNECT tunnels, an optional TLS listener (`https://` proxy), optional Basic
//! authentication, a name-override map, and [`Fault`] modes that misbehave on purpose.
//!
//! Per request on a client connection:
//!
//! ```text
//!  read head ─► record ─► auth ok? ──no──► 407 (or 401), keep the connection
//!                            │yes
//!                            ▼
//!                      fault set? ──terminal fault──► misbehave, close
//!                            │none / InterimFlood / CutAfter / CoalesceTunnelBytes
//!                            ▼
//!               CONNECT ─► resolve (overrides, loopback only) ─► 200 ─► splice until closed
//!               absolute-form ─► upstream (kept per authority) ─► origin-form head + body
//!                                ─► relay response ─► next request
//! ```
//!
//! The proxy resolves target names itself; names in [`ProxyOptions::hosts`] map to fixed
//! addresses, so a test can use `target.invalid` (which the client cannot resolve) and still
//! reach the origin. It only ever connects to loopback addresses: anything else gets a 502.
//!
//! ```
//! use std::io::{Read, Write};
//! let origin = egress_tests::Origin::http();
//! let proxy = egress_tests::TestProxy::start(
//!     egress_tests::ProxyOptions::default().resolve("target.invalid", origin.addr()),
//! );
//! let mut s = std::net::TcpStream::connect(proxy.addr()).unwrap();
//! s.write_all(b"GET http://target.invalid/hello HTTP/1.1\r\nHost: target.invalid\r\n\
//!               Connection: close\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! s.read_to_string(&mut answer).unwrap();
//! assert!(answer.ends_with(egress_tests::HELLO_BODY));
//! assert_eq!(origin.requests()[0].target, "/hello");
//! ```

mod conn;
mod dial;
mod fault;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use rustls::ServerConfig;

use crate::http::RecordedRequest;
use crate::server::{Lifecycle, Server, lock};

/// Realm of the proxy's Basic challenge.
pub const REALM: &str = "egress-test";

/// Ways the proxy misbehaves, for every request it receives (CONNECT and forward alike),
/// after recording it and checking authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Reads the request, never answers, holds the connection open (up to 60 s, or until the
    /// client closes or the proxy is dropped).
    NeverAnswer,
    /// Closes the connection without sending anything.
    CloseBeforeAnswer,
    /// Sends `HTTP/1.1 200 Conn` and closes.
    CloseMidHeader,
    /// Sends a valid `200 Connection established` head with filler headers (about 400 bytes)
    /// one byte at a time, waiting `delay` before each byte, then behaves normally.
    Slowloris {
        /// Pause before every byte.
        delay: Duration,
    },
    /// Sends a `200` head of just over 100 KiB (100 headers with 1 KiB values), then closes.
    HugeHead,
    /// Sends a `200` head with 10,000 small headers, then closes.
    ManyHeaders,
    /// Sends a text line that is not HTTP, a blank line, then closes.
    Garbage,
    /// Sends an HTTP/0.9-style answer (a bare HTML body without status line), then closes.
    Http09,
    /// Sends 4 KiB of binary bytes, then closes.
    BinaryBlob,
    /// Sends `count` interim `HTTP/1.1 100 Continue` responses, then behaves normally.
    InterimFlood {
        /// Number of interim responses before the real answer.
        count: usize,
    },
    /// Answers `status reason` with `body` (and `Content-Length`), then closes, e.g. 502
    /// with an explanation, or 403.
    Reject {
        /// Status code.
        status: u16,
        /// Reason phrase.
        reason: String,
        /// Response body.
        body: String,
    },
    /// Behaves normally but cuts the connection (both directions) once `bytes` bytes of
    /// response or tunnel data went to the client: a large download dies mid-transfer.
    CutAfter {
        /// Bytes delivered before the cut (counted after the proxy's own response head for
        /// forward requests, after `200 Connection established` for tunnels).
        bytes: u64,
    },
    /// CONNECT only: waits up to 1 s for the target to speak first and sends
    /// `200 Connection established` and those bytes in a single write (they belong to the
    /// tunnel). Use with a server-speaks-first target such as a banner server.
    CoalesceTunnelBytes,
}

impl Fault {
    /// `502 Bad Gateway` with a short body (a proxy refusing to open a tunnel).
    pub fn bad_gateway() -> Fault {
        Fault::Reject {
            status: 502,
            reason: "Bad Gateway".into(),
            body: "test proxy: upstream refused\n".into(),
        }
    }

    /// `403 Forbidden` with a short body (a proxy policy refusal).
    pub fn forbidden() -> Fault {
        Fault::Reject {
            status: 403,
            reason: "Forbidden".into(),
            body: "test proxy: forbidden by policy\n".into(),
        }
    }
}

/// Configuration of a [`TestProxy`]; build with struct syntax over `Default` or the methods.
#[derive(Clone, Debug, Default)]
pub struct ProxyOptions {
    /// Listen address; 127.0.0.1 when `None`.
    pub bind: Option<IpAddr>,
    /// TLS on the listener (an `https://` proxy) with this configuration.
    pub tls: Option<Arc<ServerConfig>>,
    /// Required Basic credentials (user, password); no authentication when `None`.
    pub auth: Option<(String, String)>,
    /// Answer missing or wrong credentials with `401` + `WWW-Authenticate` (as tinyproxy 1.11
    /// does) instead of `407` + `Proxy-Authenticate`.
    pub auth_answers_401: bool,
    /// Misbehaviour, if any.
    pub fault: Option<Fault>,
    /// Name overrides: a target whose host equals a name here (case-insensitive) is connected
    /// to the given address, whatever port it asked for.
    pub hosts: Vec<(String, SocketAddr)>,
}

impl ProxyOptions {
    /// Listens on `[::1]` instead of 127.0.0.1.
    pub fn ipv6(mut self) -> Self {
        self.bind = Some(Ipv6Addr::LOCALHOST.into());
        self
    }

    /// Serves TLS on the listener.
    pub fn tls(mut self, config: Arc<ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Requires these Basic credentials.
    pub fn auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// Sets the fault mode.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Maps target host `name` to `addr` inside the proxy.
    pub fn resolve(mut self, name: &str, addr: SocketAddr) -> Self {
        self.hosts.push((name.to_owned(), addr));
        self
    }
}

/// What the proxy saw, shared with its connection threads.
#[derive(Debug, Default)]
struct Records {
    requests: Mutex<Vec<RecordedRequest>>,
    connect_targets: Mutex<Vec<String>>,
    upstream_connects: Mutex<usize>,
    connection_ids: Mutex<usize>,
}

/// Options plus records, as the connection threads see them.
#[derive(Debug)]
struct Config {
    options: ProxyOptions,
    /// `Basic base64(user:password)`, precomputed for comparison.
    expected_auth: Option<String>,
    records: Records,
}

/// A running proxy; dropping it stops it (and every tunnel it holds).
pub struct TestProxy {
    server: Server,
    tls: bool,
    config: Arc<Config>,
}

impl std::fmt::Debug for TestProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestProxy")
            .field("addr", &self.server.addr())
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl TestProxy {
    /// Starts a proxy with `options` on an OS-assigned port.
    ///
    /// # Panics
    /// If the listen address cannot be bound.
    pub fn start(options: ProxyOptions) -> TestProxy {
        let expected_auth = options.auth.as_ref().map(|(u, p)| {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
            format!("Basic {token}")
        });
        let bind = options.bind.unwrap_or(Ipv4Addr::LOCALHOST.into());
        let tls = options.tls.is_some();
        let config = Arc::new(Config {
            options,
            expected_auth,
            records: Records::default(),
        });
        let shared = Arc::clone(&config);
        let handler = Arc::new(move |tcp: TcpStream, lc: &Lifecycle| {
            let id = {
                let mut ids = lock(&shared.records.connection_ids);
                *ids += 1;
                *ids - 1
            };
            conn::serve(tcp, id, &shared, lc);
        });
        let server = Server::start(SocketAddr::new(bind, 0), handler)
            .unwrap_or_else(|e| panic!("proxy: cannot bind {bind}: {e}"));
        TestProxy {
            server,
            tls,
            config,
        }
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr().port()
    }

    /// The proxy URL without credentials: `http://127.0.0.1:PORT` (`https://` with TLS,
    /// `[::1]` when bound there).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr())
    }

    /// The proxy URL with `host` (e.g. `localhost`) in place of the address.
    pub fn url_with_host(&self, host: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{host}:{}", self.port())
    }

    /// Client TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.server.accepted()
    }

    /// Every request head received, in order (CONNECT and forward alike, with the
    /// `Proxy-Authorization` header as sent).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.config.records.requests).clone()
    }

    /// The authority of every CONNECT request, in order (e.g. `target.invalid:443`).
    pub fn connect_targets(&self) -> Vec<String> {
        lock(&self.config.records.connect_targets).clone()
    }

    /// TCP connections the proxy opened to targets (forward upstreams and tunnels).
    pub fn upstream_connects(&self) -> usize {
        *lock(&self.config.records.upstream_connects)
    }
}
