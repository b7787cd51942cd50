//! What one key (a name suffix or a network) stands for: the earliest entry under it for
//! any port, packed into a `u32`, or, for the rare keys that also have `host:port` entries,
//! a group listing the earliest entry per port.
//!
//! ```text
//! 0 ..= 0x7FFF_FFFE   the earliest entry position (no entry restricted to a port)
//! 0x7FFF_FFFF         no entry (NONE)
//! 0x8000_0000 | g     group g of `Groups`: any-port entry + entries per port
//! ```

use alloc::vec::Vec;

/// No entry: larger than every entry position, so `min` ignores it.
pub(super) const NONE: u32 = 0x7FFF_FFFF;
const GROUP: u32 = 0x8000_0000;

/// The per-port entries of keys that have some; indexed by a key's packed value.
#[derive(Clone, Debug, Default)]
pub(super) struct Groups(Vec<Group>);

/// The entries under one key that has `host:port` entries.
#[derive(Clone, Debug)]
struct Group {
    any_port: u32,
    /// Sorted by port, for a binary search.
    by_port: Vec<(u16, u32)>,
}

impl Groups {
    /// Records entry `position` (below [`NONE`]), restricted to `port` if it has one, under
    /// the key whose packed value is `key`. Entries come in list order, so the first
    /// position recorded for a port (or for any port) is the earliest.
    pub(super) fn add(&mut self, key: &mut u32, port: Option<u16>, position: u32) {
        debug_assert!(position < NONE, "position out of range");
        if *key & GROUP == 0 {
            let Some(port) = port else {
                *key = (*key).min(position);
                return;
            };
            let group = u32::try_from(self.0.len()).unwrap_or(NONE);
            self.0.push(Group {
                any_port: *key,
                by_port: Vec::new(),
            });
            *key = GROUP | group;
            self.add(key, Some(port), position);
            return;
        }
        let Some(group) = self.0.get_mut((*key & !GROUP) as usize) else {
            return;
        };
        match port {
            None => group.any_port = group.any_port.min(position),
            Some(port) => match group.by_port.binary_search_by_key(&port, |&(p, _)| p) {
                Ok(_) => {}
                Err(at) => group.by_port.insert(at, (port, position)),
            },
        }
    }

    /// The earliest entry under the key `key` that applies to `port`, or [`NONE`].
    #[inline]
    pub(super) fn earliest(&self, key: u32, port: u16) -> u32 {
        if key & GROUP == 0 {
            return key;
        }
        let Some(group) = self.0.get((key & !GROUP) as usize) else {
            return NONE;
        };
        let for_port = match group.by_port.binary_search_by_key(&port, |&(p, _)| p) {
            Ok(at) => group.by_port[at].1,
            Err(_) => NONE,
        };
        group.any_port.min(for_port)
    }

    /// Gives back spare capacity once the set is built.
    pub(super) fn shrink(&mut self) {
        self.0.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::{Groups, NONE};

    #[test]
    fn the_earliest_applicable_entry_wins() {
        let mut groups = Groups::default();
        let mut key = NONE;
        assert_eq!(groups.earliest(key, 443), NONE);
        groups.add(&mut key, Some(8080), 1);
        groups.add(&mut key, None, 4);
        groups.add(&mut key, Some(8080), 7);
        groups.add(&mut key, Some(443), 9);
        groups.add(&mut key, None, 11);
        assert_eq!(groups.earliest(key, 8080), 1);
        assert_eq!(groups.earliest(key, 443), 4);
        assert_eq!(groups.earliest(key, 80), 4);
        let mut plain = NONE;
        groups.add(&mut plain, None, 5);
        groups.add(&mut plain, None, 2);
        assert_eq!(groups.earliest(plain, 1), 2);
    }
}
