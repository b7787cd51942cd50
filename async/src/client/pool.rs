//! The idle keep-alive pool of a [`Client`](super::Client): connections whose response was
//! read to its end wait here, per route key, until a request on the same route takes them
//! back, a cap pushes them out or they have been idle too long. Dropping a value closes it.
//!
//! The client's key is the target's scheme and authority plus the route taken (for a fixed
//! connector configuration the route is a function of the target, so a tunnel is never
//! shared between targets). Connections come in only from a response body that was read to
//! its end, on a connection ureq-proto says may be kept alive and whose forward rewriter is
//! idle; a connection taken out is probed for a close (or stray bytes) from the peer first.
//!
//! Every parked value gets a sequence number; one ordered map over all keys holds them in
//! park order, which is also time order, and each key lists its own numbers oldest first:
//!
//! ```text
//!   parked (all keys):  #3 a   #4 b   #7 a   #8 c   #9 a      oldest ──► newest
//!   by key:             a: [#3, #7, #9]   b: [#4]   c: [#8]
//!
//!   put(k, v, now):  expire from the old end ─► k at its cap? close k's oldest
//!                    ─► pool at its cap? close the oldest of all ─► park v as newest
//!   take(k, now):    expire from the old end ─► pop k's newest ─► unlock ─► probe it
//!                    ─► closed by the peer? drop it and try k's next newest
//! ```
//!
//! - Idle age is enforced on every `put` and `take`, for all keys: expiry pops from the old
//!   end of the ordered map and stops at the first young value, so it never scans.
//! - Every step is O(log n) or amortised O(1): each value is parked once and removed once.
//! - A key whose list empties is removed from the map, so keys never accumulate.
//! - The lock is never held while a value is probed or dropped (closing a socket is a
//!   system call), only while the two maps are updated.
//! - The pool reads no clock: `now` comes in with every call (the client passes
//!   [`Instant::now`]), so tests run on a virtual clock.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::Connection;

/// A value the pool can hold: it can tell, without blocking, whether it is still usable.
pub(crate) trait Probe {
    /// Whether the value still looks usable. The pool calls it without its lock held, on the
    /// candidate a `take` is about to return; it MUST NOT block.
    fn is_still_open(&mut self) -> bool;
}

impl Probe for Connection {
    /// Reading would block: no data and no close from the peer.
    fn is_still_open(&mut self) -> bool {
        Connection::is_still_open(self)
    }
}

/// The limits of a [`Pool`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Values parked per key at most; 0 turns pooling off.
    pub(crate) per_key: usize,
    /// Values parked over all keys at most; 0 turns pooling off.
    pub(crate) total: usize,
    /// A value idle for longer than this is closed (one idle exactly this long is kept).
    pub(crate) age: Duration,
}

/// One parked value.
struct Parked<K, C> {
    /// Its key, to find its list in [`Idle::by_key`] when it leaves by age or global cap.
    key: K,
    /// When it was parked; never earlier than the value parked before it.
    since: Instant,
    /// The value itself.
    value: C,
}

/// The state behind the pool's lock.
struct Idle<K, C> {
    /// Every parked value by sequence number: park order, which is also `since` order.
    parked: BTreeMap<u64, Parked<K, C>>,
    /// The sequence numbers of each key, oldest first; never an empty list.
    by_key: HashMap<K, VecDeque<u64>>,
    /// The sequence number of the next value parked.
    next: u64,
}

/// Idle values per key `K`, one LRU over all keys with a cap per key, a cap in total and a
/// maximum idle age. Shared by reference (`&self`): one mutex guards the state.
pub(crate) struct Pool<K, C> {
    /// The parked values.
    idle: Mutex<Idle<K, C>>,
    /// Caps and age, fixed at creation.
    limits: Limits,
}

impl<K: Eq + Hash + Clone, C> Idle<K, C> {
    /// Removes expired values from the old end into `closing`; stops at the first young one.
    fn expire(&mut self, now: Instant, age: Duration, closing: &mut Vec<C>) {
        while let Some((_, oldest)) = self.parked.first_key_value() {
            if now.saturating_duration_since(oldest.since) <= age {
                break;
            }
            closing.extend(self.pop_oldest());
        }
    }

    /// Removes the oldest value of all keys: it is also the front of its key's list.
    fn pop_oldest(&mut self) -> Option<C> {
        let (seq, parked) = self.parked.pop_first()?;
        if let Some(list) = self.by_key.get_mut(&parked.key) {
            let front = list.pop_front();
            debug_assert_eq!(front, Some(seq), "a key's list is in park order");
            if list.is_empty() {
                self.by_key.remove(&parked.key);
            }
        }
        Some(parked.value)
    }

    /// Removes the newest (`newest`) or the oldest value parked for `key`.
    fn pop_of(&mut self, key: &K, newest: bool) -> Option<C> {
        let list = self.by_key.get_mut(key)?;
        let seq = if newest {
            list.pop_back()
        } else {
            list.pop_front()
        };
        if list.is_empty() {
            self.by_key.remove(key);
        }
        Some(self.parked.remove(&seq?)?.value)
    }

    /// Parks `value` as the newest, at `now` or, if a caller's clock was read earlier than
    /// the newest value's, at that value's time, so park order stays time order.
    fn park(&mut self, key: K, value: C, now: Instant) {
        let since = match self.parked.last_key_value() {
            Some((_, newest)) => now.max(newest.since),
            None => now,
        };
        let seq = self.next;
        self.next += 1;
        self.by_key.entry(key.clone()).or_default().push_back(seq);
        self.parked.insert(seq, Parked { key, since, value });
    }
}

impl<K: Eq + Hash + Clone, C: Probe> Pool<K, C> {
    /// An empty pool with `limits`.
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            idle: Mutex::new(Idle {
                parked: BTreeMap::new(),
                by_key: HashMap::new(),
                next: 0,
            }),
            limits,
        }
    }

    /// The state, even after a panic elsewhere: nothing that runs under the lock panics
    /// (values are probed and dropped outside it), and the pop functions tolerate a missing
    /// entry, so a poisoned lock still guards usable maps.
    fn lock(&self) -> MutexGuard<'_, Idle<K, C>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The most recently parked value for `key` that is young enough at `now` and passes the
    /// probe. Values found closed by the probe are dropped; expired ones of any key too.
    pub(crate) fn take(&self, key: &K, now: Instant) -> Option<C> {
        loop {
            let mut closing = Vec::new();
            let candidate = {
                let mut idle = self.lock();
                idle.expire(now, self.limits.age, &mut closing);
                idle.pop_of(key, true)
            };
            drop(closing);
            let mut value = candidate?;
            if value.is_still_open() {
                return Some(value);
            }
        }
    }

    /// Parks `value` for `key` at `now`. Expired values of any key are dropped first; then,
    /// at a cap, the oldest value of `key` (per-key cap) or of all keys (total cap).
    pub(crate) fn put(&self, key: K, value: C, now: Instant) {
        let Limits {
            per_key,
            total,
            age,
        } = self.limits;
        if per_key == 0 || total == 0 {
            return;
        }
        let mut closing = Vec::new();
        {
            let mut idle = self.lock();
            idle.expire(now, age, &mut closing);
            if idle
                .by_key
                .get(&key)
                .is_some_and(|list| list.len() >= per_key)
            {
                closing.extend(idle.pop_of(&key, false));
            }
            if idle.parked.len() >= total {
                closing.extend(idle.pop_oldest());
            }
            idle.park(key, value, now);
        }
        drop(closing);
    }

    /// How many values are parked, over all keys.
    pub(crate) fn len(&self) -> usize {
        self.lock().parked.len()
    }

    /// How many keys have a list (test-only: proves emptied lists are removed).
    #[cfg(test)]
    fn keys(&self) -> usize {
        self.lock().by_key.len()
    }

    /// Panics unless the two maps agree, no list is empty, both orders hold and the caps do.
    #[cfg(test)]
    fn assert_consistent(&self) {
        let idle = self.lock();
        let listed: usize = idle.by_key.values().map(VecDeque::len).sum();
        assert_eq!(
            listed,
            idle.parked.len(),
            "every parked value is listed once"
        );
        for (key, list) in &idle.by_key {
            assert!(!list.is_empty(), "no empty list");
            assert!(list.len() <= self.limits.per_key, "per-key cap");
            assert!(list.iter().zip(list.iter().skip(1)).all(|(a, b)| a < b));
            for seq in list {
                assert!(idle.parked.get(seq).is_some_and(|p| p.key == *key));
            }
        }
        assert!(idle.parked.len() <= self.limits.total, "total cap");
        let times: Vec<Instant> = idle.parked.values().map(|p| p.since).collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "park order is time order"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// The ids of the fake connections dropped by the pool, in drop order.
    type Closed = Rc<RefCell<Vec<u32>>>;

    /// A connection stand-in: an id, a probe answer, and a log its drop writes to.
    struct Fake {
        /// Which connection this is.
        id: u32,
        /// What the probe answers.
        open: bool,
        /// Where a drop is recorded; `None` once a test took it back out of the pool.
        closed: Option<Closed>,
    }

    impl Probe for Fake {
        /// The fixed answer.
        fn is_still_open(&mut self) -> bool {
            self.open
        }
    }

    impl Drop for Fake {
        /// Records a close by the pool.
        fn drop(&mut self) {
            if let Some(closed) = &self.closed {
                closed.borrow_mut().push(self.id);
            }
        }
    }

    /// A pool of fakes on a virtual clock (`base` plus whole seconds).
    struct Rig {
        /// The pool under test.
        pool: Pool<&'static str, Fake>,
        /// The fakes the pool dropped.
        closed: Closed,
        /// Time zero of the virtual clock.
        base: Instant,
    }

    impl Rig {
        /// A pool with these caps and a 10 s idle age.
        fn new(per_key: usize, total: usize) -> Self {
            let age = Duration::from_secs(10);
            Self {
                pool: Pool::new(Limits {
                    per_key,
                    total,
                    age,
                }),
                closed: Closed::default(),
                base: Instant::now(),
            }
        }

        /// The virtual instant `at` after time zero.
        fn at(&self, at: Duration) -> Instant {
            self.base + at
        }

        /// Parks fake `id` (answering the probe with `open`) for `key` at `at` seconds.
        fn put(&self, key: &'static str, id: u32, open: bool, at: u64) {
            let closed = Some(Rc::clone(&self.closed));
            let fake = Fake { id, open, closed };
            self.pool.put(key, fake, self.at(Duration::from_secs(at)));
            self.pool.assert_consistent();
        }

        /// Takes for `key` at `at` after time zero; the id of what came out (not a close).
        fn take_at(&self, key: &'static str, at: Duration) -> Option<u32> {
            let taken = self.pool.take(&key, self.at(at)).map(|mut fake| {
                fake.closed = None;
                fake.id
            });
            self.pool.assert_consistent();
            taken
        }

        /// Takes for `key` at `at` seconds.
        fn take(&self, key: &'static str, at: u64) -> Option<u32> {
            self.take_at(key, Duration::from_secs(at))
        }

        /// The ids closed so far, sorted.
        fn closed(&self) -> Vec<u32> {
            let mut closed = self.closed.borrow().clone();
            closed.sort_unstable();
            closed
        }
    }

    /// Fails if age is only checked for the key being used (the old pool), or only on one of
    /// take/put: a connection to a host never revisited must close on any later call.
    #[test]
    fn unrevisited_key_expires_on_any_put_or_take() {
        let rig = Rig::new(8, 100);
        rig.put("never-again", 1, true, 0);
        rig.put("other", 2, true, 10);
        assert_eq!(rig.closed(), Vec::<u32>::new(), "idle exactly 10 s is kept");
        rig.put("other", 3, true, 11);
        assert_eq!(
            rig.closed(),
            [1],
            "put closes another key's expired connection"
        );
        assert_eq!(rig.take("third", 22), None);
        assert_eq!(rig.closed(), [1, 2, 3], "take closes them too");
        assert_eq!((rig.pool.len(), rig.pool.keys()), (0, 0));
    }

    /// Fails if the per-route cap evicts the globally oldest (another route's), the newest,
    /// or nothing.
    #[test]
    fn per_route_cap_evicts_the_oldest_of_that_route() {
        let rig = Rig::new(2, 100);
        rig.put("b", 1, true, 0);
        rig.put("a", 2, true, 1);
        rig.put("a", 3, true, 2);
        rig.put("a", 4, true, 3);
        assert_eq!(rig.closed(), [2]);
        assert_eq!(rig.pool.len(), 3);
        assert_eq!(rig.take("a", 4), Some(4));
        assert_eq!(rig.take("a", 4), Some(3));
        assert_eq!(rig.take("a", 4), None);
        assert_eq!(rig.take("b", 4), Some(1), "the other route was left alone");
    }

    /// Fails if there is no global cap, if it evicts from the route being parked or the
    /// newcomer, or if the route it empties keeps an empty list.
    #[test]
    fn global_cap_evicts_the_globally_oldest() {
        let rig = Rig::new(8, 3);
        rig.put("a", 1, true, 0);
        rig.put("b", 2, true, 1);
        rig.put("a", 3, true, 2);
        rig.put("c", 4, true, 3);
        assert_eq!(rig.closed(), [1]);
        rig.put("c", 5, true, 4);
        assert_eq!(rig.closed(), [1, 2]);
        assert_eq!(
            (rig.pool.len(), rig.pool.keys()),
            (3, 2),
            "b's list is gone"
        );
        assert_eq!(rig.take("c", 4), Some(5));
        assert_eq!(rig.take("c", 4), Some(4));
        assert_eq!(rig.take("a", 4), Some(3));
    }

    /// Fails if take is FIFO, returns a connection the probe found closed (or keeps it), or
    /// returns an expired one.
    #[test]
    fn take_returns_the_newest_young_live_one_and_drops_dead_ones() {
        let rig = Rig::new(8, 100);
        rig.put("a", 1, true, 0);
        rig.put("a", 2, true, 5);
        rig.put("a", 3, true, 6);
        rig.put("a", 4, false, 7);
        rig.put("a", 5, false, 8);
        assert_eq!(rig.take("a", 11), Some(3), "the newest live one");
        assert_eq!(rig.closed(), [1, 4, 5], "the dead ones and the expired one");
        assert_eq!(rig.take("a", 11), Some(2));
        assert_eq!(rig.take("a", 11), None, "the expired one is not handed out");
        assert_eq!((rig.pool.len(), rig.pool.keys()), (0, 0));
    }

    /// Fails if a key's list stays in the map once emptied by take, expiry or a cap.
    #[test]
    fn emptied_key_lists_are_removed() {
        let rig = Rig::new(1, 2);
        rig.put("taken", 1, true, 0);
        rig.put("expired", 2, true, 0);
        assert_eq!(rig.take("taken", 1), Some(1));
        assert_eq!(rig.pool.keys(), 1);
        rig.put("evicts", 3, true, 11);
        assert_eq!(rig.pool.keys(), 1, "the expired key is gone");
        rig.put("second", 4, true, 12);
        rig.put("third", 5, true, 12);
        assert_eq!(rig.closed(), [2, 3]);
        assert_eq!(
            (rig.pool.len(), rig.pool.keys()),
            (2, 2),
            "the evicted key is gone"
        );
        for key in ["a", "b", "c"] {
            assert_eq!(rig.take(key, 12), None);
        }
        assert_eq!(rig.pool.keys(), 2, "a take of an unknown key adds none");
    }

    /// Fails if len() drifts from what is parked (an eviction, expiry or take not counted),
    /// or if a cap of 0 still parks.
    #[test]
    fn len_counts_what_is_parked() {
        let rig = Rig::new(2, 3);
        assert_eq!(rig.pool.len(), 0);
        rig.put("a", 1, true, 0);
        rig.put("b", 2, true, 1);
        rig.put("a", 3, true, 2);
        assert_eq!(rig.pool.len(), 3);
        rig.put("a", 4, true, 3);
        assert_eq!(rig.pool.len(), 3, "per-key eviction");
        rig.put("c", 5, true, 12);
        assert_eq!(rig.closed(), [1, 2], "b expired");
        assert_eq!(rig.pool.len(), 3);
        assert_eq!(rig.take("c", 11), Some(5));
        assert_eq!(rig.pool.len(), 2);
        for (per_key, total) in [(0, 3), (2, 0)] {
            let off = Rig::new(per_key, total);
            off.put("a", 9, true, 0);
            assert_eq!((off.pool.len(), off.closed()), (0, vec![9]), "pooling off");
        }
    }

    /// Fails if a caller whose clock reading is older than the newest parked value breaks
    /// time order (the consistency check after each call sees it; expiry relies on that
    /// order to stop at the first young value), or if such a value is closed too early.
    #[test]
    fn an_earlier_now_keeps_park_order_in_time_order() {
        let rig = Rig::new(8, 100);
        rig.put("a", 1, true, 10);
        rig.put("b", 2, true, 5);
        assert_eq!(rig.take("c", 20), None);
        assert_eq!(rig.closed(), Vec::<u32>::new());
        assert_eq!(rig.take_at("c", Duration::from_millis(20_001)), None);
        assert_eq!(rig.closed(), [1, 2]);
    }

    /// Fails on any divergence from a plain list model (one Vec in park order, scanned in
    /// full), over a long pseudo-random run of puts, takes and clock steps on a few keys.
    #[test]
    fn matches_a_naive_model() {
        const KEYS: [&str; 4] = ["a", "b", "c", "d"];
        let rig = Rig::new(3, 7);
        let mut model: Vec<(&str, u32, u64, bool)> = Vec::new();
        let mut model_closed = Vec::new();
        let (mut seed, mut now) = (0x2545_f491_u64, 0u64);
        for id in 0..5_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            now += seed % 3;
            let key = KEYS[(seed >> 8) as usize % KEYS.len()];
            model.retain(|&(_, old, since, _)| {
                let young = now - since <= 10;
                if !young {
                    model_closed.push(old);
                }
                young
            });
            if (seed >> 16) % 2 == 0 {
                let open = (seed >> 20) % 4 != 0;
                if model.iter().filter(|entry| entry.0 == key).count() >= 3 {
                    let first = model.iter().position(|entry| entry.0 == key);
                    model_closed.extend(first.map(|at| model.remove(at).1));
                }
                if model.len() >= 7 {
                    model_closed.push(model.remove(0).1);
                }
                model.push((key, id, now, open));
                rig.put(key, id, open, now);
            } else {
                let expected = loop {
                    let Some(at) = model.iter().rposition(|entry| entry.0 == key) else {
                        break None;
                    };
                    let (_, candidate, _, open) = model.remove(at);
                    if open {
                        break Some(candidate);
                    }
                    model_closed.push(candidate);
                };
                assert_eq!(rig.take(key, now), expected, "take {key} at {now}");
            }
            assert_eq!(rig.pool.len(), model.len());
            let keys = KEYS.iter().filter(|k| model.iter().any(|e| e.0 == **k));
            assert_eq!(rig.pool.keys(), keys.count());
        }
        model_closed.sort_unstable();
        assert_eq!(rig.closed(), model_closed);
    }
}
