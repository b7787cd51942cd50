//! Real proxies for the test suite: squid, tinyproxy and an NTLM acceptor (pyspnego behind
//! `tests/peers/ntlm_proxy.py`) started by the harness on 127.0.0.1 from generated config
//! files in a private temp dir, and stopped by PID on drop.
//!
//! A test asks for a binary with [`require_or_skip`] (missing: skip outside CI, recorded in
//! the [`SKIP_LOG_ENV`] file for `scripts/test-all`'s summary; fail when `CI` is set),
//! starts a proxy, and talks to its ports:
//!
//! ```no_run
//! use egress_tests::real_proxy::{BasicAuth, Squid, SquidOptions};
//! let Some(squid) = Squid::start_or_skip(SquidOptions {
//!     ssl_ports: vec![8443],
//!     basic_auth: Some(BasicAuth::new("user", "pass")),
//!     tls: true,
//!     ..SquidOptions::default()
//! }) else {
//!     return; // not installed, outside CI
//! };
//! let _plain = squid.plain_url(); // http://127.0.0.1:PORT, no auth
//! let _auth = squid.auth_url().expect("auth listener"); // http://user:pass@127.0.0.1:PORT
//! let _tls = squid.https_url().expect("tls listener"); // trust squid.ca_der()
//! ```
//!
//! Files: `discover` (binaries, skip rule), `squid`/`squid_conf`, `tinyproxy`, `ntlm`, `htpasswd`,
//! `kerberos` (a throwaway KDC for Negotiate), `tls` (throwaway CA), `process` (child PID,
//! readiness, kill), `workdir` (temp dir).

mod discover;
mod error;
mod htpasswd;
pub mod kerberos;
mod ntlm;
mod process;
mod rig;
mod squid;
mod squid_conf;
mod tinyproxy;
mod tls;
mod workdir;

pub use discover::{
    Availability, DEFAULT_VENV, INSTALL_HINT, PYSPNEGO_HINT, RealProxy, SKIP_LOG_ENV, SkipRecord,
    VENV_ENV, append_record, availability, find_squid, find_tinyproxy, in_ci, require_or_skip,
};
pub use error::HarnessError;
pub use htpasswd::htpasswd_line;
pub use kerberos::KerberosRealm;
pub use ntlm::{NTLM_PROXY_SCRIPT, NtlmEvent, NtlmOptions, NtlmProxy, NtlmUser};
pub use process::{READY_TIMEOUT, free_ports};
pub use rig::Rig;
pub use squid::{Squid, SquidNegotiate, SquidOptions, find_ncsa_helper};
pub use squid_conf::{SquidConf, render_squid_conf};
pub use tinyproxy::{Tinyproxy, TinyproxyOptions, render_tinyproxy_conf};
pub use tls::ProxyCa;
pub use workdir::WorkDir;

/// A user name and password for a proxy's Basic authentication. `Debug` hides both.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    user: String,
    password: String,
}

impl BasicAuth {
    /// Credentials `user`/`password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// `user:password@`, each percent-encoded for a proxy URL's userinfo.
    pub fn userinfo(&self) -> String {
        format!(
            "{}:{}@",
            percent_encode(&self.user),
            percent_encode(&self.password)
        )
    }
}

impl core::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BasicAuth(***)")
    }
}

/// Percent-encodes every byte except RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_percent_encodes_and_debug_hides() {
        let auth = BasicAuth::new("us er", "p@ss:w/ö");
        assert_eq!(auth.userinfo(), "us%20er:p%40ss%3Aw%2F%C3%B6@");
        assert_eq!(format!("{auth:?}"), "BasicAuth(***)");
    }
}
