//! Why a proxy refused a tunnel, in its own words: squid's `X-Squid-Error`, RFC 9209's
//! `Proxy-Status` and `Via` from the refusal's head, kept bounded and stripped of control
//! characters so a hostile proxy can neither grow memory nor inject terminal escapes.

use core::fmt;

use crate::inline_str::InlineStr;

/// The explanation headers of a refusal; each empty when absent.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Explanation {
    squid_error: InlineStr<64>,
    proxy_status: InlineStr<160>,
    via: InlineStr<96>,
}

impl Explanation {
    /// Notes `name: value` if it is one of the explanation headers.
    pub(super) fn note(&mut self, name: &str, value: &[u8]) {
        if name.eq_ignore_ascii_case("x-squid-error") {
            self.squid_error = visible(value);
        } else if name.eq_ignore_ascii_case("proxy-status") {
            self.proxy_status = visible(value);
        } else if name.eq_ignore_ascii_case("via") {
            self.via = visible(value);
        }
    }

    /// squid's error code, e.g. `ERR_ACCESS_DENIED 0`.
    pub fn squid_error(&self) -> Option<&str> {
        non_empty(self.squid_error.as_str())
    }

    /// The `Proxy-Status` header (RFC 9209), e.g. `squid; error=http_request_denied`.
    pub fn proxy_status(&self) -> Option<&str> {
        non_empty(self.proxy_status.as_str())
    }

    /// The `Via` header: which proxy answered.
    pub fn via(&self) -> Option<&str> {
        non_empty(self.via.as_str())
    }

    /// Whether the proxy said nothing beyond its status line.
    pub fn is_empty(&self) -> bool {
        self.squid_error().is_none() && self.proxy_status().is_none() && self.via().is_none()
    }
}

impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Explanation")
            .field("squid_error", &self.squid_error())
            .field("proxy_status", &self.proxy_status())
            .field("via", &self.via())
            .finish()
    }
}

/// The first line of a refusal's body that arrived with its head, bounded to `N` bytes of
/// visible text (empty lines skipped).
pub fn first_body_line<const N: usize>(body: &[u8]) -> InlineStr<N> {
    let line = body
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or(&[]);
    visible(line)
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// Printable ASCII of `value`, trimmed, at most `N` bytes: anything else (control bytes,
/// escapes, non-ASCII) becomes `?`, so what is shown is what was sent, and nothing more.
fn visible<const N: usize>(value: &[u8]) -> InlineStr<N> {
    let mut out = [0u8; 255];
    let cap = N.min(out.len());
    let value = value.trim_ascii();
    let mut len = 0;
    for &byte in value.iter().take(cap) {
        out[len] = if (0x20..0x7f).contains(&byte) {
            byte
        } else {
            b'?'
        };
        len += 1;
    }
    InlineStr::new(core::str::from_utf8(&out[..len]).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_kept_visible_and_bounded() {
        let mut explanation = Explanation::default();
        explanation.note("X-Squid-Error", b" ERR_ACCESS_DENIED 0 ");
        explanation.note("PROXY-STATUS", b"squid; error=http_request_denied\x1b[31m");
        explanation.note("Via", "1.1 proxy (squid/6.13)é".as_bytes());
        explanation.note("Server", b"ignored");
        assert_eq!(explanation.squid_error(), Some("ERR_ACCESS_DENIED 0"));
        assert_eq!(
            explanation.proxy_status(),
            Some("squid; error=http_request_denied?[31m")
        );
        assert_eq!(explanation.via(), Some("1.1 proxy (squid/6.13)??"));
        let mut long = Explanation::default();
        long.note("x-squid-error", &[b'a'; 1000]);
        assert_eq!(long.squid_error().map(str::len), Some(64));
        assert!(Explanation::default().is_empty());
    }

    #[test]
    fn the_first_non_empty_body_line_is_taken() {
        let line: InlineStr<40> = first_body_line(b"\r\n  \r\nAccess denied by policy\r\nmore");
        assert_eq!(line.as_str(), "Access denied by policy");
        let line: InlineStr<8> = first_body_line(b"0123456789");
        assert_eq!(line.as_str(), "01234567");
        let none: InlineStr<8> = first_body_line(b"");
        assert_eq!(none.as_str(), "");
    }
}
