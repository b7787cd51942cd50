//! Table-driven tests of the proxy URL grammar.

use super::*;
use core::net::{Ipv4Addr, Ipv6Addr};
use std::format;
use std::string::{String, ToString};

/// (input, expected `Display` of the parse, expected `user:password` decoded via Basic token
/// or "" when no credentials)
const VALID: &[(&str, &str, &str)] = &[
    ("proxy.example.com", "http://proxy.example.com:1080", ""),
    (
        "proxy.example.com:3128",
        "http://proxy.example.com:3128",
        "",
    ),
    (
        "http://proxy.example.com:8080/",
        "http://proxy.example.com:8080",
        "",
    ),
    (
        "HTTPS://Proxy.Example.com",
        "https://Proxy.Example.com:1080",
        "",
    ),
    ("https://proxy:443", "https://proxy:443", ""),
    ("  http://proxy:3128  ", "http://proxy:3128", ""),
    ("\thttp://proxy:3128\n", "http://proxy:3128", ""),
    ("10.0.0.1", "http://10.0.0.1:1080", ""),
    ("[2001:db8::1]", "http://[2001:db8::1]:1080", ""),
    ("[2001:db8::1]:3128", "http://[2001:db8::1]:3128", ""),
    ("https://[::1]:8443/", "https://[::1]:8443", ""),
    ("[fe80::1%25eth0]:3128", "http://[fe80::1%25eth0]:3128", ""),
    (
        "http://USERNAME:PASSWORD@proxy.example.com:8080/",
        "http://proxy.example.com:8080",
        "USERNAME:PASSWORD",
    ),
    ("user@proxy", "http://proxy:1080", "user:"),
    ("user:@proxy", "http://proxy:1080", "user:"),
    (":token@proxy", "http://proxy:1080", ":token"),
    ("alice:p%40ss@proxy", "http://proxy:1080", "alice:p@ss"),
    ("alice:p@ss@proxy", "http://proxy:1080", "alice:p@ss"),
    ("alice:pa:ss@proxy", "http://proxy:1080", "alice:pa:ss"),
    ("alice:pa/ss?#@proxy:1", "http://proxy:1", "alice:pa/ss?#"),
    (
        "u:p@[2001:db8::2]:65535",
        "http://[2001:db8::2]:65535",
        "u:p",
    ),
    ("http://u:p://x@proxy", "http://proxy:1080", "u:p://x"),
    ("proxy.:3128", "http://proxy.:3128", ""),
    ("under_score.example:1", "http://under_score.example:1", ""),
];

#[test]
fn valid_urls_parse_to_the_expected_parts() {
    for (input, display, userpass) in VALID {
        let url = ProxyUrl::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(url.to_string(), *display, "{input:?}");
        let decoded = url
            .credentials()
            .map(|c| basic_decoded(&c))
            .unwrap_or_default();
        assert_eq!(decoded, *userpass, "{input:?}");
        let again = url.render_with_credentials().to_string();
        assert_eq!(
            ProxyUrl::parse(&again),
            Ok(url),
            "{input:?} re-rendered as {again:?}"
        );
    }
}

fn basic_decoded(credentials: &Credentials<'_>) -> String {
    use base64::Engine as _;
    let mut token = [0u8; 256];
    let n = credentials.write_basic_token(&mut token).unwrap_or(0);
    let mut decoded = [0u8; 256];
    let len = base64::engine::general_purpose::STANDARD
        .decode_slice(&token[..n], &mut decoded)
        .unwrap_or(0);
    String::from_utf8_lossy(&decoded[..len]).into_owned()
}

const INVALID: &[(&str, ProxyUrlErrorKind)] = &[
    ("", ProxyUrlErrorKind::Empty),
    ("   ", ProxyUrlErrorKind::Empty),
    (
        "http://pro\nxy",
        ProxyUrlErrorKind::ControlCharacter { offset: 10 },
    ),
    ("proxy\0", ProxyUrlErrorKind::ControlCharacter { offset: 5 }),
    (
        "http://proxy:\r3128",
        ProxyUrlErrorKind::ControlCharacter { offset: 13 },
    ),
    (
        "http://2001:db8::1",
        ProxyUrlErrorKind::InvalidHost(HostError::UnbracketedIpv6),
    ),
    (
        "2001:db8::1:3128",
        ProxyUrlErrorKind::InvalidHost(HostError::UnbracketedIpv6),
    ),
    (
        "[2001:db8::1",
        ProxyUrlErrorKind::InvalidHost(HostError::UnbalancedBrackets),
    ),
    (
        "[2001:db8::1]x",
        ProxyUrlErrorKind::InvalidHost(HostError::UnbalancedBrackets),
    ),
    (
        "[not-v6]:80",
        ProxyUrlErrorKind::InvalidHost(HostError::InvalidIpv6),
    ),
    ("http://", ProxyUrlErrorKind::InvalidHost(HostError::Empty)),
    (
        "http://:3128",
        ProxyUrlErrorKind::InvalidHost(HostError::Empty),
    ),
    ("user:pw@", ProxyUrlErrorKind::InvalidHost(HostError::Empty)),
    ("@proxy", ProxyUrlErrorKind::EmptyCredentials),
    // RFC 7617: the user name of Basic cannot contain ':'.
    ("al%3Aice:pw@proxy", ProxyUrlErrorKind::UserContainsColon),
    ("al%3aice@proxy", ProxyUrlErrorKind::UserContainsColon),
    (
        "prox y",
        ProxyUrlErrorKind::InvalidHost(HostError::InvalidCharacter { offset: 4 }),
    ),
    ("proxy:0", ProxyUrlErrorKind::InvalidPort),
    ("proxy:65536", ProxyUrlErrorKind::InvalidPort),
    ("proxy:", ProxyUrlErrorKind::InvalidPort),
    ("proxy:80a", ProxyUrlErrorKind::InvalidPort),
    ("proxy:+80", ProxyUrlErrorKind::InvalidPort),
    ("proxy:0000080", ProxyUrlErrorKind::InvalidPort),
    ("http://proxy:3128/path", ProxyUrlErrorKind::PathNotAllowed),
    ("http://proxy:3128//", ProxyUrlErrorKind::PathNotAllowed),
    ("http://proxy?x=1", ProxyUrlErrorKind::PathNotAllowed),
    ("http://proxy#frag", ProxyUrlErrorKind::PathNotAllowed),
];

#[test]
fn credentials_have_one_cap_for_every_route() {
    use crate::credentials::MAX_BASIC_TOKEN_LEN;
    // 3 bytes of user:password make 4 of base64: the longest accepted pair, and one more.
    let longest = MAX_BASIC_TOKEN_LEN / 4 * 3 - 1;
    let fits = std::format!("u:{}@proxy", "p".repeat(longest - 2));
    let parsed = ProxyUrl::parse(&fits).unwrap_or_else(|e| panic!("{e}"));
    let token = parsed.credentials().map(|c| c.basic_token_len());
    assert!(
        token.is_some_and(|len| len <= MAX_BASIC_TOKEN_LEN),
        "{token:?}"
    );
    let over = std::format!("u:{}@proxy", "p".repeat(longest + 3));
    assert_eq!(
        ProxyUrl::parse(&over).map_err(|e| e.kind()),
        Err(ProxyUrlErrorKind::CredentialsTooLong {
            max: MAX_BASIC_TOKEN_LEN
        })
    );
    // What the proxy URL accepts, the forward rewriter renders: no second, smaller cap.
    let target =
        crate::Target::from_authority("http", "example.com").unwrap_or_else(|e| panic!("{e}"));
    assert!(crate::ForwardRewriter::new(&target, parsed.credentials()).is_ok());
}

#[test]
fn invalid_urls_give_the_expected_error() {
    for (input, kind) in INVALID {
        assert_eq!(
            ProxyUrl::parse(input).map_err(|e| e.kind()),
            Err(*kind),
            "{input:?}"
        );
    }
}

#[test]
fn unsupported_schemes_are_named() {
    for (input, scheme) in [
        ("socks5://proxy:1080", "socks5"),
        ("SOCKS4A://proxy", "SOCKS4A"),
        ("ftp://u:p@proxy", "ftp"),
        ("socks5h://[::1]:1080", "socks5h"),
    ] {
        let error = ProxyUrl::parse(input)
            .err()
            .unwrap_or_else(|| panic!("{input} parsed"));
        let ProxyUrlErrorKind::UnsupportedScheme { scheme: named } = error.kind() else {
            panic!("{input}: {error:?}");
        };
        assert_eq!(named.as_str(), scheme);
        let message = error.with_variable("HTTPS_PROXY").to_string();
        assert!(
            message.contains("HTTPS_PROXY") && message.contains(scheme),
            "{message}"
        );
    }
}

#[test]
fn unbracketed_ipv6_message_says_to_add_brackets() {
    let error = ProxyUrl::parse("http://2001:db8::1:3128")
        .err()
        .map(|e| e.with_variable("http_proxy").to_string())
        .unwrap_or_default();
    assert!(
        error.contains("http_proxy") && error.contains("brackets"),
        "{error}"
    );
}

#[test]
fn passwords_never_appear_in_errors_or_debug() {
    let secret = "s3cr3tPW";
    for input in [
        "socks5://alice:s3cr3tPW@proxy",
        "http://alice:s3cr3tPW@proxy:99999",
        "http://alice:s3cr3tPW@proxy/path",
        "http://alice:s3cr3tPW@2001:db8::1",
        "http://alice:s3cr3tPW@pro\0xy",
    ] {
        let error = ProxyUrl::parse(input)
            .err()
            .unwrap_or_else(|| panic!("{input}"));
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains(secret) && !shown.contains("alice"),
            "{shown}"
        );
    }
    let url = ProxyUrl::parse("http://alice:s3cr3tPW@proxy").unwrap_or_else(|e| panic!("{e}"));
    let shown = format!("{url} {url:?}");
    assert!(
        !shown.contains(secret) && !shown.contains("alice"),
        "{shown}"
    );
}

#[test]
fn parts_are_exposed() {
    let url = ProxyUrl::parse("https://u:p@10.1.2.3:3128").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(url.scheme(), Scheme::Https);
    assert_eq!(url.host(), Host::Ipv4(Ipv4Addr::new(10, 1, 2, 3)));
    assert_eq!(url.port(), 3128);
    let url = ProxyUrl::parse("[::1]").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        url.host(),
        Host::Ipv6 {
            addr: Ipv6Addr::LOCALHOST,
            zone: None
        }
    );
    assert_eq!(url.credentials(), None);
}
