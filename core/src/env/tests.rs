//! Table-driven tests of environment precedence.

use super::*;
use std::format;

type Expected = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// (environment, (http_proxy, https_proxy, no_proxy) as `NAME=value`)
const CASES: &[(&[(&str, &str)], Expected)] = &[
    (&[], (None, None, None)),
    (&[("http_proxy", "a")], (Some("http_proxy=a"), None, None)),
    (&[("HTTP_PROXY", "a")], (Some("HTTP_PROXY=a"), None, None)),
    (&[("Http_Proxy", "a")], (Some("Http_Proxy=a"), None, None)),
    (
        &[("HTTP_PROXY", "u"), ("http_proxy", "l")],
        (Some("http_proxy=l"), None, None),
    ),
    (
        &[("http_proxy", "l"), ("HTTP_PROXY", "u")],
        (Some("http_proxy=l"), None, None),
    ),
    (
        &[("http_proxy", ""), ("HTTP_PROXY", "u")],
        (None, None, None),
    ),
    (
        &[("HTTP_PROXY", "u"), ("http_proxy", "")],
        (None, None, None),
    ),
    (
        &[("HTTP_PROXY", ""), ("Http_proxy", "m")],
        (Some("Http_proxy=m"), None, None),
    ),
    (
        &[("Http_proxy", "m"), ("HTTP_PROXY", "u")],
        (Some("HTTP_PROXY=u"), None, None),
    ),
    (
        &[("HTTPS_PROXY", "s"), ("https_proxy", "t")],
        (None, Some("https_proxy=t"), None),
    ),
    (
        &[("https_proxy", ""), ("HTTPS_PROXY", "s")],
        (None, None, None),
    ),
    (
        &[("NO_PROXY", "n"), ("no_proxy", "m")],
        (None, None, Some("no_proxy=m")),
    ),
    (&[("no_proxy", ""), ("NO_PROXY", "n")], (None, None, None)),
    (&[("NO_PROXY", "*")], (None, None, Some("NO_PROXY=*"))),
    (
        &[("ALL_PROXY", "x"), ("all_proxy", "y")],
        (None, None, None),
    ),
    (
        &[("HTTP_PROXY", "u"), ("REQUEST_METHOD", "GET")],
        (None, None, None),
    ),
    (
        &[("REQUEST_METHOD", ""), ("HTTP_PROXY", "u")],
        (None, None, None),
    ),
    (
        &[("Http_Proxy", "u"), ("REQUEST_METHOD", "GET")],
        (None, None, None),
    ),
    (
        &[("http_proxy", "l"), ("REQUEST_METHOD", "POST")],
        (Some("http_proxy=l"), None, None),
    ),
    (
        &[("HTTPS_PROXY", "s"), ("REQUEST_METHOD", "GET")],
        (None, Some("HTTPS_PROXY=s"), None),
    ),
    (
        &[("request_method", "GET"), ("HTTP_PROXY", "u")],
        (Some("HTTP_PROXY=u"), None, None),
    ),
    (
        &[("HTTP_PROXYX", "u"), ("XHTTP_PROXY", "v")],
        (None, None, None),
    ),
    (
        &[("http_proxy", "first"), ("http_proxy", "second")],
        (Some("http_proxy=first"), None, None),
    ),
];

fn show(value: Option<EnvValue<'_>>) -> Option<std::string::String> {
    value.map(|v| format!("{}={}", v.name, v.value))
}

#[test]
fn precedence_table() {
    for (pairs, (http, https, no_proxy)) in CASES {
        let env = ProxyEnv::from_pairs(pairs.iter().copied());
        let context = format!("{pairs:?}");
        assert_eq!(
            show(env.http_proxy).as_deref(),
            *http,
            "http_proxy for {context}"
        );
        assert_eq!(
            show(env.https_proxy).as_deref(),
            *https,
            "https_proxy for {context}"
        );
        assert_eq!(
            show(env.no_proxy).as_deref(),
            *no_proxy,
            "no_proxy for {context}"
        );
    }
}

#[test]
fn cgi_reports_the_ignored_http_proxy() {
    let env = ProxyEnv::from_pairs([("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil")]);
    assert_eq!(env.http_proxy, None);
    assert_eq!(
        env.ignored_cgi_http_proxy.map(|v| v.name),
        Some("HTTP_PROXY")
    );
}

#[test]
fn debug_hides_values() {
    let env = ProxyEnv::from_pairs([("https_proxy", "http://alice:secret@proxy")]);
    let shown = format!("{env:?}");
    assert!(
        !shown.contains("secret") && !shown.contains("alice"),
        "{shown}"
    );
}

#[cfg(feature = "std")]
#[test]
fn owned_round_trip_keeps_choices() {
    let env = ProxyEnv::from_pairs([("NO_PROXY", "a"), ("http_proxy", "b")]);
    let owned = OwnedProxyEnv::from_borrowed(&env);
    assert_eq!(owned.borrowed(), env);
}
