//! Every frontend against real squid and tinyproxy on loopback: forward and CONNECT, Basic
//! auth right/wrong/missing, squid's `https_port` without and with its CA, tinyproxy's 401,
//! 64 MiB checked downloads, keep-alive through the forward proxy. Proxies are started by
//! `egress_tests::real_proxy`: skipped with a notice outside CI when not installed, failing
//! in CI. Written once; run on sync, async-std and (with their
//! features) smol and tokio.

mod frontends;

use std::time::Duration;

use egress_core::Failure;
use egress_tests::real_proxy::{BasicAuth, Rig, Squid, SquidOptions, Tinyproxy};
use egress_tests::{CountingRelay, HELLO_BODY, Origin, TestCa};
use frontends::{Client, Frontend, Setup};

on_every_frontend!(
    squid_forwards_http_in_absolute_form_and_tunnels_https,
    squid_refuses_connect_to_a_port_outside_its_ssl_ports,
    squid_basic_auth_right_wrong_and_missing_credentials,
    squid_https_port_needs_its_ca_then_carries_tls_in_tls,
    a_scheme_that_does_not_match_squids_port_says_which_to_use,
    tinyproxy_wrong_credentials_to_connect_are_an_auth_failure,
    sixty_four_mib_through_each_proxy_arrive_intact,
    keep_alive_through_squid_reuses_one_client_connection,
    squid_digest_auth_tunnels_with_right_and_refuses_wrong_and_missing_credentials,
    squid_digest_auth_forwards_counting_nonces_and_answering_stale_ones,
);

const USER: &str = "egress";
const PASSWORD: &str = "Real-Proxy-pw1";
const BIG: u64 = 64 << 20;

/// Trusting `ca` for targets, with the limits a real proxy on a busy CI host needs.
fn setup(ca: &TestCa) -> Setup {
    Setup {
        connect: Duration::from_secs(3),
        handshake: Duration::from_secs(3),
        tls: Duration::from_secs(3),
        exchange: Duration::from_secs(60),
        ..Setup::default()
    }
    .trusting(ca.cert_pem())
}

/// Both schemes through `proxy`, trusting `ca`.
fn through(frontend: Frontend, proxy: &str, ca: &TestCa) -> Client {
    frontend.client(&Setup {
        http_proxy: Some(proxy.to_owned()),
        https_proxy: Some(proxy.to_owned()),
        ..setup(ca)
    })
}

/// `https://` targets through `proxy`, trusting `ca`.
fn tunnelling(frontend: Frontend, proxy: &str, ca: &TestCa) -> Client {
    frontend.client(&Setup {
        https_proxy: Some(proxy.to_owned()),
        ..setup(ca)
    })
}

fn assert_hello(client: &Client, url: &str) {
    assert_eq!(client.fetch(url).body(), HELLO_BODY.as_bytes(), "{url}");
}

fn with_credentials(url: &str, user: &str, password: &str) -> String {
    let plain = url.split_once('@').map_or(url, |(_, host)| host);
    let plain = plain.strip_prefix("http://").unwrap_or(plain);
    format!("http://{user}:{password}@{plain}")
}

/// Asserts `failure` is an auth failure for Basic with `sent` credentials, with `status`
/// among `statuses`, and shows no `secret`.
fn assert_basic_auth_failure(failure: &Failure, statuses: &[u16], sent: bool, secret: &str) {
    match failure {
        Failure::ProxyAuthRequired {
            status,
            schemes,
            credentials_sent,
            ..
        } => {
            assert!(statuses.contains(status), "{status}");
            assert!(
                schemes.iter().any(|s| s.eq_ignore_ascii_case("basic")),
                "{schemes:?}"
            );
            assert_eq!(*credentials_sent, sent);
        }
        other => panic!("expected an auth failure, got {other:?}"),
    }
    // The frontends' errors show a failure as its own Display and Debug.
    let shown = format!("{failure} {failure:?}");
    assert!(!shown.contains(secret), "{shown}");
}

fn squid_forwards_http_in_absolute_form_and_tunnels_https(frontend: Frontend) {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, false) else {
        return;
    };
    let client = through(frontend, &squid.plain_url(), &rig.ca);
    assert_hello(&client, &rig.http.url("/hello"));
    assert_hello(&client, &rig.https.url("/hello"));
    assert_eq!(
        rig.http.requests()[0].target,
        "/hello",
        "squid forwarded in origin form"
    );
}

fn squid_refuses_connect_to_a_port_outside_its_ssl_ports(frontend: Frontend) {
    let ca = TestCa::new("real proxy origin CA");
    let https = Origin::https(&ca);
    let Some(squid) = Squid::start_or_skip(SquidOptions::default()) else {
        return;
    };
    let client = tunnelling(frontend, &squid.plain_url(), &ca);
    let failure = client.fetch(&https.url("/hello")).failure();
    let Failure::ConnectRejected {
        status: 403,
        explanation,
        ..
    } = &failure
    else {
        panic!("{failure:?}");
    };
    // squid says why: its error code, and who answered.
    assert_eq!(
        explanation.squid_error.as_deref(),
        Some("ERR_ACCESS_DENIED 0"),
        "{failure:?}"
    );
    assert!(
        explanation
            .via
            .as_deref()
            .is_some_and(|via| via.contains("squid")),
        "{failure:?}"
    );
    assert!(
        failure.to_string().contains("error: ERR_ACCESS_DENIED"),
        "{failure}"
    );
}

fn squid_basic_auth_right_wrong_and_missing_credentials(frontend: Frontend) {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(Some(BasicAuth::new(USER, PASSWORD)), false) else {
        return;
    };
    let auth_url = squid.auth_url().unwrap_or_else(|| panic!("auth listener"));
    let good = with_credentials(&auth_url, USER, PASSWORD);
    let client = through(frontend, &good, &rig.ca);
    assert_hello(&client, &rig.http.url("/hello"));
    assert_hello(&client, &rig.https.url("/hello"));

    let wrong = with_credentials(&auth_url, USER, "not-the-password");
    let missing = format!("http://127.0.0.1:{}", squid.auth_port().unwrap_or(0));
    for (proxy, sent) in [(wrong, true), (missing, false)] {
        let client = tunnelling(frontend, &proxy, &rig.ca);
        let failure = client.fetch(&rig.https.url("/hello")).failure();
        assert_basic_auth_failure(&failure, &[407], sent, "not-the-password");
    }
}

fn squid_https_port_needs_its_ca_then_carries_tls_in_tls(frontend: Frontend) {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, true) else {
        return;
    };
    let proxy = squid.https_url().unwrap_or_else(|| panic!("tls listener"));
    let untrusted = tunnelling(frontend, &proxy, &rig.ca);
    let failure = untrusted.fetch(&rig.https.url("/hello")).failure();
    assert!(matches!(failure, Failure::ProxyTls { .. }), "{failure:?}");

    let proxy_ca = squid.ca_pem().unwrap_or_else(|| panic!("proxy CA"));
    let trusted = frontend.client(&Setup {
        https_proxy: Some(proxy),
        proxy_ca_pem: Some(proxy_ca.to_owned()),
        ..setup(&rig.ca)
    });
    assert_hello(&trusted, &rig.https.url("/hello"));
}

fn a_scheme_that_does_not_match_squids_port_says_which_to_use(frontend: Frontend) {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, true) else {
        return;
    };
    // squid's plain port given as https://: its HTTP answer to our ClientHello.
    let plain_as_tls = squid.plain_url().replacen("http://", "https://", 1);
    let failure = tunnelling(frontend, &plain_as_tls, &rig.ca)
        .fetch(&rig.https.url("/hello"))
        .failure();
    assert!(matches!(failure, Failure::ProxyTls { .. }), "{failure:?}");
    let shown = failure.to_string();
    assert!(
        shown.contains("speaks plain HTTP") && shown.contains("http://"),
        "{shown}"
    );
    // squid's TLS port given as http://: it resets the plain-text CONNECT (a TLS server
    // that answers with an alert instead gets `ConnectError::TlsAnswer`, which says the same).
    let tls_as_plain = squid
        .https_url()
        .unwrap_or_else(|| panic!("tls listener"))
        .replacen("https://", "http://", 1);
    let failure = tunnelling(frontend, &tls_as_plain, &rig.ca)
        .fetch(&rig.https.url("/hello"))
        .failure();
    assert!(failure.is_proxy_failure(), "{failure:?}");
    let shown = failure.to_string();
    assert!(shown.contains("write its URL with https://"), "{shown}");
}

fn tinyproxy_wrong_credentials_to_connect_are_an_auth_failure(frontend: Frontend) {
    let rig = Rig::new("real proxy origin CA");
    let Some(tiny) = rig.tinyproxy(Some(BasicAuth::new(USER, PASSWORD))) else {
        return;
    };
    let client = through(frontend, &tiny.url(), &rig.ca);
    assert_hello(&client, &rig.http.url("/hello"));
    assert_hello(&client, &rig.https.url("/hello"));

    let wrong = tiny.url_with(&BasicAuth::new(USER, "wrong-pw"));
    let failure = tunnelling(frontend, &wrong, &rig.ca)
        .fetch(&rig.https.url("/hello"))
        .failure();
    // tinyproxy 1.11 answers a wrong password with 401 + WWW-Authenticate.
    assert_basic_auth_failure(&failure, &[401, 407], true, "wrong-pw");
    // On a forward route too: its 401 carries `Server: tinyproxy/…`, so it is the proxy's
    // refusal, not the origin's answer (egress-core's forward_refusal rule).
    let failure = through(frontend, &wrong, &rig.ca)
        .fetch(&rig.http.url("/hello"))
        .failure();
    assert_basic_auth_failure(&failure, &[401], true, "wrong-pw");
    assert!(
        rig.http.requests().iter().all(|r| r.target == "/hello"),
        "the origin only saw the good requests"
    );
    // The origin's own 401 through tinyproxy stays an ordinary response.
    let good = through(frontend, &tiny.url(), &rig.ca);
    let own = good.fetch(&rig.http.url("/status/401")).response();
    assert_eq!(
        (own.status, own.body.as_slice()),
        (401, &b"status 401\n"[..])
    );
}

fn sixty_four_mib_through_each_proxy_arrive_intact(frontend: Frontend) {
    let rig = Rig::new("real proxy origin CA");
    let path = format!("/bytes/{BIG}");
    let squid = rig.squid(None, false);
    let tiny = rig.tinyproxy(None);
    let proxies = squid.iter().map(Squid::plain_url);
    for proxy in proxies.chain(tiny.iter().map(Tinyproxy::url)) {
        let client = through(frontend, &proxy, &rig.ca);
        for url in [rig.http.url(&path), rig.https.url(&path)] {
            let got = client.download_checked(&url);
            assert_eq!(got.unwrap_or_else(|e| panic!("{url}: {e:?}")), BIG, "{url}");
        }
    }
}

fn keep_alive_through_squid_reuses_one_client_connection(frontend: Frontend) {
    let http = Origin::http();
    let Some(squid) = Squid::start_or_skip(SquidOptions::default()) else {
        return;
    };
    let relay = CountingRelay::start(squid.plain_port()).unwrap_or_else(|e| panic!("{e}"));
    let ca = TestCa::new("unused");
    let client = frontend.client(&Setup {
        http_proxy: Some(format!("http://127.0.0.1:{}", relay.port())),
        ..setup(&ca)
    });
    for _ in 0..10 {
        assert_hello(&client, &http.url("/hello"));
    }
    assert_eq!(relay.accepted(), 1, "10 requests on one connection");
    assert_eq!(http.requests().len(), 10);
    client.assert_idle(1, "the connection is pooled");
}

/// squid's `digest_file_auth` on forward requests: the first request's 407 is answered by
/// sending the request again on the same connection, later requests count `nc` on the
/// learned nonce, and when squid's nonce is used up (`nonce_max_count 3`) its
/// `stale=true` challenge is answered with the new nonce. Eight requests, one client
/// connection, each reaching the origin once. Wrong and missing credentials are typed
/// refusals that name Digest.
fn squid_digest_auth_forwards_counting_nonces_and_answering_stale_ones(frontend: Frontend) {
    use egress_core::auth::AuthProblem;
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid_digest(BasicAuth::new(USER, PASSWORD)) else {
        return;
    };
    let auth_port = squid.auth_port().unwrap_or_else(|| panic!("auth listener"));
    let relay = CountingRelay::start(auth_port).unwrap_or_else(|e| panic!("{e}"));
    let proxy = with_credentials(
        &format!("http://127.0.0.1:{}", relay.port()),
        USER,
        PASSWORD,
    );
    let client = through(frontend, &proxy, &rig.ca);
    for _ in 0..8 {
        assert_hello(&client, &rig.http.url("/hello"));
    }
    assert_eq!(
        relay.accepted(),
        1,
        "every round and request on one connection"
    );
    assert_eq!(
        rig.http.requests().len(),
        8,
        "the origin saw each request once"
    );
    let log = std::fs::read_to_string(squid.dir().join("access.log")).unwrap_or_default();
    // squid logs the user on a 407 only when the credentials were right and the nonce was
    // not: that is its stale=true answer.
    let stale = log
        .lines()
        .filter(|l| l.contains("/407 ") && l.contains(USER))
        .count();
    let served = log
        .lines()
        .filter(|l| l.contains("/200 ") && l.contains(USER))
        .count();
    assert_eq!(served, 8, "each request authenticated as {USER}:\n{log}");
    assert!(stale >= 1, "a used-up nonce was answered again:\n{log}");

    let url = rig.http.url("/hello");
    let direct = format!("http://127.0.0.1:{auth_port}");
    for (proxy, scheme, problem) in [
        (
            with_credentials(&direct, USER, "wrong-pw"),
            Some("Digest"),
            AuthProblem::Rejected,
        ),
        (direct.clone(), None, AuthProblem::NoCredentials),
    ] {
        let failure = through(frontend, &proxy, &rig.ca).fetch(&url).failure();
        match &failure {
            Failure::ProxyAuthRequired {
                scheme: got,
                problem: why,
                status: 407,
                ..
            } => assert_eq!((*got, *why), (scheme, problem), "{failure}"),
            other => panic!("expected a Digest refusal, got {other:?}"),
        }
        let shown = format!("{failure} {failure:?}");
        assert!(!shown.contains("wrong-pw"), "{shown}");
    }
}

/// squid's `digest_file_auth` on CONNECT: the right password opens the tunnel after one
/// Digest round on the same connection; a wrong one is a Digest refusal; none is "no
/// credentials". No output shows the password.
fn squid_digest_auth_tunnels_with_right_and_refuses_wrong_and_missing_credentials(
    frontend: Frontend,
) {
    use egress_core::auth::AuthProblem;
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid_digest(BasicAuth::new(USER, PASSWORD)) else {
        return;
    };
    let right = squid.auth_url().unwrap_or_default();
    assert_hello(
        &tunnelling(frontend, &right, &rig.ca),
        &rig.https.url("/hello"),
    );
    let url = rig.https.url("/hello");
    for (proxy, scheme, problem) in [
        (
            with_credentials(&right, USER, "wrong-pw"),
            Some("Digest"),
            AuthProblem::Rejected,
        ),
        (
            with_credentials(&right, "", "").replace("http://:@", "http://"),
            None,
            AuthProblem::NoCredentials,
        ),
    ] {
        let failure = tunnelling(frontend, &proxy, &rig.ca).fetch(&url).failure();
        match &failure {
            Failure::ProxyAuthRequired {
                scheme: got,
                problem: why,
                schemes,
                ..
            } => {
                assert_eq!((*got, *why), (scheme, problem), "{failure}");
                assert!(schemes.iter().any(|s| s == "Digest"), "{schemes:?}");
            }
            other => panic!(
                "expected a Digest failure, got {other:?}\n{}",
                squid.log_tail()
            ),
        }
        let shown = format!("{failure} {failure:?}");
        assert!(
            !shown.contains(PASSWORD) && !shown.contains("wrong-pw"),
            "{shown}"
        );
    }
}
