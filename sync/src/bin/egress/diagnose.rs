//! What `egress check` says about a failure: the phase it happened in, a one-line summary,
//! the TLS verifier's reason, and what to do — all derived from egress-sync's error kinds.

use std::io;

use egress_sync::{Error, Phase};
use rustls::CertificateError;

/// The phase the failure belongs to (`None` for configuration errors).
pub(crate) fn failed_phase(error: &Error) -> Option<Phase> {
    Some(match error {
        Error::InvalidConfig { .. } => return None,
        Error::ProxyUnreachable { .. } => Phase::ConnectProxy,
        Error::ProxyTls { .. } => Phase::ProxyTls,
        Error::ProxyAuthRequired { .. }
        | Error::ConnectRejected { .. }
        | Error::ProxyProtocol { .. } => Phase::ProxyHandshake,
        Error::Timeout { phase } => *phase,
        Error::TargetUnreachable { .. } => Phase::ConnectTarget,
        Error::TargetTls { .. } => Phase::TargetTls,
        Error::Blocked { .. } => Phase::ResolveTarget,
        _ => Phase::Exchange,
    })
}

/// What happened, in one line, without the advice.
pub(crate) fn summary(error: &Error) -> String {
    match error {
        Error::ProxyUnreachable { proxy, source } => {
            format!("cannot reach proxy {proxy}: {source}")
        }
        Error::ProxyTls { proxy, source } => format!("TLS with proxy {proxy} failed: {source}"),
        Error::ProxyAuthRequired {
            proxy,
            status,
            schemes,
            ..
        } => format!(
            "proxy {proxy} answered {status}, authentication required (offers: {})",
            if schemes.is_empty() {
                String::from("none named")
            } else {
                schemes.join(", ")
            }
        ),
        Error::ConnectRejected {
            proxy,
            target,
            status,
            reason,
        } => format!("proxy {proxy} refused CONNECT {target}: {status} {reason}"),
        Error::ProxyProtocol { proxy, error } => {
            format!("proxy {proxy} answered CONNECT incorrectly: {error}")
        }
        Error::Timeout { phase } => format!("timed out while {}", phase.description()),
        Error::TargetUnreachable { target, source } => {
            format!("cannot connect to {target}: {source}")
        }
        Error::TargetTls { target, source } => format!("TLS with {target} failed: {source}"),
        other => other.to_string(),
    }
}

/// The certificate verifier's reason (e.g. `UnknownIssuer`) for a TLS failure.
pub(crate) fn tls_reason(error: &Error) -> Option<String> {
    let (Error::ProxyTls { source, .. } | Error::TargetTls { source, .. }) = error else {
        return None;
    };
    rustls_error(source).map(|e| match e {
        // webpki's reasons arrive wrapped as `Other(OtherError(..))`; show the reason itself.
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => other.to_string(),
        rustls::Error::InvalidCertificate(cert) => format!("{cert:?}"),
        other => other.to_string(),
    })
}

fn rustls_error(source: &io::Error) -> Option<&rustls::Error> {
    source.get_ref()?.downcast_ref::<rustls::Error>()
}

fn certificate_error(source: &io::Error) -> Option<&CertificateError> {
    match rustls_error(source)? {
        rustls::Error::InvalidCertificate(cert) => Some(cert),
        _ => None,
    }
}

/// What to do about it.
pub(crate) fn advice(error: &Error) -> String {
    match error {
        Error::InvalidConfig { .. } => String::from("fix the configuration named above"),
        Error::ProxyUnreachable { .. } => String::from(
            "check that the proxy is running and listening on that host and port, and that \
             the proxy variable names it (a firewall may also drop the connection)",
        ),
        Error::ProxyTls { source, .. } => match certificate_error(source) {
            Some(CertificateError::UnknownIssuer | CertificateError::BadSignature) => String::from(
                "the proxy's certificate is signed by a CA this machine does not trust; if it \
                 comes from a private CA, pass that CA with --proxy-ca FILE",
            ),
            Some(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => String::from(
                "the proxy's certificate does not name the host in the proxy URL; use the \
                     name on the certificate in the proxy variable",
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
                "check that the proxy really speaks TLS on that port (use http:// in the proxy \
                 URL otherwise) and that its certificate is valid; for a private CA pass \
                 --proxy-ca FILE",
            ),
        },
        Error::ProxyAuthRequired {
            credentials_sent: true,
            ..
        } => {
            String::from("the credentials in the proxy URL were rejected; check user and password")
        }
        Error::ProxyAuthRequired { .. } => String::from(
            "credentials are missing: add them to the proxy URL, http://user:password@host:port",
        ),
        Error::ConnectRejected { status, .. } => format!(
            "the proxy's rules do not allow this tunnel ({status}); squid, for example, allows \
             CONNECT only to SSL ports (443) by default: ask for the port to be allowed, or add \
             the host to no_proxy if it is reachable directly"
        ),
        Error::ProxyProtocol { .. } => String::from(
            "check that the proxy variable names an HTTP proxy (not SOCKS, not a web server)",
        ),
        Error::Timeout { .. } => String::from(
            "the peer may be down or a firewall may drop the packets; raise --timeout if it \
             is only slow",
        ),
        Error::TargetUnreachable { .. } => String::from(
            "check the URL's host and port; if this network reaches the outside only through a \
             proxy, set https_proxy / http_proxy",
        ),
        Error::TargetTls { .. } => String::from(
            "check that the URL's host matches the target's certificate; for a private CA pass \
             --ca FILE",
        ),
        Error::Blocked { .. } => String::from(
            "the IP blocklist forbids this address; add an exception if the target is intended",
        ),
        _ => String::from("the connection was made; the exchange with the target failed"),
    }
}
