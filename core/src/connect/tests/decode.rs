//! Decoder outcomes for representative proxy answers, each fed whole, byte by byte and split
//! at every point.

use super::{Seen, auth, established, feed, feed_every_way, rejected, summarise};
use crate::connect::{ConnectError, ConnectResponse, ConnectStatus, MalformedPart};

/// A named response stream and the summary it must give.
pub(super) type Case = (&'static str, &'static [u8], fn() -> Seen);

pub(super) const CASES: &[Case] = &[
    (
        "200 established",
        b"HTTP/1.1 200 Connection established\r\n\r\n",
        || established(200, b""),
    ),
    (
        "200 with tunnel bytes in the same read; Content-Length ignored",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\x16\x03\x01\x00\x05hello world",
        || established(200, b"\x16\x03\x01\x00\x05hello world"),
    ),
    (
        "200 with chunked Transfer-Encoding ignored",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        || established(200, b"0\r\n\r\n"),
    ),
    ("HTTP/1.0 204", b"HTTP/1.0 204 No Content\r\n\r\n", || {
        established(204, b"")
    }),
    (
        "bare LF line endings, odd 2xx",
        b"HTTP/1.1 299 Fine\nVia: x\n\nT",
        || established(299, b"T"),
    ),
    (
        "407 with several Proxy-Authenticate headers",
        b"HTTP/1.1 407 Proxy Authentication Required\r\n\
          Proxy-Authenticate: Negotiate\r\n\
          WWW-Authenticate: Bearer\r\n\
          proxy-authenticate: Basic realm=\"corp, inc\", charset=\"UTF-8\"\r\n\
          Proxy-Authenticate: NTLM, basic realm=\"again\"\r\n\
          Content-Length: 13\r\n\r\naccess denied",
        || auth(407, &["Negotiate", "Basic", "NTLM"]),
    ),
    (
        "407 without a challenge",
        b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
        || auth(407, &[]),
    ),
    (
        "tinyproxy 1.11: 401 with WWW-Authenticate",
        b"HTTP/1.0 401 Unauthorized\r\nServer: tinyproxy/1.11.1\r\n\
          WWW-Authenticate: Basic realm=\"tinyproxy\"\r\nContent-Type: text/html\r\n\
          Connection: close\r\n\r\n<html>401</html>",
        || auth(401, &["Basic"]),
    ),
    ("403", b"HTTP/1.1 403 Forbidden\r\n\r\n", || {
        rejected(403, "Forbidden")
    }),
    (
        "502 with a body that looks like a response",
        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
        || rejected(502, "Bad Gateway"),
    ),
    ("status without reason", b"HTTP/1.1 503 \r\n\r\n", || {
        rejected(503, "")
    }),
    (
        "101 is not a tunnel",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
        || rejected(101, "Switching Protocols"),
    ),
    (
        "1xx responses skipped, then 200",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n\
          HTTP/1.1 200 OK\r\n\r\nTUNNEL",
        || established(200, b"TUNNEL"),
    ),
    (
        "1xx then 407",
        b"HTTP/1.1 102 Processing\n\nHTTP/1.1 407 No\nProxy-Authenticate: Digest realm=x\n\n",
        || auth(407, &["Digest"]),
    ),
    (
        "incomplete head",
        b"HTTP/1.1 200 OK\r\nVia: 1.1 squid\r\n",
        || Seen::NeedMore,
    ),
    ("not HTTP at all", b"SSH-2.0-OpenSSH_9.6\r\n", || {
        Seen::Error(ConnectError::NotHttp { offset: 0 })
    }),
    ("HTTP/0.9-style version", b"HTTP/0.9 200 OK\r\n\r\n", || {
        Seen::Error(ConnectError::NotHttp { offset: 5 })
    }),
    ("bad status code", b"HTTP/1.1 2x0 OK\r\n\r\n", || {
        Seen::Error(ConnectError::Malformed {
            head_offset: 0,
            part: MalformedPart::Status,
        })
    }),
    (
        "bad header name after a 100",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nBad Header: 1\r\n\r\n",
        || {
            Seen::Error(ConnectError::Malformed {
                head_offset: 25,
                part: MalformedPart::HeaderName,
            })
        },
    ),
    (
        "NUL in a header value",
        b"HTTP/1.1 200 OK\r\nVia: a\0b\r\n\r\n",
        || {
            Seen::Error(ConnectError::Malformed {
                head_offset: 0,
                part: MalformedPart::HeaderValue,
            })
        },
    ),
];

#[test]
fn every_case_gives_its_outcome_however_it_is_split() {
    for (name, input, expected) in CASES {
        assert_eq!(feed_every_way(input), expected(), "{name}");
    }
}

#[test]
fn eof_before_the_head_is_an_error_after_it_is_not() {
    let mut decoder = ConnectResponse::new();
    assert!(decoder.handle_bytes(b"HTTP/1.1 200 OK\r\n").is_ok());
    let closed = ConnectError::ClosedEarly { received: 17 };
    assert_eq!(decoder.handle_eof(), Err(closed));
    assert_eq!(decoder.handle_bytes(b"\r\n"), Err(closed));

    let mut decoder = ConnectResponse::new();
    assert!(decoder.handle_bytes(b"HTTP/1.1 200 OK\r\n\r\n").is_ok());
    assert_eq!(decoder.handle_eof(), Ok(()));
}

#[test]
fn a_refusal_keeps_the_proxys_explanation_and_the_bodys_first_bytes() {
    let answer = b"HTTP/1.1 403 Forbidden\r\nServer: squid\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n\
                   Via: 1.1 proxy (squid/6.13)\r\nProxy-Status: squid; error=http_request_denied\r\n\
                   Content-Length: 14\r\n\r\nAccess denied\n";
    let mut decoder = ConnectResponse::new();
    match decoder.handle_bytes(answer) {
        Ok(crate::connect::ConnectStatus::Done(crate::connect::ConnectOutcome::Rejected {
            status,
            explanation,
            body,
            ..
        })) => {
            assert_eq!(status, 403);
            assert_eq!(explanation.squid_error(), Some("ERR_ACCESS_DENIED 0"));
            assert_eq!(explanation.via(), Some("1.1 proxy (squid/6.13)"));
            assert_eq!(
                explanation.proxy_status(),
                Some("squid; error=http_request_denied")
            );
            assert_eq!(body, b"Access denied\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reasons_are_bounded_and_schemes_compare_without_case() {
    let long = std::format!("HTTP/1.1 500 {}\r\n\r\n", "é".repeat(20) + &"r".repeat(80));
    match feed(&[long.as_bytes()]) {
        // httparse reports non-ASCII reason phrases as empty.
        Seen::Rejected { status, reason } => assert_eq!((status, reason.as_str()), (500, "")),
        other => panic!("{other:?}"),
    }
    let long = std::format!("HTTP/1.1 500 {}\r\n\r\n", "r".repeat(80));
    let mut decoder = ConnectResponse::new();
    match decoder.handle_bytes(long.as_bytes()) {
        Ok(crate::connect::ConnectStatus::Done(crate::connect::ConnectOutcome::Rejected {
            reason,
            ..
        })) => {
            assert_eq!(reason.as_str(), "r".repeat(64));
            assert!(reason.is_truncated());
            assert!(std::format!("{reason}").ends_with('…'));
        }
        other => panic!("{other:?}"),
    }
    let mut decoder = ConnectResponse::new();
    match decoder.handle_bytes(b"HTTP/1.1 407 x\r\nProxy-Authenticate: BASIC\r\n\r\n") {
        Ok(crate::connect::ConnectStatus::Done(crate::connect::ConnectOutcome::AuthRequired {
            schemes,
            ..
        })) => {
            assert!(schemes.contains("basic") && !schemes.contains("ntlm"));
            assert_eq!(std::format!("{schemes:?}"), "[BASIC]");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reset_decoder_decodes_like_a_new_one() {
    let mut decoder = ConnectResponse::new();
    assert!(
        decoder
            .handle_bytes(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 No\r\n\r\n")
            .is_ok()
    );
    assert!(decoder.is_finished());
    for (_, input, expected) in CASES {
        decoder.reset();
        assert!(!decoder.is_finished());
        let seen = match decoder.handle_bytes(input) {
            Ok(ConnectStatus::Done(outcome)) => summarise(outcome, &[]),
            Ok(ConnectStatus::NeedMore) => Seen::NeedMore,
            Err(error) => Seen::Error(error),
        };
        assert_eq!(seen, expected());
        // After a reset, a failed decoder accepts input again.
        decoder.reset();
        assert_eq!(
            decoder.handle_bytes(b"garbage"),
            Err(ConnectError::NotHttp { offset: 0 })
        );
    }
}
