//! The one error type of egress-async: egress-core's [`Failure`] (configuration, target and
//! everything about establishing a connection, classified once by the connection machine,
//! exactly as egress-sync reports it) or an [`HttpError`] from the exchange itself.
//!
//! No error ever holds a credential.

use std::fmt;

use egress_core::Phase;
use egress_core::failure::Failure;

use crate::HttpError;

/// Everything that can go wrong when egress-async routes a connection or sends a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// egress classified the failure: invalid configuration or URL, or a failure while
    /// establishing the connection (proxy unreachable, proxy TLS, 407, CONNECT refused,
    /// a forward proxy closing, blocked address, timeout, target unreachable or TLS).
    Failure(Failure),
    /// The HTTP exchange over a ready connection failed.
    Http(HttpError),
}

impl Error {
    egress_core::failure_accessors!();

    /// The phase the failure happened in, if known.
    pub fn phase(&self) -> Option<Phase> {
        match self {
            Error::Failure(failure) => failure.phase(),
            Error::Http(_) => Some(Phase::Exchange),
        }
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        Error::Failure(failure)
    }
}

impl From<HttpError> for Error {
    fn from(error: HttpError) -> Self {
        Error::Http(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Failure(failure) => failure.fmt(f),
            Error::Http(http) => http.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Failure(failure) => std::error::Error::source(failure),
            Error::Http(http) => std::error::Error::source(http),
        }
    }
}
