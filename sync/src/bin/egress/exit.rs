//! Exit codes and the failure type every subcommand returns.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | other failure (writing the output, ...) |
//! | 2 | usage error (clap's own code; also an unusable URL) |
//! | 3 | configuration error (proxy variables, CA files) |
//! | 4 | proxy failure |
//! | 5 | target failure (including HTTP >= 400 with `--fail`) |

use std::fmt;
use std::process::ExitCode;

use egress_sync::{Error, FailureKind};

use crate::{diagnose, redact};

/// Why the tool stopped, as an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 1: anything not below.
    Other = 1,
    /// 2: bad arguments or URL.
    Usage = 2,
    /// 3: invalid proxy configuration or CA file.
    Config = 3,
    /// 4: the proxy failed.
    Proxy = 4,
    /// 5: the target failed.
    Target = 5,
}

impl Exit {
    /// The exit code for an egress error.
    pub(crate) fn of(error: &Error) -> Exit {
        match error.kind() {
            Some(FailureKind::InvalidConfig) => Exit::Config,
            Some(FailureKind::InvalidTarget) => Exit::Usage,
            _ if error.is_proxy_failure() => Exit::Proxy,
            _ => Exit::Target,
        }
    }

    pub(crate) fn code(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// A failure to report on stderr, with its exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exit: Exit,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }
}

impl Failure {
    /// The exit code of `error` with a short message, for reports that printed the details
    /// already.
    pub(crate) fn from_error_quiet(error: &Error) -> Self {
        Failure::new(
            Exit::of(error),
            format!("check failed ({})", error.kind_name()),
        )
    }
}

impl From<Error> for Failure {
    /// The library's message with its causes, and the tool's own advice when a flag helps.
    fn from(error: Error) -> Self {
        let mut message = diagnose::summary(&error);
        if let Some(advice) = diagnose::advice(&error) {
            message.push_str("; ");
            message.push_str(&advice);
        }
        // ureq's own errors may quote a URL; its credentials never show.
        Failure::new(Exit::of(&error), redact::text(&message))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
