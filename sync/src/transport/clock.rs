//! The driver's clock: the connection machine reads time as a `Duration` since a fixed
//! point, so a connection's clock is the `Instant` it started at.

use std::io;
use std::time::{Duration, Instant};

/// Time since the connection attempt started.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    epoch: Instant,
}

impl Clock {
    /// A clock starting now.
    pub(crate) fn start() -> Self {
        Self {
            epoch: Instant::now(),
        }
    }

    /// The machine's `now`.
    pub(crate) fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// Time left until `deadline` (`None`: no deadline); at least 1 ms, since a zero socket
    /// timeout means "block forever" to std.
    pub(crate) fn left(&self, deadline: Option<Duration>) -> Option<Duration> {
        deadline.map(|at| at.saturating_sub(self.now()).max(Duration::from_millis(1)))
    }
}

/// Whether an I/O error is a socket timeout (std reports `WouldBlock` on some platforms).
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}
