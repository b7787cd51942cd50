//! Throughput of the forward rewriter on a 10-request keep-alive stream (GETs, and POSTs
//! with Content-Length and chunked bodies), fed the way a frontend does: the client's
//! bytes in one piece per request, a 4 KiB output buffer.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use egress_core::forward::ForwardRewriter;
use egress_core::{Credentials, Scheme, Target};

/// Ten requests: GETs with typical headers, a JSON POST, a chunked upload.
fn stream() -> Vec<Vec<u8>> {
    let headers = "Host: matrix.example.org\r\nUser-Agent: Synapse/1.120\r\n\
                   Accept: application/json\r\nAccept-Encoding: gzip\r\n";
    (0..10)
        .map(|i| match i % 3 {
            0 => format!("GET /_matrix/media/v3/download/example.org/m{i}?allow_redirect=true HTTP/1.1\r\n{headers}\r\n")
                .into_bytes(),
            1 => {
                let body = format!("{{\"event\":{i},\"content\":\"{}\"}}", "x".repeat(900));
                format!(
                    "POST /_matrix/federation/v1/send/{i} HTTP/1.1\r\n{headers}Content-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes()
            }
            _ => {
                let mut request = format!(
                    "PUT /upload/{i} HTTP/1.1\r\n{headers}Transfer-Encoding: chunked\r\n\r\n"
                )
                .into_bytes();
                for _ in 0..4 {
                    request.extend_from_slice(b"100\r\n");
                    request.extend_from_slice(&[b'y'; 0x100]);
                    request.extend_from_slice(b"\r\n");
                }
                request.extend_from_slice(b"0\r\n\r\n");
                request
            }
        })
        .collect()
}

fn rewrite_stream(c: &mut Criterion) {
    let requests = stream();
    let total: usize = requests.iter().map(Vec::len).sum();
    let target = Target::from_url_parts(Scheme::Http, "matrix.example.org", None)
        .unwrap_or_else(|e| panic!("{e}"));
    let creds = Credentials::from_encoded("synapse", "s3cret");
    let mut out = vec![0u8; 4096];

    let mut group = c.benchmark_group("forward");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("rewrite_10_request_keep_alive", |b| {
        b.iter(|| {
            let mut rewriter =
                ForwardRewriter::new(&target, Some(creds)).unwrap_or_else(|e| panic!("{e}"));
            let mut sent = 0;
            for request in &requests {
                let mut rest = std::hint::black_box(&request[..]);
                while !rest.is_empty() || rewriter.has_pending_output() {
                    let progress = rewriter
                        .rewrite(rest, &mut out)
                        .unwrap_or_else(|e| panic!("{e}"));
                    sent += std::hint::black_box(&out[..progress.written]).len();
                    rest = &rest[progress.consumed..];
                }
            }
            sent
        })
    });
    group.finish();
    println!("stream: {total} bytes in 10 requests");
}

criterion_group!(benches, rewrite_stream);
criterion_main!(benches);
