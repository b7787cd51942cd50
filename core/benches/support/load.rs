//! The machine's load average, printed by the no_proxy benchmarks at their start and end so
//! a run's figures can be read against how busy the machine was.

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), or why they are unknown.
pub(crate) fn load_average() -> String {
    match std::fs::read_to_string("/proc/loadavg") {
        Ok(text) => text
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        Err(error) => format!("unknown ({error})"),
    }
}
