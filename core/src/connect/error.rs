//! Errors of the CONNECT encoder and decoder.
//!
//! Split by who is at fault, rustls-style: [`ConnectEncodeError`] is about what the caller
//! asked to send (a target or header value that cannot go on the wire, or a buffer that is too
//! small); [`ConnectError`] is about what the proxy sent back (or a caller feeding a finished
//! machine). Both are small `Copy` enums whose `Display` says what to do next.

use core::fmt;

use crate::BufferTooSmall;

/// Why a CONNECT request could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectEncodeError {
    /// The output buffer is too small; `needed` bytes would succeed.
    BufferTooSmall {
        /// The buffer size, in bytes, that encoding needs.
        needed: usize,
    },
    /// The target host is an empty name.
    EmptyHost,
    /// The target host name has a byte that may not appear in a CONNECT authority (a space,
    /// a control byte, `:`, `/`, `@`, non-ASCII, ...), which could split or inject a header.
    InvalidHostByte {
        /// Offset of the offending byte in the host name.
        offset: usize,
    },
    /// The target is an IPv6 address with a zone id (`fe80::1%eth0`). A zone names an
    /// interface of *this* machine, which means nothing to the proxy, so it is never sent.
    ZoneIdNotSendable,
    /// The target port is 0, which no proxy can connect to.
    PortZero,
    /// The user agent is empty, has leading or trailing whitespace, or a byte other than
    /// visible ASCII, space and tab (CR, LF, NUL, DEL, other control bytes, non-ASCII).
    InvalidUserAgent {
        /// Offset of the offending byte in the user agent (0 for an empty one).
        offset: usize,
    },
    /// A `Proxy-Authorization` value has a byte other than visible ASCII and space.
    InvalidAuthorization {
        /// Offset of the offending byte in the value.
        offset: usize,
    },
}

impl From<BufferTooSmall> for ConnectEncodeError {
    fn from(e: BufferTooSmall) -> Self {
        Self::BufferTooSmall { needed: e.needed }
    }
}

impl fmt::Display for ConnectEncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => write!(
                f,
                "CONNECT request buffer too small: pass a buffer of at least {needed} bytes"
            ),
            Self::EmptyHost => f.write_str("cannot CONNECT to an empty host name"),
            Self::InvalidHostByte { offset } => write!(
                f,
                "cannot CONNECT: byte {offset} of the target host may not appear in a host \
                 name (only letters, digits, '-', '_' and '.'); build targets with Host::parse"
            ),
            Self::ZoneIdNotSendable => f.write_str(
                "cannot CONNECT to an IPv6 address with a zone id (%iface): the zone names an \
                 interface of this machine, not of the proxy; connect directly instead",
            ),
            Self::PortZero => f.write_str("cannot CONNECT to port 0; give the target's port"),
            Self::InvalidUserAgent { offset } => write!(
                f,
                "invalid User-Agent at byte {offset}: use non-empty visible ASCII, with \
                 spaces only between words and no control characters"
            ),
            Self::InvalidAuthorization { offset } => write!(
                f,
                "invalid Proxy-Authorization value at byte {offset}: only visible ASCII and \
                 spaces can be sent"
            ),
        }
    }
}

impl core::error::Error for ConnectEncodeError {}

/// Which part of a proxy's response head `httparse` found malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedPart {
    /// The `HTTP/1.x` version.
    Version,
    /// The status code (not three digits) or the reason phrase.
    Status,
    /// A header name.
    HeaderName,
    /// A header value (for example a NUL or other control byte).
    HeaderValue,
    /// A line ending (a bare CR, or a missing LF).
    LineEnding,
    /// A byte where a token was required.
    Token,
}

impl MalformedPart {
    pub(super) fn from_httparse(error: httparse::Error) -> Self {
        match error {
            httparse::Error::Version => Self::Version,
            httparse::Error::Status => Self::Status,
            httparse::Error::HeaderName => Self::HeaderName,
            httparse::Error::HeaderValue => Self::HeaderValue,
            // TooManyHeaders is mapped by the caller before reaching here; NewLine and any
            // variant a future httparse adds are line-structure problems.
            httparse::Error::Token => Self::Token,
            _ => Self::LineEnding,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Version => "HTTP version",
            Self::Status => "status code or reason phrase",
            Self::HeaderName => "a header name",
            Self::HeaderValue => "a header value",
            Self::LineEnding => "a line ending",
            Self::Token => "a token",
        }
    }
}

/// Why the proxy's answer to CONNECT could not be understood, or why the machine refused input.
///
/// Every variant except [`ConnectError::AlreadyFinished`] means the proxy misbehaved or is not
/// an HTTP proxy; the caller MUST close the connection. The machine keeps returning the same
/// error if fed again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectError {
    /// The response does not start with `HTTP/1.`: the peer is probably not an HTTP proxy
    /// (a SOCKS proxy, a TLS-only port, another protocol).
    NotHttp {
        /// Offset, in the whole response stream, of the first byte that does not fit.
        offset: usize,
    },
    /// The response starts with a TLS record (an alert or a handshake): the proxy's port
    /// speaks TLS, so its URL needs `https://`.
    TlsAnswer,
    /// The response head is malformed.
    Malformed {
        /// Offset, in the whole response stream, where the malformed head starts.
        head_offset: usize,
        /// The part of the head that is malformed.
        part: MalformedPart,
    },
    /// The header block (status line and headers) is longer than `limit` bytes.
    HeaderBlockTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The response has more than `limit` headers.
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// The proxy sent more than `limit` interim (1xx) responses before a final one.
    TooManyInterimResponses {
        /// The limit.
        limit: usize,
    },
    /// The connection closed before the response head was complete.
    ClosedEarly {
        /// How many response bytes had arrived.
        received: usize,
    },
    /// Caller misuse: input was fed after the final outcome. Bytes after a `2xx` head belong
    /// to the tunnel and MUST NOT be fed to the decoder.
    AlreadyFinished,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotHttp { offset } => write!(
                f,
                "the proxy answered CONNECT with something that is not an HTTP/1.x response \
                 (byte {offset}); check that the proxy URL points at an HTTP proxy (not SOCKS, \
                 and https:// if the proxy port speaks TLS)"
            ),
            Self::TlsAnswer => f.write_str(
                "the proxy answered CONNECT with TLS, not HTTP: this proxy port expects TLS; \
                 write its URL with https://",
            ),
            Self::Malformed { head_offset, part } => write!(
                f,
                "the proxy answered CONNECT with a malformed response (bad {} in the head \
                 starting at byte {head_offset}); it may not be an HTTP proxy",
                part.as_str()
            ),
            Self::HeaderBlockTooLarge { limit } => write!(
                f,
                "the proxy's response to CONNECT has a header block over {limit} bytes; \
                 refusing it (misbehaving proxy)"
            ),
            Self::TooManyHeaders { limit } => write!(
                f,
                "the proxy's response to CONNECT has more than {limit} headers; refusing it \
                 (misbehaving proxy)"
            ),
            Self::TooManyInterimResponses { limit } => write!(
                f,
                "the proxy sent more than {limit} interim (1xx) responses to CONNECT without \
                 a final one; refusing it (misbehaving proxy)"
            ),
            Self::ClosedEarly { received } => write!(
                f,
                "the proxy closed the connection after {received} bytes, before finishing its \
                 response to CONNECT; check the proxy's logs"
            ),
            Self::AlreadyFinished => f.write_str(
                "bug in the caller: bytes fed to a finished CONNECT decoder; bytes after a 2xx \
                 response belong to the tunnel",
            ),
        }
    }
}

impl core::error::Error for ConnectError {}
