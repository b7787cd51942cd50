//! Failures of an HTTP/1.1 exchange over a connection that was established fine: the
//! payload of [`Error::Http`](crate::Error::Http).

use std::fmt;
use std::io;

/// What went wrong while sending a request or receiving its response.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpError {
    /// The request could not be built (bad method, header name or value, URL).
    InvalidRequest {
        /// What is wrong with it.
        message: String,
    },
    /// The peer's bytes broke HTTP/1.1, as ureq-proto found (or the request did not fit its
    /// rules, e.g. a body longer than its `Content-Length`).
    Protocol(ureq_proto::Error),
    /// Reading or writing the connection (or the request body) failed, or the peer closed
    /// it before the response was complete.
    Io(io::Error),
    /// The server answered with an error status (from `Response::error_for_status`).
    Status {
        /// The status code, 400 or above.
        status: u16,
        /// The URL, without user information.
        url: String,
    },
    /// More redirects than the client's limit.
    TooManyRedirects {
        /// The configured limit.
        limit: u32,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::InvalidRequest { message } => write!(f, "invalid request: {message}"),
            HttpError::Protocol(_) => f.write_str(
                "the HTTP exchange broke HTTP/1.1's rules; the server (or the proxy) sent \
                 something that is not valid HTTP/1.1, or the request did not fit them",
            ),
            HttpError::Io(_) => f.write_str(
                "the connection failed during the HTTP exchange; retry, the peer may have \
                 closed an idle connection",
            ),
            HttpError::Status { status, url } => {
                write!(f, "{url} answered with status {status}")
            }
            HttpError::TooManyRedirects { limit } => write!(
                f,
                "more than {limit} redirects; raise the client's redirect limit or check for a \
                 redirect loop"
            ),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpError::Protocol(error) => Some(error),
            HttpError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<ureq_proto::Error> for HttpError {
    fn from(error: ureq_proto::Error) -> Self {
        match error {
            // The only output ureq-proto writes into a caller's buffer is the request.
            ureq_proto::Error::OutputOverflow => HttpError::InvalidRequest {
                message: format!(
                    "the request head is larger than {} KiB; send fewer or shorter headers",
                    crate::client::OUTPUT_SIZE / 1024
                ),
            },
            other => HttpError::Protocol(other),
        }
    }
}

impl From<io::Error> for HttpError {
    fn from(error: io::Error) -> Self {
        HttpError::Io(error)
    }
}
