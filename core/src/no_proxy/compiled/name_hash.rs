//! The hash of a name suffix, computed label by label from the right, so that a host's
//! suffixes `com`, `example.com`, `api.example.com` are hashed in one right-to-left walk
//! and each label is read once, up to 8 bytes at a time.
//!
//! Case is folded by OR-ing `0x20` into every byte, which maps `A-Z` to `a-z` and leaves
//! the other bytes of a valid name (`a-z 0-9 - _`) distinct, so names equal ignoring ASCII
//! case hash alike. The hash only has to be a deterministic function of the folded bytes:
//! short labels are read as overlapping words (the wyhash way), and every candidate is
//! confirmed by comparing the text.

/// The state before the first (rightmost) label.
pub(super) const START: u64 = 0x243f_6a88_85a3_08d3;

const K0: u64 = 0xa076_1d64_78bd_642f;
const K1: u64 = 0xe703_7ed1_a0b4_28db;
const K2: u64 = 0x8ebc_6af0_9c88_c6e3;
const FOLD: u64 = 0x2020_2020_2020_2020;

/// The hash of the suffix made of `label` in front of the suffix whose hash is `state`.
#[inline]
pub(super) fn extend(state: u64, label: &[u8]) -> u64 {
    mum(state ^ K1, label_hash(label) ^ K2)
}

/// The hash of a whole suffix (`example.com`), as the walk over a host computes it.
pub(super) fn suffix(text: &[u8]) -> u64 {
    text.rsplit(|&byte| byte == b'.').fold(START, extend)
}

#[inline]
fn label_hash(bytes: &[u8]) -> u64 {
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
    use super::{START, extend, suffix};

    #[test]
    fn case_is_folded_and_suffixes_build_on_each_other() {
        assert_eq!(suffix(b"Example.COM"), suffix(b"example.com"));
        let com = extend(START, b"com");
        assert_eq!(suffix(b"com"), com);
        assert_eq!(suffix(b"example.com"), extend(com, b"example"));
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
        ] {
            assert!(seen.insert(suffix(text.as_bytes())), "{text}");
        }
    }
}
