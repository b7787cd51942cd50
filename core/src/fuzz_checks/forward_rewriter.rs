//! `forward_rewriter`: request streams through `ForwardRewriter` cut at arbitrary points and
//! drained through arbitrary output sizes give exactly the bytes of a one-shot run; streams
//! built from well-formed requests give exactly the expected rewrite, so every body byte
//! (Content-Length or chunked, whatever it looks like) passes unaltered.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::{Input, pieces, split_offsets};
use crate::credentials::Credentials;
use crate::forward::{ForwardError, ForwardRewriter};
use crate::target::{Scheme, Target};

/// Hosts as written in a URL; the expected prefix is built from this text.
const HOSTS: [&str; 4] = [
    "example.com",
    "10.0.0.1",
    "[2001:db8::1]",
    "Proxy-Test.internal",
];
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD"];
const HEADER_NAMES: [&str; 8] = [
    "Host",
    "Accept",
    "X-Custom",
    "User-Agent",
    "Proxy-Authorization",
    "proxy-authorization",
    "Connection",
    "Expect",
];

/// How a run of the rewriter ended: the bytes written, then the error if one came.
type Run = (Vec<u8>, Option<ForwardError>, u64);

/// Decodes a flags byte (bit 0: raw stream instead of generated requests, bit 1:
/// credentials, bit 2: non-default port), a host selector, a port, up to 12 input split
/// offsets, up to 4 output sizes, then the stream (raw bytes, or request descriptions).
pub fn check_forward_rewriter(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let host = HOSTS[usize::from(input.byte()) % HOSTS.len()];
    let port = match input.u16() {
        0 | 80 => 8080,
        port => port,
    };
    let port = (flags & 4 != 0).then_some(port);
    let offsets = split_offsets(&mut input, 12);
    let sizes: Vec<usize> = (0..=input.byte() % 4)
        .map(|_| usize::from(input.byte()).max(1))
        .collect();
    let target = Target::from_url_parts(Scheme::Http, host, port)
        .unwrap_or_else(|error| panic!("fixed host {host}: {error}"));
    let credentials = (flags & 2 != 0).then(|| Credentials::from_encoded("user", "p%40ss"));
    let new = || {
        ForwardRewriter::new(&target, credentials)
            .unwrap_or_else(|error| panic!("rewriter for {host}: {error}"))
    };

    let (stream, expected) = if flags & 1 != 0 {
        (input.rest().to_vec(), None)
    } else {
        let prefix = match port {
            Some(port) => format!("http://{host}:{port}"),
            None => format!("http://{host}"),
        };
        let auth = credentials.map(|c| {
            let mut token = vec![0; c.basic_token_len()];
            let n = c
                .write_basic_token(&mut token)
                .unwrap_or_else(|error| panic!("token: {error}"));
            format!(
                "Proxy-Authorization: Basic {}\r\n",
                String::from_utf8_lossy(&token[..n])
            )
        });
        let generated = generate(&mut input, &prefix, auth.as_deref());
        (
            generated.stream,
            Some((generated.rewritten, generated.requests)),
        )
    };

    let whole = run(&mut new(), &[&stream], &[64 * 1024]);
    let split = pieces(&stream, &offsets);
    let cut = run(&mut new(), &split, &sizes);
    if whole.1.is_none() && cut.1.is_none() {
        assert_eq!(
            whole, cut,
            "splits {offsets:?} / output sizes {sizes:?} change the output"
        );
    } else {
        // An error stops a run mid-way; how much was written before it depends on the
        // windows, but never what was written, nor the error.
        assert_eq!(whole.1, cut.1, "splits change the error");
        let n = whole.0.len().min(cut.0.len());
        assert_eq!(
            whole.0[..n],
            cut.0[..n],
            "splits change the bytes before an error"
        );
    }
    if let Some((rewritten, requests)) = expected {
        assert_eq!(whole.1, None, "well-formed stream rejected");
        assert_eq!(whole.2, requests, "request count");
        if whole.0 != rewritten {
            panic!(
                "rewrite differs:\n got: {:?}\nwant: {:?}",
                String::from_utf8_lossy(&whole.0),
                String::from_utf8_lossy(&rewritten)
            );
        }
    }
}

/// Feeds `pieces` in order, cycling through output buffers of `sizes`, until everything is
/// consumed and written or an error comes.
fn run(rewriter: &mut ForwardRewriter, pieces: &[&[u8]], sizes: &[usize]) -> Run {
    let mut written = Vec::new();
    let mut out = vec![0u8; sizes.iter().copied().max().unwrap_or(1)];
    let mut turn = 0;
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() || rewriter.has_pending_output() {
            let size = sizes[turn % sizes.len()];
            turn += 1;
            match rewriter.rewrite(rest, &mut out[..size]) {
                Ok(progress) => {
                    assert!(progress.consumed <= rest.len() && progress.written <= size);
                    assert!(
                        progress.consumed + progress.written > 0,
                        "no progress with {} bytes in and {size} bytes of room",
                        rest.len()
                    );
                    written.extend_from_slice(&out[..progress.written]);
                    rest = &rest[progress.consumed..];
                }
                Err(error) => {
                    assert!(error.is_fatal(), "non-fatal {error:?} with room in output");
                    // Failed for good: the same error again, whatever comes next.
                    assert_eq!(
                        rewriter.rewrite(b"GET / HTTP/1.1\r\n\r\n", &mut out),
                        Err(error)
                    );
                    return (written, Some(error), rewriter.requests());
                }
            }
        }
    }
    (written, None, rewriter.requests())
}

/// A stream of well-formed requests and the exact bytes the rewriter must turn it into.
struct Generated {
    stream: Vec<u8>,
    rewritten: Vec<u8>,
    requests: u64,
}

fn generate(input: &mut Input<'_>, prefix: &str, auth: Option<&str>) -> Generated {
    let mut out = Generated {
        stream: Vec::new(),
        rewritten: Vec::new(),
        requests: 0,
    };
    while !input.is_empty() && out.requests < 8 {
        let choice = input.byte();
        let method = METHODS[usize::from(choice) % METHODS.len()];
        let path = clean(input.field(), |b| {
            b.is_ascii_alphanumeric() || b"/-._~?=&%".contains(&b)
        });
        let (target, rewritten_target) = match choice >> 4 {
            0 if method == "OPTIONS" => (String::from("*"), String::from(prefix)),
            1 => {
                let absolute = format!("http://elsewhere.example/{path}");
                (absolute.clone(), absolute)
            }
            _ => (format!("/{path}"), format!("{prefix}/{path}")),
        };
        let mut head = String::new();
        let mut has_auth = false;
        for _ in 0..input.byte() % 6 {
            let name = HEADER_NAMES[usize::from(input.byte()) % HEADER_NAMES.len()];
            has_auth |= name.eq_ignore_ascii_case("proxy-authorization");
            let value = clean(input.field(), |b| {
                b == b' ' || b == b'\t' || b.is_ascii_graphic()
            });
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body(input, &mut head);
        let line = |t: &str| format!("{method} {t} HTTP/1.1\r\n{head}");
        out.stream.extend_from_slice(line(&target).as_bytes());
        out.stream.extend_from_slice(b"\r\n");
        out.stream.extend_from_slice(&body);
        out.rewritten
            .extend_from_slice(line(&rewritten_target).as_bytes());
        if !has_auth {
            out.rewritten
                .extend_from_slice(auth.unwrap_or("").as_bytes());
        }
        out.rewritten.extend_from_slice(b"\r\n");
        out.rewritten.extend_from_slice(&body);
        out.requests += 1;
    }
    out
}

/// A body (none, Content-Length or chunked) from fuzz bytes, adding its framing header to
/// `head`. Body bytes are arbitrary: they may look like request heads or chunk lines.
fn body(input: &mut Input<'_>, head: &mut String) -> Vec<u8> {
    let kind = input.byte();
    match kind % 3 {
        0 => Vec::new(),
        1 => {
            let body = input.field();
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            body.to_vec()
        }
        _ => {
            head.push_str("Transfer-Encoding: chunked\r\n");
            let mut body = Vec::new();
            for _ in 0..(kind >> 2) % 4 {
                let chunk = input.field();
                if chunk.is_empty() {
                    continue;
                }
                let size = if kind & 0x40 != 0 {
                    format!("{:X}", chunk.len())
                } else {
                    format!("{:x}", chunk.len())
                };
                let extension = if kind & 0x80 != 0 { ";ext=\"v\"" } else { "" };
                body.extend_from_slice(format!("{size}{extension}\r\n").as_bytes());
                body.extend_from_slice(chunk);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"0\r\n");
            if kind & 0x20 != 0 {
                body.extend_from_slice(b"X-Trailer: done\r\n");
            }
            body.extend_from_slice(b"\r\n");
            body
        }
    }
}

/// The bytes of `field` that `keep` accepts, as text (they are all ASCII).
fn clean(field: &[u8], keep: impl Fn(u8) -> bool) -> String {
    field
        .iter()
        .copied()
        .filter(|&b| keep(b))
        .map(char::from)
        .collect()
}
