//! Byte searches for reading a `no_proxy` value: finding the next `,` (or `/`, `:`) eight
//! bytes at a time, and trimming whitespace without decoding UTF-8 unless a piece starts
//! or ends with a non-ASCII byte.
//!
//! A 10,000-entry value is read once per build and the linear matcher reads it on every
//! call, so these replace `str::split`, `split_once` and `trim`, whose per-call setup
//! costs more than the search itself on pieces of 10 to 30 bytes. Both give exactly what
//! the `str` methods give (tests compare them).

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The position of the first `needle` in `bytes`.
#[inline]
pub(crate) fn find(bytes: &[u8], needle: u8) -> Option<usize> {
    let pattern = LOW * u64::from(needle);
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        // The lowest byte flagged is the first match (higher flags may be borrows).
        let found = x.wrapping_sub(LOW) & !x & HIGH;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&byte| byte == needle)
        .map(|offset| at + offset)
}

/// How many times `needle` occurs in `bytes`, eight bytes at a time (the compiled set
/// sizes its tables with the number of commas of a value that may be 200 KB long).
pub(crate) fn count(bytes: &[u8], needle: u8) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = LOW * u64::from(needle);
    let mut chunks = bytes.chunks_exact(8);
    let mut total = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        // 0x80 exactly in the bytes of `x` that are zero.
        let zero = !(((x & LOW7) + LOW7) | x) & HIGH;
        total += zero.count_ones() as usize;
    }
    total
        + chunks
            .remainder()
            .iter()
            .filter(|&&byte| byte == needle)
            .count()
}

/// `text.split_once(needle)` for an ASCII `needle`.
#[inline]
pub(crate) fn split_once(text: &str, needle: u8) -> Option<(&str, &str)> {
    debug_assert!(needle.is_ascii(), "an ASCII needle keeps both halves UTF-8");
    let at = find(text.as_bytes(), needle)?;
    Some((&text[..at], &text[at + 1..]))
}

/// `str::trim`: ASCII whitespace is stripped here, and the rare piece that starts or ends
/// with a non-ASCII byte (which may be Unicode whitespace) goes to `str::trim`.
#[inline]
pub(crate) fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let (mut start, mut end) = (0, bytes.len());
    while start < end && is_space(bytes[start]) {
        start += 1;
    }
    while end > start && is_space(bytes[end - 1]) {
        end -= 1;
    }
    // Only ASCII bytes were skipped, so both ends are char boundaries.
    let inner = &text[start..end];
    match (inner.as_bytes().first(), inner.as_bytes().last()) {
        (Some(&first), Some(&last)) if first >= 0x80 || last >= 0x80 => inner.trim(),
        _ => inner,
    }
}

/// The ASCII characters `char::is_whitespace` accepts (`u8::is_ascii_whitespace` leaves
/// out the vertical tab).
#[inline]
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t'..=b'\r' | b' ')
}

#[cfg(test)]
mod tests {
    use super::{count, find, split_once, trim};
    use proptest::prelude::*;

    #[test]
    fn trims_as_str_does() {
        for text in [
            "",
            " ",
            "\u{b}a\u{c}",
            " a b ",
            "\u{a0}a\u{3000}",
            " \u{2003} a",
            "é",
            " é ",
            "a\u{85}",
            "\u{1c}a",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_str(text in "[a,/ \t\u{b}\u{a0}\u{3000}é:.]{0,40}", needle in prop_oneof![Just(b','), Just(b':'), Just(b'/')]) {
            prop_assert_eq!(find(text.as_bytes(), needle), text.bytes().position(|b| b == needle));
            prop_assert_eq!(count(text.as_bytes(), needle), text.bytes().filter(|&b| b == needle).count());
            prop_assert_eq!(split_once(&text, needle), text.split_once(char::from(needle)));
            prop_assert_eq!(trim(&text), text.trim());
        }
    }
}
