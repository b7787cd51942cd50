//! Extra header lines meant for the proxy only: sent with `CONNECT` (tunnel routes) and
//! added to every request on a forward route, never sent to a target through a tunnel.
//!
//! Each line is validated once, when it is added, so the encoders can copy the bytes
//! without looking at them again:
//!
//! - the name is an RFC 9110 token (`!#$%&'*+-.^_`|~`, digits, letters), not empty;
//! - the value is visible ASCII, spaces and tabs only (no CR, LF, NUL or other control
//!   byte, so no header can be injected), without leading or trailing whitespace;
//! - `Host` and `Proxy-Authorization` are refused (egress writes them itself, and two of
//!   either confuse proxies), and so are `Content-Length` and `Transfer-Encoding` (added to
//!   a forward request they would change its framing: request smuggling);
//! - all lines together are at most [`MAX_PROXY_HEADER_BYTES`] bytes.
//!
//! [`ProxyHeaderLines`] is the borrowed, validated block (`Name: value\r\n` repeated) that
//! [`ConnectRequest`](crate::ConnectRequest) and
//! [`ForwardRewriter`](crate::ForwardRewriter) take; with `alloc`, [`ProxyHeaders`] builds
//! one line by line.
//!
//! ```
//! use egress_core::proxy_headers::{ProxyHeaderError, ProxyHeaderLines};
//!
//! let lines = ProxyHeaderLines::parse("X-Team: blue\r\nX-Trace: 7\r\n")?;
//! assert_eq!(lines.iter().collect::<Vec<_>>(), [("X-Team", "blue"), ("X-Trace", "7")]);
//! assert_eq!(
//!     ProxyHeaderLines::parse("X-A: 1\r\nX-Evil: 2\nHost: x\r\n"),
//!     Err(ProxyHeaderError::InvalidValue { line: 1, offset: 1 })
//! );
//! # Ok::<(), ProxyHeaderError>(())
//! ```

use core::fmt;

/// The most bytes all proxy header lines together may take (each `Name: value\r\n`).
pub const MAX_PROXY_HEADER_BYTES: usize = 4096;

/// Names a caller may not set as proxy headers (compared case-insensitively).
const RESERVED: [&str; 4] = [
    "host",
    "proxy-authorization",
    "content-length",
    "transfer-encoding",
];

/// Why a proxy header line was refused; `line` counts the lines from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeaderError {
    /// The name is empty or has a byte that is not a token character.
    InvalidName {
        /// Which line.
        line: usize,
        /// Offset of the offending byte in the name (0 for an empty name).
        offset: usize,
    },
    /// The value has a control byte (CR, LF, NUL, ...), a non-ASCII byte, or leading or
    /// trailing whitespace.
    InvalidValue {
        /// Which line.
        line: usize,
        /// Offset of the offending byte in the value.
        offset: usize,
    },
    /// The name is one egress writes itself or that decides a request's framing.
    Reserved {
        /// Which line.
        line: usize,
    },
    /// A line of a block has no `:` or the block does not end with CRLF.
    Malformed {
        /// Which line.
        line: usize,
    },
    /// All lines together would exceed [`MAX_PROXY_HEADER_BYTES`].
    TooLong {
        /// The bytes the lines would need.
        needed: usize,
        /// The limit.
        capacity: usize,
    },
}

impl fmt::Display for ProxyHeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName { line, offset } => write!(
                f,
                "proxy header {line}: the name is empty or has a character not allowed in a \
                 header name (at byte {offset})"
            ),
            Self::InvalidValue { line, offset } => write!(
                f,
                "proxy header {line}: the value has a control or non-ASCII character, or \
                 surrounding whitespace (at byte {offset}); remove it"
            ),
            Self::Reserved { line } => write!(
                f,
                "proxy header {line}: Host, Proxy-Authorization, Content-Length and \
                 Transfer-Encoding cannot be set as proxy headers (put proxy credentials in \
                 the proxy URL)"
            ),
            Self::Malformed { line } => write!(
                f,
                "proxy header {line}: expected `Name: value` ending with CRLF"
            ),
            Self::TooLong { needed, capacity } => write!(
                f,
                "proxy headers take {needed} bytes, more than the {capacity} allowed; send fewer \
                 or shorter ones"
            ),
        }
    }
}

impl core::error::Error for ProxyHeaderError {}

/// Checks one header and returns the length of its line, `Name: value\r\n`.
pub fn validate(line: usize, name: &str, value: &str) -> Result<usize, ProxyHeaderError> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() {
        return Err(ProxyHeaderError::InvalidName { line, offset: 0 });
    }
    if let Some(offset) = name.bytes().position(|b| !token(b)) {
        return Err(ProxyHeaderError::InvalidName { line, offset });
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(ProxyHeaderError::Reserved { line });
    }
    let blank = |b: u8| b == b' ' || b == b'\t';
    let bytes = value.as_bytes();
    if let Some(offset) = bytes
        .iter()
        .position(|&b| !(b.is_ascii_graphic() || blank(b)))
    {
        return Err(ProxyHeaderError::InvalidValue { line, offset });
    }
    if bytes.first().copied().is_some_and(blank) {
        return Err(ProxyHeaderError::InvalidValue { line, offset: 0 });
    }
    if bytes.last().copied().is_some_and(blank) {
        let offset = bytes.len() - 1;
        return Err(ProxyHeaderError::InvalidValue { line, offset });
    }
    Ok(name.len() + 2 + value.len() + 2)
}

/// A validated block of proxy header lines, `Name: value\r\n` each (possibly none); see
/// the [module docs](self). `Debug` shows the names only: a value may be a token.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyHeaderLines<'a> {
    text: &'a str,
}

impl<'a> ProxyHeaderLines<'a> {
    /// No lines.
    pub const EMPTY: ProxyHeaderLines<'static> = ProxyHeaderLines { text: "" };

    /// Validates a block of `Name: value\r\n` lines (one space after the colon is
    /// optional).
    pub fn parse(block: &'a str) -> Result<Self, ProxyHeaderError> {
        if block.len() > MAX_PROXY_HEADER_BYTES {
            return Err(ProxyHeaderError::TooLong {
                needed: block.len(),
                capacity: MAX_PROXY_HEADER_BYTES,
            });
        }
        let mut rest = block;
        let mut line = 0;
        while !rest.is_empty() {
            let Some(end) = rest.find("\r\n") else {
                return Err(ProxyHeaderError::Malformed { line });
            };
            let (name, value) = split(&rest[..end]).ok_or(ProxyHeaderError::Malformed { line })?;
            validate(line, name, value)?;
            rest = &rest[end + 2..];
            line += 1;
        }
        Ok(Self { text: block })
    }

    /// The lines as they go on the wire.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Their length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether there are no lines.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Each header as (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.text
            .split_terminator("\r\n")
            .filter_map(|line| split(line))
    }
}

/// `Name: value` into its parts (the value without the optional space after the colon).
fn split(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    Some((name, value.strip_prefix(' ').unwrap_or(value)))
}

impl fmt::Debug for ProxyHeaderLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(name, _)| name))
            .finish()
    }
}

/// Proxy header lines collected one by one (feature `alloc`); validated as they are added.
#[cfg(feature = "alloc")]
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyHeaders {
    text: alloc::string::String,
    count: usize,
}

#[cfg(feature = "alloc")]
impl ProxyHeaders {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name: value`; on error nothing is added.
    pub fn push(&mut self, name: &str, value: &str) -> Result<(), ProxyHeaderError> {
        let len = validate(self.count, name, value)?;
        let needed = self.text.len() + len;
        if needed > MAX_PROXY_HEADER_BYTES {
            return Err(ProxyHeaderError::TooLong {
                needed,
                capacity: MAX_PROXY_HEADER_BYTES,
            });
        }
        for piece in [name, ": ", value, "\r\n"] {
            self.text.push_str(piece);
        }
        self.count += 1;
        Ok(())
    }

    /// The validated block.
    pub fn lines(&self) -> ProxyHeaderLines<'_> {
        ProxyHeaderLines { text: &self.text }
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for ProxyHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.lines(), f)
    }
}

#[cfg(test)]
mod tests;
