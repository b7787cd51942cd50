//! Challenges with their parameters, from `Proxy-Authenticate` values (RFC 9110 §11.6.1).
//!
//! `Digest realm="a, b", nonce="x", qop="auth", NTLM, Negotiate` is three challenges: each
//! element that starts with a scheme token opens one; an element `name=value` is a parameter
//! of the challenge before it; a scheme followed by anything but a parameter carries a
//! `token68` (`NTLM TlRMTVNTUAAC…`). Quoted strings are unescaped. What is kept is bounded:
//! at most [`MAX_CHALLENGES`] challenges of at most [`MAX_PARAMS`] parameters each; the
//! rest is counted, never stored.

use alloc::string::String;
use alloc::vec::Vec;

use crate::connect::challenge::{Elements, is_tchar, scheme_of, trim_start};

/// At most this many challenges are kept from one response.
pub const MAX_CHALLENGES: usize = 8;
/// At most this many parameters are kept per challenge.
pub const MAX_PARAMS: usize = 16;

/// One challenge: a scheme and either a `token68` or parameters.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    scheme: String,
    token68: Option<String>,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// The scheme as the proxy spelled it.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `name` (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(name)
    }

    /// The `token68` after the scheme (NTLM's and Negotiate's server tokens), if any.
    pub fn token68(&self) -> Option<&str> {
        self.token68.as_deref()
    }

    /// The value of parameter `name` (case-insensitive), unquoted.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl core::fmt::Debug for Challenge {
    /// Shows the scheme and parameter names only: a server token or nonce is no one's business
    /// in a log.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Challenge")
            .field("scheme", &self.scheme)
            .field("token68", &self.token68.as_ref().map(|_| "…"))
            .field(
                "params",
                &self.params.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The challenges of one authentication response, in order of appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenges {
    list: Vec<Challenge>,
    omitted: usize,
}

impl Challenges {
    /// Parses every header value (one per `Proxy-Authenticate` line).
    pub fn parse<'v>(values: impl IntoIterator<Item = &'v [u8]>) -> Self {
        let mut all = Self::default();
        for value in values {
            all.add_value(value);
        }
        all
    }

    /// The challenges kept.
    pub fn iter(&self) -> impl Iterator<Item = &Challenge> {
        self.list.iter()
    }

    /// The first challenge of scheme `name`.
    pub fn find(&self, name: &str) -> Option<&Challenge> {
        self.list.iter().find(|c| c.is(name))
    }

    /// Whether no challenge was offered.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many challenges or parameters were offered beyond the limits and not kept.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// The distinct scheme names offered, in order.
    pub fn scheme_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for challenge in &self.list {
            if !names.iter().any(|n| challenge.is(n)) {
                names.push(challenge.scheme.clone());
            }
        }
        names
    }

    fn add_value(&mut self, value: &[u8]) {
        // Whether the challenge being filled is one we kept (params of a dropped one are too).
        let mut open = false;
        for element in (Elements { rest: value }) {
            if let Some(scheme) = scheme_of(element) {
                if self.list.len() == MAX_CHALLENGES {
                    self.omitted += 1;
                    open = false;
                    continue;
                }
                let rest = trim_start(&trim_start(element)[scheme.len()..]);
                let mut challenge = Challenge {
                    scheme: lossy(scheme),
                    token68: None,
                    params: Vec::new(),
                };
                if !rest.is_empty() {
                    match param(rest) {
                        Some(p) => challenge.params.push(p),
                        None => challenge.token68 = Some(lossy(trim_end(rest))),
                    }
                }
                self.list.push(challenge);
                open = true;
            } else if open {
                let Some(last) = self.list.last_mut() else {
                    continue;
                };
                match param(trim_start(element)) {
                    Some(p) if last.params.len() < MAX_PARAMS => last.params.push(p),
                    Some(_) => self.omitted += 1,
                    None => {}
                }
            }
        }
    }
}

/// `name = value` with a token or quoted-string value; `None` if the element is not one.
fn param(element: &[u8]) -> Option<(String, String)> {
    let name_len = element.iter().take_while(|&&b| is_tchar(b)).count();
    if name_len == 0 {
        return None;
    }
    let (name, after) = element.split_at(name_len);
    let after = trim_start(after);
    let value = trim_start(after.strip_prefix(b"=")?);
    // `abc=` / `abc==` is a token68 whose padding looks like a parameter.
    if value.is_empty() || value.first() == Some(&b'=') {
        return None;
    }
    let value = match value.strip_prefix(b"\"") {
        Some(quoted) => unquote(quoted),
        None => lossy(trim_end(value)),
    };
    Some((lossy(name), value))
}

/// The content of a quoted string whose opening quote is already removed.
fn unquote(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut escaped = false;
    for &b in bytes {
        if escaped {
            out.push(b);
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            break;
        } else {
            out.push(b);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let keep = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    &bytes[..keep]
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Challenges {
        Challenges::parse(values.iter().map(|v| v.as_bytes()))
    }

    #[test]
    fn digest_parameters_are_unquoted() {
        let all = parse(&[
            "Digest realm=\"a, \\\"b\\\"\", nonce=\"n1\", qop=\"auth,auth-int\", stale=TRUE, \
             algorithm=SHA-256, Basic realm=\"x\"",
        ]);
        assert_eq!(all.scheme_names(), ["Digest", "Basic"]);
        let digest = all.find("digest").expect("digest");
        assert_eq!(digest.param("REALM"), Some("a, \"b\""));
        assert_eq!(digest.param("nonce"), Some("n1"));
        assert_eq!(digest.param("qop"), Some("auth,auth-int"));
        assert_eq!(digest.param("stale"), Some("TRUE"));
        assert_eq!(digest.param("algorithm"), Some("SHA-256"));
        assert_eq!(all.find("basic").and_then(|c| c.param("realm")), Some("x"));
    }

    #[test]
    fn token68_and_bare_schemes() {
        let all = parse(&["NTLM TlRMTVNTUAACAAAA==", "Negotiate", "Negotiate YIIabc="]);
        assert_eq!(all.iter().count(), 3);
        assert_eq!(
            all.find("ntlm").and_then(Challenge::token68),
            Some("TlRMTVNTUAACAAAA==")
        );
        assert_eq!(all.find("negotiate").and_then(Challenge::token68), None);
        assert_eq!(
            all.iter().nth(2).and_then(Challenge::token68),
            Some("YIIabc=")
        );
    }

    #[test]
    fn bounded() {
        let many = "A, B, C, D, E, F, G, H, I, J";
        let all = parse(&[many]);
        assert_eq!(all.iter().count(), MAX_CHALLENGES);
        assert_eq!(all.omitted(), 2);
        let params: String = (0..20).map(|i| std::format!("p{i}=v, ")).collect();
        let all = parse(&[&std::format!("Digest {params}")]);
        assert_eq!(all.find("Digest").map(|c| c.params.len()), Some(MAX_PARAMS));
        assert_eq!(all.omitted(), 4);
    }

    #[test]
    fn debug_hides_values() {
        let all = parse(&["Digest nonce=\"secret-nonce\"", "NTLM c2VjcmV0"]);
        let shown = std::format!("{all:?}");
        assert!(
            !shown.contains("secret-nonce") && !shown.contains("c2VjcmV0"),
            "{shown}"
        );
    }
}
