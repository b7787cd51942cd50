//! `connect_response`: the proxy's answer to CONNECT fed whole and fed in arbitrary pieces
//! gives the same outcome (with the same tunnel bytes); the decoder never asks for more once
//! more than a bounded number of bytes came in; errors and the final state are sticky.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{Input, pieces, split_offsets};
use crate::connect::{
    ConnectError, ConnectOutcome, ConnectResponse, ConnectStatus, HeadBuffer, MAX_HEAD_LEN,
    MAX_INTERIM_RESPONSES,
};

/// The most bytes the decoder may take before it must decide: every allowed interim head
/// plus the final one, each at most `MAX_HEAD_LEN` bytes.
pub const DECISION_LIMIT: usize = MAX_HEAD_LEN * (MAX_INTERIM_RESPONSES + 1);

/// How the decoder ended up after a stream: with the tunnel bytes made whole again
/// (`leftover` of the last piece fed, then every piece never fed).
#[derive(Debug, PartialEq, Eq)]
// A test harness value, compared once per input.
#[allow(clippy::large_enum_variant)]
enum End<'i> {
    NeedMore,
    Done(ConnectOutcome<'i>, Vec<u8>),
    Failed(ConnectError),
}

/// Decodes a flags byte (bit 0: repeat the response until it exceeds [`DECISION_LIMIT`]),
/// up to 16 split offsets, then the response bytes; feeds them whole and in pieces.
pub fn check_connect_response(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let offsets = split_offsets(&mut input, 16);
    let body = input.rest();
    let repeated: Vec<u8>;
    let response = if flags & 1 != 0 && !body.is_empty() {
        repeated = body
            .iter()
            .copied()
            .cycle()
            .take(DECISION_LIMIT + 1)
            .collect();
        &repeated[..]
    } else {
        body
    };

    let mut decoder = Box::new(ConnectResponse::new());
    let whole = feed(&mut decoder, &[response]);
    check_sticky(&mut decoder, &whole, response.len());
    let split = pieces(response, &offsets);
    decoder.reset();
    let pieced = feed(&mut decoder, &split);
    check_sticky(&mut decoder, &pieced, response.len());
    assert_eq!(
        whole,
        pieced,
        "feeding {} pieces changes the outcome",
        split.len()
    );

    // The growing buffer (what the connection machine uses) decodes the same, and never
    // grows past the limit.
    let mut growing = ConnectResponse::growing();
    let grown = feed(&mut growing, &split);
    check_sticky(&mut growing, &grown, response.len());
    assert_eq!(whole, grown, "the growing decoder differs");
    assert!(growing.buffer_capacity() <= MAX_HEAD_LEN);

    if response.len() > DECISION_LIMIT {
        assert_ne!(
            whole,
            End::NeedMore,
            "NeedMore after {} bytes",
            response.len()
        );
    }
    // Byte by byte, for short responses (long ones cost quadratic time in the checker).
    if response.len() <= 512 {
        let bytes: Vec<&[u8]> = response.chunks(1).collect();
        decoder.reset();
        assert_eq!(
            whole,
            feed(&mut decoder, &bytes),
            "byte-by-byte feeding differs"
        );
    }
}

fn feed<'i, B: HeadBuffer>(decoder: &mut ConnectResponse<B>, pieces: &[&'i [u8]]) -> End<'i> {
    for (i, piece) in pieces.iter().enumerate() {
        match decoder.handle_bytes(piece) {
            Ok(ConnectStatus::NeedMore) => {}
            Ok(ConnectStatus::Done(outcome)) => {
                let mut tunnel = Vec::new();
                // The bytes after the head (a tunnel's, or a refusal's body) are the tail of
                // the last piece; with every later piece they are the same however split.
                let after = match outcome {
                    ConnectOutcome::Established { leftover, .. } => Some(leftover),
                    ConnectOutcome::Rejected { body, .. } => Some(body),
                    ConnectOutcome::AuthRequired { .. } => None,
                };
                if let Some(after) = after {
                    assert!(
                        piece.ends_with(after),
                        "the bytes after the head are not the piece's tail"
                    );
                    tunnel.extend_from_slice(after);
                    pieces[i + 1..]
                        .iter()
                        .for_each(|p| tunnel.extend_from_slice(p));
                }
                // Compare outcomes without the borrowed tail, which differs per piece.
                let outcome = match outcome {
                    ConnectOutcome::Established { status, .. } => ConnectOutcome::Established {
                        status,
                        leftover: &[],
                    },
                    ConnectOutcome::Rejected {
                        status,
                        reason,
                        explanation,
                        ..
                    } => ConnectOutcome::Rejected {
                        status,
                        reason,
                        explanation,
                        body: &[],
                    },
                    other => other,
                };
                return End::Done(outcome, tunnel);
            }
            Err(error) => return End::Failed(error),
        }
    }
    End::NeedMore
}

fn check_sticky<B: HeadBuffer>(decoder: &mut ConnectResponse<B>, end: &End<'_>, fed: usize) {
    match end {
        End::NeedMore => {
            assert!(!decoder.is_finished());
            let error = ConnectError::ClosedEarly { received: fed };
            assert_eq!(decoder.handle_eof(), Err(error), "EOF after {fed} bytes");
            assert_eq!(decoder.handle_bytes(b"HTTP/1.1 200 OK\r\n\r\n"), Err(error));
        }
        End::Done(..) => {
            assert!(decoder.is_finished());
            assert_eq!(
                decoder.handle_bytes(b"x"),
                Err(ConnectError::AlreadyFinished)
            );
            assert_eq!(decoder.handle_eof(), Ok(()));
        }
        End::Failed(error) => {
            assert!(!decoder.is_finished());
            assert_eq!(
                decoder.handle_bytes(b"HTTP/1.1 200 OK\r\n\r\n"),
                Err(*error)
            );
            assert_eq!(decoder.handle_eof(), Err(*error), "error not sticky at EOF");
        }
    }
}
