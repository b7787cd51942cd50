//! Hostile or broken proxies: oversized heads, header floods, endless status lines, 1xx
//! floods, NUL bytes, non-HTTP peers and binary noise. Each must end in an error (never
//! `NeedMore` forever), at the right moment, with work linear in the input.

use std::vec::Vec;

use super::{DECODERS, Seen, established, feed, feed_every_way};
use crate::connect::decode::HTTPARSE_RUNS;
use crate::connect::{
    ConnectError, ConnectResponse, ConnectStatus, MAX_HEAD_LEN, MAX_HEADERS, MAX_INTERIM_RESPONSES,
    MalformedPart,
};

const TOO_LARGE: Seen = Seen::Error(ConnectError::HeaderBlockTooLarge {
    limit: MAX_HEAD_LEN,
});

fn chunked(input: &[u8], size: usize) -> Vec<&[u8]> {
    input.chunks(size).collect()
}

/// Deterministic noise (xorshift64), so failures reproduce.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn a_100_kib_header_is_refused_once_the_limit_is_passed() {
    let mut input = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
    input.resize(input.len() + 100 * 1024, b'a');
    input.extend_from_slice(b"\r\n\r\n");
    assert_eq!(feed(&[&input]), TOO_LARGE);
    assert_eq!(feed(&chunked(&input, 1000)), TOO_LARGE);
    // The error comes with the chunk that crosses the limit, not at the end of the input.
    let mut decoder = ConnectResponse::new();
    assert_eq!(
        decoder.handle_bytes(&input[..MAX_HEAD_LEN - 1]),
        Ok(ConnectStatus::NeedMore)
    );
    assert_eq!(
        decoder.handle_bytes(&input[MAX_HEAD_LEN - 1..MAX_HEAD_LEN]),
        Err(ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        })
    );
}

#[test]
fn a_head_of_exactly_the_limit_is_accepted() {
    let mut input = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
    input.resize(MAX_HEAD_LEN - 4, b'a');
    input.extend_from_slice(b"\r\n\r\nT");
    assert_eq!(feed(&[&input]), established(200, b"T"));
    assert_eq!(feed(&chunked(&input, 7)), established(200, b"T"));
    let mut over = input[..MAX_HEAD_LEN - 4].to_vec();
    over.extend_from_slice(b"a\r\n\r\n");
    assert_eq!(feed(&[&over]), TOO_LARGE);
}

#[test]
fn header_floods_are_refused() {
    let mut ten_thousand = b"HTTP/1.1 200 OK\r\n".to_vec();
    for _ in 0..10_000 {
        ten_thousand.extend_from_slice(b"A: b\r\n");
    }
    ten_thousand.extend_from_slice(b"\r\n");
    assert_eq!(feed(&[&ten_thousand]), TOO_LARGE);
    assert_eq!(feed(&chunked(&ten_thousand, 3)), TOO_LARGE);

    let head = |count: usize| {
        let mut input = b"HTTP/1.1 200 OK\r\n".to_vec();
        (0..count).for_each(|_| input.extend_from_slice(b"A: b\r\n"));
        input.extend_from_slice(b"\r\n");
        input
    };
    assert_eq!(feed(&[&head(MAX_HEADERS)]), established(200, b""));
    let too_many = Seen::Error(ConnectError::TooManyHeaders { limit: MAX_HEADERS });
    assert_eq!(feed(&[&head(MAX_HEADERS + 1)]), too_many);
    assert_eq!(feed(&chunked(&head(MAX_HEADERS + 1), 1)), too_many);
}

#[test]
fn an_endless_status_line_is_refused_with_linear_work() {
    let mut input = b"HTTP/1.1 200 ".to_vec();
    input.resize(MAX_HEAD_LEN + 10, b'k');
    HTTPARSE_RUNS.with(|runs| runs.set(0));
    assert_eq!(feed(&chunked(&input, 1)), TOO_LARGE);
    // No line ever completed, so httparse never ran: trickling costs no re-parsing.
    assert_eq!(HTTPARSE_RUNS.with(|runs| runs.get()), 0);
}

#[test]
fn a_trickled_head_is_parsed_a_bounded_number_of_times() {
    let mut input = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..60 {
        input.extend_from_slice(std::format!("X-H{i}: {}\r\n", "v".repeat(200)).as_bytes());
    }
    input.extend_from_slice(b"\r\n");
    HTTPARSE_RUNS.with(|runs| runs.set(0));
    assert_eq!(feed(&chunked(&input, 1)), established(200, b""));
    // Once for the status line, once for the complete head (per decoder fed).
    assert_eq!(HTTPARSE_RUNS.with(|runs| runs.get()), 2 * DECODERS);
}

#[test]
fn an_interim_flood_is_refused() {
    let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
    let stream = |count: usize| {
        let mut input = interim.repeat(count);
        input.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\nT");
        input
    };
    assert_eq!(
        feed_every_way(&stream(MAX_INTERIM_RESPONSES)),
        established(200, b"T")
    );
    let flood = Seen::Error(ConnectError::TooManyInterimResponses {
        limit: MAX_INTERIM_RESPONSES,
    });
    assert_eq!(feed(&[&stream(MAX_INTERIM_RESPONSES + 1)]), flood);
    assert_eq!(feed(&[&interim.repeat(1000)]), flood);
    assert_eq!(feed(&chunked(&interim.repeat(1000), 1)), flood);
}

#[test]
fn nul_bytes_are_malformed_wherever_they_are() {
    let malformed = |head_offset, part| Seen::Error(ConnectError::Malformed { head_offset, part });
    let cases: &[(&[u8], Seen)] = &[
        (
            b"\0HTTP/1.1 200 OK\r\n\r\n",
            Seen::Error(ConnectError::NotHttp { offset: 0 }),
        ),
        (
            b"HTTP/1.\0 200 OK\r\n\r\n",
            malformed(0, MalformedPart::Version),
        ),
        (
            b"HTTP/1.1 200 O\0K\r\n\r\n",
            malformed(0, MalformedPart::Status),
        ),
        (
            b"HTTP/1.1 200 OK\r\nX\0: 1\r\n\r\n",
            malformed(0, MalformedPart::HeaderName),
        ),
        (
            b"HTTP/1.1 200 OK\r\nX: \0\r\n\r\n",
            malformed(0, MalformedPart::HeaderValue),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(&feed_every_way(input), expected, "{input:?}");
    }
}

#[test]
fn peers_that_are_not_http_proxies_fail_fast() {
    let not_http = |offset| Seen::Error(ConnectError::NotHttp { offset });
    let cases: &[(&[u8], Seen)] = &[
        (b"<html>hello</html>", not_http(0)),
        (b"\r\nHTTP/1.1 200 OK\r\n\r\n", not_http(0)),
        (b"HTTP/2 200\r\n\r\n", not_http(5)),
        (b"HTTP/0.9", not_http(5)),
        (b"http/1.1 200 OK\r\n\r\n", not_http(0)),
        // A TLS alert (a TLS port given as http://) says so.
        (
            b"\x15\x03\x01\x00\x02\x02\x46",
            Seen::Error(ConnectError::TlsAnswer),
        ),
        (
            b"\x16\x03\x03\x00\x40",
            Seen::Error(ConnectError::TlsAnswer),
        ),
        (b"\x05\x00", not_http(0)),
        (b"HTTP/1.1 200 OK\r\n\r\n", established(200, b"")),
    ];
    for (input, expected) in cases {
        assert_eq!(&feed_every_way(input), expected, "{input:?}");
    }
    // A status line that is complete but wrong is refused before the head ends.
    let mut decoder = ConnectResponse::new();
    assert_eq!(
        decoder.handle_bytes(b"HTTP/1.1 OK 200\r\nServer: x\r\n"),
        Err(ConnectError::Malformed {
            head_offset: 0,
            part: MalformedPart::Status
        })
    );
}

#[test]
fn binary_noise_always_ends_in_an_error() {
    for seed in 1..=50u64 {
        let blob = noise(64 * 1024, seed);
        assert!(matches!(feed(&[&blob]), Seen::Error(_)), "seed {seed}");
        // Behind a valid status line, noise still ends in an error, never NeedMore.
        let mut input = b"HTTP/1.1 200 OK\r\n".to_vec();
        input.extend_from_slice(&blob);
        assert!(
            matches!(feed(&chunked(&input, 4096)), Seen::Error(_)),
            "seed {seed}"
        );
    }
}

#[test]
fn every_error_says_what_went_wrong() {
    let cases: &[(ConnectError, &str)] = &[
        (
            ConnectError::NotHttp { offset: 4 },
            "not an HTTP/1.x response (byte 4)",
        ),
        (
            ConnectError::Malformed {
                head_offset: 25,
                part: MalformedPart::HeaderName,
            },
            "bad a header name in the head starting at byte 25",
        ),
        (
            ConnectError::HeaderBlockTooLarge { limit: 16384 },
            "over 16384 bytes",
        ),
        (
            ConnectError::TooManyHeaders { limit: 64 },
            "more than 64 headers",
        ),
        (
            ConnectError::TooManyInterimResponses { limit: 4 },
            "more than 4 interim",
        ),
        (ConnectError::ClosedEarly { received: 9 }, "after 9 bytes"),
        (ConnectError::AlreadyFinished, "belong to the tunnel"),
    ];
    for (error, hint) in cases {
        assert!(std::format!("{error}").contains(hint), "{error}");
    }
}
