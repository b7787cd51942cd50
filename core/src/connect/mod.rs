//! The CONNECT handshake with an HTTP proxy, as two sans-IO pieces: an encoder that writes the
//! request head into the caller's buffer, and a decoder fed the proxy's answer in chunks of
//! any size. Neither allocates, does I/O or reads a clock; the handshake timeout belongs to
//! the frontend.
//!
//! ```text
//!  ConnectRequest::encode ──► (frontend writes the bytes to the proxy)
//!
//!  ConnectResponse:
//!            handle_bytes                 head complete, 1xx (at most 4): skipped
//!   ┌─────────┐ NeedMore ┌─────────┐ ◄───────────────────────────┐
//!   │ Reading │ ───────► │ Reading │ ────────────────────────────┘
//!   └─────────┘          └────┬────┘
//!          head complete,     │      malformed / over a limit / handle_eof
//!          final status       │ ─────────────────────────────────► Failed(error)  (sticky)
//!                             ▼
//!                    Done(outcome)  ──► Finished (further input: AlreadyFinished)
//!        2xx ─► Established { leftover }   (leftover = tunnel bytes, never lost)
//!        407 / 401 ─► AuthRequired { schemes }
//!        other ─► Rejected { status, reason }
//! ```
//!
//! RFC 9110 §9.3.6: a 2xx answer to CONNECT has no content, whatever `Content-Length` or
//! `Transfer-Encoding` say, so everything after its head is tunnel data. The head of a non-2xx
//! answer is all that is read; the frontend closes the connection. Limits: head at most
//! [`MAX_HEAD_LEN`] bytes and [`MAX_HEADERS`] headers, at most [`MAX_INTERIM_RESPONSES`]
//! interim responses; exceeding one, or anything malformed, is an error, never a hang.
//!
//! IPv6 targets are bracketed. An IPv6 target with a zone id is refused
//! ([`ConnectEncodeError::ZoneIdNotSendable`]): the zone names an interface of the sending
//! machine, which the proxy cannot use, and `%25` in an authority is not understood by common
//! proxies.
//!
//! ```
//! use egress_core::connect::{ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus};
//! use egress_core::{Credentials, Scheme, Target};
//!
//! let target = Target::from_url_parts(Scheme::Https, "example.com", None)?;
//! let request = ConnectRequest::new(&target)
//!     .with_credentials(Credentials::from_encoded("user", "pass"))
//!     .with_user_agent("egress/0.1");
//! let mut out = [0u8; 256];
//! let n = request.encode(&mut out)?;
//! assert_eq!(
//!     &out[..n],
//!     b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
//!       Proxy-Authorization: Basic dXNlcjpwYXNz\r\nUser-Agent: egress/0.1\r\n\r\n"
//! );
//!
//! // The proxy's answer arrives in two reads; the second carries the first TLS bytes too.
//! let mut response = ConnectResponse::new();
//! assert_eq!(response.handle_bytes(b"HTTP/1.1 200 Connection est")?, ConnectStatus::NeedMore);
//! match response.handle_bytes(b"ablished\r\n\r\n\x16\x03\x01")? {
//!     ConnectStatus::Done(ConnectOutcome::Established { status, leftover }) => {
//!         assert_eq!(status, 200);
//!         assert_eq!(leftover, b"\x16\x03\x01"); // hand these to the TLS session first
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod challenge;
mod decode;
mod encode;
mod error;
mod explanation;
mod outcome;
mod storage;
#[cfg(test)]
mod tests;

pub use decode::{ConnectResponse, MAX_HEAD_LEN, MAX_HEADERS, MAX_INTERIM_RESPONSES};
pub use encode::ConnectRequest;
pub use error::{ConnectEncodeError, ConnectError, MalformedPart};
pub use explanation::{Explanation, first_body_line};
pub use outcome::{
    AuthScheme, AuthSchemes, ConnectOutcome, ConnectStatus, MAX_REASON_LEN, MAX_SCHEME_LEN,
    MAX_SCHEMES, Reason,
};
pub use storage::HeadBuffer;
