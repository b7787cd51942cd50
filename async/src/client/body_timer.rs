//! The limits on reading a response body, checked inside `poll_read`: an idle limit (no
//! byte for this long) and the whole request's deadline. A stalled body fails with
//! `Failure::Timeout { phase: ReceiveBody }` within the bound, instead of waiting for the
//! peer to give up.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use egress_core::{Failure, Phase};

use crate::Runtime;

/// The read limits of one body.
pub(crate) struct BodyTimer {
    runtime: Runtime,
    idle: Option<Duration>,
    deadline: Option<Instant>,
    armed: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl BodyTimer {
    /// Limits for a body: `idle` between bytes, the request's `deadline` overall.
    pub(crate) fn new(runtime: Runtime, idle: Option<Duration>, deadline: Option<Instant>) -> Self {
        Self {
            runtime,
            idle,
            deadline,
            armed: None,
        }
    }

    /// Bytes arrived: the idle limit starts again.
    pub(crate) fn progress(&mut self) {
        self.armed = None;
    }

    /// Called when a read is pending: arms the timer if needed and fails once it fired.
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if self.armed.is_none() {
            let left = self
                .deadline
                .map(|at| at.saturating_duration_since(Instant::now()));
            let limit = match (self.idle, left) {
                (Some(idle), Some(left)) => idle.min(left),
                (idle, left) => match idle.or(left) {
                    Some(limit) => limit,
                    None => return Poll::Pending,
                },
            };
            self.armed = Some(self.runtime.sleep(limit));
        }
        match self.armed.as_mut().map(|timer| timer.as_mut().poll(cx)) {
            Some(Poll::Ready(())) => {
                self.armed = None;
                Poll::Ready(timeout_error())
            }
            _ => Poll::Pending,
        }
    }
}

/// The read error of a body that timed out: egress's failure, inside an `io::Error` (a
/// body is an `AsyncRead`), recovered by `Response::bytes`/`text` and [`body_error`].
fn timeout_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        Failure::Timeout {
            phase: Phase::ReceiveBody,
        },
    )
}

/// A body read error as the client's error: egress's own failure when it carries one.
pub(crate) fn body_error(error: io::Error) -> crate::Error {
    if error.get_ref().is_some_and(|inner| inner.is::<Failure>()) {
        if let Some(Ok(failure)) = error.into_inner().map(|inner| inner.downcast::<Failure>()) {
            return crate::Error::Failure(*failure);
        }
        return crate::Error::Failure(Failure::Timeout {
            phase: Phase::ReceiveBody,
        });
    }
    crate::Error::Http(crate::HttpError::Io(error))
}
