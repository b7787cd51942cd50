//! Hashing and comparing name suffixes ignoring ASCII case, eight bytes at a time.
//!
//! A suffix is hashed from its own bytes (not label by label), so a host's walk hashes only
//! the suffixes whose length some entry has, which for short lists is one or none.
//!
//! Case is folded by OR-ing `0x20` into every byte: that maps `A-Z` to `a-z` and keeps the
//! other bytes of a valid name (`a-z 0-9 - . _`) distinct, so names equal ignoring ASCII
//! case hash alike. Every candidate is then confirmed by [`same`], which is exactly
//! `eq_ignore_ascii_case` when one side is a valid name (as every entry is), whatever
//! bytes the other side holds.

const K0: u64 = 0xa076_1d64_78bd_642f;
const K1: u64 = 0xe703_7ed1_a0b4_28db;
const K2: u64 = 0x8ebc_6af0_9c88_c6e3;
const FOLD: u64 = 0x2020_2020_2020_2020;
const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The hash of a whole suffix (`example.com`), ignoring ASCII case.
#[inline]
pub(super) fn suffix(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let (a, b) = if n <= 3 {
        match n {
            0 => (0, 0),
            _ => (
                (u64::from(bytes[0]) << 16)
                    | (u64::from(bytes[n / 2]) << 8)
                    | u64::from(bytes[n - 1]),
                0,
            ),
        }
    } else if n <= 8 {
        (load4(bytes, 0), load4(bytes, n - 4))
    } else if n <= 16 {
        (load8(bytes, 0), load8(bytes, n - 8))
    } else {
        // 16 bytes per step, then the last 16 (overlapping what came before).
        let mut acc = K2;
        let mut at = 0;
        while at + 16 < n {
            acc = mum(
                (load8(bytes, at) | FOLD) ^ K0,
                (load8(bytes, at + 8) | FOLD) ^ acc,
            );
            at += 16;
        }
        ((load8(bytes, n - 16) | FOLD) ^ acc, load8(bytes, n - 8))
    };
    mum((a | FOLD) ^ K0, (b | FOLD) ^ K1 ^ n as u64)
}

/// Whether `entry` (a valid name: `a-z A-Z 0-9 - . _`) and `other` (any bytes) are equal
/// ignoring ASCII case, as `eq_ignore_ascii_case` says.
#[inline]
pub(super) fn same(entry: &[u8], other: &[u8]) -> bool {
    let n = entry.len();
    if n != other.len() {
        return false;
    }
    if n < 8 {
        if n < 4 {
            return entry.eq_ignore_ascii_case(other);
        }
        return same_word(load4(entry, 0), load4(other, 0))
            && same_word(load4(entry, n - 4), load4(other, n - 4));
    }
    let mut at = 0;
    while at + 8 < n {
        if !same_word(load8(entry, at), load8(other, at)) {
            return false;
        }
        at += 8;
    }
    same_word(load8(entry, n - 8), load8(other, n - 8))
}

/// Eight bytes of a valid name against eight other bytes: they may differ only in bit
/// `0x20` of a letter of the name (which `eq_ignore_ascii_case` ignores).
#[inline]
fn same_word(entry: u64, other: u64) -> bool {
    let folded = entry | FOLD;
    // 0x80 per byte of `folded` in `a..=z` (bytes of a valid name are below 0x80, so the
    // additions carry into no other byte).
    let at_least_a = folded + LOW * u64::from(0x80 - b'a');
    let above_z = folded + LOW * u64::from(0x7F - b'z');
    let letters = at_least_a & !above_z & HIGH;
    (entry ^ other) & !(letters >> 2) == 0
}

/// The 128-bit product of `a` and `b`, its halves folded together.
#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    product as u64 ^ (product >> 64) as u64
}

#[inline]
fn load8(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

#[inline]
fn load4(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(word))
}

#[cfg(test)]
mod tests {
    use super::{same, suffix};
    use proptest::prelude::*;

    #[test]
    fn case_is_folded() {
        assert_eq!(suffix(b"Example.COM"), suffix(b"example.com"));
        let long = b"a-very-long-label-of-forty-bytes-or-more.example.com";
        assert_eq!(suffix(long), suffix(&long.to_ascii_uppercase()));
        let mut seen = std::collections::HashSet::new();
        for text in [
            "a",
            "b",
            "ab",
            "ba",
            "abc",
            "abcd",
            "a.b",
            "b.a",
            "ab.c",
            "a.bc",
            "abcdefghi",
            "_",
            "-",
        ] {
            assert!(seen.insert(suffix(text.as_bytes())), "{text}");
        }
    }

    #[test]
    fn same_is_exact_on_the_bytes_case_folding_confuses() {
        // `|0x20` maps these onto name bytes; `same` must still tell them apart.
        for (entry, other) in [
            ("a1", "a\u{11}"),
            ("a-b", "a\rb"),
            ("a.b", "a\u{e}b"),
            ("a_b", "a\u{7f}b"),
            ("example-1.com", "example\r1.com"),
            ("example_1.com", "example\u{7f}1.com"),
            ("abcdefgh1", "abcdefgh\u{11}"),
        ] {
            assert!(!same(entry.as_bytes(), other.as_bytes()), "{other:?}");
        }
        assert!(same(b"Example-1.COM", b"eXAMPLE-1.com"));
        assert!(same(b"a_B", b"A_b"));
    }

    proptest! {
        #[test]
        fn same_is_eq_ignore_ascii_case(
            entry in "[a-zA-Z0-9._-]{0,40}",
            flips in any::<u64>(),
            noise in proptest::collection::vec(any::<u8>(), 0..3),
            at in any::<usize>(),
        ) {
            let entry = entry.into_bytes();
            // A case-changed copy, with some bytes replaced by arbitrary ones.
            let mut other: std::vec::Vec<u8> = entry
                .iter()
                .enumerate()
                .map(|(i, &b)| if flips >> (i % 64) & 1 == 1 { b ^ 0x20 } else { b })
                .collect();
            for (k, &byte) in noise.iter().enumerate() {
                if !other.is_empty() {
                    let len = other.len();
                    other[(at + k * 7) % len] = byte;
                }
            }
            prop_assert_eq!(same(&entry, &other), entry.eq_ignore_ascii_case(&other));
            if entry.eq_ignore_ascii_case(&other) {
                prop_assert_eq!(suffix(&entry), suffix(&other));
            }
        }
    }
}
