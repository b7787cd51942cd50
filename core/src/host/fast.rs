//! The common case of [`Host::parse`](super::Host::parse) in one pass: a valid name or a
//! dotted-quad IPv4 address, classified while the bytes are read once, without building
//! anything matching does not need.
//!
//! Anything else (an error, a colon, a bracket) answers [`Fast::Other`], and the caller
//! takes the slow path that finds the exact error; so this module decides only what the
//! slow path would decide too, which a property test checks.

use core::net::Ipv4Addr;

/// What one pass over unbracketed host text found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fast {
    /// A valid name (the slow path's `validate_name` accepts it, and it is no address).
    Name,
    /// A dotted-quad address, exactly as `Ipv4Addr::from_str` reads it.
    Ipv4(Ipv4Addr),
    /// Anything else: let the slow path decide.
    Other,
}

/// The longest name with its trailing dot (253 bytes, plus the dot).
const MAX_LEN: usize = 254;

/// Byte classes for the one-pass classifier.
const DIGIT: u8 = 1;
const LETTER: u8 = 2;
const DOT: u8 = 4;
const OTHER: u8 = 8;

/// The class of every byte: digits, name bytes other than digits (`a-z A-Z - _`), the dot,
/// and everything else.
const CLASSES: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = match b {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'_' => LETTER,
            b'.' => DOT,
            _ => OTHER,
        };
        byte += 1;
    }
    table
};

/// Classifies `text` (non-empty, not starting with `[`).
pub(super) fn classify(text: &[u8]) -> Fast {
    // No label of a host this short can pass 63 bytes; longer ones take the byte loop.
    let (bad, letters) = if text.len() <= 63 {
        words(text)
    } else {
        bytes(text)
    };
    if bad {
        return Fast::Other;
    }
    if !letters {
        if let Some(addr) = ipv4(text) {
            return Fast::Ipv4(addr);
        }
    }
    Fast::Name
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Per byte of `x` (every byte below 0x80): 0x80 where `lo <= byte <= hi`.
#[inline]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least = x + LOW * u64::from(0x80 - lo);
    let above = x + LOW * u64::from(0x7F - hi);
    at_least & !above & HIGH
}

/// One 8-byte word of host text: 0x80 per byte that is not a name byte, per byte that is
/// a letter, `-` or `_`, and per dot.
#[inline]
fn word_classes(word: u64) -> (u64, u64, u64) {
    let low7 = word & !HIGH;
    let letter = in_range(low7 | (LOW * 0x20), b'a', b'z')
        | in_range(low7, b'-', b'-')
        | in_range(low7, b'_', b'_');
    let dot = in_range(low7, b'.', b'.') & !word;
    let digit = in_range(low7, b'0', b'9');
    let bad = (!(letter | dot | digit) & HIGH) | (word & HIGH);
    (bad, letter & !word, dot)
}

/// [`classify`]'s checks 8 bytes at a time: whether `text` (at most 63 bytes) has a
/// byte no name has or an empty label, and whether it has a letter, `-` or `_`.
fn words(text: &[u8]) -> (bool, bool) {
    let len = text.len();
    let (mut bad, mut letters) = (0u64, 0u64);
    // 0x80 in byte 0 when the byte before the word was a dot (the start counts as one).
    let mut dot_before = 0x80u64;
    let mut check = |word: u64, live: u64, dot_before: u64| {
        let (not_name, letter, dot) = word_classes(word);
        let empty = dot & ((dot << 8) | dot_before);
        bad |= (not_name | empty) & live;
        letters |= letter & live;
        (dot >> 56) & 0x80
    };
    if len < 8 {
        let mut word = [0; 8];
        word[..len].copy_from_slice(text);
        check(
            u64::from_le_bytes(word),
            HIGH >> (8 * (8 - len)),
            dot_before,
        );
    } else {
        let mut at = 0;
        while at + 8 <= len {
            let mut word = [0; 8];
            word.copy_from_slice(&text[at..at + 8]);
            dot_before = check(u64::from_le_bytes(word), HIGH, dot_before);
            at += 8;
        }
        if at < len {
            // The last 8 bytes, of which only those after `at` are new; each new byte's
            // previous byte is inside the word.
            let mut word = [0; 8];
            word.copy_from_slice(&text[len - 8..]);
            check(u64::from_le_bytes(word), HIGH << (8 * (8 - (len - at))), 0);
        }
    }
    (bad != 0, letters != 0)
}

/// [`classify`]'s checks a byte at a time, label lengths and the 253-byte limit included.
fn bytes(text: &[u8]) -> (bool, bool) {
    if text.len() > MAX_LEN {
        return (true, false);
    }
    let mut seen = 0u8;
    let mut empty_label = 0u8;
    let mut previous = DOT;
    for &byte in text {
        let class = CLASSES[usize::from(byte)];
        seen |= class;
        empty_label |= class & previous;
        previous = class;
    }
    let long_label = text
        .split(|&byte| byte == b'.')
        .any(|label| label.len() > 63);
    // Without its trailing dot, a name may be 253 bytes long.
    let too_long = text.len() == MAX_LEN && previous != DOT;
    let bad = seen & OTHER != 0 || empty_label & DOT != 0 || long_label || too_long;
    (bad, seen & LETTER != 0)
}

/// A dotted quad as `Ipv4Addr::from_str` accepts it: four decimal parts of one to three
/// digits, no leading zero (except `0` itself), each at most 255, nothing else.
pub(crate) fn ipv4(text: &[u8]) -> Option<Ipv4Addr> {
    let digit = |at: usize| {
        text.get(at)
            .map(|byte| u32::from(byte.wrapping_sub(b'0')))
            .filter(|&digit| digit <= 9)
    };
    let mut bits = 0u32;
    let mut at = 0;
    for part in 0..4 {
        if part > 0 {
            if text.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
        let mut value = digit(at)?;
        at += 1;
        // A leading 0 stands alone: a digit after it fails at the next `.` or the end.
        if value != 0 {
            for _ in 0..2 {
                let Some(next) = digit(at) else { break };
                value = value * 10 + next;
                at += 1;
            }
        }
        if value > 255 {
            return None;
        }
        bits = (bits << 8) | value;
    }
    (at == text.len()).then(|| Ipv4Addr::from_bits(bits))
}

#[cfg(test)]
mod tests {
    use super::{Fast, classify, ipv4};
    use core::net::Ipv4Addr;
    use proptest::prelude::*;

    #[test]
    fn dotted_quads_as_std_reads_them() {
        for text in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3",
            "1.2.3.4.",
            "1.2.3.4.5",
            "256.1.1.1",
            "1..2.3",
            ".1.2.3",
            "1.2.3.4 ",
            "1234.1.1.1",
            "0.0.0.00",
            "",
            "1.2.3.-4",
            "99.99.99.999",
        ] {
            assert_eq!(
                ipv4(text.as_bytes()),
                text.parse::<Ipv4Addr>().ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn names_and_limits() {
        assert_eq!(classify(b"Example.COM."), Fast::Name);
        assert_eq!(classify(b"1.1"), Fast::Name);
        assert_eq!(classify(b"1.2.3.4."), Fast::Name);
        assert_eq!(
            classify(b"10.1.2.3"),
            Fast::Ipv4(Ipv4Addr::new(10, 1, 2, 3))
        );
        for other in ["a..b", ".", ".a", "a b", "a:1", "a]", "a%b"] {
            assert_eq!(classify(other.as_bytes()), Fast::Other, "{other}");
        }
        let label = "a".repeat(63);
        let name = [label.as_str(); 4].join(".");
        assert_eq!(classify(&name.as_bytes()[..253]), Fast::Name);
        assert_eq!(
            classify(std::format!("{}.", &name[..253]).as_bytes()),
            Fast::Name
        );
        assert_eq!(classify(&name.as_bytes()[..254]), Fast::Other);
        assert_eq!(classify("a".repeat(64).as_bytes()), Fast::Other);
    }

    proptest! {
        #[test]
        fn ipv4_agrees_with_std(text in "[0-9.]{0,17}") {
            prop_assert_eq!(ipv4(text.as_bytes()), text.parse::<Ipv4Addr>().ok());
        }
    }
}
