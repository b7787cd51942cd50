//! Why the forward rewriter refused a target, credentials or a request stream.
//!
//! Errors are split the rustls way by who is at fault: construction errors (a target or
//! credentials that cannot be rendered), errors in the request stream the HTTP client wrote
//! (head syntax, framing), and caller misuse ([`ForwardError::EmptyOutput`]). None of them
//! ever carries a credential.

use core::fmt;

/// Which part of a request head failed to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeadPart {
    /// The request line: method, request target or the separators between them.
    RequestLine,
    /// The HTTP version in the request line.
    Version,
    /// A header field name (including obsolete line folding, which HTTP/1.1 forbids).
    HeaderName,
    /// A header field value (for example a NUL or another control byte).
    HeaderValue,
    /// A line ending in an unexpected place.
    LineEnding,
}

/// The form of a request target the rewriter cannot forward (RFC 9112 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetForm {
    /// Authority form (`host:port`), as used by `CONNECT`.
    Authority,
    /// Asterisk form (`*`) with a method other than `OPTIONS`.
    Asterisk,
    /// Anything else: an absolute URI with a scheme other than `http`/`https`, or a
    /// target that starts with neither `/` nor a scheme.
    Other,
}

/// An error from [`ForwardRewriter`](super::ForwardRewriter).
///
/// Every error except [`ForwardError::EmptyOutput`] is fatal: the rewriter stays failed
/// and the connection must be closed, because the position of the next request in the
/// stream is no longer known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForwardError {
    /// The rendered target (`http://host:port`) contains a byte that may not appear in a
    /// request target.
    InvalidTarget,
    /// The rendered target is longer than the rewriter's fixed prefix buffer.
    TargetTooLong {
        /// Length of the rendered `scheme://host[:port]`.
        needed: usize,
        /// The buffer's capacity.
        capacity: usize,
    },
    /// The `Proxy-Authorization` header line is longer than the rewriter's fixed buffer.
    CredentialsTooLong {
        /// Length of the header line.
        needed: usize,
        /// The buffer's capacity.
        capacity: usize,
    },
    /// A request head did not end within the head buffer.
    HeadTooLarge {
        /// The head buffer's capacity in bytes.
        capacity: usize,
    },
    /// A request head has more header fields than the rewriter parses.
    TooManyHeaders {
        /// The most header fields a head may have.
        max: usize,
    },
    /// A CR not followed by LF, or an LF not preceded by CR, in a request head.
    BareLineEnding {
        /// Offset of the offending byte from the start of the head.
        offset: usize,
    },
    /// A request head is not valid HTTP/1.x syntax.
    MalformedHead {
        /// Which part is broken.
        part: HeadPart,
    },
    /// The request target has a form a forward proxy request cannot carry.
    UnsupportedTarget {
        /// The form found.
        form: TargetForm,
    },
    /// A `Content-Length` value is not a decimal number that fits in 64 bits.
    InvalidContentLength,
    /// Several `Content-Length` values that differ.
    ConflictingContentLength,
    /// Both `Content-Length` and `Transfer-Encoding`: the body length is ambiguous.
    LengthWithTransferEncoding,
    /// `Transfer-Encoding` whose final coding is not a single `chunked`, or any
    /// `Transfer-Encoding` on an HTTP/1.0 request.
    UnsupportedTransferEncoding,
    /// A chunk size does not fit in 64 bits.
    ChunkSizeOverflow {
        /// Offset of the offending digit from the start of the body.
        offset: u64,
    },
    /// A chunked body (size line, chunk delimiter or trailer section) is malformed.
    MalformedChunkedBody {
        /// Offset of the offending byte from the start of the body.
        offset: u64,
    },
    /// A per-request `Proxy-Authorization` value holds a control character (CR, LF, NUL):
    /// it would end the header line early. Not fatal: the head still waits for a value.
    InvalidAuthorization,
    /// `rewrite` was called with an empty output buffer while it had bytes to write. Not
    /// fatal: call again with room in the output.
    EmptyOutput,
}

impl ForwardError {
    /// Whether the rewriter is failed for good after this error (all but
    /// [`ForwardError::EmptyOutput`]).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Self::EmptyOutput | Self::InvalidAuthorization)
    }
}

impl fmt::Display for ForwardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::InvalidTarget => f.write_str(
                "the target host renders to bytes not allowed in a request target; build the \
                 target with Host::parse",
            ),
            Self::TargetTooLong { needed, capacity } => write!(
                f,
                "the target renders to {needed} bytes, more than the {capacity} the forward \
                 rewriter holds; use a shorter host name or zone id"
            ),
            Self::CredentialsTooLong { needed, capacity } => write!(
                f,
                "the Proxy-Authorization header would be {needed} bytes, more than the \
                 {capacity} the forward rewriter holds; use shorter proxy credentials"
            ),
            Self::HeadTooLarge { capacity } => write!(
                f,
                "a request head is longer than {capacity} bytes; send fewer or shorter headers \
                 (proxies and servers commonly refuse heads over 8 to 16 KiB)"
            ),
            Self::TooManyHeaders { max } => write!(
                f,
                "a request head has more than {max} header fields; send fewer headers"
            ),
            Self::BareLineEnding { offset } => write!(
                f,
                "a request head has a CR or LF that is not part of a CRLF at offset {offset}; \
                 the HTTP client must end lines with CRLF"
            ),
            Self::MalformedHead { part } => {
                let what = match part {
                    HeadPart::RequestLine => "request line",
                    HeadPart::Version => "HTTP version",
                    HeadPart::HeaderName => "header name",
                    HeadPart::HeaderValue => "header value",
                    HeadPart::LineEnding => "line ending",
                };
                write!(
                    f,
                    "a request head has an invalid {what}; the HTTP client wrote a request \
                     that is not HTTP/1.1"
                )
            }
            Self::UnsupportedTarget { form } => match form {
                TargetForm::Authority => f.write_str(
                    "an authority-form (CONNECT) request cannot be forwarded; https targets \
                     go through a CONNECT tunnel, not the forward rewriter",
                ),
                TargetForm::Asterisk => f.write_str(
                    "the target '*' is only allowed with OPTIONS; use an origin-form path",
                ),
                TargetForm::Other => f.write_str(
                    "the request target is neither a path nor an http(s) URL; the forward \
                     rewriter only handles http requests",
                ),
            },
            Self::InvalidContentLength => f.write_str(
                "a Content-Length value is not a decimal number below 2^64; fix the request",
            ),
            Self::ConflictingContentLength => f.write_str(
                "a request has several different Content-Length values; send exactly one",
            ),
            Self::LengthWithTransferEncoding => f.write_str(
                "a request has both Content-Length and Transfer-Encoding; send only one",
            ),
            Self::UnsupportedTransferEncoding => f.write_str(
                "a request's Transfer-Encoding does not end in a single 'chunked' (or the \
                 request is HTTP/1.0); use chunked or Content-Length framing",
            ),
            Self::ChunkSizeOverflow { offset } => write!(
                f,
                "a chunk size at body offset {offset} does not fit in 64 bits; the HTTP client \
                 wrote a broken chunked body"
            ),
            Self::MalformedChunkedBody { offset } => write!(
                f,
                "a chunked body is malformed at body offset {offset}; the HTTP client wrote a \
                 broken chunked body"
            ),
            Self::InvalidAuthorization => f.write_str(
                "a Proxy-Authorization value holds a control character; it cannot be sent",
            ),
            Self::EmptyOutput => f.write_str(
                "the output buffer is empty but the rewriter has bytes to write; pass a \
                 non-empty output buffer",
            ),
        }
    }
}

impl core::error::Error for ForwardError {}
