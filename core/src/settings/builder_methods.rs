//! The builder methods both frontends offer over [`Options`](super::Options), written once
//! as a macro so `AgentBuilder` (egress-sync) and `ConnectorBuilder` (egress-async) cannot
//! drift apart in names, defaults or documentation.

/// Generates the shared builder methods for a `Default` builder type with a field
/// `options: egress_core::settings::Options`; `$error` is the frontend's error type
/// (`From<Failure>`), returned by the methods that can fail.
#[macro_export]
macro_rules! options_builder_methods {
    ($error:ty) => {
        /// Applies `set` to the shared options.
        fn with(mut self, set: impl FnOnce(&mut $crate::settings::Options)) -> Self {
            set(&mut self.options);
            self
        }

        /// No proxy at all, every connection direct (the IP blocklist still applies). For
        /// traffic that must never use a proxy: Synapse's application services, identity
        /// servers, worker-to-worker and Redis connections.
        pub fn without_proxy() -> Self {
            Self::default()
        }

        /// `http_proxy`, `https_proxy` and `no_proxy` from the process environment, with
        /// Synapse's precedence (see `egress_core::env`).
        pub fn from_env() -> Self {
            Self::from_proxy_env(&$crate::OwnedProxyEnv::from_process())
        }

        /// The proxy variables from an already-read environment.
        pub fn from_proxy_env(env: &$crate::OwnedProxyEnv) -> Self {
            Self::default().with(|o| *o = $crate::settings::Options::from_proxy_env(env))
        }

        /// The proxy for `http://` targets, `[http|https://][user:password@]host[:port]`.
        pub fn http_proxy(self, url: &str) -> Self {
            self.with(|o| o.set_http_proxy(url))
        }

        /// The proxy for `https://` targets (CONNECT tunnels).
        pub fn https_proxy(self, url: &str) -> Self {
            self.with(|o| o.set_https_proxy(url))
        }

        /// The bypass list: hosts, domains, IP addresses and CIDR ranges, `host:port`, or
        /// `*`. Replaces a list read from the environment.
        pub fn no_proxy(self, list: &str) -> Self {
            self.with(|o| o.set_no_proxy(list))
        }

        /// Adds entries to the bypass list after those already set (e.g. the environment's
        /// `no_proxy`); [`no_proxy`](Self::no_proxy) replaces the list instead.
        pub fn extend_no_proxy(self, list: &str) -> Self {
            self.with(|o| o.extend_no_proxy(list))
        }

        /// Makes an invalid `no_proxy` entry a build error instead of a logged warning
        /// (default: a warning).
        pub fn strict_no_proxy(self, strict: bool) -> Self {
            self.with(|o| o.set_strict_no_proxy(strict))
        }

        /// Blocks direct connections to these addresses (not connections through a proxy;
        /// default: no blocklist).
        pub fn ip_blocklist(self, blocklist: $crate::IpBlocklist) -> Self {
            self.with(|o| o.set_blocklist(blocklist))
        }

        /// Which roots verify `https://` targets besides added CAs: webpki-roots, the
        /// platform's store (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the system bundle), or both
        /// (the default, so a company CA installed on the machine is trusted).
        pub fn trust_roots(self, roots: $crate::tls::TrustRoots) -> Self {
            self.with(|o| o.set_trust_roots(roots))
        }

        /// Which roots verify `https://` proxies besides added CAs (default: both).
        pub fn proxy_trust_roots(self, roots: $crate::tls::TrustRoots) -> Self {
            self.with(|o| o.set_proxy_trust_roots(roots))
        }

        /// Presents a client certificate chain and its private key (PEM) to `https://`
        /// proxies that require one (mutual TLS); never to targets.
        pub fn proxy_client_cert_pem(
            mut self,
            cert_pem: &[u8],
            key_pem: &[u8],
        ) -> Result<Self, $error> {
            self.options.set_proxy_client_cert_pem(cert_pem, key_pem)?;
            Ok(self)
        }

        /// The platform's certificate store, read once per build when a trust setting uses
        /// it (`rustls-native-certs`: `SSL_CERT_FILE`, `SSL_CERT_DIR`, the system bundle).
        fn load_system_roots() -> $crate::settings::SystemRoots {
            let loaded = ::rustls_native_certs::load_native_certs();
            $crate::settings::SystemRoots {
                certs: loaded.certs,
                problems: loaded.errors.iter().map(|e| e.to_string()).collect(),
            }
        }

        /// Trusts the CA certificates in `pem` for `https://` proxies, besides webpki-roots.
        pub fn add_proxy_ca_pem(mut self, pem: &[u8]) -> Result<Self, $error> {
            self.options.add_proxy_ca_pem(pem)?;
            Ok(self)
        }

        /// Trusts the CA certificates in `pem` for `https://` targets, besides webpki-roots.
        pub fn add_ca_pem(mut self, pem: &[u8]) -> Result<Self, $error> {
            self.options.add_ca_pem(pem)?;
            Ok(self)
        }

        /// Accepts any certificate from proxies and targets. For tests only: this removes
        /// the protection TLS gives, and every client built this way logs a warning.
        pub fn danger_accept_invalid_certs_for_testing(self) -> Self {
            self.with($crate::settings::Options::danger_accept_invalid_certs_for_testing)
        }

        /// Accepts any certificate from `https://` proxies only (Synapse's
        /// `use_insecure_ssl_client_just_for_testing_do_not_use`, for the proxy side). For
        /// tests only; every client built this way logs a warning.
        pub fn danger_accept_invalid_proxy_certs_for_testing(self) -> Self {
            self.with($crate::settings::Options::danger_accept_invalid_proxy_certs_for_testing)
        }

        /// Accepts any certificate from `https://` targets only. For tests only; every
        /// client built this way logs a warning.
        pub fn danger_accept_invalid_target_certs_for_testing(self) -> Self {
            self.with($crate::settings::Options::danger_accept_invalid_target_certs_for_testing)
        }

        /// Limit for resolving and TCP connect to a proxy or a direct target (default 30 s;
        /// `None`: no limit).
        pub fn timeout_connect(self, limit: impl Into<Option<::core::time::Duration>>) -> Self {
            self.with(|o| o.timeouts.connect = limit.into())
        }

        /// Limit for the proxy's answer to CONNECT, and for a forward proxy's response head
        /// after a request was sent (default 30 s; `None`: no limit).
        pub fn timeout_proxy_handshake(
            self,
            limit: impl Into<Option<::core::time::Duration>>,
        ) -> Self {
            self.with(|o| o.timeouts.proxy_handshake = limit.into())
        }

        /// Limit for each TLS handshake (default 30 s; `None`: no limit).
        pub fn timeout_tls(self, limit: impl Into<Option<::core::time::Duration>>) -> Self {
            self.with(|o| o.timeouts.tls = limit.into())
        }

        /// Calls `observer` after each connection phase egress completes (resolve, TCP
        /// connect, proxy TLS, CONNECT, target TLS), with its duration and what it did
        /// (default: none).
        pub fn phase_observer(
            self,
            observer: impl $crate::settings::PhaseObserver + 'static,
        ) -> Self {
            self.with(|o| o.set_phase_observer(observer))
        }

        /// Adds a header for proxies only, repeatable: sent with each CONNECT (tunnels) and
        /// added to each forward request after `Proxy-Authorization`, never sent to a target
        /// through a tunnel (default: none). Refuses CR/LF/NUL and other control bytes,
        /// `Host`, `Proxy-Authorization`, `Content-Length`, `Transfer-Encoding`, and more
        /// than 4 KiB in all (`egress_core::proxy_headers`).
        pub fn proxy_header(mut self, name: &str, value: &str) -> Result<Self, $error> {
            self.options.add_proxy_header(name, value)?;
            Ok(self)
        }

        /// The `User-Agent` sent with CONNECT and with requests (`None`: send none; default
        /// `egress/` and the version).
        pub fn user_agent(self, agent: Option<&str>) -> Self {
            self.with(|o| o.set_user_agent(agent))
        }

        /// Which schemes may answer a proxy's 407 (default `Any`: the strongest the proxy
        /// offers, Negotiate > NTLM > Digest > Basic; over a plain `http://` proxy nothing
        /// goes before the proxy's first challenge, and what it asked for is remembered for
        /// the client's later connections). Pin one (`Negotiate`, `Ntlm`, `Digest`, `Basic`)
        /// to use nothing else; `Basic` sends the credentials with the first request, saving
        /// that round trip; `Negotiate` needs a provider (feature `negotiate`).
        pub fn proxy_auth(self, choice: $crate::auth::AuthChoice) -> Self {
            self.with(|o| o.set_proxy_auth(choice))
        }

        /// Where Negotiate (SPNEGO/Kerberos) tokens come from, for CONNECT routes: the
        /// system's GSSAPI with the caller's ticket cache by default when built with feature
        /// `negotiate`; `None` turns Negotiate off; any other
        /// [`NegotiateProvider`]($crate::auth::NegotiateProvider) replaces it.
        pub fn negotiate_provider(
            self,
            provider: Option<::std::sync::Arc<dyn $crate::auth::NegotiateProvider>>,
        ) -> Self {
            self.with(|o| o.set_negotiate_provider(provider))
        }
    };
}
