//! Name entries indexed by their text, looked up once per label suffix of the host.
//!
//! A host `api.eu.example.com` is covered by an entry exactly when the entry's suffix
//! equals one of `com`, `example.com`, `eu.example.com`, `api.eu.example.com` (ignoring
//! ASCII case), which is the linear matcher's label-boundary rule restated. The host is
//! read once, right to left, folding each byte (lowercased) into a running hash; at every
//! `.` the hash of the suffix after it is complete and is probed. Nothing is copied.

use super::candidates::{Candidates, NONE};
use crate::lookup::index::HashIndex;
use crate::lookup::mix;

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// One entry suffix: its bytes' place in the list's value, and the entries using it.
#[derive(Clone, Debug)]
struct Suffix {
    start: usize,
    end: usize,
    candidates: Candidates,
}

/// Name entries by suffix text, case-insensitively.
#[derive(Clone, Debug, Default)]
pub(super) struct NameSet {
    suffixes: HashIndex<Suffix>,
    /// Bit `n` is set when some suffix is `n` bytes long, so most host suffixes that
    /// cannot match are skipped without a probe (lengths past 255 are always probed).
    lengths: [u64; 4],
}

impl NameSet {
    /// Records that entry `position`, whose suffix is `value[start..end]`, covers that
    /// suffix on `port` (or every port).
    pub(super) fn add(
        &mut self,
        value: &str,
        (start, end): (usize, usize),
        port: Option<u16>,
        position: usize,
    ) {
        let text = &value.as_bytes()[start..end];
        let hash = mix(text
            .iter()
            .rev()
            .fold(SEED, |state, &byte| step(state, byte)));
        let same =
            |suffix: &Suffix| value.as_bytes()[suffix.start..suffix.end].eq_ignore_ascii_case(text);
        let at = match self.suffixes.position(hash, same) {
            Some(at) => at,
            None => self.suffixes.insert(
                hash,
                Suffix {
                    start,
                    end,
                    candidates: Candidates::new(),
                },
            ),
        };
        self.suffixes.get_mut(at).candidates.add(port, position);
        if let Some(word) = self.lengths.get_mut(text.len() / 64) {
            *word |= 1 << (text.len() % 64);
        }
    }

    /// The earliest entry covering `name` (without its trailing dot) on `port`, or
    /// [`NONE`]. `value` is the list's value the positions point into.
    pub(super) fn earliest(&self, value: &str, name: &str, port: u16) -> usize {
        let bytes = name.as_bytes();
        let mut state = SEED;
        let mut earliest = NONE;
        for at in (0..bytes.len()).rev() {
            if bytes[at] == b'.' {
                earliest = earliest.min(self.probe(value, &bytes[at + 1..], state, port));
            }
            state = step(state, bytes[at]);
        }
        earliest.min(self.probe(value, bytes, state, port))
    }

    fn probe(&self, value: &str, suffix: &[u8], state: u64, port: u16) -> usize {
        let length = suffix.len();
        let present = self
            .lengths
            .get(length / 64)
            .is_none_or(|word| word >> (length % 64) & 1 == 1);
        if !present {
            return NONE;
        }
        let same =
            |entry: &Suffix| value.as_bytes()[entry.start..entry.end].eq_ignore_ascii_case(suffix);
        self.suffixes
            .find(mix(state), same)
            .map_or(NONE, |entry| entry.candidates.earliest(port))
    }
}

/// FNV-1a over ASCII-lowercased bytes, so `Example` and `example` hash alike.
fn step(state: u64, byte: u8) -> u64 {
    (state ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(PRIME)
}
