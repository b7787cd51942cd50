//! What the CONNECT decoder reports: `NeedMore` or a final outcome.
//!
//! Outcomes own everything they carry (scheme names and reason text are copied into small
//! fixed arrays) except the tunnel's leftover bytes, which are a slice of the caller's own
//! input and are never copied.

use core::fmt;

/// At most this many distinct challenge schemes are kept from an authentication response.
pub const MAX_SCHEMES: usize = 4;
/// Scheme names longer than this many bytes are not kept (counted in
/// [`AuthSchemes::omitted`]); registered schemes are far shorter.
pub const MAX_SCHEME_LEN: usize = 32;
/// Reason phrases are kept up to this many bytes.
pub const MAX_REASON_LEN: usize = 64;

/// The result of feeding bytes to a [`ConnectResponse`](super::ConnectResponse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
// Outcomes are returned by value once per handshake; boxing would need an allocator.
#[allow(clippy::large_enum_variant)]
pub enum ConnectStatus<'i> {
    /// The response head is not complete: read more bytes and feed them.
    NeedMore,
    /// The final response head is complete.
    Done(ConnectOutcome<'i>),
}

/// How the proxy answered CONNECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// The refusal's explanation is held inline: the decoder allocates nothing.
#[allow(clippy::large_enum_variant)]
pub enum ConnectOutcome<'i> {
    /// A 2xx: the tunnel is open. `leftover` is the part of the last input after the response
    /// head; it is the first data from the target and the caller MUST hand it to the tunnel's
    /// reader (for TLS, to the TLS session) before reading the socket again.
    Established {
        /// The 2xx status code.
        status: u16,
        /// Tunnel bytes that arrived with the end of the response head.
        leftover: &'i [u8],
    },
    /// A 407 (or a 401, which some proxies such as tinyproxy send): the proxy wants
    /// credentials. The caller closes the connection and reports which schemes were offered.
    AuthRequired {
        /// 407 or 401.
        status: u16,
        /// Schemes from `Proxy-Authenticate` (407) or `WWW-Authenticate` (401).
        schemes: AuthSchemes,
    },
    /// Any other final status: the proxy refused the tunnel. The caller closes the connection
    /// (any body is not read).
    Rejected {
        /// The status code.
        status: u16,
        /// The reason phrase, as sent (possibly truncated).
        reason: Reason,
        /// `X-Squid-Error`, `Proxy-Status` and `Via`, when the proxy sent them.
        explanation: super::Explanation,
        /// Body bytes that arrived with the head (for its first line; not the whole body).
        body: &'i [u8],
    },
}

/// One authentication scheme name from a challenge, e.g. `Basic` or `Negotiate`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AuthScheme {
    bytes: [u8; MAX_SCHEME_LEN],
    len: u8,
}

impl AuthScheme {
    /// The scheme name as the proxy spelled it.
    pub fn as_str(&self) -> &str {
        // Only token bytes (ASCII) are ever stored, so this cannot fail.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    /// Whether this is `name`, compared case-insensitively as RFC 9110 requires.
    pub fn is(&self, name: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(name)
    }
}

impl fmt::Debug for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The distinct challenge schemes of an authentication response, in order of appearance.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AuthSchemes {
    schemes: [AuthScheme; MAX_SCHEMES],
    len: u8,
    omitted: u16,
}

impl AuthSchemes {
    pub(crate) const EMPTY: Self = Self {
        schemes: [AuthScheme {
            bytes: [0; MAX_SCHEME_LEN],
            len: 0,
        }; MAX_SCHEMES],
        len: 0,
        omitted: 0,
    };

    /// The schemes named by challenge header values (`Proxy-Authenticate` or
    /// `WWW-Authenticate`, one value per header line), e.g. for a 407 answered to a request
    /// sent through a forward proxy rather than to CONNECT.
    pub fn from_challenges<'v>(values: impl IntoIterator<Item = &'v [u8]>) -> Self {
        let mut schemes = Self::EMPTY;
        for value in values {
            super::challenge::collect_schemes(value, &mut schemes);
        }
        schemes
    }

    /// Records a scheme name (ASCII token bytes), skipping duplicates.
    pub(super) fn push(&mut self, name: &[u8]) {
        let known = self
            .iter()
            .any(|s| s.as_str().as_bytes().eq_ignore_ascii_case(name));
        if known {
            return;
        }
        let len = usize::from(self.len);
        if len == MAX_SCHEMES || name.len() > MAX_SCHEME_LEN {
            self.omitted = self.omitted.saturating_add(1);
            return;
        }
        let slot = &mut self.schemes[len];
        slot.bytes[..name.len()].copy_from_slice(name);
        // name.len() <= MAX_SCHEME_LEN (32), so it fits in a u8.
        slot.len = name.len() as u8;
        self.len += 1;
    }

    /// The schemes kept, in order of appearance.
    pub fn iter(&self) -> impl Iterator<Item = &AuthScheme> {
        self.schemes[..usize::from(self.len)].iter()
    }

    /// How many schemes were kept.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the proxy offered no scheme at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.omitted == 0
    }

    /// Whether the proxy offered `name` (case-insensitive), e.g. `contains("basic")`.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|s| s.is(name))
    }

    /// How many further distinct schemes were offered but not kept (beyond [`MAX_SCHEMES`],
    /// or longer than [`MAX_SCHEME_LEN`]).
    pub fn omitted(&self) -> usize {
        usize::from(self.omitted)
    }
}

impl fmt::Debug for AuthSchemes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()?;
        if self.omitted > 0 {
            write!(f, " (+{} omitted)", self.omitted)?;
        }
        Ok(())
    }
}

/// A reason phrase copied from a status line, at most [`MAX_REASON_LEN`] bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    bytes: [u8; MAX_REASON_LEN],
    len: u8,
    truncated: bool,
}

impl Reason {
    /// Copies `text`, cut at a character boundary if it is longer than [`MAX_REASON_LEN`].
    pub(super) fn new(text: &str) -> Self {
        let mut end = text.len().min(MAX_REASON_LEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; MAX_REASON_LEN];
        bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        Self {
            bytes,
            // end <= MAX_REASON_LEN (64), so it fits in a u8.
            len: end as u8,
            truncated: end < text.len(),
        }
    }

    /// The reason phrase (empty if the proxy sent none, or sent non-ASCII text).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    /// Whether the proxy's phrase was longer than what is kept.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.truncated {
            f.write_str("…")?;
        }
        Ok(())
    }
}
