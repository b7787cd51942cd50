//! Table-driven routing tests: environment + target URL parts → route, proxy and reason.

use super::*;
use crate::env::ProxyEnv;
use crate::target::Target;
use std::format;
use std::string::ToString;

const ENV: &[(&str, &str)] = &[
    ("http_proxy", "http://fwd.proxy:3128"),
    ("HTTPS_PROXY", "https://user:pw@tls.proxy"),
    (
        "no_proxy",
        "localhost, .internal, 10.0.0.0/8, [2001:db8::]/32, api.example.com:8443, 192.168.1.1",
    ),
];

/// (scheme, host, port, route, proxy Display, reason Display)
type Case = (
    Scheme,
    &'static str,
    Option<u16>,
    &'static str,
    Option<&'static str>,
    &'static str,
);

const CASES: &[Case] = &[
    (
        Scheme::Http,
        "example.com",
        None,
        "forward",
        Some("http://fwd.proxy:3128"),
        "proxy from http_proxy",
    ),
    (
        Scheme::Https,
        "example.com",
        None,
        "tunnel",
        Some("https://tls.proxy:1080"),
        "proxy from HTTPS_PROXY",
    ),
    (
        Scheme::Https,
        "localhost",
        None,
        "direct",
        None,
        "no_proxy entry 'localhost' matched",
    ),
    (
        Scheme::Http,
        "db.internal",
        Some(5984),
        "direct",
        None,
        "no_proxy entry '.internal' matched",
    ),
    (
        Scheme::Https,
        "internal",
        None,
        "direct",
        None,
        "no_proxy entry '.internal' matched",
    ),
    (
        Scheme::Https,
        "notinternal",
        None,
        "tunnel",
        Some("https://tls.proxy:1080"),
        "proxy from HTTPS_PROXY",
    ),
    (
        Scheme::Https,
        "10.20.30.40",
        None,
        "direct",
        None,
        "no_proxy entry '10.0.0.0/8' matched",
    ),
    (
        Scheme::Https,
        "[::ffff:10.0.0.1]",
        None,
        "direct",
        None,
        "no_proxy entry '10.0.0.0/8' matched",
    ),
    (
        Scheme::Https,
        "11.0.0.1",
        None,
        "tunnel",
        Some("https://tls.proxy:1080"),
        "proxy from HTTPS_PROXY",
    ),
    (
        Scheme::Https,
        "[2001:db8:1::5]",
        None,
        "direct",
        None,
        "no_proxy entry '[2001:db8::]/32' matched",
    ),
    (
        Scheme::Https,
        "[2001:db9::5]",
        None,
        "tunnel",
        Some("https://tls.proxy:1080"),
        "proxy from HTTPS_PROXY",
    ),
    (
        Scheme::Https,
        "api.example.com",
        Some(8443),
        "direct",
        None,
        "no_proxy entry 'api.example.com:8443' matched",
    ),
    (
        Scheme::Https,
        "api.example.com",
        None,
        "tunnel",
        Some("https://tls.proxy:1080"),
        "proxy from HTTPS_PROXY",
    ),
    (
        Scheme::Http,
        "192.168.1.1",
        None,
        "direct",
        None,
        "no_proxy entry '192.168.1.1' matched",
    ),
    (
        Scheme::Http,
        "1.1",
        None,
        "forward",
        Some("http://fwd.proxy:3128"),
        "proxy from http_proxy",
    ),
];

#[test]
fn routing_table() {
    let env = ProxyEnv::from_pairs(ENV.iter().copied());
    let config = ProxyConfig::from_env(&env).unwrap_or_else(|e| panic!("{e}"));
    for (scheme, host, port, kind, proxy, reason) in CASES {
        let target =
            Target::from_url_parts(*scheme, host, *port).unwrap_or_else(|e| panic!("{host}: {e}"));
        let decision = config.route(&target);
        let context = format!("{scheme}://{host}:{port:?}");
        assert_eq!(decision.route.kind_name(), *kind, "{context}");
        let shown = decision.route.proxy().map(|p| p.to_string());
        assert_eq!(shown.as_deref(), *proxy, "{context}");
        assert_eq!(decision.reason.to_string(), *reason, "{context}");
    }
}

#[test]
fn no_fallback_between_variables() {
    let only_http = ProxyEnv::from_pairs([("http_proxy", "proxy:3128")]);
    let config = ProxyConfig::from_env(&only_http).unwrap_or_else(|e| panic!("{e}"));
    let target = Target::from_url_parts(Scheme::Https, "example.com", None);
    let decision = config.route(&target.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(decision.route, Route::Direct);
    assert_eq!(decision.reason.to_string(), "no proxy configured for https");

    let only_https = ProxyEnv::from_pairs([("https_proxy", "proxy:3128")]);
    let config = ProxyConfig::from_env(&only_https).unwrap_or_else(|e| panic!("{e}"));
    let target = Target::from_url_parts(Scheme::Http, "example.com", None);
    let decision = config.route(&target.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(decision.reason, RouteReason::NoProxyForScheme(Scheme::Http));
}

#[test]
fn wildcard_bypasses_names_and_addresses() {
    let env = ProxyEnv::from_pairs([("https_proxy", "proxy"), ("NO_PROXY", " * ")]);
    let config = ProxyConfig::from_env(&env).unwrap_or_else(|e| panic!("{e}"));
    for host in ["example.com", "10.1.2.3", "[::1]"] {
        let target = Target::from_url_parts(Scheme::Https, host, None);
        let target = target.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.route(&target).route, Route::Direct, "{host}");
    }
}

#[test]
fn invalid_proxy_is_an_error_naming_the_variable_never_a_direct_route() {
    for (name, value) in [
        ("HTTPS_PROXY", "socks5://proxy:1080"),
        ("http_proxy", "http://2001:db8::1:3128"),
        ("Https_Proxy", "http://proxy:99999"),
    ] {
        let env = ProxyEnv::from_pairs([(name, value)]);
        let error = ProxyConfig::from_env(&env)
            .err()
            .unwrap_or_else(|| panic!("{value}"));
        assert!(error.to_string().contains(name), "{error}");
    }
}

#[test]
fn strict_mode_rejects_invalid_no_proxy_entries() {
    let env = ProxyEnv::from_pairs([("no_proxy", "example.com, 192.168.0.0/33")]);
    assert!(ProxyConfig::from_env(&env).is_ok());
    let error = ProxyConfig::from_env_strict(&env).err();
    assert!(matches!(error, Some(ConfigError::NoProxy(_))), "{error:?}");
}

#[test]
fn none_routes_everything_direct() {
    let config = ProxyConfig::none();
    let target = Target::from_url_parts(Scheme::Https, "example.com", None);
    let decision = config.route(&target.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(decision.route, Route::Direct);
}
