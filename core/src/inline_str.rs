//! A short string stored inline, for error payloads that must be `Copy + 'static`.
//!
//! Errors in egress-core quote non-secret user input (a scheme name, a variable name) so the
//! message can say exactly what was wrong, without borrowing from that input or allocating.
//! Text longer than the capacity is cut at a character boundary and marked with `…`.

use core::fmt;

/// Up to `N` bytes of UTF-8 text held by value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InlineStr<const N: usize> {
    bytes: [u8; N],
    len: u8,
    truncated: bool,
}

impl<const N: usize> Default for InlineStr<N> {
    /// The empty string.
    fn default() -> Self {
        Self::new("")
    }
}

impl<const N: usize> InlineStr<N> {
    /// Copies `text`, keeping at most `N` bytes (and never more than 255).
    pub fn new(text: &str) -> Self {
        let capacity = N.min(u8::MAX as usize);
        let mut len = text.len().min(capacity);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        let mut bytes = [0u8; N];
        bytes[..len].copy_from_slice(&text.as_bytes()[..len]);
        Self {
            bytes,
            len: len as u8,
            truncated: len < text.len(),
        }
    }

    /// The stored text (without the truncation mark).
    pub fn as_str(&self) -> &str {
        // The constructor only cuts at char boundaries, so this never fails.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// Whether the original text was longer than what is stored.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl<const N: usize> fmt::Display for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.truncated {
            f.write_str("…")?;
        }
        Ok(())
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::InlineStr;

    #[test]
    fn keeps_short_text_and_cuts_long_text_at_char_boundaries() {
        assert_eq!(InlineStr::<8>::new("socks5").as_str(), "socks5");
        let cut = InlineStr::<4>::new("héllo");
        assert_eq!(cut.as_str(), "hél");
        assert!(cut.is_truncated());
        assert_eq!(std::format!("{cut}"), "hél…");
    }
}
