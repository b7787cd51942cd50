//! Tests of the forward rewriter: byte-exact vectors ([`cases`]), hostile input
//! ([`adversarial`]) and input/output splitting ([`splits`]).
//!
//! Every vector is run through [`check`], which feeds the input whole, byte by byte, split
//! at every point, and with tiny output buffers, and expects the same bytes each time.

mod adversarial;
mod authenticating;
mod cases;
mod splits;

use std::vec::Vec;

use super::{ForwardError, ForwardRewriter};
use crate::{Credentials, Host, Scheme, Target};

pub(super) fn target(host: &'static str, port: Option<u16>) -> Target<'static> {
    Target::from_url_parts(Scheme::Http, host, port).unwrap_or_else(|e| panic!("{host}: {e}"))
}

pub(super) fn example() -> Target<'static> {
    target("example.com", None)
}

pub(super) fn rewriter(target: &Target<'_>, creds: Option<(&str, &str)>) -> ForwardRewriter {
    let creds = creds.map(|(u, p)| Credentials::from_encoded(u, p));
    ForwardRewriter::new(target, creds).unwrap_or_else(|e| panic!("new: {e}"))
}

/// Drives `rw` with `input` cut into the given pieces and an output buffer of `out_size`
/// bytes; returns everything written, or the first error.
pub(super) fn drive<const N: usize>(
    rw: &mut ForwardRewriter<N>,
    pieces: &[&[u8]],
    out_size: usize,
) -> Result<Vec<u8>, ForwardError> {
    let mut sent = Vec::new();
    let mut out = std::vec![0u8; out_size];
    for piece in pieces {
        let mut rest = *piece;
        loop {
            let progress = rw.rewrite(rest, &mut out)?;
            sent.extend_from_slice(&out[..progress.written]);
            rest = &rest[progress.consumed..];
            if rest.is_empty() && !rw.has_pending_output() {
                break;
            }
            assert!(
                progress != super::Progress::default(),
                "no progress with {} input bytes and a {out_size}-byte output",
                rest.len()
            );
        }
    }
    Ok(sent)
}

/// Runs `input` through a fresh rewriter in one piece with a large output buffer.
pub(super) fn whole(
    target: &Target<'_>,
    creds: Option<(&str, &str)>,
    input: &[u8],
) -> Result<Vec<u8>, ForwardError> {
    drive(&mut rewriter(target, creds), &[input], 64 * 1024)
}

/// Asserts that `input` rewrites to `expected` (or fails with `expected`'s error) however
/// the input is split and however small the output buffer is.
pub(super) fn check(
    target: &Target<'_>,
    creds: Option<(&str, &str)>,
    input: &[u8],
    expected: Result<&[u8], ForwardError>,
) {
    check_built(&|| rewriter(target, creds), input, expected);
}

/// Like [`check`], with each rewriter made by `make`.
pub(super) fn check_built(
    make: &dyn Fn() -> ForwardRewriter,
    input: &[u8],
    expected: Result<&[u8], ForwardError>,
) {
    let expected = expected.map(<[u8]>::to_vec);
    let show = String::from_utf8_lossy(input);
    assert_eq!(
        drive(&mut make(), &[input], 64 * 1024),
        expected,
        "whole: {show}"
    );
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let result = drive(&mut make(), &bytes, 64 * 1024);
    assert_eq!(result, expected, "byte by byte: {show}");
    for at in 0..=input.len() {
        let (a, b) = input.split_at(at);
        let result = drive(&mut make(), &[a, b], 64 * 1024);
        assert_eq!(result, expected, "split at {at}: {show}");
    }
    for out_size in [1, 2, 3, 7, 16] {
        let result = drive(&mut make(), &[input], out_size);
        assert_eq!(result, expected, "output of {out_size} bytes: {show}");
    }
}

use std::string::String;

#[test]
fn hosts_built_by_hand_cannot_inject() {
    let evil = Target::new(Scheme::Http, Host::Name("a\r\nX-Evil: 1"), None);
    let result = ForwardRewriter::new(&evil, None).map(|_| ());
    assert_eq!(result, Err(ForwardError::InvalidTarget));
}
