//! Printing connection phases as they complete (`get -v`, `check`), one line each:
//! `* connect-proxy     0.3 ms  127.0.0.1:3128`.

use std::time::Duration;

use egress_sync::{AgentBuilder, PhaseEvent};

/// Width of the phase-name column.
const NAME_WIDTH: usize = 16;

/// Formats a duration as milliseconds with one decimal.
pub(crate) fn millis(elapsed: Duration) -> String {
    format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0)
}

/// One phase line, without the trailing newline.
pub(crate) fn line(name: &str, elapsed: Option<Duration>, detail: &str) -> String {
    let time = elapsed.map(millis).unwrap_or_default();
    format!("* {name:<NAME_WIDTH$} {time:>10}  {detail}")
}

/// Adds an observer that prints each completed phase to stdout (`check`'s report).
pub(crate) fn print_to_stdout(builder: AgentBuilder) -> AgentBuilder {
    builder.phase_observer(|event: &PhaseEvent| {
        println!(
            "{}",
            line(event.phase.as_str(), Some(event.elapsed), &event.detail)
        );
    })
}

#[cfg(test)]
mod tests {
    use super::{line, millis};
    use std::time::Duration;

    #[test]
    fn lines_align_name_time_and_detail() {
        assert_eq!(millis(Duration::from_micros(1250)), "1.2 ms");
        assert_eq!(
            line("proxy-tls", Some(Duration::from_millis(3)), "ok"),
            "* proxy-tls            3.0 ms  ok"
        );
        assert_eq!(
            line("route", None, "direct"),
            "* route                        direct"
        );
    }
}

/// The phases of the current attempt, for `-w json`; cleared before each attempt.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<(String, Duration)>>>);

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Duration)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the phases recorded so far.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// The phases recorded so far.
    pub(crate) fn take(&self) -> Vec<(String, Duration)> {
        std::mem::take(&mut *self.lock())
    }
}

/// Adds an observer that records each phase and, when `print`, prints it to stderr.
pub(crate) fn record(builder: AgentBuilder, recorder: &Recorder, print: bool) -> AgentBuilder {
    let recorder = recorder.clone();
    builder.phase_observer(move |event: &PhaseEvent| {
        if print {
            eprintln!(
                "{}",
                line(event.phase.as_str(), Some(event.elapsed), &event.detail)
            );
        }
        recorder
            .lock()
            .push((event.phase.as_str().to_owned(), event.elapsed));
    })
}
