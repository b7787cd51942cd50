//! The entries stored under one key (a name suffix or a network): the earliest entry
//! without a port, and the earliest entry for each port that has one.

use alloc::vec::Vec;

/// No entry: larger than every entry position, so `min` ignores it.
pub(super) const NONE: usize = usize::MAX;

/// Entry positions under one key. Entries are added in list order, so the first position
/// recorded for a port (or for "any port") is the earliest and later ones are dropped.
#[derive(Clone, Debug)]
pub(super) struct Candidates {
    any_port: usize,
    /// Sorted by port, for a binary search; empty (and unallocated) for most keys.
    by_port: Vec<(u16, usize)>,
}

impl Candidates {
    pub(super) fn new() -> Self {
        Self {
            any_port: NONE,
            by_port: Vec::new(),
        }
    }

    /// Records entry `position`, restricted to `port` if it has one.
    pub(super) fn add(&mut self, port: Option<u16>, position: usize) {
        match port {
            None => self.any_port = self.any_port.min(position),
            Some(port) => match self.by_port.binary_search_by_key(&port, |&(p, _)| p) {
                Ok(at) => self.by_port[at].1 = self.by_port[at].1.min(position),
                Err(at) => self.by_port.insert(at, (port, position)),
            },
        }
    }

    /// The earliest entry under this key that applies to `port`, or [`NONE`].
    pub(super) fn earliest(&self, port: u16) -> usize {
        let for_port = match self.by_port.binary_search_by_key(&port, |&(p, _)| p) {
            Ok(at) => self.by_port[at].1,
            Err(_) => NONE,
        };
        self.any_port.min(for_port)
    }
}

#[cfg(test)]
mod tests {
    use super::{Candidates, NONE};

    #[test]
    fn the_earliest_applicable_entry_wins() {
        let mut candidates = Candidates::new();
        assert_eq!(candidates.earliest(443), NONE);
        candidates.add(Some(8080), 1);
        candidates.add(None, 4);
        candidates.add(Some(8080), 7);
        candidates.add(Some(443), 9);
        assert_eq!(candidates.earliest(8080), 1);
        assert_eq!(candidates.earliest(443), 4);
        assert_eq!(candidates.earliest(80), 4);
    }
}
