//! The growing decoder (`alloc`): it holds only as much as arrives, never more than the
//! header-block limit, and keeps what a 407 round needs. (That it decodes every input as
//! the inline one does is checked by `feed`, on every case and split of the other tests.)

use std::vec::Vec;

use super::super::{ConnectOutcome, ConnectResponse, ConnectStatus, MAX_HEAD_LEN};
use crate::connect::ConnectError;

/// A head of exactly `len` bytes: a status line, `X-Pad` headers, the empty line.
fn head_of(len: usize) -> Vec<u8> {
    let mut head = b"HTTP/1.1 200 Connection established\r\n".to_vec();
    while head.len() + 2 < len {
        // Header lines of up to 400 bytes: 16 KiB takes 41 of them, under the 64 allowed.
        let room = (len - 2 - head.len()).min(400);
        if room < 12 {
            // Too little room for a header line: pad the last one instead.
            let at = head.len() - 2;
            head.splice(at..at, std::iter::repeat_n(b'p', room));
            break;
        }
        head.extend_from_slice(b"X-Pad: ");
        head.extend(std::iter::repeat_n(b'p', room - 9));
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    assert_eq!(head.len(), len);
    head
}

#[test]
fn nothing_is_allocated_before_the_first_byte_and_a_usual_answer_takes_256_bytes() {
    let mut decoder = ConnectResponse::growing();
    assert_eq!(decoder.buffer_capacity(), 0);
    let answer = b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03";
    match decoder.handle_bytes(answer) {
        Ok(ConnectStatus::Done(ConnectOutcome::Established { status, leftover })) => {
            assert_eq!((status, leftover), (200, &b"\x16\x03"[..]));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(decoder.buffer_capacity(), 256);
}

#[test]
fn a_long_head_grows_the_buffer_to_what_arrived_and_no_further() {
    for (len, chunk) in [
        (3_000, usize::MAX),
        (3_000, 1),
        (9_000, 7),
        (MAX_HEAD_LEN, 1000),
    ] {
        let head = head_of(len);
        let mut decoder = ConnectResponse::growing();
        let mut done = false;
        for piece in head.chunks(chunk) {
            match decoder.handle_bytes(piece) {
                Ok(ConnectStatus::NeedMore) => {}
                Ok(ConnectStatus::Done(ConnectOutcome::Established { status: 200, .. })) => {
                    done = true;
                }
                other => panic!("{len} in {chunk}: {other:?}"),
            }
            // Doubling: never more than twice what is held, or the first 256 bytes.
            let capacity = decoder.buffer_capacity();
            assert!(capacity <= MAX_HEAD_LEN, "{len} in {chunk}: {capacity}");
        }
        assert!(done, "{len} in {chunk}");
        let capacity = decoder.buffer_capacity();
        assert!(
            capacity >= len && capacity <= (2 * len).min(MAX_HEAD_LEN),
            "{capacity}"
        );
    }
}

#[test]
fn a_head_over_the_limit_fails_with_the_buffer_at_the_limit() {
    let mut long = head_of(MAX_HEAD_LEN);
    long.insert(40, b'p');
    let mut decoder = ConnectResponse::growing();
    let mut result = Ok(ConnectStatus::NeedMore);
    for piece in long.chunks(100) {
        result = decoder.handle_bytes(piece);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(
        result,
        Err(ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        })
    );
    assert_eq!(decoder.buffer_capacity(), MAX_HEAD_LEN);
}

#[test]
fn after_a_407_and_a_reset_the_final_head_is_the_new_one() {
    let challenge = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n";
    let mut decoder = ConnectResponse::growing();
    for byte in challenge.chunks(1) {
        if let Ok(ConnectStatus::Done(outcome)) = decoder.handle_bytes(byte) {
            assert!(matches!(
                outcome,
                ConnectOutcome::AuthRequired { status: 407, .. }
            ));
        }
    }
    assert_eq!(decoder.final_head(), &challenge[..]);
    decoder.reset();
    assert_eq!(decoder.final_head(), b"");
    let answer = b"HTTP/1.1 200 OK\r\n\r\n";
    assert!(matches!(
        decoder.handle_bytes(answer),
        Ok(ConnectStatus::Done(ConnectOutcome::Established { .. }))
    ));
    assert_eq!(decoder.final_head(), &answer[..]);
}
