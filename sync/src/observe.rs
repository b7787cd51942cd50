//! Watching a connection being built: an optional observer the connector calls after each
//! phase the connection machine completes, with how long it took.
//!
//! This is what `egress get -v` and `egress check` print. Only phases egress drives itself
//! are reported (resolving, TCP connects, TLS handshakes, CONNECT); the request/response
//! exchange belongs to ureq and is timed by the caller. Failures are not reported here:
//! they come back as the call's [`Error`](crate::Error), which names the phase.
//!
//! ```no_run
//! let agent = egress_sync::Agent::builder()
//!     .https_proxy("http://proxy.corp:3128")
//!     .phase_observer(|event: &egress_sync::PhaseEvent| {
//!         eprintln!("{} {:?} {}", event.phase, event.elapsed, event.detail);
//!     })
//!     .build()?;
//! # Ok::<(), egress_sync::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use egress_core::Phase;

/// One completed phase of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PhaseEvent {
    /// Which phase finished.
    pub phase: Phase,
    /// How long it took.
    pub elapsed: Duration,
    /// What it did, e.g. the address connected to or the proxy's CONNECT status; never a
    /// credential.
    pub detail: String,
}

/// Receives [`PhaseEvent`]s; any `Fn(&PhaseEvent) + Send + Sync` closure is one.
///
/// Called on the thread making the request, in the order the phases happen; keep it quick.
pub trait PhaseObserver: Send + Sync {
    /// Called once per completed phase.
    fn phase_done(&self, event: &PhaseEvent);
}

impl<F: Fn(&PhaseEvent) + Send + Sync> PhaseObserver for F {
    fn phase_done(&self, event: &PhaseEvent) {
        self(event);
    }
}

/// The agent's observer, if any (a newtype so settings and builder keep a `Debug`).
#[derive(Clone, Default)]
pub(crate) struct ObserverSlot(pub(crate) Option<Arc<dyn PhaseObserver>>);

impl fmt::Debug for ObserverSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(PhaseObserver)"
        } else {
            "None"
        })
    }
}
