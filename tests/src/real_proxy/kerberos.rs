//! A throwaway MIT Kerberos realm on loopback, for the Negotiate tests: `krb5.conf` and
//! `kdc.conf` in a private temp dir, a database made by `kdb5_util`, principals `alice`
//! (password) and `HTTP/localhost` (random key, exported to a keytab squid's
//! `negotiate_kerberos_auth` reads), `krb5kdc` in the foreground on a free 127.0.0.1 port
//! (our child, killed by PID on drop), and a ticket for alice from `kinit`, the password on
//! its standard input, in a ticket cache of the realm's own.
//!
//! Nothing touches `/etc/krb5.conf` or the caller's ticket cache: every tool runs with
//! `KRB5_CONFIG`, `KRB5_KDC_PROFILE` and `KRB5CCNAME` pointing into the temp dir. A client
//! under test gets the same variables from [`KerberosRealm::client_env`]. Those variables are
//! process-global (GSSAPI reads them once), so a test that runs GSSAPI in-process does so in
//! a child process of its own ([`run_in_child`]): tests of one binary never race on them.
//!
//! ```text
//!   kdb5_util create ─► kadmin.local addprinc alice, HTTP/localhost ─► ktadd keytab
//!     ─► krb5kdc -n (TCP+UDP 127.0.0.1:port) ─► kinit alice < password ─► alice.cc
//! ```

use std::env;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{HarnessError, RealProxy, WorkDir, free_ports, process::ProxyProcess, require_or_skip};

/// The realm's name.
pub const REALM: &str = "EGRESS.TEST";
/// The client principal (without the realm).
pub const CLIENT: &str = "alice";
/// The proxy's service principal (without the realm): the proxy is addressed as `localhost`.
pub const SERVICE: &str = "HTTP/localhost";

/// Marks a child test process started by [`run_in_child`].
pub const CHILD_ENV: &str = "EGRESS_KRB5_CHILD";

/// Where Debian installs the realm tools besides `krb5kdc`, and their packages.
const TOOLS: &[(&str, &str)] = &[
    ("/usr/sbin/kdb5_util", "krb5-kdc"),
    ("/usr/sbin/kadmin.local", "krb5-admin-server"),
    ("/usr/bin/kinit", "krb5-user"),
];

/// A running KDC with its realm; the KDC is killed and the dir removed on drop.
#[derive(Debug)]
pub struct KerberosRealm {
    // Field order matters: the process dies before its directory is removed.
    process: ProxyProcess,
    port: u16,
    password: String,
    dir: WorkDir,
}

impl KerberosRealm {
    /// Finds `krb5kdc` with [`require_or_skip`] and starts a realm; `None`: skip this test.
    ///
    /// # Panics
    /// When the tools are installed but the realm cannot be made (or they are missing while
    /// `CI` is set).
    pub fn start_or_skip() -> Option<Self> {
        let kdc = require_or_skip(RealProxy::Krb5Kdc)?;
        Some(Self::start(&kdc).unwrap_or_else(|e| panic!("kerberos realm: {e}")))
    }

    /// Makes the realm and starts `kdc` (the `krb5kdc` binary) for it, then gets alice's
    /// ticket.
    pub fn start(kdc: &Path) -> Result<Self, HarnessError> {
        for (tool, package) in TOOLS {
            if !Path::new(tool).is_file() {
                return Err(HarnessError::MissingTool { tool, package });
            }
        }
        let dir = WorkDir::create("krb5")?;
        let port = free_ports(1)?[0];
        let password = format!("alice-{}-pw", std::process::id());
        dir.write("krb5.conf", krb5_conf(port).as_bytes())?;
        dir.write("kdc.conf", kdc_conf(dir.path(), port).as_bytes())?;
        let realm = |tool: &str, args: &[&str], stdin: Option<&str>| {
            run_tool(dir.path(), tool, args, stdin, &password)
        };
        realm(
            "/usr/sbin/kdb5_util",
            &["create", "-s", "-r", REALM, "-P", "egress-master-key"],
            None,
        )?;
        let add_alice = format!("addprinc -pw {password} {CLIENT}");
        realm("/usr/sbin/kadmin.local", &["-q", &add_alice], None)?;
        let add_service = format!("addprinc -randkey {SERVICE}");
        realm("/usr/sbin/kadmin.local", &["-q", &add_service], None)?;
        let keytab = dir.path().join("http.keytab");
        let export = format!("ktadd -k {} {SERVICE}", keytab.display());
        realm("/usr/sbin/kadmin.local", &["-q", &export], None)?;
        // squid's helper runs as squid's unprivileged user: the test keytab must be readable.
        fs::set_permissions(&keytab, fs::Permissions::from_mode(0o644)).map_err(|source| {
            HarnessError::Io {
                action: "make the keytab readable",
                path: keytab.clone(),
                source,
            }
        })?;
        let mut command = Command::new(kdc);
        command
            .args(["-n", "-r", REALM, "-P"])
            .arg(dir.path().join("kdc.pid"))
            .envs(realm_env(dir.path()));
        let process = ProxyProcess::start(
            "krb5kdc",
            command,
            &dir.path().join("kdc.out"),
            vec![dir.path().join("kdc.log")],
            Some(password.clone()),
            &[port],
        )?;
        let realm_dir = Self {
            process,
            port,
            password,
            dir,
        };
        realm_dir.kinit(&realm_dir.ticket_cache())?;
        Ok(realm_dir)
    }

    /// The KDC's port on 127.0.0.1 (TCP and UDP).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The realm's `krb5.conf` (for `KRB5_CONFIG`).
    pub fn krb5_config(&self) -> PathBuf {
        self.dir.path().join("krb5.conf")
    }

    /// The keytab with the key of [`SERVICE`].
    pub fn keytab(&self) -> PathBuf {
        self.dir.path().join("http.keytab")
    }

    /// `HTTP/localhost@EGRESS.TEST`.
    pub fn service_principal(&self) -> String {
        format!("{SERVICE}@{REALM}")
    }

    /// The file ticket cache holding alice's ticket.
    pub fn ticket_cache(&self) -> PathBuf {
        self.dir.path().join("alice.cc")
    }

    /// A ticket cache path where no cache exists.
    pub fn missing_cache(&self) -> PathBuf {
        self.dir.path().join("no-such.cc")
    }

    /// `KRB5_CONFIG` and `KRB5CCNAME` (`FILE:` + `cache`) for a client of this realm.
    pub fn client_env(&self, cache: &Path) -> Vec<(String, String)> {
        vec![
            (
                "KRB5_CONFIG".to_owned(),
                self.krb5_config().display().to_string(),
            ),
            ("KRB5CCNAME".to_owned(), format!("FILE:{}", cache.display())),
        ]
    }

    /// Gets a ticket for alice into `cache` with `kinit`, the password on standard input.
    pub fn kinit(&self, cache: &Path) -> Result<(), HarnessError> {
        let target = format!("FILE:{}", cache.display());
        let mut env = realm_env(self.dir.path());
        env.push(("KRB5CCNAME".to_owned(), target));
        run_with_env(
            "/usr/bin/kinit",
            &[CLIENT],
            Some(&format!("{}\n", self.password)),
            &env,
            &self.password,
        )
    }

    /// The work dir (configs, database, keytab, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last lines of the KDC's output and log (the password masked).
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }
}

/// The realm's `krb5.conf`: no DNS, no reverse lookups, TCP first, the KDC on loopback.
fn krb5_conf(port: u16) -> String {
    format!(
        "# Generated by egress-tests; lives for one test.\n\
         [libdefaults]\n\
         \x20 default_realm = {REALM}\n\
         \x20 dns_lookup_realm = false\n\
         \x20 dns_lookup_kdc = false\n\
         \x20 dns_canonicalize_hostname = false\n\
         \x20 rdns = false\n\
         \x20 udp_preference_limit = 1\n\
         [realms]\n\
         \x20 {REALM} = {{\n\
         \x20   kdc = 127.0.0.1:{port}\n\
         \x20 }}\n\
         [domain_realm]\n\
         \x20 localhost = {REALM}\n"
    )
}

/// The KDC's profile: database, stash and logs in `dir`, listening on loopback only.
fn kdc_conf(dir: &Path, port: u16) -> String {
    let dir = dir.display();
    format!(
        "# Generated by egress-tests; lives for one test.\n\
         [kdcdefaults]\n\
         \x20 kdc_listen = 127.0.0.1:{port}\n\
         \x20 kdc_tcp_listen = 127.0.0.1:{port}\n\
         [realms]\n\
         \x20 {REALM} = {{\n\
         \x20   database_name = {dir}/principal\n\
         \x20   key_stash_file = {dir}/stash\n\
         \x20   acl_file = {dir}/kadm5.acl\n\
         \x20   supported_enctypes = aes256-cts-hmac-sha1-96:normal\n\
         \x20 }}\n\
         [logging]\n\
         \x20 kdc = FILE:{dir}/kdc.log\n\
         \x20 admin_server = FILE:{dir}/kadmin.log\n\
         \x20 default = FILE:{dir}/krb5lib.log\n"
    )
}

/// The variables every realm tool runs with.
fn realm_env(dir: &Path) -> Vec<(String, String)> {
    vec![
        (
            "KRB5_CONFIG".to_owned(),
            dir.join("krb5.conf").display().to_string(),
        ),
        (
            "KRB5_KDC_PROFILE".to_owned(),
            dir.join("kdc.conf").display().to_string(),
        ),
        (
            "KRB5CCNAME".to_owned(),
            format!("FILE:{}", dir.join("tools.cc").display()),
        ),
    ]
}

fn run_tool(
    dir: &Path,
    tool: &str,
    args: &[&str],
    stdin: Option<&str>,
    mask: &str,
) -> Result<(), HarnessError> {
    run_with_env(tool, args, stdin, &realm_env(dir), mask)
}

/// Runs `tool` to completion; a failure carries its output with `mask` replaced by `***`.
fn run_with_env(
    tool: &str,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(String, String)],
    mask: &str,
) -> Result<(), HarnessError> {
    let mut child = Command::new(tool)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| HarnessError::Spawn {
            program: PathBuf::from(tool),
            source,
        })?;
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        // A tool that exits early closes its stdin; its status tells why.
        let _ = input.write_all(text.as_bytes());
    }
    drop(child.stdin.take());
    let output = child
        .wait_with_output()
        .map_err(|source| HarnessError::Spawn {
            program: PathBuf::from(tool),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(HarnessError::ToolFailed {
        tool: PathBuf::from(tool),
        status: output.status,
        output: text.replace(mask, "***"),
    })
}

/// Whether this process is a child started by [`run_in_child`].
pub fn in_child() -> bool {
    env::var_os(CHILD_ENV).is_some()
}

/// Runs the calling test again, alone, in a child process of this test binary with `env`
/// added (and [`CHILD_ENV`] set, so the test knows it is the child). `Err` carries the
/// child's output unless it ran exactly that one test and passed.
///
/// # Panics
/// When the current thread has no test's name (libtest names each test's thread after it),
/// or the test binary cannot be run again.
pub fn run_in_child(env: &[(String, String)]) -> Result<(), String> {
    let name = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("run_in_child needs to run on a libtest test thread"));
    let exe = env::current_exe().unwrap_or_else(|e| panic!("the test binary: {e}"));
    let output = Command::new(exe)
        .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run the test binary again: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && stdout.contains("test result: ok. 1 passed") {
        return Ok(());
    }
    Err(format!(
        "the child run of {name} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_name_the_realm_and_the_loopback_kdc() {
        let client = krb5_conf(4088);
        assert!(client.contains("kdc = 127.0.0.1:4088"), "{client}");
        assert!(client.contains("default_realm = EGRESS.TEST"), "{client}");
        assert!(client.contains("dns_lookup_kdc = false"), "{client}");
        let kdc = kdc_conf(Path::new("/tmp/r"), 4088);
        assert!(kdc.contains("kdc_tcp_listen = 127.0.0.1:4088"), "{kdc}");
        assert!(kdc.contains("database_name = /tmp/r/principal"), "{kdc}");
    }

    #[test]
    fn a_failing_tool_is_reported_with_the_secret_masked() {
        let error = run_with_env(
            "/bin/sh",
            &["-c", "echo 'bad password hunter2' >&2; exit 2"],
            None,
            &[],
            "hunter2",
        )
        .expect_err("the tool fails");
        let shown = error.to_string();
        assert!(shown.contains("bad password ***"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
