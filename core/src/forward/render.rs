//! The two pieces of text the rewriter adds to a request head, rendered once at
//! construction into fixed buffers: the absolute-form prefix `scheme://host[:port]` and the
//! `Proxy-Authorization: Basic <token>\r\n` line; and the proxy header lines, copied.
//!
//! Rendering them up front keeps `rewrite` free of formatting, and lets the rewriter own
//! them instead of borrowing the target and credentials for the connection's lifetime.

use core::fmt::{self, Write as _};

use super::ForwardError;
pub(crate) use crate::proxy_headers::MAX_PROXY_HEADER_BYTES;
use crate::{Credentials, Target};

/// Room for the longest prefix a parsed target can have (`https://` + a 253-byte name +
/// `:65535`, or a bracketed IPv6 address with a zone id of up to ~200 bytes).
pub(crate) const PREFIX_CAPACITY: usize = 320;
/// Room for a `Proxy-Authorization` line whose `user:password` decodes to up to ~740 bytes.
pub(crate) const AUTH_CAPACITY: usize =
    AUTH_NAME.len() + crate::credentials::MAX_BASIC_TOKEN_LEN + 2;

const AUTH_NAME: &[u8] = b"Proxy-Authorization: Basic ";

/// A short byte string in a fixed array.
#[derive(Clone, Copy)]
pub(crate) struct Fixed<const C: usize> {
    bytes: [u8; C],
    len: usize,
}

impl<const C: usize> Fixed<C> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A `fmt::Write` that fills a fixed array and keeps counting past its end, so an overflow
/// can report the size needed.
struct Filler<const C: usize> {
    out: Fixed<C>,
    needed: usize,
}

impl<const C: usize> fmt::Write for Filler<C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = self.needed;
        self.needed += s.len();
        if self.needed <= C {
            self.out.bytes[start..self.needed].copy_from_slice(s.as_bytes());
            self.out.len = self.needed;
        }
        Ok(())
    }
}

/// Renders `scheme://host` plus `:port` unless the port is the scheme's default.
pub(crate) fn prefix(target: &Target<'_>) -> Result<Fixed<PREFIX_CAPACITY>, ForwardError> {
    let mut filler = Filler {
        out: Fixed {
            bytes: [0; PREFIX_CAPACITY],
            len: 0,
        },
        needed: 0,
    };
    // Writing into a Filler never fails; a too-long result is detected by `needed` below.
    let _ = write!(filler, "{}://{}", target.scheme, target.host);
    if !target.has_default_port() {
        let _ = write!(filler, ":{}", target.port);
    }
    if filler.needed > PREFIX_CAPACITY {
        return Err(ForwardError::TargetTooLong {
            needed: filler.needed,
            capacity: PREFIX_CAPACITY,
        });
    }
    // `Host` variants are public, so a `Host::Name` may hold anything; only bytes that are
    // legal in a request target may reach the wire, or a target could inject a header.
    if !filler.out.as_bytes().iter().all(|&b| b.is_ascii_graphic()) {
        return Err(ForwardError::InvalidTarget);
    }
    Ok(filler.out)
}

/// Copies the validated proxy header lines (never longer than their limit).
pub(crate) fn extra_lines(
    lines: crate::proxy_headers::ProxyHeaderLines<'_>,
) -> Fixed<MAX_PROXY_HEADER_BYTES> {
    let bytes = lines.as_str().as_bytes();
    let mut out = Fixed {
        bytes: [0; MAX_PROXY_HEADER_BYTES],
        len: bytes.len(),
    };
    // ProxyHeaderLines is at most MAX_PROXY_HEADER_BYTES long by construction.
    out.bytes[..bytes.len()].copy_from_slice(bytes);
    out
}

/// Renders `Proxy-Authorization: Basic <token>\r\n`.
pub(crate) fn auth_line(
    credentials: &Credentials<'_>,
) -> Result<Fixed<AUTH_CAPACITY>, ForwardError> {
    let needed = AUTH_NAME.len() + credentials.basic_token_len() + 2;
    if needed > AUTH_CAPACITY {
        return Err(ForwardError::CredentialsTooLong {
            needed,
            capacity: AUTH_CAPACITY,
        });
    }
    let mut out = Fixed {
        bytes: [0; AUTH_CAPACITY],
        len: 0,
    };
    out.bytes[..AUTH_NAME.len()].copy_from_slice(AUTH_NAME);
    let token_end = needed - 2;
    let written = credentials
        .write_basic_token(&mut out.bytes[AUTH_NAME.len()..token_end])
        .map_err(|too_small| ForwardError::CredentialsTooLong {
            needed: AUTH_NAME.len() + too_small.needed + 2,
            capacity: AUTH_CAPACITY,
        })?;
    let end = AUTH_NAME.len() + written;
    out.bytes[end..end + 2].copy_from_slice(b"\r\n");
    out.len = end + 2;
    Ok(out)
}
