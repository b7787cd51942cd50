//! A compact open-addressing table from caller-computed 64-bit hashes to item ids; the
//! caller keeps the items and confirms a candidate id with its own equality.
//!
//! Each slot is one `u32`: `id + 1` in the low bits (0 = empty) and as many bits of the
//! hash as are left above them as a tag, so a probe rejects almost every other item
//! without touching it. The table is kept under 1/2 load, so a probe for an absent key
//! reads about 2.5 slots, usually in one cache line. The slot count is not a power of two:
//! a hash's low 32 bits pick the home slot by multiply-and-shift.

use alloc::vec;
use alloc::vec::Vec;

/// Hash to item-id table; see the module doc.
#[derive(Clone, Debug, Default)]
pub(super) struct Table {
    slots: Vec<u32>,
    /// The bits of a slot that hold `id + 1`.
    id_mask: u32,
    len: usize,
}

impl Table {
    /// A table holding the items whose hashes are `hashes` (item id = position), with room
    /// for `room` items in all (at least `hashes.len()`).
    pub(super) fn build(hashes: &[u64], room: usize) -> Self {
        let mut table = Self::with_room(room.max(hashes.len()));
        for (id, &hash) in hashes.iter().enumerate() {
            table.place(hash, id);
        }
        table
    }

    /// An empty table with room for `items` items.
    pub(super) fn with_room(items: usize) -> Self {
        // Enough low bits for every `id + 1` up to `items`.
        let id_bits = usize::BITS - (items + 1).leading_zeros();
        let Some(id_mask) = 1u32.checked_shl(id_bits).map(|bit| bit - 1) else {
            panic!("more than 2^31 keys in one table");
        };
        Self {
            slots: vec![0; 2 * items + 1],
            id_mask,
            len: 0,
        }
    }

    /// Whether this table is the size [`with_room`](Self::with_room) gives for `items`
    /// items, so that rebuilding it for them would not make it smaller.
    pub(super) fn fits(&self, items: usize) -> bool {
        self.slots.len() == 2 * items + 1
    }

    /// Whether another item fits under 1/2 load.
    pub(super) fn has_room(&self) -> bool {
        2 * (self.len + 1) < self.slots.len()
    }

    /// Adds item `id` (below the room the table was made with), which the caller knows is
    /// not present.
    pub(super) fn place(&mut self, hash: u64, id: usize) {
        let stored = u32::try_from(id + 1).unwrap_or(u32::MAX);
        assert!(stored <= self.id_mask, "the table was made for fewer items");
        let size = self.slots.len();
        let mut at = home(hash, size);
        while self.slots[at] != 0 {
            at = if at + 1 == size { 0 } else { at + 1 };
        }
        self.slots[at] = (tag(hash) & !self.id_mask) | stored;
        self.len += 1;
    }

    /// The first item with this hash for which `is` holds.
    #[inline]
    pub(super) fn find(&self, hash: u64, mut is: impl FnMut(usize) -> bool) -> Option<usize> {
        let size = self.slots.len();
        if size == 0 {
            return None;
        }
        let tag = tag(hash) & !self.id_mask;
        let mut at = home(hash, size);
        loop {
            let slot = *self.slots.get(at)?;
            if slot == 0 {
                return None;
            }
            if slot & !self.id_mask == tag {
                let id = (slot & self.id_mask) as usize - 1;
                if is(id) {
                    return Some(id);
                }
            }
            at = if at + 1 == size { 0 } else { at + 1 };
        }
    }
}

/// The hash's high 32 bits, of which a slot keeps those above its id bits.
#[inline]
fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// The home slot of `hash` among `size` slots: its low 32 bits scaled to `0..size`.
#[inline]
fn home(hash: u64, size: usize) -> usize {
    (((hash & 0xFFFF_FFFF) * size as u64) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::Table;

    fn hash(key: u64) -> u64 {
        crate::lookup::mix(key)
    }

    #[test]
    fn finds_what_was_placed_and_nothing_else() {
        let hashes: std::vec::Vec<u64> = (0..1000).map(hash).collect();
        let table = Table::build(&hashes, 0);
        for key in 0..1000 {
            assert_eq!(
                table.find(hash(key), |id| id as u64 == key),
                Some(key as usize)
            );
        }
        assert_eq!(table.find(hash(1000), |_| true), None);
        assert_eq!(Table::default().find(1, |_| true), None);
    }

    #[test]
    fn equal_hashes_are_told_apart_by_the_caller() {
        let table = Table::build(&[42; 50], 0);
        for key in 0..50 {
            assert_eq!(table.find(42, |id| id == key), Some(key));
        }
        assert_eq!(table.find(42, |_| false), None);
        let mut growing = Table::with_room(2);
        assert!(growing.has_room());
        growing.place(7, 0);
        growing.place(7, 1);
        assert!(!growing.has_room());
        assert_eq!(growing.find(7, |id| id == 1), Some(1));
    }
}
