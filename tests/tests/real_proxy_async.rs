//! egress-async against real squid and tinyproxy on loopback, on async-std: the scenarios of
//! real_proxy_sync.rs for the `Client` (forward and CONNECT, Basic auth right/wrong/missing,
//! squid's `https_port` without and with its CA, tinyproxy's 401, 64 MiB checked downloads,
//! keep-alive through the forward proxy) plus one raw `Connector` tunnel. Proxies are started
//! by `egress_tests::real_proxy`: skipped with a notice outside CI when not installed,
//! failing in CI.

use std::time::Duration;

use egress_async::Failure;
use egress_async::{Client, Connector, ConnectorBuilder, Error, Runtime};
use egress_tests::real_proxy::{BasicAuth, Rig, Squid, SquidOptions, Tinyproxy};
use egress_tests::{CountingRelay, HELLO_BODY, Origin, TestCa, check_pattern};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

const USER: &str = "egress";
const PASSWORD: &str = "Real-Proxy-pw1";
const BIG: u64 = 64 << 20;

fn builder(ca: &TestCa) -> ConnectorBuilder {
    Connector::builder()
        .runtime(Runtime::AsyncStd)
        .timeout_connect(Duration::from_secs(3))
        .timeout_proxy_handshake(Duration::from_secs(3))
        .timeout_tls(Duration::from_secs(3))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn client(builder: ConnectorBuilder) -> Client {
    Client::builder(builder.build().unwrap_or_else(|e| panic!("{e}")))
        .timeout_exchange(Duration::from_secs(10))
        .build()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

async fn text(client: &Client, url: &str) -> Result<String, Error> {
    client.get(url).send().await?.text().await
}

/// Streams a download, checking every byte against the origin's pattern; returns its length.
async fn download_checked(client: &Client, url: &str) -> Result<u64, Error> {
    let mut response = client.get(url).send().await?;
    assert_eq!(response.status().as_u16(), 200, "{url}");
    let body = response.body_mut();
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = 0u64;
    loop {
        let n = body
            .read(&mut buf)
            .await
            .map_err(|e| Error::Http(e.into()))?;
        if n == 0 {
            return Ok(at);
        }
        if let Err(i) = check_pattern(at, &buf[..n]) {
            panic!("{url}: byte {} differs", at + i as u64);
        }
        at += n as u64;
    }
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
    let client = client(
        builder(ca)
            .http_proxy(&squid.plain_url())
            .https_proxy(&squid.plain_url()),
    );
    block_on(async {
        for url in [http.url("/hello"), https.url("/hello")] {
            let body = text(&client, &url).await;
            assert_eq!(body.unwrap_or_else(|e| panic!("{url}: {e}")), HELLO_BODY);
        }
    });
    assert_eq!(http.requests()[0].target, "/hello", "squid forwarded it");
}

#[test]
fn a_raw_connector_tunnel_through_squid_carries_any_bytes() {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, false) else {
        return;
    };
    let Rig { ca, https, .. } = &rig;
    let connector = builder(ca)
        .https_proxy(&squid.plain_url())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = block_on(async {
        let mut stream = connector
            .connect(&https.url("/"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stream.route(), egress_async::RouteKind::Tunnel);
        assert!(stream.is_tls_to_target() && !stream.is_tls_to_proxy());
        let request = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        stream
            .write_all(request.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        answer
    });
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with(HELLO_BODY), "{answer}");
}

#[test]
fn squid_refuses_connect_to_a_port_outside_its_ssl_ports() {
    let ca = TestCa::new("real proxy origin CA");
    let https = Origin::https(&ca);
    let Some(squid) = Squid::start_or_skip(SquidOptions::default()) else {
        return;
    };
    let client = client(builder(&ca).https_proxy(&squid.plain_url()));
    let error = block_on(text(&client, &https.url("/hello"))).err();
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
    let client_ok = client(builder(ca).http_proxy(&good).https_proxy(&good));
    block_on(async {
        for url in [http.url("/hello"), https.url("/hello")] {
            let body = text(&client_ok, &url).await;
            assert_eq!(body.unwrap_or_else(|e| panic!("{url}: {e}")), HELLO_BODY);
        }
    });

    let wrong = with_credentials(&auth_url, USER, "not-the-password");
    let missing = format!("http://127.0.0.1:{}", squid.auth_port().unwrap_or(0));
    for (proxy, sent) in [(wrong, true), (missing, false)] {
        let client = client(builder(ca).https_proxy(&proxy));
        let error = block_on(text(&client, &https.url("/hello")))
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
    let untrusted = client(builder(ca).https_proxy(&proxy));
    let error = block_on(text(&untrusted, &https.url("/hello"))).err();
    assert!(
        matches!(error, Some(Error::Failure(Failure::ProxyTls { .. }))),
        "{error:?}"
    );

    let proxy_ca = squid.ca_pem().unwrap_or_else(|| panic!("proxy CA"));
    let trusted = client(
        builder(ca)
            .https_proxy(&proxy)
            .add_proxy_ca_pem(proxy_ca.as_bytes())
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let body = block_on(text(&trusted, &https.url("/hello")));
    assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
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
    let client_ok = client(builder(ca).http_proxy(&tiny.url()).https_proxy(&tiny.url()));
    block_on(async {
        for url in [http.url("/hello"), https.url("/hello")] {
            let body = text(&client_ok, &url).await;
            assert_eq!(body.unwrap_or_else(|e| panic!("{url}: {e}")), HELLO_BODY);
        }
    });

    let wrong = tiny.url_with(&BasicAuth::new(USER, "wrong-pw"));
    let client_wrong = client(builder(ca).https_proxy(&wrong));
    let error = block_on(text(&client_wrong, &https.url("/hello"))).err();
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
        let client = client(builder(&rig.ca).http_proxy(&proxy).https_proxy(&proxy));
        for url in [rig.http.url(&path), rig.https.url(&path)] {
            let got = block_on(download_checked(&client, &url));
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
    let client = client(builder(&ca).http_proxy(&format!("http://127.0.0.1:{}", relay.port())));
    block_on(async {
        for _ in 0..10 {
            let body = text(&client, &http.url("/hello")).await;
            assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
        }
    });
    assert_eq!(relay.accepted(), 1, "10 requests on one connection");
    assert_eq!(http.requests().len(), 10);
    assert_eq!(client.idle_connections(), 1);
}
