//! squid started by the harness: up to three loopback listeners (plain, Basic auth, TLS),
//! run in the foreground (`-N`) as our child so we own and kill its PID.

use std::path::{Path, PathBuf};
use std::process::Command;

use rustls_pki_types::CertificateDer;

use super::{
    BasicAuth, HarnessError, ProxyCa, RealProxy, SquidConf, WorkDir, free_ports, htpasswd_line,
    process::ProxyProcess, render_squid_conf, require_or_skip,
};

/// How many times a start is retried with fresh ports (a reserved port can be stolen).
const ATTEMPTS: usize = 3;

/// Where Debian and other distributions install squid's `basic_ncsa_auth`.
const NCSA_HELPER_DIRS: &[&str] = &["/usr/lib/squid", "/usr/lib64/squid", "/usr/libexec/squid"];

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct SquidOptions {
    /// Ports squid may CONNECT to besides 443: the loopback origins' TLS ports.
    pub ssl_ports: Vec<u16>,
    /// Adds a second plain listener that requires these credentials (Basic).
    pub basic_auth: Option<BasicAuth>,
    /// The auth listener asks for Digest (squid's `digest_file_auth`) instead of Basic.
    pub digest: bool,
    /// Adds an `https_port` listener with a certificate from a fresh throwaway CA.
    pub tls: bool,
    /// The auth listener asks for Negotiate (`negotiate_kerberos_auth`) instead; takes
    /// precedence over `basic_auth`.
    pub negotiate: Option<SquidNegotiate>,
}

/// What squid's `negotiate_kerberos_auth` needs: a keytab, the service principal it accepts,
/// and the realm's `krb5.conf` (squid and its helpers get it as `KRB5_CONFIG`).
#[derive(Debug, Clone)]
pub struct SquidNegotiate {
    /// The keytab with the service principal's key (readable by squid's user).
    pub keytab: PathBuf,
    /// The principal accepted, e.g. `HTTP/localhost@EGRESS.TEST`.
    pub principal: String,
    /// The realm's `krb5.conf`.
    pub krb5_config: PathBuf,
}

impl SquidNegotiate {
    /// Negotiate against `realm`'s service principal.
    pub fn for_realm(realm: &super::KerberosRealm) -> Self {
        Self {
            keytab: realm.keytab(),
            principal: realm.service_principal(),
            krb5_config: realm.krb5_config(),
        }
    }
}

/// A running squid; killed by PID and its work dir removed on drop.
#[derive(Debug)]
pub struct Squid {
    // Field order matters: the process dies before its directory is removed.
    process: ProxyProcess,
    plain_port: u16,
    auth: Option<(u16, BasicAuth)>,
    negotiate_port: Option<u16>,
    tls: Option<(u16, ProxyCa)>,
    dir: WorkDir,
}

impl Squid {
    /// Starts `binary` with `options` and waits until every listener accepts connections.
    pub fn start(binary: &Path, options: SquidOptions) -> Result<Self, HarnessError> {
        for _ in 1..ATTEMPTS {
            match Self::start_once(binary, &options) {
                // A stolen port shows up as one of these; try again with fresh ports.
                Err(HarnessError::ExitedEarly { .. } | HarnessError::NotReady { .. }) => {}
                other => return other,
            }
        }
        Self::start_once(binary, &options)
    }

    /// Finds squid with [`require_or_skip`] and starts it; `None` means "skip this test".
    ///
    /// # Panics
    /// When squid is installed but does not start (or is missing while `CI` is set).
    pub fn start_or_skip(options: SquidOptions) -> Option<Self> {
        let binary = require_or_skip(RealProxy::Squid)?;
        Some(Self::start(&binary, options).unwrap_or_else(|e| panic!("squid: {e}")))
    }

    fn start_once(binary: &Path, options: &SquidOptions) -> Result<Self, HarnessError> {
        let dir = WorkDir::create("squid")?;
        let ports = free_ports(3)?;
        let negotiate = match &options.negotiate {
            Some(negotiate) => Some((
                ports[1],
                find_helper("negotiate_kerberos_auth")?,
                negotiate.clone(),
            )),
            None => None,
        };
        let auth = match &options.basic_auth {
            _ if negotiate.is_some() => None,
            Some(creds) if options.digest => {
                let line = format!("{}:{}\n", creds.user(), creds.password());
                dir.write("digest.pw", line.as_bytes())?;
                Some((ports[1], creds.clone(), find_helper("digest_file_auth")?))
            }
            Some(creds) => {
                dir.write("htpasswd", htpasswd_line(creds)?.as_bytes())?;
                Some((ports[1], creds.clone(), find_ncsa_helper()?))
            }
            None => None,
        };
        let tls = if options.tls {
            let ca = ProxyCa::generate()?;
            dir.write("proxy-cert.pem", ca.cert_pem().as_bytes())?;
            dir.write("proxy-key.pem", ca.key_pem().as_bytes())?;
            Some((ports[2], ca))
        } else {
            None
        };
        let conf = SquidConf {
            dir: dir.path().to_path_buf(),
            plain_port: ports[0],
            auth: auth
                .as_ref()
                .map(|(p, _, helper)| (*p, helper.clone()))
                .or_else(|| {
                    negotiate
                        .as_ref()
                        .map(|(p, helper, _)| (*p, helper.clone()))
                }),
            negotiate: negotiate
                .as_ref()
                .map(|(_, _, n)| (n.keytab.clone(), n.principal.clone())),
            tls_port: tls.as_ref().map(|(p, _)| *p),
            ssl_ports: options.ssl_ports.clone(),
            digest: options.digest,
        };
        let conf_path = dir.write("squid.conf", render_squid_conf(&conf).as_bytes())?;
        let mut command = Command::new(binary);
        // -N: foreground, no daemon and no SMP kids, so the PID we hold is squid itself.
        command
            .arg("-N")
            .arg("-d")
            .arg("1")
            .arg("-f")
            .arg(&conf_path);
        if let Some((_, _, negotiate)) = &negotiate {
            // The helper reads the realm's config (where the KDC is) from its environment.
            command.env("KRB5_CONFIG", &negotiate.krb5_config);
        }
        let mut listening = vec![conf.plain_port];
        listening.extend(conf.auth.as_ref().map(|(p, _)| *p));
        listening.extend(conf.tls_port);
        let process = ProxyProcess::start(
            "squid",
            command,
            &dir.path().join("squid.out"),
            vec![dir.path().join("cache.log")],
            auth.as_ref().map(|(_, c, _)| c.password().to_owned()),
            &listening,
        )?;
        Ok(Self {
            process,
            plain_port: conf.plain_port,
            auth: auth.map(|(p, c, _)| (p, c)),
            negotiate_port: negotiate.map(|(p, _, _)| p),
            tls,
            dir,
        })
    }

    /// squid's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The listener without authentication.
    pub fn plain_port(&self) -> u16 {
        self.plain_port
    }

    /// `http://127.0.0.1:PORT` for the listener without authentication.
    pub fn plain_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.plain_port)
    }

    /// The listener that requires Basic authentication, if configured.
    pub fn auth_port(&self) -> Option<u16> {
        self.auth.as_ref().map(|(p, _)| *p)
    }

    /// `http://user:password@127.0.0.1:PORT` with the configured credentials.
    pub fn auth_url(&self) -> Option<String> {
        let (port, creds) = self.auth.as_ref()?;
        Some(format!("http://{}127.0.0.1:{port}", creds.userinfo()))
    }

    /// `http://user:password@127.0.0.1:PORT` for the auth listener with other credentials
    /// (e.g. wrong ones).
    pub fn auth_url_with(&self, creds: &BasicAuth) -> Option<String> {
        let port = self.auth_port()?;
        Some(format!("http://{}127.0.0.1:{port}", creds.userinfo()))
    }

    /// `http://HOST:PORT` for the Negotiate listener, if configured: `localhost` matches
    /// the service principal `HTTP/localhost`, another name does not.
    pub fn negotiate_url(&self, host: &str) -> Option<String> {
        self.negotiate_port.map(|p| format!("http://{host}:{p}"))
    }

    /// The TLS listener (`https_port`), if configured.
    pub fn https_port(&self) -> Option<u16> {
        self.tls.as_ref().map(|(p, _)| *p)
    }

    /// `https://127.0.0.1:PORT` for the TLS listener (its certificate also names `localhost`).
    pub fn https_url(&self) -> Option<String> {
        self.https_port().map(|p| format!("https://127.0.0.1:{p}"))
    }

    /// The CA that signed the TLS listener's certificate, PEM.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|(_, ca)| ca.ca_pem())
    }

    /// The CA that signed the TLS listener's certificate, DER.
    pub fn ca_der(&self) -> Option<&CertificateDer<'static>> {
        self.tls.as_ref().map(|(_, ca)| ca.ca_der())
    }

    /// The work dir (config, logs: `cache.log`, `access.log`, `squid.out`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last lines of squid's output and cache.log, for a failing test's message.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }
}

/// Finds squid's `basic_ncsa_auth` helper.
pub fn find_ncsa_helper() -> Result<PathBuf, HarnessError> {
    find_helper("basic_ncsa_auth")
}

/// Finds one of squid's helpers (`basic_ncsa_auth`, `digest_file_auth`,
/// `negotiate_kerberos_auth`).
pub(crate) fn find_helper(helper: &'static str) -> Result<PathBuf, HarnessError> {
    let searched: Vec<PathBuf> = NCSA_HELPER_DIRS
        .iter()
        .map(|d| Path::new(d).join(helper))
        .collect();
    match searched.iter().find(|p| p.is_file()) {
        Some(found) => Ok(found.clone()),
        None => Err(HarnessError::MissingHelper { helper, searched }),
    }
}
