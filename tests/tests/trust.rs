//! Trust for proxies and targets, on both frontends: the platform's store read through
//! `SSL_CERT_FILE`, the webpki-only setting that ignores it, and a client certificate
//! presented to an `https://` proxy that requires one (a rustls server verifying it).
//!
//! `SSL_CERT_FILE` is process-wide, so the scenarios that need it run in a child process of
//! this test binary with the variable set (`EGRESS_TRUST_CHILD` marks the child).

use std::process::Command;
use std::time::Duration;

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};

const CHILD: &str = "EGRESS_TRUST_CHILD";

/// Fetches `url` through both frontends built by the two closures; the bodies or errors.
fn both(
    sync: egress_sync::AgentBuilder,
    asynchronous: egress_async::ConnectorBuilder,
    url: &str,
) -> [Result<String, String>; 2] {
    let agent = sync
        .timeout_global(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string());
    let by_sync = agent.and_then(|agent| {
        let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
        response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())
    });
    let by_async = asynchronous
        .build()
        .map_err(|e| e.to_string())
        .and_then(|connector| {
            let client = egress_async::Client::new(connector);
            async_std::task::block_on(async {
                let mut response = client.get(url).send().await.map_err(|e| e.to_string())?;
                response.text().await.map_err(|e| e.to_string())
            })
        });
    [by_sync, by_async]
}

/// Runs `test` of this binary again in a child process with `SSL_CERT_FILE=bundle`.
fn in_child_with_cert_file(test: &str, bundle: &std::path::Path) {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(exe)
        .args(["--exact", test, "--nocapture"])
        .env(CHILD, "1")
        .env("SSL_CERT_FILE", bundle)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let shown =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{shown}");
    assert!(
        shown.contains("1 passed"),
        "the child ran the scenario:\n{shown}"
    );
}

#[test]
fn a_ca_only_in_ssl_cert_file_is_trusted_by_default_and_not_with_webpki_only() {
    if std::env::var_os(CHILD).is_none() {
        let ca = TestCa::new("company CA in SSL_CERT_FILE");
        let dir = std::env::temp_dir().join(format!("egress-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let bundle = dir.join("bundle.pem");
        std::fs::write(&bundle, ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
        // The child needs the same CA's server certificate: pass the CA through files.
        let origin_cert = ca.issue_local();
        std::fs::write(dir.join("origin.pem"), origin_cert.cert_pem())
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("origin.key"), origin_cert.key_pem())
            .unwrap_or_else(|e| panic!("{e}"));
        in_child_with_cert_file(
            "a_ca_only_in_ssl_cert_file_is_trusted_by_default_and_not_with_webpki_only",
            &bundle,
        );
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    let bundle = std::env::var_os("SSL_CERT_FILE").unwrap_or_else(|| panic!("no bundle"));
    let dir = std::path::Path::new(&bundle)
        .parent()
        .unwrap_or_else(|| panic!("no dir"))
        .to_owned();
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    let origin = Origin::https_with(&egress_tests::ServerCert::from_pem(
        &read("origin.pem"),
        &read("origin.key"),
    ));
    let url = origin.url("/hello");
    // Default trust (webpki-roots and the platform's store): the company CA verifies.
    for result in both(
        egress_sync::Agent::builder(),
        egress_async::Connector::builder(),
        &url,
    ) {
        assert_eq!(result.as_deref(), Ok(HELLO_BODY));
    }
    // webpki-roots only: the same target fails its TLS, on both frontends.
    let webpki = egress_sync::TrustRoots::Webpki;
    for result in both(
        egress_sync::Agent::builder().trust_roots(webpki),
        egress_async::Connector::builder().trust_roots(webpki),
        &url,
    ) {
        let error = result.err().unwrap_or_default();
        assert!(error.starts_with("TLS with 127.0.0.1"), "{error}");
    }
}

#[test]
fn a_proxy_requiring_a_client_certificate_gets_the_configured_one() {
    let ca = TestCa::new("proxy and client CA");
    let origin = Origin::http();
    let server = ca.issue_local();
    let proxy =
        TestProxy::start(ProxyOptions::default().tls(server.server_config_requiring_clients(&ca)));
    let proxy_url = proxy.url().replacen("http://", "https://", 1);
    let url = origin.url("/hello");
    let pem = ca.cert_pem().as_bytes();
    let sync = || {
        egress_sync::Agent::builder()
            .http_proxy(&proxy_url)
            .add_proxy_ca_pem(pem)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let asynchronous = || {
        egress_async::Connector::builder()
            .http_proxy(&proxy_url)
            .add_proxy_ca_pem(pem)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // No certificate: the proxy's TLS refuses us.
    for result in both(sync(), asynchronous(), &url) {
        let error = result.err().unwrap_or_default();
        assert!(error.starts_with("TLS with proxy"), "{error}");
    }
    // A certificate from another CA: refused too.
    let stranger = TestCa::new("stranger CA").issue_client("mallory");
    let with = |cert: &egress_tests::ServerCert| {
        let (c, k) = (cert.cert_pem().as_bytes(), cert.key_pem().as_bytes());
        (
            sync()
                .proxy_client_cert_pem(c, k)
                .unwrap_or_else(|e| panic!("{e}")),
            asynchronous()
                .proxy_client_cert_pem(c, k)
                .unwrap_or_else(|e| panic!("{e}")),
        )
    };
    let (s, a) = with(&stranger);
    for result in both(s, a, &url) {
        assert!(result.is_err(), "{result:?}");
    }
    // The right one: the forwarded request arrives.
    let (s, a) = with(&ca.issue_client("egress"));
    for result in both(s, a, &url) {
        assert_eq!(result.as_deref(), Ok(HELLO_BODY));
    }
    // A key that is not PEM is a configuration error naming the option.
    let error = egress_sync::Agent::builder()
        .proxy_client_cert_pem(ca.issue_client("x").cert_pem().as_bytes(), b"not a key")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("proxy client certificate"), "{error}");
}
