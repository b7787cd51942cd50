//! HTTP Digest (RFC 7616) for a proxy: MD5 and SHA-256 (and their `-sess` forms),
//! `qop=auth` (or the RFC 2069 form when the proxy offers no qop), `nc` counting over one
//! nonce, `stale=true`, `userhash`.
//!
//! A [`Digest`] holds one nonce and answers any number of requests with it, counting `nc`
//! up; when the proxy marks the nonce stale, the caller builds a new one from the new
//! challenge. Hashes are written as lowercase hex; the password is decoded only while
//! hashing and never stored.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use md5::Md5;
use sha2::Sha256;

use super::challenge::Challenge;
use super::error::AuthProblem;
use crate::credentials::Credentials;

/// A Digest hash algorithm egress can answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `MD5` (the default when the challenge names none).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// The algorithm a challenge names, `None` if egress does not support it.
    pub fn from_name(name: Option<&str>) -> Option<Self> {
        let Some(name) = name else {
            return Some(Self::Md5);
        };
        [
            ("MD5", Self::Md5),
            ("MD5-sess", Self::Md5Sess),
            ("SHA-256", Self::Sha256),
            ("SHA-256-sess", Self::Sha256Sess),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, a)| a)
    }

    /// The name sent in `algorithm=`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    /// Preference among several offered challenges: higher is better.
    pub fn strength(self) -> u8 {
        match self {
            Self::Md5 | Self::Md5Sess => 1,
            Self::Sha256 | Self::Sha256Sess => 2,
        }
    }

    fn is_sess(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// Lowercase hex of the hash of `parts` joined with `:`.
    fn hex(self, parts: &[&[u8]]) -> String {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.update(b":");
                }
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        let bytes = match self {
            Self::Md5 | Self::Md5Sess => run::<Md5>(parts),
            Self::Sha256 | Self::Sha256Sess => run::<Sha256>(parts),
        };
        hex(&bytes)
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing into a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The state of Digest with one proxy nonce. `Debug` shows the algorithm and count only.
#[derive(Clone)]
pub struct Digest {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    qop_auth: bool,
    userhash: bool,
    cnonce: String,
    nc: u32,
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Digest")
            .field("algorithm", &self.algorithm)
            .field("qop_auth", &self.qop_auth)
            .field("nc", &self.nc)
            .finish()
    }
}

impl Digest {
    /// Digest state for `challenge`, with the client nonce `cnonce` (random, from the
    /// frontend; any printable text without `"`).
    pub fn from_challenge(challenge: &Challenge, cnonce: String) -> Result<Self, AuthProblem> {
        let algorithm = Algorithm::from_name(challenge.param("algorithm"))
            .ok_or(AuthProblem::UnsupportedDigest)?;
        let nonce = challenge.param("nonce").ok_or(AuthProblem::BadChallenge)?;
        // realm, nonce and opaque are echoed into the answer, which must be sendable: a
        // control byte (CR, LF, NUL, ...) or a byte past ASCII makes the challenge bad.
        let sendable = |name: &str| {
            challenge
                .param(name)
                .is_none_or(|v| v.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        };
        if !["realm", "nonce", "opaque"].into_iter().all(sendable) {
            return Err(AuthProblem::BadChallenge);
        }
        let qop_auth = match challenge.param("qop") {
            None => false,
            Some(list) => {
                if !list
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"))
                {
                    // Only auth-int (body hashing) offered: not supported.
                    return Err(AuthProblem::UnsupportedDigest);
                }
                true
            }
        };
        // RFC 2069 (no qop) has no -sess form.
        if algorithm.is_sess() && !qop_auth {
            return Err(AuthProblem::BadChallenge);
        }
        Ok(Self {
            realm: challenge.param("realm").unwrap_or("").into(),
            nonce: nonce.into(),
            opaque: challenge.param("opaque").map(String::from),
            algorithm,
            qop_auth,
            userhash: challenge
                .param("userhash")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            cnonce,
            nc: 0,
        })
    }

    /// Whether the proxy said the nonce it refused was merely stale (`stale=true`): the
    /// credentials were right, retry with the new nonce.
    pub fn is_stale(challenge: &Challenge) -> bool {
        challenge
            .param("stale")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The `Proxy-Authorization` value for a request `method uri` (the request target
    /// exactly as sent: `host:port` for CONNECT, the absolute URL on a forward route).
    /// Each call counts `nc` up by one.
    pub fn authorization(
        &mut self,
        credentials: &Credentials<'_>,
        method: &str,
        uri: &str,
    ) -> String {
        self.nc = self.nc.wrapping_add(1);
        let nc = format!("{:08x}", self.nc);
        let user = credentials.decoded_user();
        let password = credentials.decoded_password();
        let alg = self.algorithm;
        let realm = self.realm.as_bytes();
        let mut ha1 = alg.hex(&[&user, realm, &password]);
        if alg.is_sess() {
            ha1 = alg.hex(&[
                ha1.as_bytes(),
                self.nonce.as_bytes(),
                self.cnonce.as_bytes(),
            ]);
        }
        let ha2 = alg.hex(&[method.as_bytes(), uri.as_bytes()]);
        let response = if self.qop_auth {
            alg.hex(&[
                ha1.as_bytes(),
                self.nonce.as_bytes(),
                nc.as_bytes(),
                self.cnonce.as_bytes(),
                b"auth",
                ha2.as_bytes(),
            ])
        } else {
            alg.hex(&[ha1.as_bytes(), self.nonce.as_bytes(), ha2.as_bytes()])
        };
        let username = if self.userhash {
            alg.hex(&[&user, realm])
        } else {
            String::from_utf8_lossy(&user).into_owned()
        };
        let mut value = String::from("Digest ");
        quoted(&mut value, "username", &username);
        value.push_str(", ");
        quoted(&mut value, "realm", &self.realm);
        value.push_str(", ");
        quoted(&mut value, "nonce", &self.nonce);
        value.push_str(", ");
        quoted(&mut value, "uri", uri);
        let _ = write!(value, ", algorithm={}, ", alg.name());
        quoted(&mut value, "response", &response);
        if let Some(opaque) = &self.opaque {
            value.push_str(", ");
            quoted(&mut value, "opaque", opaque);
        }
        if self.qop_auth {
            let _ = write!(value, ", qop=auth, nc={nc}, ");
            quoted(&mut value, "cnonce", &self.cnonce);
        }
        if self.userhash {
            value.push_str(", userhash=true");
        }
        value
    }
}

/// Appends `name="value"` with `"` and `\` escaped.
fn quoted(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::challenge::Challenges;

    const CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    fn challenge(algorithm: &str) -> Challenges {
        let value = format!(
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
             algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        );
        Challenges::parse([value.as_bytes()])
    }

    fn response_of(value: &str) -> &str {
        let start = value.find("response=\"").map_or(0, |i| i + 10);
        &value[start..start + value[start..].find('"').unwrap_or(0)]
    }

    /// RFC 7616 §3.9.1: Mufasa / Circle of Life, GET /dir/index.html.
    #[test]
    fn rfc7616_vectors() {
        let creds = Credentials::from_encoded("Mufasa", "Circle%20of%20Life");
        for (algorithm, expected) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let all = challenge(algorithm);
            let c = all.find("Digest").expect("challenge");
            let mut digest = Digest::from_challenge(c, CNONCE.into()).expect("supported");
            let value = digest.authorization(&creds, "GET", "/dir/index.html");
            assert_eq!(response_of(&value), expected, "{algorithm}");
            assert!(value.contains("nc=00000001"), "{value}");
            assert!(value.contains("opaque=\"FQhe/"), "{value}");
            assert!(!value.contains("Circle"), "{value}");
            let again = digest.authorization(&creds, "GET", "/dir/index.html");
            assert!(again.contains("nc=00000002"), "{again}");
            assert_ne!(response_of(&again), expected);
        }
    }

    /// RFC 2617 §3.5 (no -sess, qop=auth) gives the same MD5 construction; RFC 2069 (no qop).
    #[test]
    fn rfc2617_and_2069_forms() {
        let creds = Credentials::from_encoded("Mufasa", "Circle%20Of%20Life");
        let all = Challenges::parse([b"Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
            nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
            .as_slice()]);
        let c = all.find("Digest").expect("challenge");
        let mut digest = Digest::from_challenge(c, "0a4f113b".into()).expect("supported");
        let value = digest.authorization(&creds, "GET", "/dir/index.html");
        assert_eq!(response_of(&value), "6629fae49393a05397450978507c4ef1");

        let all = Challenges::parse([b"Digest realm=\"r\", nonce=\"n\"".as_slice()]);
        let c = all.find("Digest").expect("challenge");
        let mut digest = Digest::from_challenge(c, "c".into()).expect("supported");
        let value = digest.authorization(&creds, "CONNECT", "h:443");
        let ha1 = Algorithm::Md5.hex(&[b"Mufasa", b"r", b"Circle Of Life"]);
        let ha2 = Algorithm::Md5.hex(&[b"CONNECT", b"h:443"]);
        let expected = Algorithm::Md5.hex(&[ha1.as_bytes(), b"n", ha2.as_bytes()]);
        assert_eq!(response_of(&value), expected);
        assert!(
            !value.contains("qop") && !value.contains("cnonce"),
            "{value}"
        );
    }

    #[test]
    fn userhash_sess_and_refusals() {
        let creds = Credentials::from_encoded("Mufasa", "pw");
        let all = Challenges::parse([b"Digest realm=\"r\", nonce=\"n\", qop=auth, \
            algorithm=SHA-256-sess, userhash=true"
            .as_slice()]);
        let c = all.find("Digest").expect("challenge");
        let mut digest = Digest::from_challenge(c, "c".into()).expect("supported");
        let value = digest.authorization(&creds, "CONNECT", "h:443");
        let hashed = Algorithm::Sha256.hex(&[b"Mufasa", b"r"]);
        assert!(value.contains(&format!("username=\"{hashed}\"")), "{value}");
        assert!(
            value.contains("userhash=true") && !value.contains("Mufasa"),
            "{value}"
        );

        for (text, problem) in [
            (
                "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
                AuthProblem::UnsupportedDigest,
            ),
            (
                "Digest realm=\"r\", nonce=\"n\", qop=auth-int",
                AuthProblem::UnsupportedDigest,
            ),
            ("Digest realm=\"r\"", AuthProblem::BadChallenge),
            (
                "Digest realm=\"r\", nonce=n\r\nX: y",
                AuthProblem::BadChallenge,
            ),
            (
                "Digest realm=\"r\u{1}\", nonce=\"n\"",
                AuthProblem::BadChallenge,
            ),
            (
                "Digest realm=\"r\", nonce=\"n\", opaque=\"\u{e9}\"",
                AuthProblem::BadChallenge,
            ),
            (
                "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess",
                AuthProblem::BadChallenge,
            ),
        ] {
            let all = Challenges::parse([text.as_bytes()]);
            let c = all.find("Digest").expect("challenge");
            assert_eq!(
                Digest::from_challenge(c, "c".into()).map(|_| ()),
                Err(problem),
                "{text}"
            );
        }
        let stale = Challenges::parse([b"Digest nonce=\"n\", stale=TRUE".as_slice()]);
        assert!(stale.find("digest").is_some_and(Digest::is_stale));
    }

    #[test]
    fn user_names_are_escaped() {
        let creds = Credentials::from_encoded("a%22b%5C", "pw");
        let all = Challenges::parse([b"Digest realm=\"r\", nonce=\"n\", qop=auth".as_slice()]);
        let c = all.find("Digest").expect("challenge");
        let mut digest = Digest::from_challenge(c, "c".into()).expect("supported");
        let value = digest.authorization(&creds, "GET", "/");
        assert!(value.contains("username=\"a\\\"b\\\\\""), "{value}");
    }
}
