//! The one error type of the real-proxy harness: why a real proxy could not be prepared or
//! started. Every variant says what to do next; none shows a user name or password.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// Why the harness could not prepare or start a real proxy.
#[derive(Debug)]
#[non_exhaustive]
pub enum HarnessError {
    /// A file or directory of the proxy's private work dir could not be created or written.
    Io {
        /// What the harness was doing, e.g. "write squid.conf".
        action: &'static str,
        /// The path it was working on.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// No free loopback port could be reserved.
    NoFreePort(io::Error),
    /// The proxy binary could not be executed.
    Spawn {
        /// The binary that was run.
        program: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The proxy exited before all of its ports accepted connections.
    ExitedEarly {
        /// "squid" or "tinyproxy".
        proxy: &'static str,
        /// How it exited.
        status: ExitStatus,
        /// The last lines of its output and log (credentials masked).
        log_tail: String,
    },
    /// The proxy kept running but a port did not accept connections in time.
    NotReady {
        /// "squid" or "tinyproxy".
        proxy: &'static str,
        /// The port that stayed closed.
        port: u16,
        /// How long the harness waited.
        waited: Duration,
        /// The last lines of its output and log (credentials masked).
        log_tail: String,
    },
    /// A helper program the configuration needs is missing (e.g. squid's `basic_ncsa_auth`).
    MissingHelper {
        /// The helper's file name.
        helper: &'static str,
        /// Where the harness looked.
        searched: Vec<PathBuf>,
    },
    /// The throwaway CA or the proxy certificate could not be generated.
    Certificate(rcgen::Error),
    /// The password could not be hashed for the htpasswd file.
    PasswordHash,
    /// A user name or password cannot be written into the proxy's configuration.
    UnsupportedCredentials {
        /// Which proxy's syntax rejects it.
        proxy: &'static str,
        /// The rule that was broken (never the value itself).
        rule: &'static str,
    },
    /// The temp dir path cannot be written into a proxy configuration (e.g. it has spaces).
    UnsupportedPath(PathBuf),
    /// A Kerberos tool the realm needs is not installed.
    MissingTool {
        /// Where it was looked for.
        tool: &'static str,
        /// The Debian package that has it.
        package: &'static str,
    },
    /// A Kerberos tool (`kdb5_util`, `kadmin.local`, `kinit`) failed.
    ToolFailed {
        /// The tool.
        tool: PathBuf,
        /// How it exited.
        status: ExitStatus,
        /// Its output (the password masked).
        output: String,
    },
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io {
                action,
                path,
                source,
            } => write!(
                f,
                "cannot {action} at {}: {source}; check that the temp dir is writable",
                path.display()
            ),
            Self::NoFreePort(e) => write!(
                f,
                "cannot reserve a free port on 127.0.0.1: {e}; is the loopback interface up?"
            ),
            Self::Spawn { program, source } => write!(
                f,
                "cannot run {}: {source}; reinstall it (apt-get install -y squid-openssl tinyproxy)",
                program.display()
            ),
            Self::ExitedEarly {
                proxy,
                status,
                log_tail,
            } => write!(
                f,
                "{proxy} exited ({status}) before it was ready; its log ends with:\n{log_tail}"
            ),
            Self::NotReady {
                proxy,
                port,
                waited,
                log_tail,
            } => write!(
                f,
                "{proxy} did not accept connections on 127.0.0.1:{port} within {waited:?}; \
                 is the machine overloaded? its log ends with:\n{log_tail}"
            ),
            Self::MissingHelper { helper, searched } => write!(
                f,
                "squid's helper {helper} was not found (looked in {searched:?}); \
                 install squid-openssl"
            ),
            Self::Certificate(e) => write!(f, "cannot generate the proxy's test certificate: {e}"),
            Self::PasswordHash => {
                f.write_str("cannot hash the test password for the htpasswd file")
            }
            Self::UnsupportedCredentials { proxy, rule } => write!(
                f,
                "these test credentials cannot be configured in {proxy}: {rule}; pick others"
            ),
            Self::MissingTool { tool, package } => write!(
                f,
                "{tool} is not installed; install {package} (or run scripts/install-test-deps)"
            ),
            Self::ToolFailed {
                tool,
                status,
                output,
            } => write!(
                f,
                "{} failed ({status}) while making the test realm; it said:\n{output}",
                tool.display()
            ),
            Self::UnsupportedPath(p) => write!(
                f,
                "the temp dir {} cannot be written into a proxy config (whitespace or quotes); \
                 set TMPDIR to a plain path",
                p.display()
            ),
        }
    }
}

impl std::error::Error for HarnessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } | Self::Spawn { source, .. } => Some(source),
            Self::NoFreePort(e) => Some(e),
            Self::Certificate(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rcgen::Error> for HarnessError {
    fn from(e: rcgen::Error) -> Self {
        Self::Certificate(e)
    }
}
