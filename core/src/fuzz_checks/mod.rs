//! Fuzz target bodies, kept in the library so that stable `cargo test` can replay every
//! committed corpus file and past crash input (see `core/tests/fuzz_replay.rs`), and so the
//! cargo-fuzz crate in `fuzz/` stays a one-line wrapper per target.
//!
//! Enabled by the `fuzzing` feature (off by default, needs `alloc`). Each `check_*` function
//! takes arbitrary bytes, decodes them into inputs for one parser or state machine, runs it,
//! and panics when a property of the behaviour contract (DESIGN.md) does not hold. A function
//! that returns normally means the input found nothing.
//!
//! Inputs are decoded with [`Input`]: small numbers come from single bytes and text fields
//! run up to the next `0xFF` byte (never part of UTF-8 text), so seed files stay readable
//! and a fuzzer can grow one field without shifting the others.
//!
//! ```
//! use egress_core::fuzz_checks::{check_connect_response, check_proxy_url};
//!
//! check_proxy_url(b"http://user:p%40ss@proxy.example:3128/");
//! // Flags 0, no split points, then the proxy's response.
//! check_connect_response(b"\x00\x00HTTP/1.1 200 OK\r\n\r\ntunnel bytes");
//! ```

mod auth;
mod connect_response;
mod env;
mod establish;
mod forward_auth;
mod forward_rewriter;
mod no_proxy;
mod proxy_url;
mod request_path;
mod route;

pub use auth::check_auth;
pub use connect_response::{DECISION_LIMIT, check_connect_response};
pub use env::check_env;
pub use establish::check_establish;
pub use forward_auth::check_forward_auth;
pub use forward_rewriter::check_forward_rewriter;
pub use no_proxy::check_no_proxy;
pub use proxy_url::check_proxy_url;
pub use request_path::check_request_path;
pub use route::check_route;

use alloc::vec::Vec;

/// Names of all targets, in the order `fuzz/run.sh` runs them; the replay test checks that
/// each has a corpus directory.
pub const TARGETS: [&str; 10] = [
    "proxy_url",
    "env",
    "no_proxy",
    "route",
    "connect_response",
    "forward_rewriter",
    "establish",
    "auth",
    "request_path",
    "forward_auth",
];

/// The check function of a target named in [`TARGETS`].
pub fn check_fn(target: &str) -> Option<fn(&[u8])> {
    let check: fn(&[u8]) = match target {
        "proxy_url" => check_proxy_url,
        "env" => check_env,
        "no_proxy" => check_no_proxy,
        "route" => check_route,
        "connect_response" => check_connect_response,
        "forward_rewriter" => check_forward_rewriter,
        "establish" => check_establish,
        "auth" => check_auth,
        "request_path" => check_request_path,
        "forward_auth" => check_forward_auth,
        _ => return None,
    };
    Some(check)
}

/// Field separator in fuzz inputs: `0xFF` never occurs in UTF-8 text.
pub const SEPARATOR: u8 = 0xFF;

/// A cursor over fuzz bytes that never fails: past the end it yields zeros and empty fields,
/// so every byte string decodes to some input.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether every byte has been taken.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0 past the end.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&first, rest)) => {
                self.data = rest;
                first
            }
            None => 0,
        }
    }

    /// The next two bytes as a big-endian number.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// Bytes up to the next [`SEPARATOR`] (which is consumed) or the end.
    pub fn field(&mut self) -> &'a [u8] {
        let end = self
            .data
            .iter()
            .position(|&b| b == SEPARATOR)
            .unwrap_or(self.data.len());
        let (field, rest) = self.data.split_at(end);
        self.data = rest.get(1..).unwrap_or(&[]);
        field
    }

    /// A field as text: its longest valid UTF-8 prefix (borrowed, never copied).
    pub fn text(&mut self) -> &'a str {
        utf8_prefix(self.field())
    }

    /// Everything not taken yet.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.data)
    }
}

/// The longest valid UTF-8 prefix of `bytes`.
pub fn utf8_prefix(bytes: &[u8]) -> &str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => core::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or(""),
    }
}

/// Raw split offsets decoded from `input`: a count byte (at most `max`), then one big-endian
/// `u16` each. [`pieces`] maps them into the stream they cut.
pub fn split_offsets(input: &mut Input<'_>, max: usize) -> Vec<u16> {
    let count = usize::from(input.byte()) % (max + 1);
    (0..count).map(|_| input.u16()).collect()
}

/// `bytes` cut at `offsets` (each taken modulo `bytes.len() + 1`, then sorted), every piece
/// in order, empty pieces kept.
pub fn pieces<'b>(bytes: &'b [u8], offsets: &[u16]) -> Vec<&'b [u8]> {
    let mut points: Vec<usize> = offsets
        .iter()
        .map(|&o| usize::from(o) % (bytes.len() + 1))
        .collect();
    points.sort_unstable();
    let mut out = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for point in points {
        out.push(&bytes[start..point]);
        start = point;
    }
    out.push(&bytes[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_fields_numbers_and_end() {
        let mut input = Input::new(b"\x01\x02\x03ab\xffc\xe2\x82");
        assert_eq!(input.byte(), 1);
        assert_eq!(input.u16(), 0x0203);
        assert_eq!(input.text(), "ab");
        // The cut-off UTF-8 sequence is dropped, the valid prefix kept.
        assert_eq!(input.text(), "c");
        assert!(input.is_empty());
        assert_eq!((input.byte(), input.field()), (0, &b""[..]));
    }

    #[test]
    fn pieces_cover_the_stream_in_order() {
        let stream = b"0123456789";
        let cut = pieces(stream, &[7, 3, 3, 11 + 4]);
        assert_eq!(cut, [&b"012"[..], b"", b"3", b"456", b"789"]);
        let mut input = Input::new(b"\x02\x00\x05\x00\x01rest");
        assert_eq!(split_offsets(&mut input, 16), [5, 1]);
        assert_eq!(input.rest(), b"rest");
    }

    #[test]
    fn every_target_has_a_check() {
        for target in TARGETS {
            assert!(check_fn(target).is_some(), "{target}");
        }
        assert!(check_fn("nope").is_none());
    }
}
