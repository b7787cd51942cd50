//! Deadlines for the phases egress drives itself (proxy connect, TLS, CONNECT), since ureq's
//! connect timeout is not reduced between connector steps.

use std::io;
use std::time::{Duration, Instant};

use egress_core::Phase;

use crate::Error;

/// When a phase must be done by.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    phase: Phase,
}

impl Deadline {
    /// A deadline `limit` from now; `None` means the phase may take forever.
    pub(crate) fn after(limit: Option<Duration>, phase: Phase) -> Self {
        Self {
            at: limit.map(|limit| Instant::now() + limit),
            phase,
        }
    }

    /// Time left, for socket timeouts. `Err(Timeout)` once the deadline has passed.
    pub(crate) fn remaining(&self) -> Result<Option<Duration>, Error> {
        match self.at {
            None => Ok(None),
            Some(at) => match at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(self.expired()),
            },
        }
    }

    /// The timeout error for this phase.
    pub(crate) fn expired(&self) -> Error {
        Error::Timeout { phase: self.phase }
    }
}

/// Whether an I/O error is a socket timeout (std reports `WouldBlock` on some platforms).
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}
