//! What a frontend's builder collects and what a built client consults (feature `tls`).
//!
//! This is not protocol code and does no I/O and no logging: it holds the options both
//! frontends' builders offer, with their defaults ([`Options`]), and turns them once into
//! [`Settings`]: the [`Router`] (proxies parsed once, `no_proxy` compiled once), the IP
//! blocklist, the rustls client configurations for proxies and targets, the phase timeouts,
//! the `User-Agent`, the headers for proxies only, and the warnings the frontend must log (ignored `no_proxy` entries,
//! an `HTTP_PROXY` ignored under CGI, certificate verification turned off). It needs `std`
//! only because rustls' `ClientConfig` does.
//!
//! ```
//! use egress_core::settings::Options;
//! use egress_core::{RouteKind, Target};
//!
//! let mut options = Options::default();
//! options.set_https_proxy("http://proxy.corp:3128");
//! options.set_no_proxy("localhost, 10.0.0.0/8, 10.0.0.0/33");
//! let settings = options.build("client", egress_core::settings::SystemRoots::default)?;
//! let target = Target::from_authority("https", "matrix.org")?;
//! assert_eq!(settings.router().route(&target).kind, RouteKind::Tunnel);
//! assert_eq!(settings.warnings().len(), 1, "the /33 entry is reported");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder_methods;
mod observe;
mod options;

pub use observe::{PhaseEvent, PhaseObserver, PhaseReport, SharedObserver};
pub use options::{DEFAULT_USER_AGENT, Options, SystemRoots};

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use rustls::ClientConfig;

use crate::auth::{AuthChoice, NegotiateProvider};
use crate::blocklist::IpBlocklist;
use crate::establish::{self, Timeouts};
use crate::failure::Failure;
use crate::forward::{AuthenticatingRewriter, ForwardAuthReport, ForwardRewriter};
use crate::proxy_headers::{ProxyHeaderLines, ProxyHeaders};
use crate::router::Router;
use crate::router::RouterProxy;
use crate::target::Target;

/// Everything a built client consults for every connection; see the module doc.
pub struct Settings {
    router: Router,
    blocklist: IpBlocklist,
    proxy_tls: Arc<ClientConfig>,
    target_tls: Arc<ClientConfig>,
    timeouts: Timeouts,
    user_agent: Option<String>,
    proxy_auth: AuthChoice,
    negotiate: Option<Arc<dyn NegotiateProvider>>,
    proxy_headers: ProxyHeaders,
    warnings: Vec<String>,
    observer: Option<SharedObserver>,
}

impl Settings {
    /// The phase observer, if one was set.
    pub fn observer(&self) -> Option<&dyn PhaseObserver> {
        self.observer.as_ref().map(|shared| &*shared.0)
    }

    /// The router: proxies and `no_proxy`, parsed once.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The IP blocklist for direct connections.
    pub fn blocklist(&self) -> &IpBlocklist {
        &self.blocklist
    }

    /// TLS configuration for `https://` proxies.
    pub fn proxy_tls(&self) -> &Arc<ClientConfig> {
        &self.proxy_tls
    }

    /// TLS configuration for `https://` targets.
    pub fn target_tls(&self) -> &Arc<ClientConfig> {
        &self.target_tls
    }

    /// The phase timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The `User-Agent` for CONNECT and requests, if any.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// Which schemes may answer a proxy's 407.
    pub fn proxy_auth(&self) -> AuthChoice {
        self.proxy_auth
    }

    /// The request writer of one forward connection to `proxy` for `target`: requests in
    /// absolute form with the proxy header lines, and the proxy's 407s answered with the
    /// schemes allowed (see [`AuthenticatingRewriter`]). Each connection keeps its own
    /// authentication state: an NTLM handshake belongs to one connection, and a Digest
    /// nonce counted on one connection is never counted on another. `seed` is the driver's
    /// read of the OS, as for [`establish_options`](Self::establish_options).
    pub fn forward_writer<const N: usize>(
        &self,
        target: &Target<'_>,
        proxy: &RouterProxy,
        seed: crate::auth::Seed,
    ) -> Result<AuthenticatingRewriter<N>, Failure> {
        let credentials = proxy.url().credentials();
        let rewriter = ForwardRewriter::<N>::with_head_capacity(target, None)
            .map(|r| Box::new(r.with_proxy_headers(self.proxy_headers())))
            .map_err(|error| Failure::InvalidConfig {
                variable: proxy.source().into(),
                problem: alloc::format!("cannot forward to {}: {error}", target.authority()),
            })?;
        let proxy_tls = proxy.scheme() == crate::Scheme::Https;
        let writer = AuthenticatingRewriter::new(rewriter, self.proxy_auth, credentials, seed)
            .for_proxy(proxy_tls, Arc::clone(proxy.learned_scheme()));
        Ok(match &self.negotiate {
            Some(provider) => writer.with_negotiate(
                Arc::clone(provider),
                crate::auth::negotiate::service_host(proxy.url().host()),
            ),
            None => writer,
        })
    }

    /// Tells the phase observer, if any, that a forward request's 407s were answered and
    /// accepted (`elapsed`: how long the rounds took, as the driver measures it), as the
    /// proxy-handshake phase a CONNECT route reports.
    pub fn report_forward_auth(&self, report: &ForwardAuthReport, elapsed: core::time::Duration) {
        if let Some(observer) = self.observer() {
            observer.phase_done(&PhaseEvent {
                phase: crate::Phase::ProxyHandshake,
                elapsed,
                detail: alloc::string::ToString::to_string(report),
            });
        }
    }

    /// Where Negotiate tokens come from, if anywhere (GSSAPI by default with feature
    /// `gssapi`).
    pub fn negotiate(&self) -> Option<&Arc<dyn NegotiateProvider>> {
        self.negotiate.as_ref()
    }

    /// The header lines for proxies only (CONNECT and forward requests).
    pub fn proxy_headers(&self) -> ProxyHeaderLines<'_> {
        self.proxy_headers.lines()
    }

    /// What the frontend should log as warnings once, after building.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The options of the connection machine for one connection.
    pub fn establish_options(&self) -> establish::Options<'_> {
        establish::Options {
            timeouts: self.timeouts,
            blocklist: (!self.blocklist.is_empty()).then_some(&self.blocklist),
            user_agent: self.user_agent.as_deref(),
            auth: self.proxy_auth,
            random: [0; 16],
            unix_time: 0,
            deadline: None,
            proxy_headers: self.proxy_headers.lines(),
            negotiate: self.negotiate.as_ref(),
        }
    }
}

/// Shows the router (proxies without credentials) and the timeouts.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("router", &self.router)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}
