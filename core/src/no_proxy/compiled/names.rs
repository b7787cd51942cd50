//! Name entries indexed by their suffix text, looked up once per label suffix of the host.
//!
//! A host `api.eu.example.com` is covered by an entry exactly when the entry's suffix
//! equals one of `com`, `example.com`, `eu.example.com`, `api.eu.example.com` (ignoring
//! ASCII case), which is the linear matcher's label-boundary rule restated. The host is
//! walked once from the right, a label at a time; a suffix is hashed and probed
//! ([`name_hash`](super::name_hash)) only when some entry has its length, and the walk
//! stops past the longest entry. Nothing is copied.

use alloc::vec::Vec;

use super::keyed::{Groups, NONE};
use super::name_hash;
use super::table::Table;

/// One distinct suffix: where its text is in the list's value, and its entries.
#[derive(Clone, Copy, Debug)]
struct Key {
    start: u32,
    entries: u32,
    len: u8,
}

/// Name entries by suffix text, case-insensitively.
#[derive(Clone, Debug, Default)]
pub(super) struct NameSet {
    keys: Vec<Key>,
    table: Table,
    /// Each key's hash, while building (empty afterwards).
    hashes: Vec<u64>,
    /// Bit `n` is set when some suffix is `n` bytes long (names are at most 253).
    lengths: [u64; 4],
    /// `lengths[0]` mirrored: bit `63 - n` set when some suffix is `n` bytes long.
    lengths_reversed: u64,
    longest: usize,
}

impl NameSet {
    /// An empty set with room for `names` distinct suffixes before it has to grow (the
    /// builder passes the number of pieces in the value, an upper bound).
    pub(super) fn with_room(names: usize) -> Self {
        Self {
            keys: Vec::with_capacity(names),
            table: Table::with_room(names),
            hashes: Vec::with_capacity(names),
            lengths: [0; 4],
            lengths_reversed: 0,
            longest: 0,
        }
    }

    /// Records that entry `position`, whose suffix is `value[start..end]`, covers that
    /// suffix on `port` (or every port).
    pub(super) fn add(
        &mut self,
        value: &str,
        (start, end): (usize, usize),
        port: Option<u16>,
        position: u32,
        groups: &mut Groups,
    ) {
        let text = &value.as_bytes()[start..end];
        let hash = name_hash::suffix(text);
        let keys = &self.keys;
        let same = |id: usize| name_hash::same(key_text(value, keys[id]), text);
        let id = match self.table.find(hash, same) {
            Some(id) => id,
            None => {
                let (Ok(start), Ok(len)) = (u32::try_from(start), u8::try_from(text.len())) else {
                    panic!("a no_proxy value of 4 GiB, or a name over 255 bytes");
                };
                self.keys.push(Key {
                    start,
                    entries: NONE,
                    len,
                });
                self.hashes.push(hash);
                if !self.table.has_room() {
                    self.table =
                        Table::build(&self.hashes[..self.hashes.len() - 1], 2 * self.keys.len());
                }
                self.table.place(hash, self.keys.len() - 1);
                self.lengths[text.len() / 64] |= 1 << (text.len() % 64);
                self.longest = self.longest.max(text.len());
                self.keys.len() - 1
            }
        };
        groups.add(&mut self.keys[id].entries, port, position);
    }

    /// Packs the table to its final size once every entry is added.
    pub(super) fn finish(&mut self) {
        if !self.table.fits(self.keys.len()) {
            self.table = Table::build(&self.hashes, self.keys.len());
        }
        self.hashes = Vec::new();
        self.keys.shrink_to_fit();
        self.lengths_reversed = self.lengths[0].reverse_bits();
    }

    /// The earliest entry covering `name` (without its trailing dot) on `port`, or
    /// [`NONE`]. `value` is the list's value the keys point into.
    #[inline]
    pub(super) fn earliest(&self, value: &str, name: &[u8], port: u16, groups: &Groups) -> u32 {
        let n = name.len();
        if n >= 64 {
            return self.earliest_long(value, name, port, groups);
        }
        // Where a suffix may start: after each dot, and at 0. Of those, only the starts
        // `s` whose length `n - s` some entry has are probed: bit `s` of `by_start`, the
        // length bitmap mirrored so that length `n` lands on bit 0.
        let starts = (dots(name) << 1) | 1;
        let by_start = self.lengths_reversed >> (63 - n);
        let mut probe = starts & by_start;
        let mut earliest = NONE;
        while probe != 0 {
            let start = probe.trailing_zeros() as usize;
            probe &= probe - 1;
            earliest = earliest.min(self.probe(value, &name[start..], port, groups));
        }
        earliest
    }

    /// [`earliest`](Self::earliest) for a name of 64 bytes or more: walks the labels from
    /// the right, stopping past the longest entry.
    fn earliest_long(&self, value: &str, name: &[u8], port: u16, groups: &Groups) -> u32 {
        let mut earliest = NONE;
        let mut end = name.len();
        loop {
            let start = last_dot(&name[..end]).map_or(0, |dot| dot + 1);
            let length = name.len() - start;
            if length > self.longest {
                break;
            }
            if self.lengths[length / 64] >> (length % 64) & 1 == 1 {
                earliest = earliest.min(self.probe(value, &name[start..], port, groups));
            }
            if start == 0 {
                break;
            }
            end = start - 1;
        }
        earliest
    }

    /// The earliest entry whose suffix is `suffix` (ignoring case) on `port`, or [`NONE`].
    #[inline]
    fn probe(&self, value: &str, suffix: &[u8], port: u16, groups: &Groups) -> u32 {
        let same = |id: usize| name_hash::same(key_text(value, self.keys[id]), suffix);
        match self.table.find(name_hash::suffix(suffix), same) {
            Some(id) => groups.earliest(self.keys[id].entries, port),
            None => NONE,
        }
    }
}

/// Bit `i` set where `name[i]` is a dot, for a name shorter than 64 bytes; eight bytes at
/// a time, the last word overlapping the one before it.
#[inline]
fn dots(name: &[u8]) -> u64 {
    let n = name.len();
    debug_assert!(n < 64, "only for names shorter than 64 bytes");
    if n < 8 {
        return name
            .iter()
            .enumerate()
            .fold(0, |mask, (i, &byte)| mask | (u64::from(byte == b'.') << i));
    }
    let mut mask = 0;
    let mut at = 0;
    while at + 8 < n {
        mask |= word_dots(load8(name, at)) << at;
        at += 8;
    }
    mask | (word_dots(load8(name, n - 8)) << (n - 8))
}

/// Bit `i` set where byte `i` of the little-endian `word` is a dot.
#[inline]
fn word_dots(word: u64) -> u64 {
    const DOTS: u64 = 0x2e2e_2e2e_2e2e_2e2e;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = word ^ DOTS;
    // 0x80 exactly in the bytes of `x` that are zero.
    let zero = !(((x & LOW7) + LOW7) | x) & HIGH;
    // Gathers the eight flags into the top byte, byte `i` to bit `56 + i`.
    ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

#[inline]
fn load8(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The position of the last `.` in `bytes`, read 8 bytes at a time from the end (labels are
/// often longer than a few bytes, and this runs once per label of every host).
#[inline]
fn last_dot(bytes: &[u8]) -> Option<usize> {
    const DOTS: u64 = 0x2e2e_2e2e_2e2e_2e2e;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut end = bytes.len();
    while end >= 8 {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[end - 8..end]);
        let x = u64::from_be_bytes(word) ^ DOTS;
        // Exact flags: a byte is flagged only when it is zero (no borrow tricks, since the
        // highest flag is wanted and borrows run upwards).
        let found = !(((x & !HIGH) + !HIGH) | x) & HIGH;
        if found != 0 {
            // Big-endian: the last byte is the lowest, so the last dot is the lowest flag.
            return Some(end - 1 - (found.trailing_zeros() / 8) as usize);
        }
        end -= 8;
    }
    bytes[..end].iter().rposition(|&byte| byte == b'.')
}

fn key_text(value: &str, key: Key) -> &[u8] {
    let start = key.start as usize;
    value
        .as_bytes()
        .get(start..start + usize::from(key.len))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{dots, last_dot};

    #[test]
    fn dots_marks_every_dot_at_every_length() {
        let text = b"a.bc..defghijk.lmnopqrstuvwxyz0.123456789-abcdefghijklmnopqr.st.";
        for len in 0..64 {
            let name = &text[..len];
            let expected = name
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'.')
                .fold(0u64, |mask, (i, _)| mask | 1 << i);
            assert_eq!(dots(name), expected, "{len}");
            let all = std::vec![b'.'; len];
            assert_eq!(dots(&all), (1u64 << len) - 1, "all dots, {len}");
        }
    }

    #[test]
    fn last_dot_finds_the_last_dot_at_any_position() {
        for text in [
            "",
            ".",
            "a",
            "a.b",
            "abcdefgh.",
            ".abcdefghij",
            "a.bcdefghijklmnopq",
            "abcdefghijklmnop",
        ] {
            let bytes = text.as_bytes();
            assert_eq!(
                last_dot(bytes),
                bytes.iter().rposition(|&b| b == b'.'),
                "{text}"
            );
        }
        let mut bytes = *b"...0123456789abcdef.-_";
        for at in 0..bytes.len() {
            assert_eq!(
                last_dot(&bytes[..at]),
                bytes[..at].iter().rposition(|&b| b == b'.')
            );
            bytes[at] = b'.';
        }
    }
}
