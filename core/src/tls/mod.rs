//! rustls client configuration shared by both frontends (feature `tls`).
//!
//! This is configuration only, no I/O: one place decides which roots are trusted (the
//! webpki-roots bundle, the platform's store as the frontend read it, plus any extra CA
//! certificates), which crypto provider is used (ring), which client certificate an
//! `https://` proxy gets, and how verification can be switched off for testing. Both
//! `egress-sync` and `egress-async` build their proxy and target TLS from here, so they
//! trust exactly the same certificates.

mod insecure;

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

/// Which root certificates verify a peer, besides CAs added explicitly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TrustRoots {
    /// The webpki-roots bundle (Mozilla's roots, compiled in): the same everywhere, and
    /// enough in a minimal container without a CA bundle.
    Webpki,
    /// The platform's store (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the system bundle), where a
    /// company's interception CA is installed.
    System,
    /// Both (the default): public sites verify anywhere, company CAs installed on the
    /// machine are trusted too.
    #[default]
    Both,
}

impl TrustRoots {
    /// Parses `webpki`, `system` or `both`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "webpki" => Some(Self::Webpki),
            "system" => Some(Self::System),
            "both" => Some(Self::Both),
            _ => None,
        }
    }

    /// Whether the platform's store is used.
    pub fn uses_system(self) -> bool {
        matches!(self, Self::System | Self::Both)
    }

    fn uses_webpki(self) -> bool {
        matches!(self, Self::Webpki | Self::Both)
    }
}

/// A client certificate chain and its private key, presented to an `https://` proxy.
struct ClientAuth {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// Which certificates a TLS connection trusts, and the client certificate it presents.
#[derive(Clone, Default)]
pub struct TlsTrust {
    extra_roots: Vec<CertificateDer<'static>>,
    system_roots: Vec<CertificateDer<'static>>,
    roots: TrustRoots,
    without_webpki_roots: bool,
    insecure_for_testing: bool,
    client_auth: Option<Arc<ClientAuth>>,
}

/// A CA certificate could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsTrustError {
    /// The PEM text holds no `CERTIFICATE` block.
    NoCertificateInPem,
    /// The PEM text holds no private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`).
    NoKeyInPem,
    /// Only the platform's store is to be trusted, and it holds no certificate.
    NoSystemRoots,
    /// A PEM block could not be decoded.
    Pem(rustls::pki_types::pem::Error),
    /// rustls refused a certificate as a trust anchor.
    Rustls(rustls::Error),
}

impl fmt::Display for TlsTrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCertificateInPem => f.write_str(
                "no certificate found: pass a PEM file with -----BEGIN CERTIFICATE----- blocks",
            ),
            Self::NoKeyInPem => f.write_str(
                "no private key found: pass a PEM file with a -----BEGIN PRIVATE KEY----- block",
            ),
            Self::NoSystemRoots => f.write_str(
                "the platform's certificate store is empty or unreadable; check SSL_CERT_FILE \
                 and SSL_CERT_DIR, or trust the webpki roots too",
            ),
            Self::Pem(error) => write!(f, "the PEM data could not be read: {error}"),
            Self::Rustls(error) => {
                write!(
                    f,
                    "the certificate cannot be used as a trust anchor: {error}"
                )
            }
        }
    }
}

impl core::error::Error for TlsTrustError {}

impl TlsTrust {
    /// The default: the webpki-roots bundle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts the CA certificates in `pem` in addition to the bundle.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<&mut Self, TlsTrustError> {
        let before = self.extra_roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            self.extra_roots.push(cert.map_err(TlsTrustError::Pem)?);
        }
        if self.extra_roots.len() == before {
            return Err(TlsTrustError::NoCertificateInPem);
        }
        Ok(self)
    }

    /// Trusts a DER-encoded CA certificate in addition to the bundle.
    pub fn add_der(&mut self, der: CertificateDer<'static>) -> &mut Self {
        self.extra_roots.push(der);
        self
    }

    /// Which roots to trust besides added CAs (default [`TrustRoots::Both`]).
    pub fn set_roots(&mut self, roots: TrustRoots) -> &mut Self {
        self.roots = roots;
        self
    }

    /// The roots setting.
    pub fn roots(&self) -> TrustRoots {
        self.roots
    }

    /// The platform's certificates, as the frontend read them (used when
    /// [`TlsTrust::roots`] includes the system store).
    pub fn set_system_roots(&mut self, certs: Vec<CertificateDer<'static>>) -> &mut Self {
        self.system_roots = certs;
        self
    }

    /// Presents the certificate chain in `cert_pem` with the private key in `key_pem` to
    /// the peer (mutual TLS to an `https://` proxy).
    pub fn set_client_cert_pem(
        &mut self,
        cert_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<&mut Self, TlsTrustError> {
        let chain = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(TlsTrustError::Pem)?;
        if chain.is_empty() {
            return Err(TlsTrustError::NoCertificateInPem);
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|error| match error {
            rustls::pki_types::pem::Error::NoItemsFound => TlsTrustError::NoKeyInPem,
            other => TlsTrustError::Pem(other),
        })?;
        self.client_auth = Some(Arc::new(ClientAuth { chain, key }));
        Ok(self)
    }

    /// Trusts only the added certificates, not the webpki-roots bundle.
    pub fn without_webpki_roots(&mut self) -> &mut Self {
        self.without_webpki_roots = true;
        self
    }

    /// Accepts any certificate. For tests against servers with throwaway certificates only:
    /// it removes all protection TLS gives. Frontends log a warning for every client built
    /// this way.
    pub fn danger_accept_invalid_certs_for_testing(&mut self) -> &mut Self {
        self.insecure_for_testing = true;
        self
    }

    /// Whether verification is switched off.
    pub fn is_insecure(&self) -> bool {
        self.insecure_for_testing
    }

    /// Number of CA certificates added on top of the bundle.
    pub fn extra_root_count(&self) -> usize {
        self.extra_roots.len()
    }

    /// Builds the rustls configuration (ring provider, TLS 1.2 and 1.3, no client auth).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsTrustError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(TlsTrustError::Rustls)?;
        let verified = if self.insecure_for_testing {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(insecure::AcceptAnyCertificate::new(
                    provider,
                )))
        } else {
            let mut roots = RootCertStore::empty();
            if self.roots.uses_webpki() && !self.without_webpki_roots {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            if self.roots.uses_system() {
                // A platform store holds the odd certificate rustls cannot use; skip those.
                let (added, _) = roots.add_parsable_certificates(self.system_roots.iter().cloned());
                if added == 0 && self.roots == TrustRoots::System && self.extra_roots.is_empty() {
                    return Err(TlsTrustError::NoSystemRoots);
                }
            }
            for cert in &self.extra_roots {
                roots.add(cert.clone()).map_err(TlsTrustError::Rustls)?;
            }
            builder.with_root_certificates(roots)
        };
        let config = match &self.client_auth {
            None => verified.with_no_client_auth(),
            Some(auth) => verified
                .with_client_auth_cert(auth.chain.clone(), auth.key.clone_key())
                .map_err(TlsTrustError::Rustls)?,
        };
        Ok(Arc::new(config))
    }
}

/// Lists the extra certificates by count only; certificates are public but long.
impl fmt::Debug for TlsTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTrust")
            .field("roots", &self.roots)
            .field("extra_roots", &self.extra_roots.len())
            .field("system_roots", &self.system_roots.len())
            .field("webpki_roots", &!self.without_webpki_roots)
            .field("insecure_for_testing", &self.insecure_for_testing)
            .field(
                "client_cert",
                &self.client_auth.as_ref().map(|_| "(key hidden)"),
            )
            .finish()
    }
}

/// The server name to verify and send as SNI for `host`: a DNS name, or an IP address
/// (which rustls verifies against the certificate's IP SANs and never sends as SNI).
pub fn server_name(host: &crate::Host<'_>) -> Option<rustls::pki_types::ServerName<'static>> {
    use rustls::pki_types::ServerName;
    match host.ip() {
        Some(ip) => Some(ServerName::IpAddress(ip.into())),
        None => {
            let name = host.name()?;
            ServerName::try_from(name).ok().map(|n| n.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_pem_without_certificates() {
        let mut trust = TlsTrust::new();
        assert!(matches!(
            trust.add_pem(b"not a pem"),
            Err(TlsTrustError::NoCertificateInPem)
        ));
        assert!(trust.client_config().is_ok());
    }

    #[test]
    fn server_names_for_names_and_addresses() {
        let host = crate::Host::parse("[::1]").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            server_name(&host),
            Some(rustls::pki_types::ServerName::IpAddress(_))
        ));
        let host = crate::Host::parse("Proxy.Example.").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            server_name(&host),
            Some(rustls::pki_types::ServerName::DnsName(_))
        ));
    }
}
