//! Hostile and broken input: every error variant is triggered here, and none of them
//! depends on how the input is split.

use std::vec::Vec;

use super::{check, example, rewriter, whole};
use crate::forward::{ForwardError, ForwardRewriter, HeadPart, MAX_HEADERS, TargetForm};
use crate::{Credentials, Host, Scheme, Target};

fn rejects(input: &[u8], error: ForwardError) {
    check(&example(), None, input, Err(error));
}

#[test]
fn head_longer_than_the_buffer() {
    let mut input = b"GET / HTTP/1.1\r\n".to_vec();
    while input.len() < 100 * 1024 {
        input
            .extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    input.extend_from_slice(b"\r\n");
    let result = whole(&example(), None, &input);
    assert_eq!(
        result,
        Err(ForwardError::HeadTooLarge {
            capacity: 16 * 1024
        })
    );
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let result = super::drive(&mut rewriter(&example(), None), &bytes, 16);
    assert_eq!(
        result,
        Err(ForwardError::HeadTooLarge {
            capacity: 16 * 1024
        })
    );
}

#[test]
fn a_head_that_exactly_fills_the_buffer_is_fine() {
    let mut rw = ForwardRewriter::<32>::with_head_capacity(&example(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let input = b"GET / HTTP/1.1\r\nA: 123456789\r\n\r\n";
    assert_eq!(input.len(), 32);
    let out = super::drive(&mut rw, &[input], 7);
    assert_eq!(
        out.as_deref(),
        Ok(&b"GET http://example.com/ HTTP/1.1\r\nA: 123456789\r\n\r\n"[..])
    );
    let mut rw = ForwardRewriter::<31>::with_head_capacity(&example(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let out = super::drive(&mut rw, &[input], 7);
    assert_eq!(out, Err(ForwardError::HeadTooLarge { capacity: 31 }));
}

#[test]
fn ten_thousand_headers() {
    let mut input = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..10_000 {
        input.extend_from_slice(std::format!("h{i}:\r\n").as_bytes());
    }
    input.extend_from_slice(b"\r\n");
    assert_eq!(
        whole(&example(), None, &input),
        Err(ForwardError::HeadTooLarge {
            capacity: 16 * 1024
        })
    );
    // With a buffer large enough for the whole head, the header-count limit trips instead.
    let mut rw = std::boxed::Box::new(
        ForwardRewriter::<{ 96 * 1024 }>::with_head_capacity(&example(), None)
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(
        super::drive(&mut *rw, &[&input], 1024),
        Err(ForwardError::TooManyHeaders { max: MAX_HEADERS })
    );
}

#[test]
fn nul_bytes_and_bare_line_endings_in_the_head() {
    let value = ForwardError::MalformedHead {
        part: HeadPart::HeaderValue,
    };
    rejects(b"GET / HTTP/1.1\r\nA: x\0y\r\n\r\n", value);
    let line = ForwardError::MalformedHead {
        part: HeadPart::RequestLine,
    };
    rejects(b"GET /\0 HTTP/1.1\r\n\r\n", line);
    rejects(
        b"GET / HTTP/1.1\nA: b\r\n\r\n",
        ForwardError::BareLineEnding { offset: 14 },
    );
    rejects(
        b"GET / HTTP/1.1\r\nA: b\n\n",
        ForwardError::BareLineEnding { offset: 20 },
    );
    rejects(
        b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
        ForwardError::BareLineEnding { offset: 20 },
    );
    rejects(b"\r\nGET / HTTP/1.1\r\n\r\n", line);
    // HTTP/0.9 (no version) and junk after the version.
    rejects(b"GET /\r\n\r\n", line);
    let ending = ForwardError::MalformedHead {
        part: HeadPart::LineEnding,
    };
    rejects(b"GET / HTTP/1.1 \r\n\r\n", ending);
    rejects(
        b"GET / HTTP/1.1\r\n folded\r\n\r\n",
        ForwardError::MalformedHead {
            part: HeadPart::HeaderName,
        },
    );
    rejects(b"GET  / HTTP/1.1\r\n\r\n", line);
    rejects(
        b"GET / HTTP/2.0\r\n\r\n",
        ForwardError::MalformedHead {
            part: HeadPart::Version,
        },
    );
}

#[test]
fn unsupported_targets() {
    let form = |form| ForwardError::UnsupportedTarget { form };
    rejects(
        b"CONNECT example.com:443 HTTP/1.1\r\n\r\n",
        form(TargetForm::Authority),
    );
    rejects(
        b"GET example.com:80 HTTP/1.1\r\n\r\n",
        form(TargetForm::Authority),
    );
    rejects(b"GET * HTTP/1.1\r\n\r\n", form(TargetForm::Asterisk));
    rejects(
        b"GET ftp://example.com/ HTTP/1.1\r\n\r\n",
        form(TargetForm::Other),
    );
    rejects(b"GET index.html HTTP/1.1\r\n\r\n", form(TargetForm::Other));
}

#[test]
fn ambiguous_framing() {
    let head = |fields: &str| std::format!("POST / HTTP/1.1\r\n{fields}\r\n").into_bytes();
    rejects(
        &head("Content-Length: 5\r\nContent-Length: 6\r\n"),
        ForwardError::ConflictingContentLength,
    );
    rejects(
        &head("Content-Length: 5, 6\r\n"),
        ForwardError::ConflictingContentLength,
    );
    rejects(
        &head("Content-Length: 18446744073709551616\r\n"),
        ForwardError::InvalidContentLength,
    );
    rejects(
        &head("Content-Length: +5\r\n"),
        ForwardError::InvalidContentLength,
    );
    rejects(
        &head("Content-Length:\r\n"),
        ForwardError::InvalidContentLength,
    );
    rejects(
        &head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        ForwardError::LengthWithTransferEncoding,
    );
    let unsupported = ForwardError::UnsupportedTransferEncoding;
    rejects(&head("Transfer-Encoding: chunked, gzip\r\n"), unsupported);
    rejects(
        &head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
        unsupported,
    );
    rejects(&head("Transfer-Encoding: ,\r\n"), unsupported);
    rejects(
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        unsupported,
    );
}

#[test]
fn chunk_sizes_that_overflow_u64() {
    let head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut input = head.to_vec();
    input.extend_from_slice(b"10000000000000000\r\n");
    rejects(&input, ForwardError::ChunkSizeOverflow { offset: 16 });
    // Leading zeros are not an overflow; u64::MAX itself is a valid (if hopeful) size.
    let mut rw = rewriter(&example(), None);
    let mut zeros = head.to_vec();
    zeros.extend_from_slice(b"00000000000000000000000000ffffffffffffffff\r\nabc");
    let out = super::drive(&mut rw, &[&zeros], 64);
    assert_eq!(
        out.map(|o| o.len()),
        Ok(zeros.len() + "http://example.com".len())
    );
    assert!(!rw.is_idle());
}

#[test]
fn malformed_chunked_bodies() {
    let bad = |body: &[u8], offset: u64| {
        let mut input = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        input.extend_from_slice(body);
        rejects(&input, ForwardError::MalformedChunkedBody { offset });
    };
    bad(b"\r\n", 0);
    bad(b"g\r\n", 0);
    bad(b"3\nabc", 1);
    bad(b"3 \r\nabc\r\n", 2);
    bad(b"3;a\0b\r\n", 3);
    bad(b"3\r\nabcX", 6);
    bad(b"3\r\nabc\rX", 7);
    bad(b"0\r\nX-T: a\nb\r\n\r\n", 9);
    bad(b"0\r\n\rX", 4);
}

#[test]
fn a_failed_rewriter_stays_failed() {
    let mut rw = rewriter(&example(), None);
    let mut out = [0u8; 64];
    let err = ForwardError::UnsupportedTarget {
        form: TargetForm::Other,
    };
    assert_eq!(rw.rewrite(b"GET x HTTP/1.1\r\n\r\n", &mut out), Err(err));
    assert_eq!(rw.rewrite(b"GET / HTTP/1.1\r\n\r\n", &mut out), Err(err));
    assert!(!rw.is_idle());
}

#[test]
fn empty_output_is_refused_without_failing() {
    let mut rw = rewriter(&example(), None);
    let mut out = [0u8; 4];
    let p = rw.rewrite(b"GET / HTTP/1.1\r\n\r\n", &mut out);
    assert_eq!(p.map(|p| p.written), Ok(4));
    assert_eq!(rw.rewrite(b"", &mut []), Err(ForwardError::EmptyOutput));
    assert!(!ForwardError::EmptyOutput.is_fatal());
    let rest = super::drive(&mut rw, &[b""], 4);
    assert_eq!(
        rest.map(|r| r.len()),
        Ok(b"GET http://example.com/ HTTP/1.1\r\n\r\n".len() - 4)
    );
}

#[test]
fn targets_and_credentials_too_long_for_the_fixed_buffers() {
    let zone = "z".repeat(300);
    let addr = "fe80::1".parse().unwrap_or_else(|e| panic!("{e}"));
    let host = Host::Ipv6 {
        addr,
        zone: Some(&zone),
    };
    let long = Target::new(Scheme::Http, host, Some(8080));
    let needed = "http://[fe80::1%25]:8080".len() + 300;
    assert!(matches!(
        ForwardRewriter::new(&long, None),
        Err(ForwardError::TargetTooLong { needed: n, capacity: 320 }) if n == needed
    ));
    let password = "p".repeat(800);
    let creds = Credentials::from_encoded("user", &password);
    let needed = "Proxy-Authorization: Basic ".len() + creds.basic_token_len() + 2;
    assert!(matches!(
        ForwardRewriter::new(&example(), Some(creds)),
        Err(ForwardError::CredentialsTooLong { needed: n, capacity: 1024 }) if n == needed
    ));
}

#[test]
fn errors_and_debug_never_show_credentials() {
    let rw = rewriter(&example(), Some(("alice", "s3cret")));
    let debug = std::format!("{rw:?}");
    assert!(
        !debug.contains("alice") && !debug.contains("YWxpY2U6czNjcmV0"),
        "{debug}"
    );
    let password = "s".repeat(900);
    let creds = Credentials::from_encoded("alice", &password);
    let err = ForwardRewriter::new(&example(), Some(creds)).map(|_| ());
    let text = std::format!("{}", err.err().unwrap_or(ForwardError::EmptyOutput));
    assert!(
        text.contains("shorter proxy credentials") && !text.contains("alice"),
        "{text}"
    );
}
