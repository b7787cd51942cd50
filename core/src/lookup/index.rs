//! A minimal open-addressing hash index: items in insertion order, probed by a hash the
//! caller computes and an equality the caller supplies.
//!
//! Why not a `HashMap`: the crate is `no_std` (no `std::collections::HashMap`), and the
//! name table must look up host suffixes ignoring ASCII case without building a lowercase
//! key. Taking `(hash, eq)` from the caller gives both, with no dependency.

use alloc::vec;
use alloc::vec::Vec;

/// Marks an empty slot; a full slot holds an item position.
const EMPTY: u32 = u32::MAX;

/// Items of type `T` found by hash and caller-supplied equality.
#[derive(Clone, Debug)]
pub(crate) struct HashIndex<T> {
    /// Positions into `items`, `EMPTY` when free; the length is zero or a power of two
    /// at least twice `items.len()`, so probe runs stay short.
    slots: Vec<u32>,
    /// Each item with its full hash, compared before calling `eq`.
    items: Vec<(u64, T)>,
}

impl<T> Default for HashIndex<T> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> HashIndex<T> {
    /// The item with this hash for which `eq` holds, if any.
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(&T) -> bool) -> Option<&T> {
        let position = self.position(hash, &mut eq)?;
        self.items.get(position).map(|(_, item)| item)
    }

    /// The position of the item with this hash for which `eq` holds, for
    /// [`get_mut`](Self::get_mut).
    pub(crate) fn position(&self, hash: u64, mut eq: impl FnMut(&T) -> bool) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = start(hash, mask);
        loop {
            let slot = *self.slots.get(at)?;
            if slot == EMPTY {
                return None;
            }
            let (stored, item) = self.items.get(slot as usize)?;
            if *stored == hash && eq(item) {
                return Some(slot as usize);
            }
            at = (at + 1) & mask;
        }
    }

    /// The item at a position returned by [`position`](Self::position) or
    /// [`insert`](Self::insert).
    pub(crate) fn get_mut(&mut self, position: usize) -> &mut T {
        &mut self.items[position].1
    }

    /// Adds an item the caller knows is not present yet; returns its position.
    pub(crate) fn insert(&mut self, hash: u64, item: T) -> usize {
        if self.slots.len() < 2 * (self.items.len() + 1) {
            self.grow();
        }
        let position = self.items.len();
        // More than 2^32 - 1 items cannot be indexed; the configuration this is built from
        // would be tens of gigabytes, so treat it as the invariant it is.
        let position = u32::try_from(position).unwrap_or_else(|_| panic!("index overflow"));
        self.items.push((hash, item));
        self.place(hash, position);
        position as usize
    }

    fn grow(&mut self) {
        let size = (2 * (self.items.len() + 1)).next_power_of_two().max(8);
        self.slots = vec![EMPTY; size];
        for position in 0..self.items.len() {
            let hash = self.items[position].0;
            self.place(hash, position as u32);
        }
    }

    fn place(&mut self, hash: u64, position: u32) {
        let mask = self.slots.len() - 1;
        let mut at = start(hash, mask);
        while self.slots[at] != EMPTY {
            at = (at + 1) & mask;
        }
        self.slots[at] = position;
    }
}

/// The first slot to probe: the high bits, which the callers' mixing makes the best ones.
fn start(hash: u64, mask: usize) -> usize {
    (hash.rotate_left(32) as usize) & mask
}

#[cfg(test)]
mod tests {
    use super::HashIndex;
    use crate::lookup::mix;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let mut index = HashIndex::default();
        assert_eq!(index.find(mix(1), |_| true), None);
        for key in 0u64..1000 {
            index.insert(mix(key), key);
        }
        for key in 0u64..1000 {
            assert_eq!(index.find(mix(key), |&k| k == key), Some(&key));
        }
        assert_eq!(index.find(mix(1000), |&k| k == 1000), None);
        let position = index.position(mix(7), |&k| k == 7);
        *index.get_mut(position.expect("7 was inserted")) = 7000;
        assert_eq!(index.find(mix(7), |&k| k == 7000), Some(&7000));
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_equality() {
        let mut index = HashIndex::default();
        for key in 0u32..50 {
            index.insert(42, key);
        }
        for key in 0u32..50 {
            assert_eq!(index.find(42, |&k| k == key), Some(&key));
        }
        assert_eq!(index.find(42, |&k| k == 50), None);
    }
}
