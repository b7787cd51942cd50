//! `env`: arbitrary (name, value) pairs through `ProxyEnv::from_pairs`, checked against a
//! direct reading of the contract's environment rules and a few invariants that hold
//! whatever the rules' details.

use alloc::vec::Vec;

use super::Input;
use crate::env::{EnvValue, ProxyEnv};

/// Names the decoder picks from (by one byte); anything past the list is free fuzz text.
const NAMES: [&str; 14] = [
    "http_proxy",
    "HTTP_PROXY",
    "Http_Proxy",
    "https_proxy",
    "HTTPS_PROXY",
    "hTTPS_proxy",
    "no_proxy",
    "NO_PROXY",
    "No_Proxy",
    "REQUEST_METHOD",
    "request_method",
    "ALL_PROXY",
    "all_proxy",
    "PATH",
];

/// Decodes up to 16 pairs (a name selector byte, then a value field; selectors past the
/// list take a free-text name field) and checks the chosen values.
pub fn check_env(data: &[u8]) {
    let mut input = Input::new(data);
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    while !input.is_empty() && pairs.len() < 16 {
        let selector = usize::from(input.byte());
        let name = match NAMES.get(selector % 32) {
            Some(name) => name,
            None => input.text(),
        };
        pairs.push((name, input.text()));
    }
    let env = ProxyEnv::from_pairs(pairs.iter().copied());
    let cgi = pairs.iter().any(|&(name, _)| name == "REQUEST_METHOD");

    let http = Spellings::collect(&pairs, "http_proxy");
    let expected_http = if cgi {
        http.lowercase_choice()
    } else {
        http.choice()
    };
    assert_eq!(env.http_proxy, expected_http, "http_proxy for {pairs:?}");
    let ignored = if cgi && http.lowercase.is_none() {
        http.other_choice()
    } else {
        None
    };
    assert_eq!(
        env.ignored_cgi_http_proxy, ignored,
        "ignored HTTP_PROXY for {pairs:?}"
    );
    for (canonical, got) in [("https_proxy", env.https_proxy), ("no_proxy", env.no_proxy)] {
        let expected = Spellings::collect(&pairs, canonical).choice();
        assert_eq!(got, expected, "{canonical} for {pairs:?}");
    }

    for (canonical, got) in [
        ("http_proxy", env.http_proxy),
        ("https_proxy", env.https_proxy),
        ("no_proxy", env.no_proxy),
        ("http_proxy", env.ignored_cgi_http_proxy),
    ] {
        let Some(EnvValue { name, value }) = got else {
            continue;
        };
        // A chosen value is never empty, and it is one that was set under a spelling of
        // the variable.
        assert!(!value.is_empty(), "empty value chosen for {canonical}");
        assert!(
            pairs
                .iter()
                .any(|&(n, v)| n.eq_ignore_ascii_case(canonical) && v == value),
            "{canonical}: chosen value was never set"
        );
        assert!(
            name.eq_ignore_ascii_case(canonical),
            "{name} is not {canonical}"
        );
    }
    let owned = crate::env::OwnedProxyEnv::from_borrowed(&env);
    assert_eq!(owned.borrowed(), env, "OwnedProxyEnv changes the values");
    // In a CGI context, only the lowercase spelling of http_proxy is ever used.
    if cgi {
        assert!(env.http_proxy.is_none_or(|v| v.name == "http_proxy"));
    }
}

/// The values set under each spelling of one variable, read straight off the contract:
/// the first lowercase assignment (even empty), the first non-empty all-uppercase one, the
/// first non-empty one in another spelling.
struct Spellings<'a> {
    canonical: &'static str,
    upper: &'static str,
    lowercase: Option<&'a str>,
    uppercase: Option<&'a str>,
    mixed: Option<(&'a str, &'a str)>,
}

impl<'a> Spellings<'a> {
    fn collect(pairs: &[(&'a str, &'a str)], canonical: &'static str) -> Self {
        let upper = match canonical {
            "http_proxy" => "HTTP_PROXY",
            "https_proxy" => "HTTPS_PROXY",
            _ => "NO_PROXY",
        };
        let same = |name: &str| name.eq_ignore_ascii_case(canonical);
        let first = |pick: &dyn Fn(&str) -> bool| {
            pairs
                .iter()
                .find(|&&(name, value)| same(name) && pick(name) && !value.is_empty())
                .copied()
        };
        Self {
            canonical,
            upper,
            lowercase: pairs.iter().find(|&&(n, _)| n == canonical).map(|p| p.1),
            uppercase: first(&|n| n == upper).map(|p| p.1),
            mixed: first(&|n| n != upper && n != canonical),
        }
    }

    /// The lowercase value when set (an empty one disables the others), else another.
    fn choice(&self) -> Option<EnvValue<'a>> {
        match self.lowercase {
            Some(_) => self.lowercase_choice(),
            None => self.other_choice(),
        }
    }

    fn lowercase_choice(&self) -> Option<EnvValue<'a>> {
        self.lowercase
            .filter(|v| !v.is_empty())
            .map(|value| EnvValue {
                name: self.canonical,
                value,
            })
    }

    /// The uppercase value, else the first other spelling.
    fn other_choice(&self) -> Option<EnvValue<'a>> {
        match self.uppercase {
            Some(value) => Some(EnvValue {
                name: self.upper,
                value,
            }),
            None => self.mixed.map(|(name, value)| EnvValue { name, value }),
        }
    }
}
