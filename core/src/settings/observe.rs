//! Watching a connection being built: an optional observer both frontends call after each
//! phase the connection machine completes, with how long it took and what it did.
//!
//! This is what `egress get -v` and `egress check` print. The machine reports events
//! ([`Event`]); [`PhaseReport`] turns them into [`PhaseEvent`]s with the durations measured
//! on the driver's clock (passed in: this module reads no clock). Failures are not reported
//! here: they come back as the call's error, which names the phase.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::establish::{Detail, Event};
use crate::phase::Phase;
use crate::target::Target;

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
/// Called on the task or thread establishing the connection, in the order the phases
/// happen; keep it quick.
pub trait PhaseObserver: Send + Sync {
    /// Called once per completed phase.
    fn phase_done(&self, event: &PhaseEvent);
}

impl<F: Fn(&PhaseEvent) + Send + Sync> PhaseObserver for F {
    fn phase_done(&self, event: &PhaseEvent) {
        self(event);
    }
}

/// A shared observer, as the settings hold it (`Debug` without the closure).
#[derive(Clone)]
pub struct SharedObserver(pub alloc::sync::Arc<dyn PhaseObserver>);

impl fmt::Debug for SharedObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhaseObserver")
    }
}

/// Turns one connection's machine events into [`PhaseEvent`]s for an observer.
///
/// ```
/// use core::time::Duration;
/// use egress_core::establish::{Detail, Event};
/// use egress_core::settings::{PhaseEvent, PhaseReport};
/// use egress_core::{Phase, Target};
///
/// let seen = std::sync::Mutex::new(Vec::new());
/// let observer = |event: &PhaseEvent| seen.lock().unwrap().push(event.clone());
/// let target = Target::from_authority("https", "matrix.org")?;
/// let mut report = PhaseReport::new(Some(&observer), target);
/// report.event(Event::Started(Phase::ProxyHandshake), Duration::from_millis(10));
/// report.event(
///     Event::Done { phase: Phase::ProxyHandshake, detail: Detail::TunnelOpened(200) },
///     Duration::from_millis(13),
/// );
/// let seen = seen.lock().unwrap();
/// assert_eq!(seen[0].elapsed, Duration::from_millis(3));
/// assert_eq!(seen[0].detail, "CONNECT matrix.org:443 -> 200");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PhaseReport<'a> {
    observer: Option<&'a dyn PhaseObserver>,
    target: Target<'a>,
    host: String,
    started: Vec<(Phase, Duration)>,
    /// Authentication rounds of the CONNECT handshake, told with its one Done event.
    notes: Vec<String>,
}

impl<'a> PhaseReport<'a> {
    /// A report for a connection to `target`; nothing is built without an observer.
    pub fn new(observer: Option<&'a dyn PhaseObserver>, target: Target<'a>) -> Self {
        Self {
            observer,
            target,
            host: String::new(),
            started: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The host the current action works on (a name being resolved, a TLS peer), named in
    /// the next event's detail.
    pub fn set_host(&mut self, host: &dyn fmt::Display) {
        if self.observer.is_some() {
            self.host = host.to_string();
        }
    }

    /// Feeds one machine event that happened at `now` (the driver's clock).
    pub fn event(&mut self, event: Event, now: Duration) {
        let Some(observer) = self.observer else {
            return;
        };
        match event {
            Event::Started(phase) => self.started.push((phase, now)),
            // A phase is reported once, when done: authentication rounds go with it.
            Event::Done {
                detail: detail @ (Detail::ProxyChallenged(_) | Detail::ProxyAuthenticated(_)),
                ..
            } => {
                let note = self.describe(detail);
                self.notes.push(note);
            }
            Event::Done { phase, detail } => {
                let elapsed = self
                    .started
                    .iter()
                    .rev()
                    .find(|(p, _)| *p == phase)
                    .map_or(Duration::ZERO, |(_, at)| now.saturating_sub(*at));
                observer.phase_done(&PhaseEvent {
                    phase,
                    elapsed,
                    detail: self.describe(detail),
                });
            }
        }
    }

    fn describe(&self, detail: Detail) -> String {
        match detail {
            Detail::Resolved { addresses, allowed } if addresses == allowed => {
                format!("{addresses} address(es) for {}", self.host)
            }
            Detail::Resolved { addresses, allowed } => format!(
                "{addresses} address(es) for {}, {allowed} allowed by the blocklist",
                self.host
            ),
            Detail::Connected(addr) => addr.to_string(),
            Detail::TlsVerified(_) => format!("certificate of {} verified", self.host),
            Detail::TunnelOpened(status) if self.notes.is_empty() => {
                format!("CONNECT {} -> {status}", self.target.authority())
            }
            Detail::TunnelOpened(status) => format!(
                "CONNECT {} -> {status} ({})",
                self.target.authority(),
                self.notes.join("; ")
            ),
            Detail::ProxyChallenged(schemes) => {
                let names: Vec<&str> = schemes.iter().map(|s| s.as_str()).collect();
                format!("407 offering {}", names.join(", "))
            }
            Detail::ProxyAuthenticated(scheme) => {
                format!("proxy accepted {} authentication", scheme.name())
            }
        }
    }
}

/// Boxes an observer for the settings.
pub(crate) fn shared(observer: impl PhaseObserver + 'static) -> SharedObserver {
    SharedObserver(alloc::sync::Arc::from(
        Box::new(observer) as Box<dyn PhaseObserver>
    ))
}
