//! The misconfigurations `egress` points out (`ALL_PROXY`, disagreeing spellings, an
//! `http_proxy` without `https_proxy`, a loopback target sent to a proxy), and its trust
//! flags: `--trust` against a CA that is only in `SSL_CERT_FILE`, and `--proxy-cert` /
//! `--proxy-key` for a proxy that requires a client certificate.

mod support;

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};
use support::{egress, temp_dir};

#[test]
fn check_points_out_all_proxy_spellings_and_https_going_direct() {
    let run = egress(&["check"], &[("ALL_PROXY", "socks5://corp:1080")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("ALL_PROXY is set and ignored"),
        "{run:?}"
    );
    let run = egress(
        &["check"],
        &[
            ("HTTP_PROXY", "http://upper.example:3128"),
            ("http_proxy", "http://lower.example:3128"),
        ],
    );
    assert!(
        run.stdout.contains(
            "http_proxy and HTTP_PROXY are both set, to different values; http_proxy wins"
        ),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("https_proxy is not: https:// targets connect directly"),
        "{run:?}"
    );
    // The same warnings from `route` (on stderr) and `get -v`.
    let env = [("ALL_PROXY", "socks5://corp:1080")];
    let run = egress(&["route", "https://matrix.org/"], &env);
    assert!(
        run.stderr.contains("ALL_PROXY is set and ignored"),
        "{run:?}"
    );
    let origin = Origin::http();
    let run = egress(&["get", "-v", &origin.url("/hello")], &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("ALL_PROXY is set and ignored"),
        "{run:?}"
    );
}

#[test]
fn a_loopback_target_sent_to_a_proxy_is_warned_about() {
    let env = [("https_proxy", "http://proxy.example:3128")];
    let run = egress(
        &["route", "https://localhost:8448/", "https://matrix.org/"],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout.matches("warning:").count(),
        1,
        "only the loopback target: {run:?}"
    );
    assert!(run.stdout.contains("add it to no_proxy"), "{run:?}");
    let run = egress(&["route", "--json", "https://[::1]:8448/"], &env);
    let json: serde_json::Value =
        serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    assert!(
        json["warning"]
            .as_str()
            .is_some_and(|w| w.contains("loopback")),
        "{json}"
    );
    let bypassed = egress(
        &["route", "https://localhost:8448/"],
        &[
            ("https_proxy", "http://proxy.example:3128"),
            ("no_proxy", "localhost"),
        ],
    );
    assert!(!bypassed.stdout.contains("warning"), "{bypassed:?}");
}

#[test]
fn trust_chooses_the_roots_and_ssl_cert_file_is_honoured() {
    let ca = TestCa::new("company CA in SSL_CERT_FILE");
    let origin = Origin::https(&ca);
    let dir = temp_dir("trust");
    let bundle = dir.join("bundle.pem");
    std::fs::write(&bundle, ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
    let bundle = bundle.to_string_lossy().into_owned();
    let env = [("SSL_CERT_FILE", bundle.as_str())];
    let url = origin.url("/hello");
    let run = egress(&["get", &url, "--timeout", "5"], &env);
    assert_eq!(
        run.code, 0,
        "the default trusts the platform's store: {run:?}"
    );
    assert_eq!(run.stdout, HELLO_BODY);
    let run = egress(&["get", &url, "--timeout", "5", "--trust", "system"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let run = egress(&["get", &url, "--timeout", "5", "--trust", "webpki"], &env);
    assert_eq!(
        run.code, 5,
        "webpki-roots alone do not know the company CA: {run:?}"
    );
    let run = egress(&["get", &url, "--trust", "everything"], &env);
    assert_eq!(run.code, 2, "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn proxy_cert_and_key_answer_a_proxy_that_requires_them() {
    let ca = TestCa::new("proxy and client CA");
    let origin = Origin::http();
    let proxy = TestProxy::start(
        ProxyOptions::default().tls(ca.issue_local().server_config_requiring_clients(&ca)),
    );
    let dir = temp_dir("proxy-cert");
    let client = ca.issue_client("egress");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path.to_string_lossy().into_owned()
    };
    let (cert, key, proxy_ca) = (
        write("client.pem", client.cert_pem()),
        write("client.key", client.key_pem()),
        write("ca.pem", ca.cert_pem()),
    );
    let tls_proxy = proxy.url().replacen("http://", "https://", 1);
    let env = [("http_proxy", tls_proxy.as_str())];
    let url = origin.url("/hello");
    let base = [
        "get",
        url.as_str(),
        "--timeout",
        "5",
        "--proxy-ca",
        proxy_ca.as_str(),
    ];
    let run = egress(&base, &env);
    assert_eq!(run.code, 4, "no certificate: {run:?}");
    let mut with_cert = base.to_vec();
    with_cert.extend(["--proxy-cert", cert.as_str(), "--proxy-key", key.as_str()]);
    let run = egress(&with_cert, &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, HELLO_BODY);
    let key_text = client.key_pem();
    assert!(!run.stderr.contains(key_text) && !run.stdout.contains(key_text));
    let mut cert_only = base.to_vec();
    cert_only.extend(["--proxy-cert", cert.as_str()]);
    assert_eq!(
        egress(&cert_only, &env).code,
        2,
        "--proxy-cert needs --proxy-key"
    );
    let _ = std::fs::remove_dir_all(dir);
}
