//! Throwaway certificate authorities for the loopback servers.
//!
//! A [`TestCa`] is generated at test time (rcgen, ECDSA P-256) and issues [`ServerCert`]s for
//! any names and IP addresses. Clients trust it by adding [`TestCa::cert_der`] or
//! [`TestCa::cert_pem`]; a second `TestCa` is an "unknown CA" whose certificates a client that
//! trusts only the first must reject (proxy TLS failure tests).
//!
//! ```
//! use egress_tests::TestCa;
//! let ca = TestCa::new("egress test CA");
//! let leaf = ca.issue(&["localhost", "127.0.0.1", "::1", "origin.test"]);
//! assert!(ca.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! assert!(leaf.key_pem().contains("PRIVATE KEY"));
//! let _server = leaf.server_config();
//! let _client = ca.client_config();
//! ```

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names every default server certificate covers.
pub const LOCAL_NAMES: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// The one crypto provider of the workspace (ring), chosen explicitly so that no process-wide
/// default has to be installed.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A throwaway certificate authority.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    cert_pem: String,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signing key stays out of Debug output.
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// Generates a CA whose subject common name is `name`.
    ///
    /// # Panics
    /// If rcgen fails to generate a key or sign (not expected with the ring provider).
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("CA key generation: {e}"));
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params
            .self_signed(&key)
            .unwrap_or_else(|e| panic!("CA self-signing: {e}"));
        TestCa {
            issuer: Issuer::new(params, key),
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
        }
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }

    /// The CA certificate, PEM (what squid or a `--ca-file` option reads).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// A root store holding only this CA.
    pub fn root_store(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.cert_der())
            .unwrap_or_else(|e| panic!("test CA rejected by rustls: {e}"));
        roots
    }

    /// A rustls client configuration trusting only this CA (for the servers' own tests and for
    /// raw TLS clients in other tests).
    pub fn client_config(&self) -> Arc<ClientConfig> {
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("rustls protocol versions: {e}"))
            .with_root_certificates(self.root_store())
            .with_no_client_auth();
        Arc::new(config)
    }

    /// Issues a server certificate for `names`; entries that parse as IP addresses become IP
    /// subject alternative names, the rest DNS names.
    ///
    /// # Panics
    /// If a name is not a valid DNS name or IP address, or rcgen fails.
    pub fn issue(&self, names: &[&str]) -> ServerCert {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names)
            .unwrap_or_else(|e| panic!("certificate names rejected: {e}"));
        params
            .distinguished_name
            .push(DnType::CommonName, "egress test server");
        params.is_ca = IsCa::ExplicitNoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("leaf key generation: {e}"));
        let cert = params
            .signed_by(&key, &self.issuer)
            .unwrap_or_else(|e| panic!("leaf signing: {e}"));
        ServerCert {
            cert_der: cert.der().clone(),
            cert_pem: cert.pem(),
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
        }
    }

    /// Issues a client certificate (extended key usage `clientAuth`) named `name`.
    ///
    /// # Panics
    /// If rcgen fails.
    pub fn issue_client(&self, name: &str) -> ServerCert {
        let mut params = CertificateParams::new(Vec::<String>::new())
            .unwrap_or_else(|e| panic!("client certificate params: {e}"));
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::ExplicitNoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("client key generation: {e}"));
        let cert = params
            .signed_by(&key, &self.issuer)
            .unwrap_or_else(|e| panic!("client signing: {e}"));
        ServerCert {
            cert_der: cert.der().clone(),
            cert_pem: cert.pem(),
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A certificate for [`LOCAL_NAMES`] (`localhost`, `127.0.0.1`, `::1`).
    pub fn issue_local(&self) -> ServerCert {
        self.issue(LOCAL_NAMES)
    }
}

/// A leaf certificate with its private key.
#[derive(Clone)]
pub struct ServerCert {
    cert_der: CertificateDer<'static>,
    cert_pem: String,
    key_der: Vec<u8>,
    key_pem: String,
}

impl std::fmt::Debug for ServerCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCert").finish_non_exhaustive()
    }
}

impl ServerCert {
    /// A certificate and key read back from their PEM forms (e.g. in a child process).
    ///
    /// # Panics
    /// If either PEM holds no certificate or key.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> ServerCert {
        use rustls::pki_types::pem::PemObject;
        let cert_der = CertificateDer::from_pem_slice(cert_pem)
            .unwrap_or_else(|e| panic!("certificate PEM: {e}"));
        let key =
            PrivatePkcs8KeyDer::from_pem_slice(key_pem).unwrap_or_else(|e| panic!("key PEM: {e}"));
        ServerCert {
            cert_der,
            cert_pem: String::from_utf8_lossy(cert_pem).into_owned(),
            key_der: key.secret_pkcs8_der().to_vec(),
            key_pem: String::from_utf8_lossy(key_pem).into_owned(),
        }
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }

    /// The certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key, PKCS#8 DER.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    /// The private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Like [`ServerCert::server_config`], but every client must present a certificate
    /// issued by `clients` (mutual TLS).
    ///
    /// # Panics
    /// If rustls rejects the key or the client CA.
    pub fn server_config_requiring_clients(&self, clients: &TestCa) -> Arc<ServerConfig> {
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(clients.root_store()),
            provider(),
        )
        .build()
        .unwrap_or_else(|e| panic!("client verifier: {e}"));
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("rustls protocol versions: {e}"))
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![self.cert_der()], self.key_der())
            .unwrap_or_else(|e| panic!("rustls rejected the test certificate: {e}"));
        Arc::new(config)
    }

    /// A rustls server configuration presenting this certificate (ring provider, TLS 1.2 and
    /// 1.3, no client authentication).
    ///
    /// # Panics
    /// If rustls rejects the key (not expected for keys made by [`TestCa::issue`]).
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("rustls protocol versions: {e}"))
            .with_no_client_auth()
            .with_single_cert(vec![self.cert_der()], self.key_der())
            .unwrap_or_else(|e| panic!("rustls rejected the test certificate: {e}"));
        Arc::new(config)
    }
}
