//! The builder options both frontends offer, with their defaults, and the step that turns
//! them into [`Settings`]. `AgentBuilder` (egress-sync) and `ConnectorBuilder`
//! (egress-async) hold an [`Options`] and delegate each shared method to it, so an option
//! means the same thing, and defaults the same way, in both.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::Settings;
use super::observe::{PhaseObserver, SharedObserver};
use alloc::sync::Arc;

use crate::auth::{AuthChoice, NegotiateProvider};
use crate::blocklist::IpBlocklist;
use crate::connect::ConnectRequest;
use crate::env::OwnedProxyEnv;
use crate::establish::Timeouts;
use crate::failure::Failure;
use crate::host::Host;
use crate::proxy_headers::ProxyHeaders;
use crate::router::{Router, Setting};
use crate::target::{Scheme, Target};
use crate::tls::{TlsTrust, TrustRoots};

/// The platform's certificate store as a frontend read it (`rustls-native-certs`, which
/// honours `SSL_CERT_FILE` and `SSL_CERT_DIR`).
#[derive(Clone, Debug, Default)]
pub struct SystemRoots {
    /// The certificates found.
    pub certs: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// What could not be read, for warnings.
    pub problems: Vec<String>,
}

/// Default `User-Agent`: `egress/` and the version (all egress crates share one).
pub const DEFAULT_USER_AGENT: &str = concat!("egress/", env!("CARGO_PKG_VERSION"));

/// The options shared by the frontends' builders. The default: no proxy, no blocklist,
/// webpki-roots only, [`Timeouts::default`], [`DEFAULT_USER_AGENT`], no proxy headers, and
/// Negotiate through the system's GSSAPI when built with feature `gssapi` (else none).
#[derive(Debug, Clone)]
pub struct Options {
    http_proxy: Option<Setting>,
    https_proxy: Option<Setting>,
    no_proxy: Option<Setting>,
    strict_no_proxy: bool,
    blocklist: IpBlocklist,
    proxy_trust: TlsTrust,
    target_trust: TlsTrust,
    /// The phase limits; the builders set them field by field.
    pub timeouts: Timeouts,
    user_agent: Option<String>,
    proxy_auth: AuthChoice,
    negotiate: Option<Arc<dyn NegotiateProvider>>,
    proxy_headers: ProxyHeaders,
    warnings: Vec<String>,
    observer: Option<SharedObserver>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            http_proxy: None,
            https_proxy: None,
            no_proxy: None,
            strict_no_proxy: false,
            blocklist: IpBlocklist::new(),
            proxy_trust: TlsTrust::new(),
            target_trust: TlsTrust::new(),
            timeouts: Timeouts::default(),
            user_agent: Some(DEFAULT_USER_AGENT.to_owned()),
            proxy_auth: AuthChoice::Any,
            negotiate: default_negotiate(),
            proxy_headers: ProxyHeaders::new(),
            warnings: Vec::new(),
            observer: None,
        }
    }
}

impl Options {
    /// The proxy variables of an already-read environment, other options at their
    /// defaults. An `HTTP_PROXY` ignored because of CGI (httpoxy) becomes a warning.
    pub fn from_proxy_env(env: &OwnedProxyEnv) -> Self {
        let env = env.borrowed();
        let mut warnings = Vec::new();
        if let Some(ignored) = env.ignored_cgi_http_proxy {
            warnings.push(format!(
                "ignoring {} because REQUEST_METHOD is set (CGI, httpoxy)",
                ignored.name
            ));
        }
        Self {
            http_proxy: Setting::from_env_value(env.http_proxy),
            https_proxy: Setting::from_env_value(env.https_proxy),
            no_proxy: Setting::from_env_value(env.no_proxy),
            warnings,
            ..Self::default()
        }
    }

    /// The proxy for `http://` targets, set in code.
    pub fn set_http_proxy(&mut self, url: &str) {
        self.http_proxy = Some(Setting::from_code(url));
    }

    /// The proxy for `https://` targets, set in code.
    pub fn set_https_proxy(&mut self, url: &str) {
        self.https_proxy = Some(Setting::from_code(url));
    }

    /// The bypass list, set in code (replacing one from the environment).
    pub fn set_no_proxy(&mut self, list: &str) {
        self.no_proxy = Some(Setting::from_code(list));
    }

    /// Adds entries to the bypass list, after those already set (from the environment, or
    /// in code); [`Options::set_no_proxy`] replaces the list instead.
    pub fn extend_no_proxy(&mut self, list: &str) {
        self.no_proxy = Some(match self.no_proxy.take() {
            None => Setting::from_code(list),
            Some(existing) => Setting::new(
                &format!("{} and configuration", existing.source),
                &format!("{},{list}", existing.value),
            ),
        });
    }

    /// Whether an invalid `no_proxy` entry fails the build instead of being a warning.
    pub fn set_strict_no_proxy(&mut self, strict: bool) {
        self.strict_no_proxy = strict;
    }

    /// The IP blocklist for direct connections.
    pub fn set_blocklist(&mut self, blocklist: IpBlocklist) {
        self.blocklist = blocklist;
    }

    /// Which roots verify `https://` targets besides added CAs (default
    /// [`TrustRoots::Both`]: webpki-roots and the platform's store).
    pub fn set_trust_roots(&mut self, roots: TrustRoots) {
        self.target_trust.set_roots(roots);
    }

    /// Which roots verify `https://` proxies besides added CAs (default
    /// [`TrustRoots::Both`]).
    pub fn set_proxy_trust_roots(&mut self, roots: TrustRoots) {
        self.proxy_trust.set_roots(roots);
    }

    /// Presents this client certificate chain and key (PEM) to `https://` proxies.
    pub fn set_proxy_client_cert_pem(
        &mut self,
        cert_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<(), Failure> {
        match self.proxy_trust.set_client_cert_pem(cert_pem, key_pem) {
            Ok(_) => Ok(()),
            Err(e) => Err(Failure::InvalidConfig {
                variable: String::from("proxy client certificate"),
                problem: e.to_string(),
            }),
        }
    }

    /// Trusts the CA certificates in `pem` for `https://` proxies.
    pub fn add_proxy_ca_pem(&mut self, pem: &[u8]) -> Result<(), Failure> {
        add_pem(&mut self.proxy_trust, pem, "proxy CA certificate")
    }

    /// Trusts the CA certificates in `pem` for `https://` targets.
    pub fn add_ca_pem(&mut self, pem: &[u8]) -> Result<(), Failure> {
        add_pem(&mut self.target_trust, pem, "CA certificate")
    }

    /// Accepts any certificate from proxies and targets (tests only; every build warns).
    pub fn danger_accept_invalid_certs_for_testing(&mut self) {
        self.danger_accept_invalid_proxy_certs_for_testing();
        self.danger_accept_invalid_target_certs_for_testing();
    }

    /// Accepts any certificate from `https://` proxies (tests only; every build warns).
    pub fn danger_accept_invalid_proxy_certs_for_testing(&mut self) {
        self.proxy_trust.danger_accept_invalid_certs_for_testing();
    }

    /// Accepts any certificate from `https://` targets (tests only; every build warns).
    pub fn danger_accept_invalid_target_certs_for_testing(&mut self) {
        self.target_trust.danger_accept_invalid_certs_for_testing();
    }

    /// Calls `observer` after each connection phase (resolve, connect, TLS, CONNECT).
    pub fn set_phase_observer(&mut self, observer: impl PhaseObserver + 'static) {
        self.observer = Some(super::observe::shared(observer));
    }

    /// The `User-Agent` for CONNECT and requests (`None`: send none).
    pub fn set_user_agent(&mut self, agent: Option<&str>) {
        self.user_agent = agent.map(str::to_owned);
    }

    /// Which schemes may answer a proxy's 407 (default [`AuthChoice::Any`]).
    pub fn set_proxy_auth(&mut self, choice: AuthChoice) {
        self.proxy_auth = choice;
    }

    /// Where Negotiate (SPNEGO/Kerberos) tokens come from (`None`: Negotiate is never
    /// answered). The default is GSSAPI with feature `gssapi`, else `None`.
    pub fn set_negotiate_provider(&mut self, provider: Option<Arc<dyn NegotiateProvider>>) {
        self.negotiate = provider;
    }

    /// Adds a header for proxies only: sent with CONNECT and added to forward requests,
    /// never to a target through a tunnel (rules in `egress_core::proxy_headers`).
    pub fn add_proxy_header(&mut self, name: &str, value: &str) -> Result<(), Failure> {
        self.proxy_headers
            .push(name, value)
            .map_err(|error| Failure::InvalidConfig {
                variable: String::from("proxy header"),
                problem: error.to_string(),
            })
    }

    /// Builds the router and the TLS configurations. `built` names what is being built
    /// (`agent`, `connector`) in the warning given when verification is off; `system_roots`
    /// reads the platform's certificate store, and is called only when a trust setting uses
    /// it (the frontends read it; this crate does no I/O).
    pub fn build(
        mut self,
        built: &str,
        system_roots: impl FnOnce() -> SystemRoots,
    ) -> Result<Settings, Failure> {
        if let Some(agent) = &self.user_agent {
            // Checked here, once, rather than failing every CONNECT later.
            let probe = Target::new(Scheme::Https, Host::Name("example.com"), None);
            ConnectRequest::new(&probe)
                .with_user_agent(agent)
                .validate()
                .map_err(|error| Failure::InvalidConfig {
                    variable: String::from("user agent"),
                    problem: error.to_string(),
                })?;
        }
        if self.proxy_auth == AuthChoice::Negotiate && self.negotiate.is_none() {
            return Err(Failure::InvalidConfig {
                variable: String::from("proxy authentication"),
                problem: String::from(
                    "Negotiate was asked for, but this build has no GSSAPI support and no \
                     Negotiate provider was set; build with the negotiate feature, or pick \
                     another scheme",
                ),
            });
        }
        let mut warnings = core::mem::take(&mut self.warnings);
        if self.proxy_trust.roots().uses_system() || self.target_trust.roots().uses_system() {
            let loaded = system_roots();
            for problem in &loaded.problems {
                warnings.push(format!("platform certificate store: {problem}"));
            }
            self.proxy_trust.set_system_roots(loaded.certs.clone());
            self.target_trust.set_system_roots(loaded.certs);
        }
        let off = match (
            self.proxy_trust.is_insecure(),
            self.target_trust.is_insecure(),
        ) {
            (true, true) => Some("proxies and targets"),
            (true, false) => Some("proxies"),
            (false, true) => Some("targets"),
            (false, false) => None,
        };
        if let Some(off) = off {
            warnings.push(format!(
                "TLS certificate verification is OFF for {off} of this {built} (a \
                 danger_accept_invalid_*_for_testing option); never use this in production"
            ));
        }
        let router = Router::new(
            self.http_proxy,
            self.https_proxy,
            self.no_proxy,
            self.strict_no_proxy,
        )?;
        for diagnostic in router.no_proxy_diagnostics() {
            warnings.push(format!("no_proxy entry ignored: {diagnostic}"));
        }
        let trust_error = |e: crate::tls::TlsTrustError| Failure::InvalidConfig {
            variable: String::from("TLS configuration"),
            problem: e.to_string(),
        };
        Ok(Settings {
            router,
            blocklist: self.blocklist,
            proxy_tls: self.proxy_trust.client_config().map_err(trust_error)?,
            target_tls: self.target_trust.client_config().map_err(trust_error)?,
            timeouts: self.timeouts,
            user_agent: self.user_agent,
            proxy_auth: self.proxy_auth,
            negotiate: self.negotiate,
            proxy_headers: self.proxy_headers,
            warnings,
            observer: self.observer,
        })
    }
}

/// GSSAPI when compiled in.
fn default_negotiate() -> Option<Arc<dyn NegotiateProvider>> {
    #[cfg(feature = "gssapi")]
    return Some(Arc::new(crate::auth::gssapi::Gssapi));
    #[cfg(not(feature = "gssapi"))]
    None
}

fn add_pem(trust: &mut TlsTrust, pem: &[u8], what: &str) -> Result<(), Failure> {
    match trust.add_pem(pem) {
        Ok(_) => Ok(()),
        Err(e) => Err(Failure::InvalidConfig {
            variable: what.to_string(),
            problem: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extending_no_proxy_keeps_the_environment_and_setting_replaces_it() {
        let target = |host| Target::from_authority("https", host).unwrap_or_else(|e| panic!("{e}"));
        let env = crate::ProxyEnv::from_pairs([
            ("https_proxy", "http://proxy:3128"),
            ("NO_PROXY", "from-env.example"),
        ]);
        let owned = OwnedProxyEnv::from_borrowed(&env);
        let mut extended = Options::from_proxy_env(&owned);
        extended.extend_no_proxy("from-code.example");
        let settings = extended
            .build("client", SystemRoots::default)
            .unwrap_or_else(|e| panic!("{e}"));
        let router = settings.router();
        for host in ["from-env.example", "from-code.example"] {
            assert_eq!(
                router.route(&target(host)).kind,
                crate::RouteKind::Direct,
                "{host}"
            );
        }
        assert_eq!(router.no_proxy_source(), Some("NO_PROXY and configuration"));
        let mut replaced = Options::from_proxy_env(&owned);
        replaced.set_no_proxy("from-code.example");
        let settings = replaced
            .build("client", SystemRoots::default)
            .unwrap_or_else(|e| panic!("{e}"));
        let tunnel = settings.router().route(&target("from-env.example")).kind;
        assert_eq!(tunnel, crate::RouteKind::Tunnel);
    }

    #[test]
    fn negotiate_pinned_without_a_provider_fails_the_build() {
        let mut options = Options::default();
        options.set_proxy_auth(AuthChoice::Negotiate);
        options.set_negotiate_provider(None);
        let error = options.build("client", SystemRoots::default).err();
        assert!(
            matches!(&error, Some(Failure::InvalidConfig { variable, problem })
                if variable == "proxy authentication" && problem.contains("GSSAPI")),
            "{error:?}"
        );
        // With a provider (GSSAPI by default under feature `gssapi`) it builds, and the
        // connections get it.
        let mut options = Options::default();
        options.set_proxy_auth(AuthChoice::Negotiate);
        let provider: Arc<dyn NegotiateProvider> =
            Arc::new(crate::auth::negotiate::fake::FakeProvider::new(Vec::new()));
        options.set_negotiate_provider(Some(provider));
        let settings = options
            .build("client", SystemRoots::default)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(settings.establish_options().negotiate.is_some());
        assert_eq!(
            Options::default().negotiate.is_some(),
            cfg!(feature = "gssapi"),
            "GSSAPI is the default provider exactly when compiled in"
        );
    }

    #[test]
    fn a_user_agent_that_cannot_be_sent_fails_the_build() {
        let mut options = Options::default();
        options.set_user_agent(Some("bad\r\nX-Injected: 1"));
        let error = options.build("client", SystemRoots::default).err();
        assert!(
            matches!(&error, Some(Failure::InvalidConfig { variable, .. }) if variable == "user agent"),
            "{error:?}"
        );
        let mut fine = Options::default();
        assert!(fine.add_proxy_header("X-Team", "blue").is_ok());
        let refused = fine.add_proxy_header("Proxy-Authorization", "Basic x");
        assert!(
            matches!(&refused, Err(Failure::InvalidConfig { variable, .. }) if variable == "proxy header"),
            "{refused:?}"
        );
        fine.set_user_agent(Some("my-service/2.1 (+https://example.org)"));
        assert!(fine.build("client", SystemRoots::default).is_ok());
    }
}
