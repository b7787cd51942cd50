//! Finding the real proxy binaries, and the CI-aware skip rule: outside CI a missing proxy
//! skips the test; when `CI` is set it fails the test, so a CI run can never pass by silently
//! testing nothing.
//!
//! A skipped test still shows as `ok` in libtest's output, so each skip is also recorded: when
//! [`SKIP_LOG_ENV`] names a file (`scripts/test-all` sets it), one [`SkipRecord`] line is
//! appended to it and the script reports the skips at the end of the run. Without the
//! variable the skip is one line on stderr (visible with `--nocapture`).

use std::env;
use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The command that installs every real proxy the suite uses.
pub const INSTALL_HINT: &str =
    "apt-get install -y squid-openssl tinyproxy krb5-kdc krb5-admin-server krb5-user";

/// The command that installs the NTLM acceptor's Python environment (pyspnego in a venv).
pub const PYSPNEGO_HINT: &str = "python3 -m venv /opt/egress-test-venv && \
    /opt/egress-test-venv/bin/pip install -r tests/peers/requirements.txt";

/// The venv `scripts/install-test-deps` creates for the Python test peers, unless
/// [`VENV_ENV`] names another.
pub const DEFAULT_VENV: &str = "/opt/egress-test-venv";

/// Names the venv of the Python test peers (same variable as `scripts/install-test-deps`).
pub const VENV_ENV: &str = "EGRESS_TEST_VENV";

/// Names the file a skipped test appends its [`SkipRecord`] line to.
pub const SKIP_LOG_ENV: &str = "EGRESS_SKIP_LOG";

/// A real proxy program the suite can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealProxy {
    /// squid (Debian package `squid-openssl`, which has `https_port`).
    Squid,
    /// tinyproxy (Debian package `tinyproxy`).
    Tinyproxy,
    /// A Python 3 that imports pyspnego, which runs the NTLM acceptor
    /// (`tests/peers/ntlm_proxy.py`); found in the test venv first.
    Pyspnego,
    /// MIT Kerberos' KDC, `krb5kdc` (Debian package `krb5-kdc`; the realm also needs
    /// `krb5-admin-server` and `krb5-user`), for the Negotiate tests.
    Krb5Kdc,
}

impl RealProxy {
    /// The binary's file name.
    pub fn binary_name(self) -> &'static str {
        match self {
            Self::Squid => "squid",
            Self::Tinyproxy => "tinyproxy",
            Self::Pyspnego => "pyspnego",
            Self::Krb5Kdc => "krb5kdc",
        }
    }

    /// How to install it, one line.
    pub fn install_hint(self) -> &'static str {
        match self {
            Self::Squid | Self::Tinyproxy | Self::Krb5Kdc => INSTALL_HINT,
            Self::Pyspnego => PYSPNEGO_HINT,
        }
    }

    /// The variable that overrides where the binary is: when set (non-empty), it is the
    /// only place looked at, so pointing it at a missing file makes the proxy "not installed".
    pub fn override_var(self) -> &'static str {
        match self {
            Self::Squid => "EGRESS_SQUID_BIN",
            Self::Tinyproxy => "EGRESS_TINYPROXY_BIN",
            Self::Pyspnego => "EGRESS_NTLM_PYTHON",
            Self::Krb5Kdc => "EGRESS_KRB5KDC_BIN",
        }
    }

    /// Where Debian installs it; searched before `PATH`, which often lacks `/usr/sbin`.
    fn usual_path(self) -> &'static str {
        match self {
            Self::Squid => "/usr/sbin/squid",
            Self::Tinyproxy => "/usr/bin/tinyproxy",
            // Not used: `find` looks in the venv instead.
            Self::Pyspnego => "/usr/bin/python3",
            Self::Krb5Kdc => "/usr/sbin/krb5kdc",
        }
    }

    /// The override variable's value, when set and non-empty.
    fn overridden(self) -> Option<OsString> {
        env::var_os(self.override_var()).filter(|v| !v.is_empty())
    }

    /// Finds the binary: the override variable alone when set, else the Debian location,
    /// then every `PATH` entry. For [`RealProxy::Pyspnego`]: the override, else the test
    /// venv's `python3`, else `python3` on `PATH`, each only if it can import pyspnego.
    pub fn find(self) -> Option<PathBuf> {
        if self == Self::Pyspnego {
            return find_pyspnego_python(self.overridden().map(PathBuf::from));
        }
        if let Some(path) = self.overridden() {
            let path = PathBuf::from(path);
            return is_executable(&path).then_some(path);
        }
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

/// A Python that imports `spnego`: `overridden` alone when given, else the test venv's, else
/// the first `python3` on `PATH`.
fn find_pyspnego_python(overridden: Option<PathBuf>) -> Option<PathBuf> {
    let imports_spnego = |python: &Path| {
        is_executable(python)
            && std::process::Command::new(python)
                .args(["-c", "import spnego"])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    };
    if let Some(python) = overridden {
        return imports_spnego(&python).then_some(python);
    }
    let venv = env::var_os(VENV_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_VENV), PathBuf::from);
    let mut candidates = vec![venv.join("bin").join("python3")];
    if let Some(path) = env::var_os("PATH") {
        candidates.extend(env::split_paths(&path).map(|dir| dir.join("python3")));
    }
    candidates.into_iter().find(|p| imports_spnego(p))
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
    let hint = proxy.install_hint();
    match (found, in_ci) {
        (Some(path), _) => Availability::Run(path),
        (None, true) => Availability::Fail(format!(
            "{name} is not installed but CI is set, so the real-proxy tests must run: \
             {hint} (or run scripts/install-test-deps)"
        )),
        (None, false) => Availability::Skip(format!("skipping: {name} not installed; {hint}")),
    }
}

/// Whether the `CI` variable is set (to anything but an empty string).
pub fn in_ci() -> bool {
    env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The path of `proxy`, or `None` after recording the skip: one [`SkipRecord`] line appended
/// to the file named by [`SKIP_LOG_ENV`] when it is set, one line on stderr always.
///
/// # Panics
/// When `CI` is set and the binary is missing: CI must run the real-proxy tests. When the
/// skip log is asked for but cannot be written: the skip would go unreported.
pub fn require_or_skip(proxy: RealProxy) -> Option<PathBuf> {
    match availability(proxy, proxy.find(), in_ci()) {
        Availability::Run(path) => Some(path),
        Availability::Skip(notice) => {
            eprintln!("{notice}");
            if let Some(log) = env::var_os(SKIP_LOG_ENV).filter(|v| !v.is_empty()) {
                let reason = match proxy.overridden() {
                    Some(path) => format!(
                        "not installed ({}={})",
                        proxy.override_var(),
                        Path::new(&path).display()
                    ),
                    None => "not installed".to_owned(),
                };
                let record = SkipRecord::for_current_test(proxy, &reason);
                append_record(Path::new(&log), &record).unwrap_or_else(|e| {
                    panic!(
                        "cannot record the skip in {}: {e}",
                        Path::new(&log).display()
                    )
                });
            }
            None
        }
        Availability::Fail(message) => panic!("{message}"),
    }
}

/// One skipped test, as `scripts/test-all` reads it from the skip log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipRecord {
    /// The test binary, e.g. `real_proxy_sync` (Cargo's hash suffix removed).
    pub suite: String,
    /// The test's name as libtest reports it, e.g. `squid_stops_by_pid_on_drop`.
    pub test: String,
    /// The proxy it needed.
    pub proxy: RealProxy,
    /// Why it was skipped, e.g. `not installed`.
    pub reason: String,
}

impl SkipRecord {
    /// A record for the running test: the suite from the executable's name, the test from
    /// the thread's name (libtest names each test's thread after the test).
    pub fn for_current_test(proxy: RealProxy, reason: &str) -> Self {
        let exe = env::current_exe().unwrap_or_default();
        Self {
            suite: suite_name(&exe),
            test: test_name(std::thread::current().name()),
            proxy,
            reason: reason.to_owned(),
        }
    }

    /// The log line: `suite<TAB>test<TAB>proxy<TAB>reason<LF>`. Tabs and line breaks inside
    /// a field become spaces, so one record is always exactly one line of four fields.
    pub fn line(&self) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        format!(
            "{}\t{}\t{}\t{}\n",
            clean(&self.suite),
            clean(&self.test),
            self.proxy.binary_name(),
            clean(&self.reason)
        )
    }
}

/// Appends `record`'s line to `log` (created if missing) in one write, so the lines of tests
/// running in parallel do not interleave.
pub fn append_record(log: &Path, record: &SkipRecord) -> std::io::Result<()> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?
        .write_all(record.line().as_bytes())
}

/// The test binary's name without Cargo's `-<16 hex digits>` suffix.
fn suite_name(exe: &Path) -> String {
    let stem = exe.file_stem().map_or_else(
        || "unknown-suite".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    match stem.rsplit_once('-') {
        Some((name, hash))
            if !name.is_empty()
                && hash.len() == 16
                && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            name.to_owned()
        }
        _ => stem,
    }
}

/// The test's name from its thread's name; libtest never runs a test on `main`, but a test
/// that calls the harness from a thread of its own gets a placeholder, not a wrong name.
fn test_name(thread: Option<&str>) -> String {
    match thread {
        Some(name) if name != "main" => name.to_owned(),
        _ => "<unnamed test thread>".to_owned(),
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
    fn missing_pyspnego_names_its_own_install_command() {
        let Availability::Skip(line) = availability(RealProxy::Pyspnego, None, false) else {
            panic!("expected a skip");
        };
        assert!(
            line.starts_with("skipping: pyspnego not installed"),
            "{line}"
        );
        assert!(
            line.contains(PYSPNEGO_HINT) && !line.contains(INSTALL_HINT),
            "{line}"
        );
        let Availability::Fail(message) = availability(RealProxy::Pyspnego, None, true) else {
            panic!("expected a failure");
        };
        assert!(
            message.contains("pyspnego is not installed but CI is set"),
            "{message}"
        );
    }

    #[test]
    fn a_python_without_spnego_is_not_the_acceptors_python() {
        // `false` fails `-c "import spnego"` like a Python without the package would.
        assert_eq!(
            find_pyspnego_python(Some(PathBuf::from("/bin/false"))),
            None
        );
        assert_eq!(
            find_pyspnego_python(Some(PathBuf::from("/nonexistent/python3"))),
            None
        );
    }

    #[test]
    fn skip_record_is_one_line_of_four_tab_separated_fields() {
        let record = SkipRecord {
            suite: "real_proxy_sync".to_owned(),
            test: "squid_stops_by_pid_on_drop".to_owned(),
            proxy: RealProxy::Tinyproxy,
            reason: "not installed".to_owned(),
        };
        assert_eq!(
            record.line(),
            "real_proxy_sync\tsquid_stops_by_pid_on_drop\ttinyproxy\tnot installed\n"
        );
        // A separator inside a field must not add a field or a line.
        let odd = SkipRecord {
            test: "a\tb".to_owned(),
            reason: "x\ny\r".to_owned(),
            ..record
        };
        assert_eq!(odd.line(), "real_proxy_sync\ta b\ttinyproxy\tx y \n");
    }

    #[test]
    fn append_record_adds_a_line_per_skip_and_keeps_earlier_ones() {
        let dir = super::super::WorkDir::create("skiplog").expect("work dir");
        let log = dir.path().join("skips.tsv");
        let record = |test: &str| SkipRecord {
            suite: "s".to_owned(),
            test: test.to_owned(),
            proxy: RealProxy::Squid,
            reason: "not installed".to_owned(),
        };
        append_record(&log, &record("one")).expect("first append creates the file");
        append_record(&log, &record("two")).expect("second append");
        let text = std::fs::read_to_string(&log).expect("read log");
        assert_eq!(
            text,
            "s\tone\tsquid\tnot installed\ns\ttwo\tsquid\tnot installed\n"
        );
    }

    #[test]
    fn suite_is_the_test_binary_without_cargos_hash() {
        let exe = Path::new("/t/debug/deps/real_proxy_sync-0123456789abcdef");
        assert_eq!(suite_name(exe), "real_proxy_sync");
        // Not a 16-hex-digit suffix: kept whole.
        assert_eq!(suite_name(Path::new("/x/my-tool")), "my-tool");
        assert_eq!(
            suite_name(Path::new("/x/a-0123456789abcdeg")),
            "a-0123456789abcdeg"
        );
    }

    #[test]
    fn test_name_is_the_thread_name_libtest_gives_the_test() {
        assert_eq!(
            test_name(std::thread::current().name()),
            "real_proxy::discover::tests::test_name_is_the_thread_name_libtest_gives_the_test"
        );
        assert_eq!(test_name(Some("main")), "<unnamed test thread>");
        assert_eq!(test_name(None), "<unnamed test thread>");
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
