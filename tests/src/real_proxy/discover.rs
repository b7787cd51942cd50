//! Finding the real proxy binaries, and the CI-aware skip rule: outside CI a missing proxy
//! skips the test with one line on stderr; when `CI` is set it fails the test, so a CI run
//! can never pass by silently testing nothing.

use std::env;
use std::path::{Path, PathBuf};

/// The command that installs every real proxy the suite uses.
pub const INSTALL_HINT: &str = "apt-get install -y squid-openssl tinyproxy";

/// A real proxy program the suite can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealProxy {
    /// squid (Debian package `squid-openssl`, which has `https_port`).
    Squid,
    /// tinyproxy (Debian package `tinyproxy`).
    Tinyproxy,
}

impl RealProxy {
    /// The binary's file name.
    pub fn binary_name(self) -> &'static str {
        match self {
            Self::Squid => "squid",
            Self::Tinyproxy => "tinyproxy",
        }
    }

    /// Where Debian installs it; searched before `PATH`, which often lacks `/usr/sbin`.
    fn usual_path(self) -> &'static str {
        match self {
            Self::Squid => "/usr/sbin/squid",
            Self::Tinyproxy => "/usr/bin/tinyproxy",
        }
    }

    /// Finds the binary: the Debian location first, then every `PATH` entry.
    pub fn find(self) -> Option<PathBuf> {
        let usual = Path::new(self.usual_path());
        if is_executable(usual) {
            return Some(usual.to_path_buf());
        }
        let path = env::var_os("PATH")?;
        env::split_paths(&path)
            .map(|dir| dir.join(self.binary_name()))
            .find(|candidate| is_executable(candidate))
    }
}

/// Finds squid, or `None` when it is not installed.
pub fn find_squid() -> Option<PathBuf> {
    RealProxy::Squid.find()
}

/// Finds tinyproxy, or `None` when it is not installed.
pub fn find_tinyproxy() -> Option<PathBuf> {
    RealProxy::Tinyproxy.find()
}

/// What a test should do about a proxy binary.
#[derive(Debug, PartialEq, Eq)]
pub enum Availability {
    /// Run the test with this binary.
    Run(PathBuf),
    /// Skip the test; the string is the one-line notice.
    Skip(String),
    /// Fail the test; the string is the panic message.
    Fail(String),
}

/// The skip rule as a pure function of what was found and whether `CI` is set.
pub fn availability(proxy: RealProxy, found: Option<PathBuf>, in_ci: bool) -> Availability {
    let name = proxy.binary_name();
    match (found, in_ci) {
        (Some(path), _) => Availability::Run(path),
        (None, true) => Availability::Fail(format!(
            "{name} is not installed but CI is set, so the real-proxy tests must run: \
             {INSTALL_HINT} (or run scripts/install-test-deps)"
        )),
        (None, false) => {
            Availability::Skip(format!("skipping: {name} not installed; {INSTALL_HINT}"))
        }
    }
}

/// Whether the `CI` variable is set (to anything but an empty string).
pub fn in_ci() -> bool {
    env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The path of `proxy`, or `None` after printing one skip line to stderr.
///
/// # Panics
/// When `CI` is set and the binary is missing: CI must run the real-proxy tests.
pub fn require_or_skip(proxy: RealProxy) -> Option<PathBuf> {
    match availability(proxy, proxy.find(), in_ci()) {
        Availability::Run(path) => Some(path),
        Availability::Skip(notice) => {
            eprintln!("{notice}");
            None
        }
        Availability::Fail(message) => panic!("{message}"),
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_binary_runs_in_and_outside_ci() {
        for ci in [false, true] {
            let found = Some(PathBuf::from("/opt/squid"));
            assert_eq!(
                availability(RealProxy::Squid, found, ci),
                Availability::Run(PathBuf::from("/opt/squid"))
            );
        }
    }

    #[test]
    fn missing_binary_skips_outside_ci_with_one_line_install_hint() {
        let Availability::Skip(line) = availability(RealProxy::Tinyproxy, None, false) else {
            panic!("expected a skip");
        };
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.starts_with("skipping: tinyproxy not installed"),
            "{line}"
        );
        assert!(line.contains(INSTALL_HINT), "{line}");
    }

    #[test]
    fn missing_binary_fails_in_ci() {
        let Availability::Fail(message) = availability(RealProxy::Squid, None, true) else {
            panic!("expected a failure");
        };
        assert!(
            message.contains("squid is not installed but CI is set"),
            "{message}"
        );
        assert!(message.contains(INSTALL_HINT), "{message}");
    }

    #[test]
    fn non_executable_file_is_not_a_binary() {
        assert!(!is_executable(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/Cargo.toml"
        ))));
        assert!(!is_executable(Path::new("/nonexistent/egress/squid")));
        assert!(is_executable(Path::new("/bin/sh")));
    }
}
