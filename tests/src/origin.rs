//! The loopback origin: an HTTP/1.1 server (plain or TLS) with keep-alive that serves a few
//! fixed routes and records every request head it receives.
//!
//! | route | answer |
//! |---|---|
//! | `/hello` | `200`, body [`HELLO_BODY`] |
//! | `/bytes/N` | `200`, N [pattern](crate::pattern_bytes) bytes, `Content-Length` |
//! | `/chunked/N` | `200`, N pattern bytes, `Transfer-Encoding: chunked` |
//! | `/close/N` | `200`, N pattern bytes delimited by closing the connection |
//! | `/stall/N` | `200` promising 2N bytes, N sent, then silence (2 s) and a close |
//! | `/trickle/N` | `200`, N pattern bytes, one every 50 ms |
//! | `/echo` | `200`, the request body verbatim; `X-Echo-Method`, `X-Echo-Target` headers |
//! | `/status/N` | status N (200–599), body `status N\n` |
//! | `/redirect?to=URL` | `302` with `Location: URL` (percent-decoded) |
//! | `/flaky/N?code=C[&after=S]` | the first N `/flaky` requests: status C (default 503) with `Retry-After: S` if given; then `200`, body `recovered\n` |
//! | anything else | `404` |
//!
//! A request in absolute-form is still served (by its path) but recorded as sent, so a test can
//! assert that the origin saw origin-form.
//!
//! ```
//! use std::io::{Read, Write};
//! let origin = egress_tests::Origin::http();
//! let mut s = std::net::TcpStream::connect(origin.addr()).unwrap();
//! s.write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! s.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(answer.ends_with(egress_tests::HELLO_BODY));
//! assert_eq!(origin.requests()[0].target, "/hello");
//! ```

use std::io::{self, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustls::ServerConfig;

use crate::content::{fill_pattern, pattern_byte};
use crate::http::{self, Head, RecordedRequest};
use crate::server::{Lifecycle, Server, lock};
use crate::stream::ServerStream;
use crate::tls::{ServerCert, TestCa};

/// Body of `/hello`.
pub const HELLO_BODY: &str = "hello from the egress test origin\n";

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<RecordedRequest>>,
    connections: AtomicUsize,
    flaky_answered: AtomicUsize,
}

/// A running origin server; dropping it stops it.
pub struct Origin {
    server: Server,
    tls: bool,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin")
            .field("addr", &self.server.addr())
            .field("tls", &self.tls)
            .finish()
    }
}

impl Origin {
    /// A plain HTTP origin on 127.0.0.1.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub fn http() -> Origin {
        Origin::start(Ipv4Addr::LOCALHOST.into(), None)
    }

    /// An HTTPS origin on 127.0.0.1 with a certificate from `ca` for `localhost`,
    /// `127.0.0.1` and `::1`.
    pub fn https(ca: &TestCa) -> Origin {
        Origin::https_with(&ca.issue_local())
    }

    /// An HTTPS origin on 127.0.0.1 presenting `cert` (e.g. one issued for `origin.test`).
    pub fn https_with(cert: &ServerCert) -> Origin {
        Origin::start(Ipv4Addr::LOCALHOST.into(), Some(cert.server_config()))
    }

    /// A plain HTTP origin on `[::1]`.
    pub fn http_v6() -> Origin {
        Origin::start(Ipv6Addr::LOCALHOST.into(), None)
    }

    /// An origin on `ip` (port chosen by the OS), TLS when `tls` is given.
    ///
    /// # Panics
    /// If the address cannot be bound.
    pub fn start(ip: IpAddr, tls: Option<Arc<ServerConfig>>) -> Origin {
        let shared = Arc::new(Shared::default());
        let is_tls = tls.is_some();
        let state = Arc::clone(&shared);
        let handler = Arc::new(move |tcp: TcpStream, lc: &Lifecycle| {
            let id = state.connections.fetch_add(1, Ordering::SeqCst);
            if let Ok(stream) = ServerStream::accept(tcp, tls.as_ref()) {
                let _ = serve(stream, id, &state, lc);
            }
        });
        let server = Server::start(SocketAddr::new(ip, 0), handler)
            .unwrap_or_else(|e| panic!("origin: cannot bind {ip}: {e}"));
        Origin {
            server,
            tls: is_tls,
            shared,
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

    /// `http://127.0.0.1:PORT{path}` (or `https://`, `[::1]`), `path` starting with `/`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr())
    }

    /// The same URL with `host` instead of the IP address, e.g. `localhost` or a name a proxy
    /// resolves through its override map.
    pub fn url_with_host(&self, host: &str, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{host}:{}{path}", self.port())
    }

    /// Every request head received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.server.accepted()
    }
}

fn serve(stream: ServerStream, id: usize, shared: &Shared, lc: &Lifecycle) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    while !lc.is_stopping() {
        let Some(raw) = http::read_head(&mut reader)? else {
            return Ok(());
        };
        let head = http::parse_request(raw)?;
        lock(&shared.requests).push(head.record(id));
        if head
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            reader
                .get_mut()
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let mut body = Vec::new();
        let framing = http::request_framing(&head)?;
        http::copy_body(&mut reader, framing, &mut io::sink(), &mut body)?;
        let keep = respond(reader.get_mut(), &head, &body, shared)?;
        if !keep || head.wants_close() {
            reader.get_mut().finish();
            return Ok(());
        }
    }
    Ok(())
}

/// Writes the answer; returns false when the connection must close afterwards.
fn respond(out: &mut ServerStream, head: &Head, body: &[u8], shared: &Shared) -> io::Result<bool> {
    // Route by path even when the client (wrongly) sent absolute-form.
    let target = head.target.as_str();
    let path = match target.find("://") {
        Some(i) => target[i + 3..]
            .find('/')
            .map_or("/", |j| &target[i + 3 + j..]),
        None => target,
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let number = |prefix: &str| {
        path.strip_prefix(prefix)
            .and_then(|n| n.parse::<u64>().ok())
    };
    if path == "/hello" {
        simple(out, 200, "OK", &[], HELLO_BODY.as_bytes())?;
    } else if let Some(n) = number("/bytes/") {
        write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n")?;
        out.write_all(b"Content-Type: application/octet-stream\r\n\r\n")?;
        send_pattern(out, n, false)?;
    } else if let Some(n) = number("/chunked/") {
        out.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?;
        send_pattern(out, n, true)?;
        out.write_all(b"0\r\n\r\n")?;
    } else if let Some(n) = number("/close/") {
        out.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
        send_pattern(out, n, false)?;
        return Ok(false);
    } else if let Some(n) = number("/stall/") {
        // Promises 2n bytes, sends n, then goes silent until the client gives up.
        write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 2 * n)?;
        send_pattern(out, n, false)?;
        out.flush()?;
        std::thread::sleep(std::time::Duration::from_secs(2));
        return Ok(false);
    } else if let Some(n) = number("/trickle/") {
        // n bytes, one every 50 ms: never idle for long, but slow as a whole.
        write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n")?;
        out.flush()?;
        for i in 0..n {
            std::thread::sleep(std::time::Duration::from_millis(50));
            out.write_all(&[pattern_byte(i)])?;
            out.flush()?;
        }
    } else if path == "/echo" {
        let extra = [
            ("X-Echo-Method", head.method.as_str()),
            ("X-Echo-Target", head.target.as_str()),
        ];
        simple(out, 200, "OK", &extra, body)?;
    } else if let Some(code) = number("/status/").filter(|c| (200..=599).contains(c)) {
        let text = format!("status {code}\n");
        let empty = code == 204 || code == 304;
        let body = if empty { &b""[..] } else { text.as_bytes() };
        simple(out, code as u16, "Test Status", &[], body)?;
    } else if let Some(failures) = number("/flaky/") {
        let param = |key: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        };
        let seen = shared.flaky_answered.fetch_add(1, Ordering::SeqCst) as u64;
        if seen < failures {
            let code = param("code")
                .and_then(|c| c.parse::<u16>().ok())
                .unwrap_or(503);
            let after: Vec<(&str, &str)> = param("after")
                .map(|a| ("Retry-After", a))
                .into_iter()
                .collect();
            simple(
                out,
                code,
                "Flaky",
                &after,
                format!("flaky {code}\n").as_bytes(),
            )?;
        } else {
            simple(out, 200, "OK", &[], b"recovered\n")?;
        }
    } else if path == "/redirect" {
        match query.split('&').find_map(|kv| kv.strip_prefix("to=")) {
            Some(to) => {
                let location = percent_decode(to);
                simple(out, 302, "Found", &[("Location", &location)], b"")?;
            }
            None => simple(out, 400, "Bad Request", &[], b"missing to=\n")?,
        }
    } else {
        simple(out, 404, "Not Found", &[], b"no such route\n")?;
    }
    out.flush()?;
    Ok(true)
}

fn simple(
    out: &mut ServerStream,
    code: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {code} {reason}\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if code != 204 && code != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut all = head.into_bytes();
    all.extend_from_slice(body);
    out.write_all(&all)
}

fn send_pattern(out: &mut ServerStream, n: u64, chunked: bool) -> io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = 0;
    while offset < n {
        let len = buf
            .len()
            .min(usize::try_from(n - offset).unwrap_or(usize::MAX));
        fill_pattern(offset, &mut buf[..len]);
        if chunked {
            write!(out, "{len:x}\r\n")?;
        }
        out.write_all(&buf[..len])?;
        if chunked {
            out.write_all(b"\r\n")?;
        }
        offset += len as u64;
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
