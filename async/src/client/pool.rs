//! Idle keep-alive connections, per route key, with a limit per key and a maximum idle age.
//!
//! The key is the target's scheme and authority plus the route taken (for a fixed
//! connector configuration the route is a function of the target, so a tunnel is never
//! shared between targets). Connections come in only from a response body that was read to
//! its end, on a connection ureq-proto says may be kept alive and whose forward rewriter is
//! idle; a connection taken out is checked for a close (or stray bytes) from the peer first.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::Connection;

struct Idle {
    connection: Connection,
    since: Instant,
}

/// The idle connections of one client.
pub(crate) struct Pool {
    idle: Mutex<HashMap<String, Vec<Idle>>>,
    max_per_key: usize,
    max_age: Duration,
}

impl Pool {
    pub(crate) fn new(max_per_key: usize, max_age: Duration) -> Self {
        Self {
            idle: Mutex::new(HashMap::new()),
            max_per_key,
            max_age,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Idle>>> {
        // A panic elsewhere while holding the lock leaves the map consistent (every change
        // is a single push or pop), so a poisoned lock is still usable.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most recently parked connection for `key` that is young enough and still open.
    pub(crate) fn take(&self, key: &str) -> Option<Connection> {
        let mut idle = self.lock();
        let list = idle.get_mut(key)?;
        while let Some(mut entry) = list.pop() {
            if entry.since.elapsed() <= self.max_age && entry.connection.is_still_open() {
                return Some(entry.connection);
            }
        }
        None
    }

    /// Parks `connection` for `key`, evicting the oldest when the key is full.
    pub(crate) fn put(&self, key: &str, connection: Connection) {
        if self.max_per_key == 0 {
            return;
        }
        let mut idle = self.lock();
        let list = idle.entry(key.to_owned()).or_default();
        list.retain(|entry| entry.since.elapsed() <= self.max_age);
        if list.len() >= self.max_per_key {
            list.remove(0);
        }
        list.push(Idle {
            connection,
            since: Instant::now(),
        });
    }

    /// How many connections are parked, over all keys.
    pub(crate) fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}
