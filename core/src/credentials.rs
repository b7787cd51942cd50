//! Proxy credentials from a proxy URL, and their `Basic` encoding.
//!
//! Credentials are kept exactly as written in the URL (percent-encoded) and borrowed from it;
//! they are decoded only while being base64-encoded into a caller's buffer, so the core never
//! allocates and never holds a decoded password anywhere it could leak. `Debug` redacts both
//! parts: a user name is a credential too.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;

use crate::BufferTooSmall;

/// The longest `Basic` token (base64 of `user:password`) egress sends, on every route: about
/// 740 bytes of user name and password. Longer credentials are a configuration error.
pub const MAX_BASIC_TOKEN_LEN: usize = 995;

/// A user name and password for `Proxy-Authorization: Basic`, borrowed from a proxy URL in
/// their percent-encoded form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    user: &'a str,
    password: &'a str,
}

impl<'a> Credentials<'a> {
    /// Credentials from their percent-encoded URL form (`p%40ss` for `p@ss`). An absent
    /// password is the empty string.
    pub fn from_encoded(user: &'a str, password: &'a str) -> Self {
        Self { user, password }
    }

    /// The user name as written in the URL (still percent-encoded).
    pub fn encoded_user(&self) -> &'a str {
        self.user
    }

    /// The password as written in the URL (still percent-encoded). Never log it.
    pub fn encoded_password(&self) -> &'a str {
        self.password
    }

    /// Whether the decoded user name contains `:`, which `user:password` cannot carry
    /// (RFC 7617): such a name is a configuration error.
    pub fn user_has_colon(&self) -> bool {
        percent_decode_str(self.user).any(|byte| byte == b':')
    }

    /// Length in bytes of the base64 token that [`Credentials::write_basic_token`] writes.
    pub fn basic_token_len(&self) -> usize {
        self.decoded_bytes().count().div_ceil(3) * 4
    }

    /// Writes `base64(user:password)` (decoded user and password) into `out`, the token that
    /// follows `Basic ` in a `Proxy-Authorization` header. Returns the number of bytes written.
    pub fn write_basic_token(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let needed = self.basic_token_len();
        if out.len() < needed {
            return Err(BufferTooSmall { needed });
        }
        let mut written = 0;
        let mut group = [0u8; 3];
        let mut filled = 0;
        let mut bytes = self.decoded_bytes().peekable();
        while let Some(byte) = bytes.next() {
            group[filled] = byte;
            filled += 1;
            if filled == 3 || bytes.peek().is_none() {
                // Whole groups of three never carry padding, so encoding group by group gives
                // the same text as encoding everything at once.
                written += STANDARD
                    .encode_slice(&group[..filled], &mut out[written..needed])
                    .map_err(|_| BufferTooSmall { needed })?;
                filled = 0;
            }
        }
        Ok(written)
    }

    /// The decoded user name (for Digest and NTLM hashing; never log it).
    #[cfg(feature = "alloc")]
    pub(crate) fn decoded_user(&self) -> alloc::vec::Vec<u8> {
        percent_decode_str(self.user).collect()
    }

    /// The decoded password (for Digest and NTLM hashing; never log it).
    #[cfg(feature = "alloc")]
    pub(crate) fn decoded_password(&self) -> alloc::vec::Vec<u8> {
        percent_decode_str(self.password).collect()
    }

    fn decoded_bytes(&self) -> impl Iterator<Item = u8> + 'a {
        percent_decode_str(self.user)
            .chain(core::iter::once(b':'))
            .chain(percent_decode_str(self.password))
    }
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(user: &str, password: &str) -> ([u8; 128], usize) {
        let mut out = [0u8; 128];
        let n = Credentials::from_encoded(user, password)
            .write_basic_token(&mut out)
            .unwrap_or(usize::MAX);
        (out, n)
    }

    #[test]
    fn encodes_decoded_credentials() {
        let cases: &[(&str, &str, &[u8])] = &[
            ("user", "pass", b"dXNlcjpwYXNz"),
            ("Aladdin", "open%20sesame", b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            ("u", "", b"dTo="),
            ("p%40x", "a%3Ab", b"cEB4OmE6Yg=="),
            ("ab", "c", b"YWI6Yw=="),
        ];
        for (user, password, expected) in cases {
            let (out, n) = token(user, password);
            assert_eq!(&out[..n], *expected, "{user}:{password}");
            assert_eq!(
                Credentials::from_encoded(user, password).basic_token_len(),
                n
            );
        }
    }

    #[test]
    fn reports_the_size_needed() {
        let creds = Credentials::from_encoded("user", "pass");
        assert_eq!(
            creds.write_basic_token(&mut [0; 11]),
            Err(BufferTooSmall { needed: 12 })
        );
    }

    #[test]
    fn debug_redacts_everything() {
        let creds = Credentials::from_encoded("alice", "s3cret");
        assert_eq!(std::format!("{creds:?}"), "Credentials(***)");
    }
}
