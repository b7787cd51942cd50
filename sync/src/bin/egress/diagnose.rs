//! What the tool says about a failure: the phase it happened in, the library's message with
//! its causes, the TLS verifier's reason, and the advice only the tool can give (its own
//! flags). The messages themselves are egress-core's; nothing here rewords them.

use std::error::Error as _;
use std::io;

use egress_sync::{Error, Failure, FailureKind, Phase};
use rustls::CertificateError;

/// The phase the failure belongs to (`None` for configuration and URL errors).
pub(crate) fn failed_phase(error: &Error) -> Option<Phase> {
    match error.failure() {
        Some(failure) => failure.phase(),
        None => Some(Phase::Exchange),
    }
}

/// The library's message followed by each cause, e.g. `cannot reach proxy …; check …
/// (cause: Connection refused (os error 111))`.
pub(crate) fn summary(error: &Error) -> String {
    let mut message = error.to_string();
    let mut causes = Vec::new();
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !message.contains(&text) && !causes.contains(&text) {
            causes.push(text);
        }
        next = cause.source();
    }
    if !causes.is_empty() {
        message.push_str(" (cause: ");
        message.push_str(&causes.join(": "));
        message.push(')');
    }
    message
}

/// The rustls error behind a TLS failure, if that is what it is.
fn rustls_error(failure: &Failure) -> Option<&rustls::Error> {
    let peer = failure.peer_error()?;
    let inner = peer.inner();
    inner.downcast_ref::<rustls::Error>().or_else(|| {
        inner
            .downcast_ref::<io::Error>()?
            .get_ref()?
            .downcast_ref::<rustls::Error>()
    })
}

/// The certificate verifier's reason (e.g. `UnknownIssuer`) for a TLS failure.
pub(crate) fn tls_reason(error: &Error) -> Option<String> {
    let failure = error.failure()?;
    if !matches!(
        failure.kind(),
        FailureKind::ProxyTls | FailureKind::TargetTls
    ) {
        return None;
    }
    rustls_error(failure).map(|e| match e {
        // webpki's reasons arrive wrapped as `Other(OtherError(..))`; show the reason itself.
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => other.to_string(),
        rustls::Error::InvalidCertificate(cert) => format!("{cert:?}"),
        other => other.to_string(),
    })
}

fn certificate_error(failure: &Failure) -> Option<&CertificateError> {
    match rustls_error(failure)? {
        rustls::Error::InvalidCertificate(cert) => Some(cert),
        _ => None,
    }
}

/// What to do with this tool's flags, where a flag is the remedy; the library's message
/// already says what to do otherwise.
pub(crate) fn advice(error: &Error) -> Option<String> {
    let failure = error.failure()?;
    Some(match failure.kind() {
        FailureKind::ProxyTls => proxy_tls_advice(failure),
        FailureKind::TargetTls => String::from("for a private CA pass --ca FILE"),
        FailureKind::Timeout => String::from("raise --timeout SECONDS if the peer is only slow"),
        _ => return None,
    })
}

fn proxy_tls_advice(failure: &Failure) -> String {
    match certificate_error(failure) {
        Some(CertificateError::UnknownIssuer | CertificateError::BadSignature) => String::from(
            "the proxy's certificate is signed by a CA this machine does not trust; if it comes \
             from a private CA, pass that CA with --proxy-ca FILE",
        ),
        Some(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => String::from(
            "the proxy's certificate does not name the host in the proxy URL; use the name \
                 on the certificate in the proxy variable",
        ),
        Some(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
            String::from("the proxy's certificate has expired; renew it on the proxy")
        }
        Some(CertificateError::Other(other)) if other.to_string() == "CaUsedAsEndEntity" => {
            String::from(
                "the proxy presents a CA certificate (basicConstraints CA:TRUE) as its own, as a \
                 self-signed `openssl req -x509` certificate does; give the proxy a server \
                 certificate issued by a CA and pass that CA with --proxy-ca FILE",
            )
        }
        _ => String::from(
            "check that the proxy really speaks TLS on that port (use http:// in the proxy URL \
             otherwise) and that its certificate is valid; for a private CA pass --proxy-ca FILE",
        ),
    }
}
