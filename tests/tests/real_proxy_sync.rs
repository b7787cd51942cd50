//! egress-sync against real squid and tinyproxy on loopback (started by the harness in
//! `egress_tests::real_proxy`; skipped with a notice outside CI when they are not installed,
//! failing in CI).

use std::io::{self, Write};
use std::time::Duration;

use egress_sync::Failure;
use egress_sync::{Agent, AgentBuilder, Error};
use egress_tests::real_proxy::{BasicAuth, Rig, Squid, SquidOptions, Tinyproxy};
use egress_tests::{CountingRelay, HELLO_BODY, Origin, TestCa, check_pattern};

const USER: &str = "egress";
const PASSWORD: &str = "Real-Proxy-pw1";
const BIG: u64 = 64 << 20;

fn builder(ca: &TestCa) -> AgentBuilder {
    Agent::builder()
        .timeout_connect(Duration::from_secs(3))
        .timeout_proxy_handshake(Duration::from_secs(3))
        .timeout_tls(Duration::from_secs(3))
        .timeout_global(Duration::from_secs(60))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn build(builder: AgentBuilder) -> Agent {
    builder.build().unwrap_or_else(|e| panic!("{e}"))
}

fn text(agent: &Agent, url: &str) -> Result<String, Error> {
    Ok(agent.get(url).call()?.body_mut().read_to_string()?)
}

/// Streams a download, checking every byte against the origin's pattern.
fn download_checked(agent: &Agent, url: &str) -> Result<u64, Error> {
    struct Checker(u64);
    impl Write for Checker {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            check_pattern(self.0, buf).map_err(|at| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("byte {} differs", self.0 + at as u64),
                )
            })?;
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut response = agent.get(url).call()?;
    let mut checker = Checker(0);
    io::copy(&mut response.body_mut().as_reader(), &mut checker)
        .map_err(|e| Error::Http(ureq::Error::Io(e)))?;
    Ok(checker.0)
}

fn with_credentials(url: &str, user: &str, password: &str) -> String {
    let plain = url.split_once('@').map_or(url, |(_, host)| host);
    let plain = plain.strip_prefix("http://").unwrap_or(plain);
    format!("http://{user}:{password}@{plain}")
}

fn assert_no_secret(error: &Error, secret: &str) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(secret), "{shown}");
}

#[test]
fn squid_forwards_http_in_absolute_form_and_tunnels_https() {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, false) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let agent = build(
        builder(ca)
            .http_proxy(&squid.plain_url())
            .https_proxy(&squid.plain_url()),
    );
    assert_eq!(
        text(&agent, &http.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );
    assert_eq!(
        text(&agent, &https.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );
    assert_eq!(
        http.requests()[0].target,
        "/hello",
        "squid forwarded in origin form"
    );
}

#[test]
fn squid_refuses_connect_to_a_port_outside_its_ssl_ports() {
    let ca = TestCa::new("real proxy origin CA");
    let https = Origin::https(&ca);
    let Some(squid) = Squid::start_or_skip(SquidOptions::default()) else {
        return;
    };
    let agent = build(builder(&ca).https_proxy(&squid.plain_url()));
    let error = text(&agent, &https.url("/hello")).err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::ConnectRejected { status: 403, .. }))
        ),
        "{error:?}"
    );
}

#[test]
fn squid_basic_auth_right_wrong_and_missing_credentials() {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(Some(BasicAuth::new(USER, PASSWORD)), false) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let auth_url = squid.auth_url().unwrap_or_else(|| panic!("auth listener"));
    let good = with_credentials(&auth_url, USER, PASSWORD);
    let agent = build(builder(ca).http_proxy(&good).https_proxy(&good));
    assert_eq!(
        text(&agent, &http.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );
    assert_eq!(
        text(&agent, &https.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );

    let wrong = with_credentials(&auth_url, USER, "not-the-password");
    let missing = format!("http://127.0.0.1:{}", squid.auth_port().unwrap_or(0));
    for (proxy, sent) in [(wrong, true), (missing, false)] {
        let agent = build(builder(ca).https_proxy(&proxy));
        let error = text(&agent, &https.url("/hello"))
            .err()
            .unwrap_or_else(|| panic!("{proxy}"));
        match &error {
            Error::Failure(Failure::ProxyAuthRequired {
                status: 407,
                schemes,
                credentials_sent,
                ..
            }) => {
                assert!(
                    schemes.iter().any(|s| s.eq_ignore_ascii_case("basic")),
                    "{schemes:?}"
                );
                assert_eq!(*credentials_sent, sent);
            }
            other => panic!("expected 407, got {other:?}"),
        }
        assert_no_secret(&error, "not-the-password");
    }
}

#[test]
fn squid_https_port_needs_its_ca_then_carries_tls_in_tls() {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, true) else {
        return;
    };
    let Rig { ca, https, .. } = &rig;
    let proxy = squid.https_url().unwrap_or_else(|| panic!("tls listener"));
    let untrusted = build(builder(ca).https_proxy(&proxy));
    let error = text(&untrusted, &https.url("/hello")).err();
    assert!(
        matches!(error, Some(Error::Failure(Failure::ProxyTls { .. }))),
        "{error:?}"
    );

    let proxy_ca = squid.ca_pem().unwrap_or_else(|| panic!("proxy CA"));
    let trusted = build(
        builder(ca)
            .https_proxy(&proxy)
            .add_proxy_ca_pem(proxy_ca.as_bytes())
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(
        text(&trusted, &https.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );
}

#[test]
fn tinyproxy_wrong_credentials_to_connect_are_an_auth_failure() {
    let rig = Rig::new("real proxy origin CA");
    let Some(tiny) = rig.tinyproxy(Some(BasicAuth::new(USER, PASSWORD))) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let agent = build(builder(ca).http_proxy(&tiny.url()).https_proxy(&tiny.url()));
    assert_eq!(
        text(&agent, &http.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );
    assert_eq!(
        text(&agent, &https.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );

    let wrong = tiny.url_with(&BasicAuth::new(USER, "wrong-pw"));
    let agent = build(builder(ca).https_proxy(&wrong));
    let error = text(&agent, &https.url("/hello")).err();
    match &error {
        // tinyproxy 1.11 answers a wrong password with 401 + WWW-Authenticate.
        Some(Error::Failure(Failure::ProxyAuthRequired {
            status,
            schemes,
            credentials_sent: true,
            ..
        })) => {
            assert!(*status == 401 || *status == 407, "{status}");
            assert!(
                schemes.iter().any(|s| s.eq_ignore_ascii_case("basic")),
                "{schemes:?}"
            );
        }
        other => panic!("expected an auth failure, got {other:?}"),
    }
}

#[test]
fn sixty_four_mib_through_each_proxy_arrive_intact() {
    let rig = Rig::new("real proxy origin CA");
    let path = format!("/bytes/{BIG}");
    let squid = rig.squid(None, false);
    let tiny = rig.tinyproxy(None);
    let proxies = squid.iter().map(Squid::plain_url);
    for proxy in proxies.chain(tiny.iter().map(Tinyproxy::url)) {
        let agent = build(builder(&rig.ca).http_proxy(&proxy).https_proxy(&proxy));
        for url in [rig.http.url(&path), rig.https.url(&path)] {
            let got = download_checked(&agent, &url);
            assert_eq!(got.unwrap_or_else(|e| panic!("{url}: {e}")), BIG, "{url}");
        }
    }
}

#[test]
fn keep_alive_through_squid_reuses_one_client_connection() {
    let http = Origin::http();
    let Some(squid) = Squid::start_or_skip(SquidOptions::default()) else {
        return;
    };
    let relay = CountingRelay::start(squid.plain_port()).unwrap_or_else(|e| panic!("{e}"));
    let ca = TestCa::new("unused");
    let agent = build(builder(&ca).http_proxy(&format!("http://127.0.0.1:{}", relay.port())));
    for _ in 0..10 {
        assert_eq!(
            text(&agent, &http.url("/hello")).unwrap_or_else(|e| panic!("{e}")),
            HELLO_BODY
        );
    }
    assert_eq!(relay.accepted(), 1, "10 requests on one connection");
    assert_eq!(http.requests().len(), 10);
}
