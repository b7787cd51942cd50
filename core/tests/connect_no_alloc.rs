//! Proves the CONNECT encoder and decoder never allocate: this test binary runs under allocation-counter's
//! counting global allocator, and runs a full handshake (with credentials, a 1xx,
//! a 407 and a 2xx with tunnel bytes) between two readings of the counter.

use egress_core::connect::{ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus};
use egress_core::{Credentials, Host, Scheme, Target};

fn handshake(response: &[u8], chunk: usize) -> Option<(u16, usize)> {
    let target = Target::new(Scheme::Https, Host::Name("example.com"), None);
    let request = ConnectRequest::new(&target)
        .with_credentials(Credentials::from_encoded("us%40er", "p%3Ass"))
        .with_user_agent("egress/0.1");
    let mut out = [0u8; 256];
    let written = request.encode(&mut out).ok()?;
    assert!(written > 0);
    let mut decoder = ConnectResponse::new();
    for piece in response.chunks(chunk) {
        match decoder.handle_bytes(piece).ok()? {
            ConnectStatus::NeedMore => {}
            ConnectStatus::Done(ConnectOutcome::Established { status, leftover }) => {
                return Some((status, leftover.len()));
            }
            ConnectStatus::Done(ConnectOutcome::AuthRequired { status, schemes }) => {
                return Some((status, schemes.len()));
            }
            ConnectStatus::Done(ConnectOutcome::Rejected { status, reason, .. }) => {
                return Some((status, reason.as_str().len()));
            }
        }
    }
    None
}

#[test]
fn encode_and_decode_allocate_nothing() {
    let established = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\n\
                        Via: 1.1 proxy\r\n\r\n\x16\x03\x03";
    let auth = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                 Proxy-Authenticate: Negotiate\r\nProxy-Authenticate: Basic realm=\"x, y\"\r\n\r\n";
    let rejected = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad";
    // allocation-counter's global allocator counts per thread.
    let mut results = [None; 4];
    let info = allocation_counter::measure(|| {
        results = [
            handshake(established, usize::MAX),
            handshake(established, 1),
            handshake(auth, 5),
            handshake(rejected, 64),
        ];
    });
    assert_eq!(
        results,
        // Fed byte by byte, the head ends a chunk, so that chunk has no leftover.
        [
            Some((200, 3)),
            Some((200, 0)),
            Some((407, 2)),
            Some((502, 11))
        ]
    );
    assert_eq!(
        info.count_total, 0,
        "the CONNECT handshake allocated: {info:?}"
    );
}
