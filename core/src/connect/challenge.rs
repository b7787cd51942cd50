//! Scheme names from `Proxy-Authenticate` / `WWW-Authenticate` values (RFC 9110 §11.6.1).
//!
//! A value is a comma-separated list mixing challenges and their parameters:
//! `Digest realm="a, b", nonce="x", Basic realm="y"`. Only the scheme names are needed (to
//! tell the user which schemes the proxy offers), so an element is a scheme when it starts
//! with a token that is not followed by `=`; quoted strings are skipped whole so a comma
//! inside one never starts an element.

use super::outcome::AuthSchemes;

/// Adds every challenge scheme named in `value` to `schemes`.
pub(super) fn collect_schemes(value: &[u8], schemes: &mut AuthSchemes) {
    for element in (Elements { rest: value }) {
        if let Some(name) = scheme_of(element) {
            schemes.push(name);
        }
    }
}

/// The scheme name an element starts with, if it starts a challenge.
pub(crate) fn scheme_of(element: &[u8]) -> Option<&[u8]> {
    let element = trim_start(element);
    let token_len = element.iter().take_while(|&&b| is_tchar(b)).count();
    if token_len == 0 {
        return None;
    }
    let (token, after) = element.split_at(token_len);
    match after.first() {
        None => Some(token),
        Some(b' ' | b'\t') => {
            // `realm = "x"` (spaces around '=' are allowed) is a parameter, not a scheme.
            if trim_start(after).first() == Some(&b'=') {
                None
            } else {
                Some(token)
            }
        }
        _ => None,
    }
}

pub(crate) fn trim_start(bytes: &[u8]) -> &[u8] {
    let blanks = bytes
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    &bytes[blanks..]
}

pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Splits a header value at commas that are outside quoted strings.
pub(crate) struct Elements<'v> {
    pub(crate) rest: &'v [u8],
}

impl<'v> Iterator for Elements<'v> {
    type Item = &'v [u8];

    fn next(&mut self) -> Option<&'v [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let mut in_quotes = false;
        let mut escaped = false;
        let mut end = self.rest.len();
        for (i, &b) in self.rest.iter().enumerate() {
            if escaped {
                escaped = false;
            } else if in_quotes && b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == b',' && !in_quotes {
                end = i;
                break;
            }
        }
        let element = &self.rest[..end];
        self.rest = self.rest.get(end + 1..).unwrap_or(&[]);
        Some(element)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn schemes(values: &[&str]) -> Vec<std::string::String> {
        let mut all = AuthSchemes::EMPTY;
        for value in values {
            collect_schemes(value.as_bytes(), &mut all);
        }
        all.iter().map(|s| s.as_str().into()).collect()
    }

    #[test]
    fn finds_schemes_among_parameters() {
        assert_eq!(schemes(&["Basic realm=\"proxy\""]), ["Basic"]);
        assert_eq!(schemes(&["Negotiate", "NTLM"]), ["Negotiate", "NTLM"]);
        assert_eq!(schemes(&["Negotiate YIIabc=="]), ["Negotiate"]);
        assert_eq!(
            schemes(&[
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps, x\\\"\", \
                 Basic realm = \"simple\""
            ]),
            ["Newauth", "Basic"]
        );
        assert_eq!(
            schemes(&["Digest realm=\"a, Fake b\", nonce=\"n\", qop=auth"]),
            ["Digest"]
        );
        assert_eq!(schemes(&["basic", "Basic realm=x", " , ,"]), ["basic"]);
        assert_eq!(schemes(&["\"quoted\", =x, Bearer"]), ["Bearer"]);
    }

    #[test]
    fn keeps_a_bounded_number() {
        let mut all = AuthSchemes::EMPTY;
        collect_schemes(b"A, B, C, D, E, F", &mut all);
        collect_schemes(&[b'x'; 40], &mut all);
        assert_eq!(all.len(), 4);
        assert_eq!(all.omitted(), 3);
        assert!(all.contains("c") && !all.contains("E"));
    }
}
