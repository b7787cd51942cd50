//! How a request ended, in terms both frontends share: a whole response, egress-core's
//! [`Failure`], or an HTTP exchange failure sorted into the few kinds the suites assert on
//! (ureq's and egress-async's exchange errors differ in type, not in meaning).

use egress_core::Failure;

/// How a request ended.
#[derive(Debug)]
pub enum Fetched {
    /// A response of any status, its body read to the end.
    Response(Response),
    /// A failure egress classified.
    Failure(Failure),
    /// The HTTP exchange failed after the connection was established.
    Http(HttpFailure),
}

/// A response read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The URL the response came from, after redirects.
    pub url: String,
}

impl Response {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        values.next().map(|(_, v)| v.as_str())
    }

    /// The path of [`Response::url`].
    pub fn path(&self) -> &str {
        let after_scheme = self.url.split_once("://").map_or("", |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |at| &after_scheme[at..]);
        path.split(['?', '#']).next().unwrap_or("")
    }
}

/// An exchange failure, by kind.
#[derive(Debug, PartialEq, Eq)]
pub enum HttpFailure {
    /// The peer closed before the message was complete (an `UnexpectedEof` I/O error).
    Eof,
    /// ureq-proto's parser refused the bytes: its error, shown with `Debug`.
    Protocol(String),
    /// The response head exceeded the frontend's limit; `seen` is its length when known.
    HeadTooLarge { limit: usize, seen: Option<usize> },
    /// More redirects than allowed; the limit, when the error names it.
    TooManyRedirects { limit: Option<u32> },
    /// ureq's status error (only with `http_status_as_error`, which the harness turns off).
    Status(u16),
    /// Anything else, shown with `Debug`.
    Other(String),
}

impl Fetched {
    /// The failure, or a panic naming what came instead.
    pub fn failure(self) -> Failure {
        match self {
            Fetched::Failure(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    /// The response (any status), or a panic naming what came instead.
    pub fn response(self) -> Response {
        match self {
            Fetched::Response(response) => response,
            other => panic!("expected a response, got {other:?}"),
        }
    }

    /// The body of a 2xx response, or a panic naming what came instead.
    pub fn body(self) -> Vec<u8> {
        match self {
            Fetched::Response(response) if (200..300).contains(&response.status) => response.body,
            other => panic!("expected a 2xx body, got {other:?}"),
        }
    }

    /// The exchange failure, or a panic naming what came instead (a success included).
    pub fn http(self) -> HttpFailure {
        match self {
            Fetched::Http(http) => http,
            other => panic!("expected an HTTP exchange failure, got {other:?}"),
        }
    }

    /// Sorts egress-sync's error.
    pub(super) fn from_sync(error: egress_sync::Error) -> Self {
        use egress_sync::ureq::Error as U;
        match error {
            egress_sync::Error::Failure(failure) => Fetched::Failure(failure),
            egress_sync::Error::Http(http) => Fetched::Http(match http {
                U::Io(e) => HttpFailure::from_io(&e),
                U::Protocol(e) => HttpFailure::Protocol(format!("{e:?}")),
                U::LargeResponseHeader(seen, limit) => HttpFailure::HeadTooLarge {
                    limit,
                    seen: Some(seen),
                },
                U::TooManyRedirects => HttpFailure::TooManyRedirects { limit: None },
                U::StatusCode(status) => HttpFailure::Status(status),
                other => HttpFailure::Other(format!("{other:?}")),
            }),
            other => Fetched::Http(HttpFailure::Other(format!("{other:?}"))),
        }
    }

    /// Sorts egress-async's error.
    pub(super) fn from_async(error: egress_async::Error) -> Self {
        use egress_async::HttpError as H;
        match error {
            egress_async::Error::Failure(failure) => Fetched::Failure(failure),
            egress_async::Error::Http(http) => Fetched::Http(match http {
                H::Io(e) => HttpFailure::from_io(&e),
                H::Protocol(e) => HttpFailure::Protocol(format!("{e:?}")),
                H::TooManyRedirects { limit } => {
                    HttpFailure::TooManyRedirects { limit: Some(limit) }
                }
                other => HttpFailure::Other(format!("{other:?}")),
            }),
            other => Fetched::Http(HttpFailure::Other(format!("{other:?}"))),
        }
    }
}

impl HttpFailure {
    fn from_io(error: &std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::UnexpectedEof => HttpFailure::Eof,
            // egress-async's own response-head cap (ureq reports its cap as a variant).
            std::io::ErrorKind::InvalidData
                if error.to_string() == "response head larger than 16 KiB" =>
            {
                HttpFailure::HeadTooLarge {
                    limit: 16 * 1024,
                    seen: None,
                }
            }
            _ => HttpFailure::Other(format!("{error:?}")),
        }
    }
}
