//! Request heads: collecting one into the fixed head buffer, then deciding how to rewrite
//! it and how its body is framed.
//!
//! Collection scans each byte once, so a head that trickles in a byte at a time costs no
//! more than one that arrives whole; `httparse` runs once, on the complete head. Line
//! endings are checked strictly (CRLF only), because a proxy that splits lines differently
//! from us would see different headers than we did.

use super::framing::Framing;
use super::{ForwardError, HeadPart, TargetForm};

/// The most header fields a request head may have.
pub const MAX_HEADERS: usize = 128;

/// A request head being collected in a fixed buffer of `N` bytes.
pub(crate) struct HeadBuffer<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> HeadBuffer<N> {
    pub(crate) fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    /// The bytes collected so far.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Takes bytes from `input` up to the end of the head; returns how many it took and
    /// whether the head is now complete (ends in CRLF CRLF).
    pub(crate) fn push(&mut self, input: &[u8]) -> Result<(usize, bool), ForwardError> {
        for (i, &b) in input.iter().enumerate() {
            let at = self.len;
            if at == N {
                return Err(ForwardError::HeadTooLarge { capacity: N });
            }
            match at.checked_sub(1).map(|p| self.bytes[p]) {
                // RFC 9112 §2.2 lets servers skip blank lines before a request; a client
                // never needs them, and skipping them would hide a framing bug.
                None if b == b'\r' || b == b'\n' => {
                    return Err(ForwardError::MalformedHead {
                        part: HeadPart::RequestLine,
                    });
                }
                Some(b'\r') if b != b'\n' => {
                    return Err(ForwardError::BareLineEnding { offset: at - 1 });
                }
                Some(prev) if b == b'\n' && prev != b'\r' => {
                    return Err(ForwardError::BareLineEnding { offset: at });
                }
                _ => {}
            }
            self.bytes[at] = b;
            self.len = at + 1;
            if b == b'\n' && at >= 3 && self.bytes[at - 3..at] == *b"\r\n\r" {
                return Ok((i + 1, true));
            }
        }
        Ok((input.len(), false))
    }
}

/// How to rewrite one complete head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Offset of the request target in the head.
    pub(crate) target_at: usize,
    /// Length of the original request target.
    pub(crate) target_len: usize,
    /// Bytes of the original target to drop (1 for `*`, else 0).
    pub(crate) skip: usize,
    /// Whether to insert `scheme://host[:port]` at `target_at`.
    pub(crate) prefix: bool,
    /// Whether the head already has a `Proxy-Authorization` field.
    pub(crate) has_proxy_auth: bool,
    /// How the body that follows is delimited.
    pub(crate) framing: Framing,
}

/// Parses a complete head (ending in CRLF CRLF) and plans its rewrite.
pub(crate) fn plan(head: &[u8]) -> Result<Plan, ForwardError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let parsed = request.parse(head).map_err(|e| match e {
        httparse::Error::TooManyHeaders => ForwardError::TooManyHeaders { max: MAX_HEADERS },
        other => ForwardError::MalformedHead {
            part: match other {
                httparse::Error::HeaderName => HeadPart::HeaderName,
                httparse::Error::HeaderValue => HeadPart::HeaderValue,
                httparse::Error::NewLine => HeadPart::LineEnding,
                httparse::Error::Version => HeadPart::Version,
                _ => HeadPart::RequestLine,
            },
        },
    })?;
    // The head ends at its first CRLF CRLF and has CRLF line endings only, so httparse
    // must consume exactly all of it.
    if parsed != httparse::Status::Complete(head.len()) {
        return Err(ForwardError::MalformedHead {
            part: HeadPart::LineEnding,
        });
    }
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(ForwardError::MalformedHead {
            part: HeadPart::RequestLine,
        });
    };
    // httparse (default config) allows exactly one SP after the method and no blank lines
    // before it (`HeadBuffer::push` rejects those), so the target starts here.
    let target_at = method.len() + 1;
    let (skip, prefix) = classify_target(method, target)?;
    let mut fields = FieldScan::default();
    for header in request.headers.iter() {
        fields.add(header.name, header.value)?;
    }
    Ok(Plan {
        target_at,
        target_len: target.len(),
        skip,
        prefix,
        has_proxy_auth: fields.proxy_auth,
        framing: fields.framing(version)?,
    })
}

/// Decides what to do with a request target: `(bytes to drop, insert prefix?)`.
fn classify_target(method: &str, target: &str) -> Result<(usize, bool), ForwardError> {
    if target.starts_with('/') {
        return Ok((0, true));
    }
    if target == "*" {
        // RFC 9112 §3.2.4: `OPTIONS *` for an origin is sent to a proxy as
        // `OPTIONS http://host:port` (no path); the last proxy turns it back into `*`.
        return if method == "OPTIONS" {
            Ok((1, true))
        } else {
            Err(ForwardError::UnsupportedTarget {
                form: TargetForm::Asterisk,
            })
        };
    }
    let has_scheme = |scheme: &str| {
        target
            .get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    };
    if has_scheme("http://") || has_scheme("https://") {
        return Ok((0, false));
    }
    let form = if method == "CONNECT" || (target.contains(':') && !target.contains("://")) {
        TargetForm::Authority
    } else {
        TargetForm::Other
    };
    Err(ForwardError::UnsupportedTarget { form })
}

/// What the header fields of one head say about framing and authorization.
#[derive(Default)]
struct FieldScan {
    content_length: Option<u64>,
    transfer_encoding: bool,
    /// Number of `chunked` codings seen, and whether the last coding was `chunked`.
    chunked: usize,
    chunked_last: bool,
    proxy_auth: bool,
}

fn trim_ows(text: &[u8]) -> &[u8] {
    text.trim_ascii()
}

impl FieldScan {
    fn add(&mut self, name: &str, value: &[u8]) -> Result<(), ForwardError> {
        if name.eq_ignore_ascii_case("content-length") {
            // RFC 9112 §6.3: a list of identical values (`5, 5`) may be taken as one value;
            // anything else is an unrecoverable framing error.
            for item in value.split(|&b| b == b',') {
                let n = parse_decimal(trim_ows(item)).ok_or(ForwardError::InvalidContentLength)?;
                match self.content_length {
                    Some(seen) if seen != n => return Err(ForwardError::ConflictingContentLength),
                    _ => self.content_length = Some(n),
                }
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            self.transfer_encoding = true;
            for coding in value.split(|&b| b == b',').map(trim_ows) {
                if coding.is_empty() {
                    continue;
                }
                self.chunked_last = coding.eq_ignore_ascii_case(b"chunked");
                self.chunked += usize::from(self.chunked_last);
            }
        } else if name.eq_ignore_ascii_case("proxy-authorization") {
            self.proxy_auth = true;
        }
        Ok(())
    }

    /// The framing the fields imply for a request of HTTP/1.`minor` (RFC 9112 §6.3).
    fn framing(&self, minor: u8) -> Result<Framing, ForwardError> {
        match (self.transfer_encoding, self.content_length) {
            (true, Some(_)) => Err(ForwardError::LengthWithTransferEncoding),
            (true, None) if minor == 0 || self.chunked != 1 || !self.chunked_last => {
                Err(ForwardError::UnsupportedTransferEncoding)
            }
            (true, None) => Ok(Framing::Chunked),
            (false, length) => Ok(Framing::Length(length.unwrap_or(0))),
        }
    }
}

/// Parses `1*DIGIT` into a u64; `None` when empty, not all digits, or too large.
fn parse_decimal(text: &[u8]) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| {
        let digit = (b as char).to_digit(10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}
