//! A tiny stderr logger for the `log` facade: `-vv` or `RUST_LOG` shows the library's log
//! lines as `egress: [debug] …`, every URL in them with its credentials as `***`.
//!
//! `RUST_LOG` takes a level (`error`, `warn`, `info`, `debug`, `trace`, `off`), alone or as
//! the last `target=level` of a comma-separated list (`egress_sync=debug`): enough for this
//! tool, which has one library to listen to.

use log::{LevelFilter, Log, Metadata, Record};

use crate::redact;

struct StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = redact::text(&record.args().to_string());
            let level = record.level().as_str().to_ascii_lowercase();
            eprintln!("egress: [{level}] {line}");
        }
    }

    fn flush(&self) {}
}

/// The level `RUST_LOG` asks for, if it names one.
pub(crate) fn level_from_env(value: &str) -> Option<LevelFilter> {
    let last = value
        .split(',')
        .rev()
        .find(|part| !part.trim().is_empty())?;
    let level = last.rsplit('=').next()?.trim();
    level.parse::<LevelFilter>().ok()
}

/// Installs the logger: `-vv` means debug, `-vvv` trace; `RUST_LOG` wins when set to a
/// level; otherwise off (the tool prints the library's warnings in its own words).
pub(crate) fn install(verbose: u8) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| level_from_env(&v));
    let level = match (from_env, verbose) {
        (Some(level), _) => level,
        (None, 0 | 1) => LevelFilter::Off,
        (None, 2) => LevelFilter::Debug,
        (None, _) => LevelFilter::Trace,
    };
    if log::set_logger(&StderrLogger).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(test)]
mod tests {
    use super::level_from_env;
    use log::LevelFilter;

    #[test]
    fn rust_log_levels() {
        let cases = [
            ("debug", Some(LevelFilter::Debug)),
            ("egress_sync=trace", Some(LevelFilter::Trace)),
            ("info,egress_sync=debug", Some(LevelFilter::Debug)),
            ("off", Some(LevelFilter::Off)),
            ("WARN", Some(LevelFilter::Warn)),
            ("egress_sync", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(level_from_env(value), expected, "{value}");
        }
    }
}
