//! Benchmark of one typical CONNECT handshake: encode a request with credentials and a user
//! agent, then decode a `200 Connection established` answer that arrives in one read together
//! with the first tunnel bytes.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use egress_core::connect::{ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus};
use egress_core::{Credentials, Scheme, Target};

const RESPONSE: &[u8] = b"HTTP/1.1 200 Connection established\r\n\
                          Via: 1.1 proxy.example.net (squid/6.10)\r\n\r\n\x16\x03\x03\x00\x7a";

fn handshake(target: &Target<'_>, decoder: &mut ConnectResponse) -> usize {
    let request = ConnectRequest::new(target)
        .with_credentials(Credentials::from_encoded("alice", "s3cr%40t"))
        .with_user_agent("egress/0.1");
    let mut out = [0u8; 256];
    let written = request
        .encode(&mut out)
        .unwrap_or_else(|e| panic!("encode: {e}"));
    decoder.reset();
    match decoder.handle_bytes(black_box(RESPONSE)) {
        Ok(ConnectStatus::Done(ConnectOutcome::Established { leftover, .. })) => {
            written + leftover.len()
        }
        other => panic!("unexpected {other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let target = Target::from_url_parts(Scheme::Https, "api.example.com", None)
        .unwrap_or_else(|e| panic!("target: {e}"));
    // One boxed decoder reused across iterations with `reset`, as a frontend would; building
    // a fresh one instead adds the cost of zeroing its 16 KiB buffer.
    let mut decoder = Box::new(ConnectResponse::new());
    c.bench_function("connect handshake (encode + decode 200)", |b| {
        b.iter(|| handshake(black_box(&target), &mut decoder))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
