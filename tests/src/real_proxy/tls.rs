//! A throwaway CA and a proxy certificate for `127.0.0.1` and `localhost` signed by it,
//! generated per proxy instance, so a test can trust exactly this proxy (or, by not adding
//! the CA, see an unknown-CA failure).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::CertificateDer;

use super::HarnessError;

/// A fresh CA plus a server certificate for the loopback proxy.
pub struct ProxyCa {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    cert_pem: String,
    key_pem: String,
}

impl core::fmt::Debug for ProxyCa {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The private key stays out of Debug output.
        f.debug_struct("ProxyCa").finish_non_exhaustive()
    }
}

impl ProxyCa {
    /// Generates the CA and a certificate valid for `127.0.0.1` and `localhost`.
    pub fn generate() -> Result<Self, HarnessError> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "egress-tests throwaway proxy CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "egress-tests loopback proxy");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &issuer)?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().clone(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER (ready for a rustls `RootCertStore`).
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        &self.ca_der
    }

    /// The proxy's certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The proxy's private key, PEM (PKCS#8).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_distinct_pem_material() {
        let a = ProxyCa::generate().expect("a");
        let b = ProxyCa::generate().expect("b");
        assert!(a.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(a.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(a.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_ne!(a.ca_der(), b.ca_der());
        assert!(!format!("{a:?}").contains("PRIVATE"));
    }
}
