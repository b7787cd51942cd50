//! Errors from parsing a proxy URL, with the variable the URL came from.

use core::fmt;

use crate::host::HostError;
use crate::inline_str::InlineStr;

/// What is wrong with a proxy URL. The offending value is never quoted whole, because it may
/// hold a password; only non-secret parts (a scheme name, an offset) are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyUrlErrorKind {
    /// The value is empty or only whitespace.
    Empty,
    /// A control character (including CR, LF, NUL, tab) inside the value.
    ControlCharacter {
        /// Byte offset in the trimmed value.
        offset: usize,
    },
    /// A scheme other than `http` or `https`.
    UnsupportedScheme {
        /// The scheme as written (cut if long).
        scheme: InlineStr<16>,
    },
    /// `@` with nothing before it.
    EmptyCredentials,
    /// The decoded user name contains `:` (a `%3A`), which Basic cannot carry (RFC 7617).
    UserContainsColon,
    /// User name and password are too long for one `Proxy-Authorization` value.
    CredentialsTooLong {
        /// The longest token egress sends, in bytes of base64.
        max: usize,
    },
    /// The host part is not a valid host.
    InvalidHost(HostError),
    /// The port is empty, not a number, 0 or above 65535.
    InvalidPort,
    /// A path other than a single `/`, a query or a fragment.
    PathNotAllowed,
}

/// A proxy URL that could not be used, naming the variable it came from when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyUrlError {
    kind: ProxyUrlErrorKind,
    variable: Option<InlineStr<32>>,
}

impl ProxyUrlError {
    pub(crate) fn new(kind: ProxyUrlErrorKind) -> Self {
        Self {
            kind,
            variable: None,
        }
    }

    /// Names the variable (or setting) the URL came from, e.g. `HTTPS_PROXY`, so the message
    /// tells the user which one to fix.
    #[must_use]
    pub fn with_variable(mut self, variable: &str) -> Self {
        self.variable = Some(InlineStr::new(variable));
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> ProxyUrlErrorKind {
        self.kind
    }

    /// The variable the URL came from, if one was named.
    pub fn variable(&self) -> Option<&str> {
        self.variable.as_ref().map(InlineStr::as_str)
    }
}

impl fmt::Display for ProxyUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.variable {
            Some(variable) => write!(f, "invalid proxy URL in {variable}: ")?,
            None => f.write_str("invalid proxy URL: ")?,
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for ProxyUrlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str(
                "the value is empty; write [http://|https://][user:password@]host[:port] \
                 or unset the variable",
            ),
            Self::ControlCharacter { offset } => write!(
                f,
                "control character at byte {offset}; remove it (check for a stray newline \
                 or carriage return)"
            ),
            Self::UnsupportedScheme { scheme } => write!(
                f,
                "unsupported scheme '{scheme}://'; only http:// and https:// proxies are \
                 supported (SOCKS is not)"
            ),
            Self::EmptyCredentials => f.write_str(
                "'@' with no user name before it; remove the '@' or write user:password@",
            ),
            Self::UserContainsColon => f.write_str(
                "the user name contains ':' (written %3A), which proxy authentication cannot \
                 carry (RFC 7617); use a user name without ':'",
            ),
            Self::CredentialsTooLong { max } => write!(
                f,
                "the user name and password are too long: their Basic token may be at most \
                 {max} bytes; use shorter credentials"
            ),
            Self::InvalidHost(host) => write!(f, "bad proxy host: {host}"),
            Self::InvalidPort => {
                f.write_str("the port must be a number from 1 to 65535 (omit it to use 1080)")
            }
            Self::PathNotAllowed => f.write_str(
                "a proxy URL has no path, query or fragment; write only \
                 scheme://[user:password@]host[:port] (a single trailing '/' is fine)",
            ),
        }
    }
}

impl core::error::Error for ProxyUrlError {}
