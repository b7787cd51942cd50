//! The one error type of egress-sync: egress-core's [`Failure`] (configuration, target and
//! everything about establishing a connection, classified once by the connection machine)
//! or one of ureq's own errors from the HTTP exchange.
//!
//! Errors raised inside ureq's connector chain travel through ureq as
//! `ureq::Error::Other(Box<Error>)`; [`Error::from`] unwraps them again, so callers always
//! match on [`Error::Failure`]. No error ever holds a credential.

use std::fmt;

use egress_core::Phase;
use egress_core::failure::Failure;

/// Everything that can go wrong when egress-sync routes and sends a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// egress classified the failure: invalid configuration or URL, or a failure while
    /// establishing the connection (proxy unreachable, proxy TLS, 407, CONNECT refused,
    /// a forward proxy closing, blocked address, timeout, target unreachable or TLS).
    Failure(Failure),
    /// Any other failure while exchanging the request with the target, as ureq reports it
    /// (protocol errors, HTTP status errors when enabled, body errors, ...).
    Http(ureq::Error),
}

impl Error {
    egress_core::failure_accessors!();

    /// The phase the failure happened in, if known.
    pub fn phase(&self) -> Option<Phase> {
        match self {
            Error::Failure(failure) => failure.phase(),
            Error::Http(ureq::Error::Timeout(_)) => Some(Phase::Exchange),
            Error::Http(_) => None,
        }
    }

    /// Wraps this error so it can travel through ureq's connector chain.
    pub(crate) fn into_ureq(self) -> ureq::Error {
        ureq::Error::Other(Box::new(self))
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        Error::Failure(failure)
    }
}

impl From<ureq::Error> for Error {
    fn from(error: ureq::Error) -> Self {
        match error {
            ureq::Error::Other(boxed) => match boxed.downcast::<Error>() {
                Ok(ours) => *ours,
                Err(other) => Error::Http(ureq::Error::Other(other)),
            },
            ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<Error>()) => {
                match io.into_inner().map(|inner| inner.downcast::<Error>()) {
                    Some(Ok(ours)) => *ours,
                    _ => Error::Http(ureq::Error::ConnectionFailed),
                }
            }
            ureq::Error::Timeout(timeout) => Error::Failure(Failure::Timeout {
                phase: phase_of(timeout),
            }),
            other => Error::Http(other),
        }
    }
}

/// The phase of one of ureq's own timeouts: resolving and connecting are egress's (and
/// bounded by the machine), so whatever ureq times out is the exchange.
fn phase_of(_timeout: ureq::Timeout) -> Phase {
    Phase::Exchange
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Failure(failure) => failure.fmt(f),
            Error::Http(http) => write!(f, "the HTTP exchange failed: {http}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Failure(failure) => std::error::Error::source(failure),
            // ureq's message is shown in Display already; its own cause is the next link.
            Error::Http(http) => std::error::Error::source(http),
        }
    }
}
