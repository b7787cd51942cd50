//! Tests of the CONNECT encoder and decoder, with a harness that feeds the decoder any chunking
//! of an input and reduces the result to an owned summary, so every chunking can be compared
//! with feeding the input whole.

mod adversarial;
mod decode;
mod encode;
#[cfg(feature = "alloc")]
mod growing;
mod splits;

use std::string::String;
use std::vec::Vec;

use super::{ConnectError, ConnectOutcome, ConnectResponse, ConnectStatus, HeadBuffer};

/// What feeding a whole response stream produced, owned so results can be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seen {
    /// Input ran out before a final outcome.
    NeedMore,
    /// A 2xx; `tunnel` is the leftover plus every later chunk.
    Established {
        status: u16,
        tunnel: Vec<u8>,
    },
    AuthRequired {
        status: u16,
        schemes: Vec<String>,
    },
    Rejected {
        status: u16,
        reason: String,
    },
    Error(ConnectError),
}

pub(super) fn established(status: u16, tunnel: &[u8]) -> Seen {
    Seen::Established {
        status,
        tunnel: tunnel.to_vec(),
    }
}

pub(super) fn auth(status: u16, schemes: &[&str]) -> Seen {
    Seen::AuthRequired {
        status,
        schemes: schemes.iter().map(|&s| s.into()).collect(),
    }
}

pub(super) fn rejected(status: u16, reason: &str) -> Seen {
    Seen::Rejected {
        status,
        reason: reason.into(),
    }
}

/// How many decoders [`feed`] runs on each input: the inline one, and the growing one.
pub(super) const DECODERS: usize = if cfg!(feature = "alloc") { 2 } else { 1 };

/// Feeds `chunks` in order, as a frontend would, and summarises the result; with `alloc`,
/// a growing decoder is fed the same chunks and must agree, and never hold more than the
/// limit.
pub(super) fn feed(chunks: &[&[u8]]) -> Seen {
    let seen = feed_decoder(&mut ConnectResponse::new(), chunks);
    #[cfg(feature = "alloc")]
    {
        let mut growing = ConnectResponse::growing();
        assert_eq!(feed_decoder(&mut growing, chunks), seen, "growing buffer");
        assert!(growing.buffer_capacity() <= super::MAX_HEAD_LEN);
    }
    seen
}

fn feed_decoder<B: HeadBuffer>(decoder: &mut ConnectResponse<B>, chunks: &[&[u8]]) -> Seen {
    for (i, chunk) in chunks.iter().enumerate() {
        match decoder.handle_bytes(chunk) {
            Ok(ConnectStatus::NeedMore) => {}
            Ok(ConnectStatus::Done(outcome)) => {
                assert!(decoder.is_finished());
                // The machine refuses input once it has answered.
                assert_eq!(
                    decoder.handle_bytes(b"x"),
                    Err(ConnectError::AlreadyFinished)
                );
                return summarise(outcome, &chunks[i + 1..]);
            }
            Err(error) => {
                // Errors are sticky.
                assert_eq!(decoder.handle_bytes(b"HTTP/1.1 200 OK\r\n\r\n"), Err(error));
                return Seen::Error(error);
            }
        }
    }
    Seen::NeedMore
}

pub(super) fn summarise(outcome: ConnectOutcome<'_>, later: &[&[u8]]) -> Seen {
    match outcome {
        ConnectOutcome::Established { status, leftover } => {
            let mut tunnel = leftover.to_vec();
            later
                .iter()
                .for_each(|chunk| tunnel.extend_from_slice(chunk));
            Seen::Established { status, tunnel }
        }
        ConnectOutcome::AuthRequired { status, schemes } => Seen::AuthRequired {
            status,
            schemes: schemes.iter().map(|s| s.as_str().into()).collect(),
        },
        ConnectOutcome::Rejected { status, reason, .. } => Seen::Rejected {
            status,
            reason: reason.as_str().into(),
        },
    }
}

/// Splits `input` at the given (unsorted, possibly out-of-range) points.
pub(super) fn split_at_points<'a>(input: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|&p| p.min(input.len())).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&input[start..cut]);
        start = cut;
    }
    chunks.push(&input[start..]);
    chunks
}

/// Feeds `input` whole, byte by byte, and split at every point (and every pair of points for
/// short inputs), asserting the same summary each time; returns it.
pub(super) fn feed_every_way(input: &[u8]) -> Seen {
    let whole = feed(&[input]);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(feed(&bytes), whole, "byte by byte");
    for i in 0..=input.len() {
        assert_eq!(feed(&split_at_points(input, &[i])), whole, "split at {i}");
    }
    if input.len() <= 160 {
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let chunks = split_at_points(input, &[i, j]);
                assert_eq!(feed(&chunks), whole, "split at {i} and {j}");
            }
        }
    }
    whole
}
