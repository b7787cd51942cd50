use alloc::format;

use super::*;
use crate::auth::AuthChoice;
use crate::credentials::Credentials;

fn router(http: Option<&str>, https: Option<&str>, no_proxy: Option<&str>) -> Router {
    Router::new(
        http.map(|v| Setting::new("http_proxy", v)),
        https.map(|v| Setting::new("HTTPS_PROXY", v)),
        no_proxy.map(|v| Setting::new("no_proxy", v)),
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn target(scheme: &str, authority: &str) -> Target<'static> {
    let authority: &'static str = alloc::boxed::Box::leak(authority.into());
    Target::from_authority(scheme, authority).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn decisions_match_the_borrowed_router() {
    let http = "http://u:p%40ss@fwd.corp:8080";
    let https = "https://[2001:db8::1]:3129/";
    let no_proxy = "localhost, .internal, 10.0.0.0/8, api.corp:8443, [::1]";
    let owned = router(Some(http), Some(https), Some(no_proxy));
    let env = crate::ProxyEnv::from_pairs([
        ("http_proxy", http),
        ("HTTPS_PROXY", https),
        ("no_proxy", no_proxy),
    ]);
    let borrowed = crate::ProxyConfig::from_env(&env).unwrap_or_else(|e| panic!("{e}"));
    for (scheme, authority) in [
        ("http", "example.com"),
        ("https", "example.com"),
        ("https", "db.internal"),
        ("http", "10.9.9.9:81"),
        ("https", "api.corp:8443"),
        ("https", "api.corp"),
        ("http", "[::1]:8080"),
        ("https", "localhost"),
    ] {
        let t = target(scheme, authority);
        let ours = owned.route(&t);
        let theirs = borrowed.route(&t);
        assert_eq!(
            ours.kind.as_str(),
            theirs.route.kind_name(),
            "{scheme}://{authority}"
        );
        assert_eq!(ours.reason, theirs.reason, "{scheme}://{authority}");
        assert_eq!(
            ours.proxy.map(|p| p.url()),
            theirs.route.proxy().copied(),
            "{scheme}://{authority}"
        );
    }
}

#[test]
fn owned_proxies_rebuild_the_parsed_url_exactly() {
    let owned = router(
        Some("http://al%40ice:p@ss@[fe80::1%25eth0]:3128"),
        None,
        None,
    );
    let proxy = owned.http_proxy().unwrap_or_else(|| panic!("http proxy"));
    let url = proxy.url();
    assert_eq!(
        url.credentials(),
        Some(Credentials::from_encoded("al%40ice", "p@ss"))
    );
    assert_eq!(proxy.shown(), "http://[fe80::1%25eth0]:3128");
    let shown = format!("{proxy:?} {proxy}");
    assert!(
        !shown.contains("p@ss") && !shown.contains("al%40ice"),
        "{shown}"
    );
}

#[test]
fn keys_separate_routes_targets_and_identities() {
    let with = router(
        Some("http://u:p@proxy:3128"),
        Some("http://proxy:3128"),
        None,
    );
    let none = router(None, None, None);
    let a = target("https", "a.example");
    let a_port = target("https", "a.example:444");
    let b = target("https", "b.example");
    let a_http = target("http", "a.example:443");
    assert_eq!(with.route(&a).key, with.route(&a).key);
    assert_ne!(with.route(&a).key, with.route(&b).key);
    assert_ne!(with.route(&a).key, with.route(&a_port).key);
    assert_ne!(with.route(&a).key, none.route(&a).key, "tunnel vs direct");
    assert_ne!(
        with.route(&a_http).key,
        with.route(&a).key,
        "scheme and credentials"
    );
    let zone_a = target("http", "[fe80::1%25eth0]");
    let zone_b = target("http", "[fe80::1%25eth1]");
    assert_ne!(none.route(&zone_a).key, none.route(&zone_b).key);
}

#[test]
fn an_invalid_proxy_names_its_variable_not_its_password() {
    let error = Router::new(
        None,
        Some(Setting::new("HTTPS_PROXY", "socks5://u:hunter2@p:1080")),
        None,
        false,
    )
    .err()
    .unwrap_or_else(|| panic!("socks5 must fail"));
    let Failure::InvalidConfig { variable, problem } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(variable, "HTTPS_PROXY");
    assert!(problem.contains("socks5"), "{problem}");
    assert!(!format!("{error} {error:?}").contains("hunter2"));
}

#[test]
fn strict_no_proxy_rejects_what_lenient_reports() {
    let lenient = router(None, None, Some("a.example, 10.0.0.0/33"));
    assert_eq!(lenient.no_proxy_diagnostics().count(), 1);
    let strict = Router::new(
        None,
        None,
        Some(Setting::new("NO_PROXY", "a.example, 10.0.0.0/33")),
        true,
    );
    assert!(matches!(
        strict,
        Err(Failure::InvalidConfig { ref variable, .. }) if variable == "NO_PROXY"
    ));
}

#[test]
fn forward_refusals_follow_the_documented_rule() {
    let r = router(
        Some("http://u:pw@proxy:3128"),
        Some("http://proxy:3128"),
        None,
    );
    let forward = r.route(&target("http", "origin.example"));
    let tunnel = r.route(&target("https", "origin.example"));
    let tiny: &[(&[u8], &[u8])] = &[
        (b"Server", b"tinyproxy/1.11.1"),
        (b"WWW-Authenticate", b"Basic realm=\"Tinyproxy\""),
    ];
    let squid: &[(&[u8], &[u8])] = &[(b"proxy-authenticate", b"Basic realm=\"squid\"")];
    let origin_401: &[(&[u8], &[u8])] = &[
        (b"Server", b"nginx"),
        (b"WWW-Authenticate", b"Basic realm=\"app\""),
    ];
    let server_only: &[(&[u8], &[u8])] = &[(b"SERVER", b"TinyProxy/1.10")];
    type Fields<'a> = &'a [(&'a [u8], &'a [u8])];
    let cases: &[(u16, Fields<'_>, Option<u16>)] = &[
        (407, squid, Some(407)),
        (407, &[], Some(407)),
        (401, tiny, Some(401)),
        (401, origin_401, None),
        (401, server_only, None),
        (403, tiny, None),
        (200, squid, None),
    ];
    for (status, headers, expected) in cases {
        let refusal = forward.forward_refusal(AuthChoice::Any, *status, headers.iter().copied());
        let got = match &refusal {
            Some(Failure::ProxyAuthRequired { status, .. }) => Some(*status),
            _ => None,
        };
        assert_eq!(got, *expected, "{status} {headers:?}: {refusal:?}");
        // Through a tunnel the CONNECT answer is the proxy's; the response never is.
        assert!(
            tunnel
                .forward_refusal(AuthChoice::Any, *status, headers.iter().copied())
                .is_none()
        );
    }
    let Some(Failure::ProxyAuthRequired {
        schemes,
        credentials_sent,
        proxy,
        ..
    }) = forward.forward_refusal(AuthChoice::Any, 401, tiny.iter().copied())
    else {
        panic!("tinyproxy's 401 is a refusal");
    };
    assert_eq!(schemes, ["Basic"]);
    assert!(credentials_sent);
    assert!(!proxy.contains("pw"), "{proxy}");
}
