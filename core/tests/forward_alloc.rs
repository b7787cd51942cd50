//! The forward rewriter must not allocate: building it and rewriting a keep-alive stream
//! (heads, Content-Length and chunked bodies, tiny output buffers) is measured under a
//! counting global allocator.
//!
//! allocation-counter counts per thread, so other tests cannot disturb the measurement.

use egress_core::forward::ForwardRewriter;
use egress_core::{Credentials, Scheme, Target};

const STREAM: &[u8] = b"GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\n\r\n\
    POST /upload HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 11\r\n\r\nhello world\
    PUT /chunks HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nabcde\r\n0\r\nT: 1\r\n\r\n\
    OPTIONS * HTTP/1.1\r\n\r\n";

#[test]
fn rewriting_allocates_nothing() {
    let target = Target::from_url_parts(Scheme::Http, "example.com", Some(8080))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = [0u8; 7];
    let mut written = 0usize;
    let mut requests = 0;

    let info = allocation_counter::measure(|| {
        for split in [1, 3, STREAM.len()] {
            let creds = Credentials::from_encoded("us%40er", "pa:ss");
            let mut rewriter = match ForwardRewriter::new(&target, Some(creds)) {
                Ok(rewriter) => rewriter,
                Err(e) => panic!("{e}"),
            };
            for piece in STREAM.chunks(split) {
                let mut rest = piece;
                while !rest.is_empty() || rewriter.has_pending_output() {
                    let progress = match rewriter.rewrite(rest, &mut out) {
                        Ok(progress) => progress,
                        Err(e) => panic!("{e}"),
                    };
                    written += progress.written;
                    rest = &rest[progress.consumed..];
                }
            }
            assert!(rewriter.is_idle());
            requests += rewriter.requests();
        }
    });

    assert_eq!(requests, 12);
    assert!(
        written > 3 * STREAM.len(),
        "the rewriter wrote {written} bytes"
    );
    assert_eq!(info.count_total, 0, "{info:?}");
}
