//! rustls client configuration shared by both frontends (feature `tls`).
//!
//! This is configuration only, no I/O: one place decides which roots are trusted (the
//! webpki-roots bundle plus any extra CA certificates), which crypto provider is used (ring)
//! and how verification can be switched off for testing. Both `egress-sync` and
//! `egress-async` build their proxy and target TLS from here, so they trust exactly the same
//! certificates.

mod insecure;

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

/// Which certificates a TLS connection trusts.
#[derive(Clone, Default)]
pub struct TlsTrust {
    extra_roots: Vec<CertificateDer<'static>>,
    without_webpki_roots: bool,
    insecure_for_testing: bool,
}

/// A CA certificate could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsTrustError {
    /// The PEM text holds no `CERTIFICATE` block.
    NoCertificateInPem,
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
        let config = if self.insecure_for_testing {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(insecure::AcceptAnyCertificate::new(
                    provider,
                )))
                .with_no_client_auth()
        } else {
            let mut roots = RootCertStore::empty();
            if !self.without_webpki_roots {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            for cert in &self.extra_roots {
                roots.add(cert.clone()).map_err(TlsTrustError::Rustls)?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        Ok(Arc::new(config))
    }
}

/// Lists the extra certificates by count only; certificates are public but long.
impl fmt::Debug for TlsTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTrust")
            .field("extra_roots", &self.extra_roots.len())
            .field("webpki_roots", &!self.without_webpki_roots)
            .field("insecure_for_testing", &self.insecure_for_testing)
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
