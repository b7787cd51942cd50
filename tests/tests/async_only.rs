//! egress-async behaviour with no egress-sync counterpart: the raw [`Connector`] stream
//! (egress-sync hands its connections to ureq and exposes none), and a `Client` told to
//! follow no redirect (both frontends follow 10 by default). Every scenario runs on
//! async-std, and on smol and tokio with their features; the real-proxy one keeps the
//! CI-aware skip rule.

mod async_support;
mod fault_support;

use async_support::short_timeouts;
use egress_async::{Client, Connection, Connector, ConnectorBuilder, Error, Failure, Runtime};
use egress_tests::real_proxy::Rig;
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};
use fault_support::{ALERT, Bounded, assert_shows_alert, banner_target};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

on_every_runtime!(
    a_connector_stream_through_an_https_proxy_is_tls_to_both,
    a_connector_stream_through_a_tunnel_speaks_any_protocol,
    bytes_coalesced_with_200_reach_the_tls_layer_of_a_connector_stream,
    a_raw_connector_tunnel_through_squid_carries_any_bytes,
    a_client_with_zero_redirects_returns_the_3xx_as_is,
);

/// Sends a `Connection: close` GET for `/hello` on `stream` and returns the whole answer.
async fn hello_over(mut stream: Connection) -> String {
    let request = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    answer
}

fn assert_hello_answer(answer: &str) {
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with(HELLO_BODY), "{answer}");
}

fn tunnelling(proxy: &str, ca: &TestCa, rt: Runtime) -> Connector {
    short_timeouts(Connector::builder().https_proxy(proxy), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(ConnectorBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn a_connector_stream_through_an_https_proxy_is_tls_to_both(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));
    let connector = short_timeouts(Connector::builder().https_proxy(&proxy.url()), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(|b| b.add_proxy_ca_pem(ca.cert_pem().as_bytes()))
        .and_then(ConnectorBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    let stream = connector.connect(&origin.url("/")).await;
    let stream = stream.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stream.is_tls_to_proxy() && stream.is_tls_to_target(),
        "{stream:?}"
    );
    assert_hello_answer(&hello_over(stream).await);
    assert_eq!(proxy.connect_targets().len(), 1);
}

async fn a_connector_stream_through_a_tunnel_speaks_any_protocol(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default());
    let connector = tunnelling(&proxy.url(), &ca, rt);
    let stream = connector.connect(&origin.url("/")).await;
    let stream = stream.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.route(), egress_async::RouteKind::Tunnel);
    assert!(stream.is_tls_to_target() && !stream.is_tls_to_proxy());
    assert_hello_answer(&hello_over(stream).await);
}

async fn bytes_coalesced_with_200_reach_the_tls_layer_of_a_connector_stream(rt: Runtime) {
    // The target speaks first; the proxy sends its banner in the write that carries the 200.
    // Tunnels always carry TLS to the target, so the banner is a TLS alert: the connector's
    // TLS layer must read it as the first bytes from the target.
    let (target, banner) = banner_target(ALERT);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CoalesceTunnelBytes));
    let ca = TestCa::new("faults async CA");
    let connector = tunnelling(&proxy.url(), &ca, rt);
    let clock = Bounded::start();
    let result = connector.connect(&format!("https://{target}/")).await;
    clock.check();
    match &result {
        Err(Error::Failure(Failure::TargetTls { source, .. })) => assert_shows_alert(source),
        other => panic!("expected TargetTls from the alert, got {other:?}"),
    }
    drop(proxy);
    banner.join().unwrap_or_else(|_| panic!("banner thread"));
}

async fn a_raw_connector_tunnel_through_squid_carries_any_bytes(rt: Runtime) {
    let rig = Rig::new("real proxy origin CA");
    let Some(squid) = rig.squid(None, false) else {
        return;
    };
    let connector = tunnelling(&squid.plain_url(), &rig.ca, rt);
    let stream = connector.connect(&rig.https.url("/")).await;
    let stream = stream.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.route(), egress_async::RouteKind::Tunnel);
    assert!(stream.is_tls_to_target() && !stream.is_tls_to_proxy());
    assert_hello_answer(&hello_over(stream).await);
}

async fn a_client_with_zero_redirects_returns_the_3xx_as_is(rt: Runtime) {
    let origin = Origin::http();
    let hop = origin.url("/redirect?to=/hello");
    let plain = Client::builder(
        short_timeouts(ConnectorBuilder::without_proxy(), rt)
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .max_redirects(0)
    .build();
    let response = plain.get(&hop).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.status().as_u16(),
        302,
        "routes.rs covers configured limits"
    );
    assert_eq!(response.header("location"), Some("/hello"));
}
