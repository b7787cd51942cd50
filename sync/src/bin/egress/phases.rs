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

/// Adds an observer that prints each completed phase to stderr.
pub(crate) fn print_to_stderr(builder: AgentBuilder) -> AgentBuilder {
    builder.phase_observer(|event: &PhaseEvent| {
        eprintln!(
            "{}",
            line(event.phase.as_str(), Some(event.elapsed), &event.detail)
        );
    })
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
