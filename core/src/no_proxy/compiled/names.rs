//! Name entries indexed by their suffix text, looked up once per label suffix of the host.
//!
//! A host `api.eu.example.com` is covered by an entry exactly when the entry's suffix
//! equals one of `com`, `example.com`, `eu.example.com`, `api.eu.example.com` (ignoring
//! ASCII case), which is the linear matcher's label-boundary rule restated. The host is
//! walked once from the right, a label at a time ([`name_hash`](super::name_hash)); a
//! suffix is probed only when some entry has its length, and the walk stops past the
//! longest entry. Nothing is copied.

use alloc::vec::Vec;

use super::keyed::{Groups, NONE};
use super::name_hash::{self, START};
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
    longest: usize,
}

impl NameSet {
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
        let same = |id: usize| key_text(value, keys[id]).eq_ignore_ascii_case(text);
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
                if self.table.has_room() {
                    self.table.place(hash, self.keys.len() - 1);
                } else {
                    self.table = Table::with_room(2 * self.keys.len());
                    for (id, &hash) in self.hashes.iter().enumerate() {
                        self.table.place(hash, id);
                    }
                }
                self.lengths[text.len() / 64] |= 1 << (text.len() % 64);
                self.longest = self.longest.max(text.len());
                self.keys.len() - 1
            }
        };
        groups.add(&mut self.keys[id].entries, port, position);
    }

    /// Packs the table to its final size once every entry is added.
    pub(super) fn finish(&mut self) {
        self.table = Table::build(&self.hashes);
        self.hashes = Vec::new();
        self.keys.shrink_to_fit();
    }

    /// The earliest entry covering `name` (without its trailing dot) on `port`, or
    /// [`NONE`]. `value` is the list's value the keys point into.
    #[inline]
    pub(super) fn earliest(&self, value: &str, name: &[u8], port: u16, groups: &Groups) -> u32 {
        let mut earliest = NONE;
        let mut state = START;
        let mut end = name.len();
        loop {
            let start = last_dot(&name[..end]).map_or(0, |dot| dot + 1);
            let length = name.len() - start;
            if length > self.longest {
                break;
            }
            state = name_hash::extend(state, &name[start..end]);
            if self.lengths[length / 64] >> (length % 64) & 1 == 1 {
                let suffix = &name[start..];
                let same = |id: usize| key_text(value, self.keys[id]).eq_ignore_ascii_case(suffix);
                if let Some(id) = self.table.find(state, same) {
                    earliest = earliest.min(groups.earliest(self.keys[id].entries, port));
                }
            }
            if start == 0 {
                break;
            }
            end = start - 1;
        }
        earliest
    }
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
    use super::last_dot;

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
