//! The NTLM acceptor started by the harness: `tests/peers/ntlm_proxy.py`, a loopback proxy
//! whose NTLM verification is pyspnego's (an implementation independent of egress), run by
//! the Python the [`RealProxy::Pyspnego`] discovery found, as our child, on a free port.
//!
//! Its credential file (`NTLM_USER_FILE`, lines `DOMAIN:user:password`) and event log live
//! in a private [`WorkDir`]; [`NtlmProxy::events`] reads the log, so a test can assert on
//! which client connection each NTLM round came and which schemes the proxy saw.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{
    HarnessError, RealProxy, WorkDir, free_ports, percent_encode, process::ProxyProcess,
    require_or_skip,
};

/// How many times a start is retried with a fresh port (a reserved port can be stolen).
const ATTEMPTS: usize = 3;

/// The acceptor script, in this crate's source tree.
pub const NTLM_PROXY_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/ntlm_proxy.py");

/// One account of the acceptor's credential file. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct NtlmUser {
    domain: String,
    user: String,
    password: String,
}

impl NtlmUser {
    /// `user` in `domain` (empty: no domain) with `password`.
    pub fn new(
        domain: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            domain: domain.into(),
            user: user.into(),
            password: password.into(),
        }
    }

    /// The domain (empty when none).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The user name without the domain.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// `DOMAIN\user` (or `user` without a domain), as a proxy URL's user names it.
    pub fn qualified(&self) -> String {
        if self.domain.is_empty() {
            self.user.clone()
        } else {
            format!("{}\\{}", self.domain, self.user)
        }
    }

    /// The credential file line, `DOMAIN:user:password`; a `:` or line break inside a field
    /// cannot be written.
    fn line(&self) -> Result<String, HarnessError> {
        let fields = [&self.domain, &self.user, &self.password];
        if fields.iter().any(|f| f.contains([':', '\n', '\r'])) {
            return Err(HarnessError::UnsupportedCredentials {
                proxy: "ntlm_proxy",
                rule: "no ':' or line break in a domain, user or password",
            });
        }
        Ok(format!("{}:{}:{}\n", self.domain, self.user, self.password))
    }
}

impl core::fmt::Debug for NtlmUser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "NtlmUser({:?}, ***)", self.qualified())
    }
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct NtlmOptions {
    /// The accounts the acceptor knows.
    pub users: Vec<NtlmUser>,
    /// Also offer Basic (checked against the same accounts) after NTLM in each 407.
    pub offer_basic: bool,
}

/// One line of the acceptor's event log: `conn=N event=NAME key=value…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtlmEvent {
    /// The client connection, numbered from 1 in accept order.
    pub conn: u32,
    /// What happened: `accept`, `request`, `ntlm-negotiate`, `ntlm-challenge`,
    /// `ntlm-authenticated`, `ntlm-rejected`, `basic-authenticated`, `basic-rejected`,
    /// `tunnel`, `forward`, `close`, …
    pub event: String,
    /// The other fields, in order (`method`, `target`, `auth`, `user`, `domain`, `reason`…).
    pub fields: Vec<(String, String)>,
}

impl NtlmEvent {
    /// Parses one log line; `None` for a line of another shape.
    pub fn parse(line: &str) -> Option<Self> {
        let mut parts = line.split_whitespace().map(|p| p.split_once('='));
        let conn = match parts.next()? {
            Some(("conn", n)) => n.parse().ok()?,
            _ => return None,
        };
        let event = match parts.next()? {
            Some(("event", name)) => name.to_owned(),
            _ => return None,
        };
        let fields = parts
            .map(|p| p.map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            conn,
            event,
            fields,
        })
    }

    /// The value of field `key`.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A running NTLM acceptor; killed by PID and its work dir removed on drop.
#[derive(Debug)]
pub struct NtlmProxy {
    // Field order matters: the process dies before its directory is removed.
    process: ProxyProcess,
    port: u16,
    log: PathBuf,
    dir: WorkDir,
}

impl NtlmProxy {
    /// Starts the acceptor with `python` (which must import pyspnego) and waits until it
    /// accepts connections.
    pub fn start(python: &Path, options: &NtlmOptions) -> Result<Self, HarnessError> {
        for _ in 1..ATTEMPTS {
            match Self::start_once(python, options) {
                // A stolen port shows up as one of these; try again with a fresh one.
                Err(HarnessError::ExitedEarly { .. } | HarnessError::NotReady { .. }) => {}
                other => return other,
            }
        }
        Self::start_once(python, options)
    }

    /// Finds a Python with pyspnego with [`require_or_skip`] and starts the acceptor; `None`
    /// means "skip this test".
    ///
    /// # Panics
    /// When the acceptor does not start (or pyspnego is missing while `CI` is set).
    pub fn start_or_skip(options: &NtlmOptions) -> Option<Self> {
        let python = require_or_skip(RealProxy::Pyspnego)?;
        Some(Self::start(&python, options).unwrap_or_else(|e| panic!("ntlm_proxy: {e}")))
    }

    fn start_once(python: &Path, options: &NtlmOptions) -> Result<Self, HarnessError> {
        let dir = WorkDir::create("ntlm")?;
        let port = free_ports(1)?[0];
        let lines = options
            .users
            .iter()
            .map(NtlmUser::line)
            .collect::<Result<String, _>>()?;
        let users = dir.write("ntlm-users", lines.as_bytes())?;
        let log = dir.path().join("events.log");
        let offer = if options.offer_basic {
            "NTLM,Basic"
        } else {
            "NTLM"
        };
        let mut command = Command::new(python);
        command
            .arg(NTLM_PROXY_SCRIPT)
            .arg("--port")
            .arg(port.to_string())
            .arg("--log")
            .arg(&log)
            .arg("--offer")
            .arg(offer)
            .env("NTLM_USER_FILE", &users)
            // Output unbuffered, so an early exit's message reaches the error.
            .env("PYTHONUNBUFFERED", "1");
        let process = ProxyProcess::start(
            "ntlm_proxy",
            command,
            &dir.path().join("ntlm_proxy.out"),
            vec![log.clone()],
            None,
            &[port],
        )?;
        Ok(Self {
            process,
            port,
            log,
            dir,
        })
    }

    /// The acceptor's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, no credentials.
    pub fn plain_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://DOMAIN%5Cuser:password@127.0.0.1:PORT` for `user` (any password: a wrong one
    /// too), each part percent-encoded.
    pub fn url_for(&self, user: &NtlmUser) -> String {
        format!(
            "http://{}:{}@127.0.0.1:{}",
            percent_encode(&user.qualified()),
            percent_encode(&user.password),
            self.port
        )
    }

    /// Every event logged so far, in order. Events of one connection are in its order;
    /// connections running at once interleave.
    pub fn events(&self) -> Vec<NtlmEvent> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(NtlmEvent::parse)
            .collect()
    }

    /// The work dir (credential file, `events.log`, `ntlm_proxy.out`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last lines of the acceptor's output and event log, for a failing test's message.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_lines_parse_and_others_do_not() {
        let event = NtlmEvent::parse("conn=3 event=ntlm-authenticated domain=CORP user=alice")
            .expect("an event line");
        assert_eq!(
            (event.conn, event.event.as_str()),
            (3, "ntlm-authenticated")
        );
        assert_eq!(event.field("domain"), Some("CORP"));
        assert_eq!(event.field("user"), Some("alice"));
        assert_eq!(event.field("reason"), None);
        for other in [
            "",
            "ntlm_proxy listening",
            "conn=x event=a",
            "event=a conn=1",
            "conn=1 event=a b",
        ] {
            assert_eq!(NtlmEvent::parse(other), None, "{other:?}");
        }
    }

    #[test]
    fn users_render_as_credential_lines_and_hide_the_password() {
        let user = NtlmUser::new("CORP", "alice", "s3cret");
        assert_eq!(user.line().expect("line"), "CORP:alice:s3cret\n");
        assert_eq!(user.qualified(), "CORP\\alice");
        assert_eq!(NtlmUser::new("", "bob", "x").qualified(), "bob");
        assert!(!format!("{user:?}").contains("s3cret"));
        let bad = NtlmUser::new("CORP", "alice", "pa:ss");
        assert!(matches!(
            bad.line(),
            Err(HarnessError::UnsupportedCredentials { .. })
        ));
    }
}
