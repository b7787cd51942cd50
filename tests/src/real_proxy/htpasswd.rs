//! The htpasswd file squid's `basic_ncsa_auth` reads, generated in Rust so tests need no
//! apache2-utils. The hash is SHA-512-crypt (`$6$`), which the helper checks through the
//! system `crypt()`; its own `{SHA}` support does not exist (checked on squid 5.7).

use sha_crypt::{PasswordHasher, ShaCrypt};

use super::{BasicAuth, HarnessError};

/// A fixed salt: the file lives for one test in a private dir, so a random salt buys nothing.
const SALT: &[u8] = b"egress-tests";

/// One `user:$6$...` line (with its newline) for `auth`.
pub fn htpasswd_line(auth: &BasicAuth) -> Result<String, HarnessError> {
    let user = auth.user();
    let rule = if user.is_empty() {
        Some("the user name must not be empty")
    } else if user.contains(':') {
        Some("the user name must not contain ':'")
    } else if user.contains(['\n', '\r']) || auth.password().contains(['\n', '\r']) {
        Some("line breaks are not allowed")
    } else {
        None
    };
    if let Some(rule) = rule {
        return Err(HarnessError::UnsupportedCredentials {
            proxy: "squid",
            rule,
        });
    }
    let hash = ShaCrypt::SHA512
        .hash_password_with_salt(auth.password().as_bytes(), SALT)
        .map_err(|_| HarnessError::PasswordHash)?;
    Ok(format!("{user}:{hash}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha_crypt::{PasswordHash, PasswordVerifier};

    #[test]
    fn line_verifies_the_password_and_only_it() {
        let line = htpasswd_line(&BasicAuth::new("alice", "s3cret pass")).expect("line");
        let (user, hash) = line.trim_end().split_once(':').expect("user:hash");
        assert_eq!(user, "alice");
        assert!(hash.starts_with("$6$"), "{hash}");
        assert!(!line.contains("s3cret"));
        let parsed = PasswordHash::new(hash).expect("valid MCF");
        ShaCrypt::SHA512
            .verify_password(b"s3cret pass", &parsed)
            .expect("right password verifies");
        assert!(ShaCrypt::SHA512.verify_password(b"wrong", &parsed).is_err());
    }

    #[test]
    fn rejects_what_the_file_format_cannot_hold() {
        for (user, pass) in [("", "p"), ("a:b", "p"), ("a", "p\nq")] {
            let err = htpasswd_line(&BasicAuth::new(user, pass)).expect_err("rejected");
            assert!(matches!(err, HarnessError::UnsupportedCredentials { .. }));
        }
    }
}
