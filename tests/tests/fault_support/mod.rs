//! Shared pieces of the fault suites (proxy_faults.rs, async_only.rs): the time bound, and
//! two hand-written peers that put bytes right behind a CONNECT's `200`.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// What every fault test may take at most, hangs included.
pub const BOUND: Duration = Duration::from_secs(3);

/// A TLS alert record: fatal (2) handshake_failure (40), TLS 1.2 record version.
pub const ALERT: &[u8] = b"\x15\x03\x03\x00\x02\x02\x28";

/// A clock started now that asserts, when checked, that less than [`BOUND`] passed.
pub struct Bounded(Instant);

impl Bounded {
    /// Starts the clock.
    pub fn start() -> Self {
        Self(Instant::now())
    }

    /// Asserts that less than [`BOUND`] passed; returns the time taken.
    pub fn check(&self) -> Duration {
        let took = self.0.elapsed();
        assert!(took < BOUND, "took {took:?}");
        took
    }
}

/// A server-speaks-first target: writes `banner` on accept, then waits (up to 2 s) for the
/// peer to send something or close.
pub fn banner_target(banner: &'static [u8]) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let handle = thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.write_all(banner);
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.read(&mut [0u8; 1024]);
        }
    });
    (addr, handle)
}

/// A one-connection proxy that answers the first request head with `HTTP/1.1 200 OK`, a blank
/// line and [`ALERT`] in a single write, then holds the connection until the client leaves.
/// The thread returns the request head it read.
pub fn alert_after_200_proxy() -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let handle = thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return Vec::new();
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return request,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let mut answer = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
        answer.extend_from_slice(ALERT);
        let _ = s.write_all(&answer);
        // Hold, so the alert is the only thing the client can react to.
        let _ = s.read(&mut buf);
        request
    });
    (addr, handle)
}

/// Asserts that a TLS failure (`source`, shown) was caused by the peer's handshake_failure
/// alert: proof that the bytes after the `200` reached the TLS layer.
pub fn assert_shows_alert(source: &egress_core::failure::PeerError) {
    let shown = format!("{source} {source:?}");
    assert!(
        shown.contains("HandshakeFailure") || shown.contains("handshake failure"),
        "{shown}"
    );
}
