//! `egress check`: configuration validation entry by entry, and the diagnosis of each
//! failure (proxy unreachable, untrusted proxy certificate, 407, CONNECT refused, target TLS).

mod support;

use egress_tests::{Fault, Origin, ProxyOptions, TestCa, TestProxy};
use support::{PASSWORD, closed_port, egress, egress_in, temp_dir, with_auth, with_password};

#[test]
fn without_url_every_variable_and_entry_is_listed_with_ok_or_problem() {
    let proxy = format!("http://{}:{PASSWORD}@proxy.corp:3128", support::USER);
    let run = egress(
        &["check"],
        &[
            ("https_proxy", &proxy),
            ("no_proxy", "localhost, 10.0.0.0/8, example.com/8, *"),
        ],
    );
    assert_eq!(
        run.code, 3,
        "ignored entries are configuration problems: {run:?}"
    );
    let out = &run.stdout;
    assert!(out.contains("http_proxy   not set"), "{run:?}");
    assert!(
        out.contains("https_proxy  OK  http://***@proxy.corp:3128"),
        "{run:?}"
    );
    assert!(out.contains("localhost                OK"), "{run:?}");
    assert!(out.contains("10.0.0.0/8               OK"), "{run:?}");
    assert!(out.contains("example.com/8            PROBLEM"), "{run:?}");
    assert!(out.contains("*                        PROBLEM"), "{run:?}");
    assert!(out.contains("no URL given"), "{run:?}");

    let run = egress(&["check"], &[("HTTPS_PROXY", "proxy.corp:3128")]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn an_invalid_proxy_variable_is_reported_and_not_probed() {
    let bad = format!("socks5://{}:{PASSWORD}@proxy.corp", support::USER);
    let run = egress(&["check", "https://matrix.org/"], &[("HTTPS_PROXY", &bad)]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.contains("HTTPS_PROXY  PROBLEM"), "{run:?}");
    assert!(run.stdout.contains("socks5"), "{run:?}");
    assert!(run.stdout.contains("not probing"), "{run:?}");
}

#[test]
fn proxy_certificate_from_an_unknown_ca_is_named_and_proxy_ca_fixes_it() {
    let proxy_ca = TestCa::new("cli check proxy CA");
    let target_ca = TestCa::new("cli check target CA");
    let origin = Origin::https(&target_ca);
    let proxy = TestProxy::start(
        ProxyOptions::default()
            .tls(proxy_ca.issue_local().server_config())
            .auth(support::USER, PASSWORD),
    );
    let dir = temp_dir("check-tls");
    let write = |name: &str, pem: &str| {
        std::fs::write(dir.join(name), pem).unwrap_or_else(|e| panic!("{e}"));
    };
    write("proxy-ca.pem", proxy_ca.cert_pem());
    write("ca.pem", target_ca.cert_pem());
    let env = [("https_proxy", with_auth(&proxy))];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = origin.url("/hello");

    let run = egress_in(
        &["check", &url, "--ca", "ca.pem", "--timeout", "5"],
        &env,
        Some(&dir),
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.contains("FAILED at proxy-tls"), "{run:?}");
    assert!(
        run.stdout.contains("verifier's reason: UnknownIssuer"),
        "{run:?}"
    );
    assert!(run.stdout.contains("--proxy-ca FILE"), "{run:?}");
    assert!(run.stdout.contains("* connect-proxy"), "{run:?}");

    let run = egress_in(
        &[
            "check",
            &url,
            "--ca",
            "ca.pem",
            "--proxy-ca",
            "proxy-ca.pem",
            "--timeout",
            "5",
        ],
        &env,
        Some(&dir),
    );
    assert_eq!(run.code, 0, "{run:?}");
    for phase in [
        "* proxy-tls",
        "* proxy-handshake",
        "* target-tls",
        "* response",
    ] {
        assert!(run.stdout.contains(phase), "{phase}: {run:?}");
    }
    assert!(run.stdout.contains("OK: https://127.0.0.1:"), "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn proxy_authentication_tells_missing_from_wrong_credentials() {
    let ca = TestCa::new("cli check CA");
    let origin = Origin::https(&ca);
    let plain = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(support::USER, PASSWORD));
    let wrong = with_password(&proxy, "wrong-pw");
    for (proxy_url, expect) in [
        (proxy.url(), "no credentials were given"),
        (wrong, "the proxy rejected the credentials"),
    ] {
        // A tunnel (CONNECT answered 407) and a forward request (response 407) alike.
        for (variable, url) in [
            ("https_proxy", origin.url("/hello")),
            ("http_proxy", plain.url("/hello")),
        ] {
            let run = egress(
                &["check", &url, "--timeout", "5"],
                &[(variable, &proxy_url)],
            );
            assert_eq!(run.code, 4, "{variable}: {run:?}");
            assert!(run.stdout.contains("407"), "{variable}: {run:?}");
            assert!(run.stdout.contains(expect), "{variable}: {run:?}");
            assert!(!run.stdout.contains("wrong-pw"), "{run:?}");
        }
    }
}

#[test]
fn a_refused_connect_names_the_status_and_the_port_rule() {
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::forbidden()));
    let run = egress(
        &["check", "https://target.example:8448/", "--timeout", "5"],
        &[("https_proxy", &proxy.url())],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.contains("FAILED at proxy-handshake"), "{run:?}");
    assert!(
        run.stdout
            .contains("refused to open a tunnel to target.example:8448: 403 Forbidden"),
        "{run:?}"
    );
    assert!(run.stdout.contains("port"), "{run:?}");
}

#[test]
fn an_unreachable_proxy_and_a_target_tls_failure_are_told_apart() {
    let ca = TestCa::new("cli check CA");
    let origin = Origin::https(&ca);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let run = egress(
        &["check", &origin.url("/"), "--timeout", "5"],
        &[("https_proxy", &dead)],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.contains("FAILED at connect-proxy"), "{run:?}");
    assert!(run.stdout.contains("proxy is running"), "{run:?}");

    let proxy = TestProxy::start(ProxyOptions::default());
    let run = egress(
        &["check", &origin.url("/"), "--timeout", "5"],
        &[("https_proxy", &proxy.url())],
    );
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stdout.contains("* proxy-handshake"), "{run:?}");
    assert!(run.stdout.contains("FAILED at target-tls"), "{run:?}");
    assert!(
        run.stdout.contains("verifier's reason: UnknownIssuer"),
        "{run:?}"
    );
    assert!(run.stdout.contains("--ca FILE"), "{run:?}");
}
