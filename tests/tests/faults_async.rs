//! egress-async against a misbehaving proxy: one test per fault mode of the loopback proxy,
//! each asserting the exact error kind and that the failure comes quickly (short phase
//! timeouts; every test bounded well under 3 s), for CONNECT tunnels and, where the fault
//! means something there, for forwarded `http://` requests. Every scenario runs on
//! async-std, and on smol with the `smol` feature.

mod async_support;
mod fault_support;

use std::time::Duration;

use egress_async::Failure;
use egress_async::{Client, Connector, Error, HttpError, Phase, Runtime};
use egress_core::connect::{ConnectError, MAX_HEAD_LEN, MAX_INTERIM_RESPONSES};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy, check_pattern};
use fault_support::{ALERT, Bounded, alert_after_200_proxy, assert_shows_alert, banner_target};

on_every_runtime!(
    never_answering_hits_the_handshake_timeout,
    closing_before_answering_is_closed_early_with_nothing_received,
    closing_mid_header_is_closed_early_counting_the_bytes,
    slowloris_beyond_the_handshake_timeout_is_a_handshake_timeout,
    a_100_kib_head_is_refused_at_the_16_kib_limit,
    ten_thousand_headers_overflow_the_head_buffer_before_the_count_is_known,
    garbage_http09_and_binary_answers_are_not_http_at_byte_0,
    an_interim_flood_beyond_the_limit_is_refused_and_within_it_skipped,
    a_502_with_a_body_is_connect_rejected_with_status_and_reason,
    a_forwarded_download_cut_mid_body_is_an_error_not_a_short_body,
    a_tunnelled_download_cut_mid_body_is_an_error_not_a_short_body,
    bytes_after_200_in_the_same_write_reach_the_tls_layer_raw_proxy,
    bytes_coalesced_with_200_reach_the_tls_layer_of_a_connector_stream,
);

const TUNNEL_URL: &str = "https://127.0.0.1:9/";
const FORWARD_URL: &str = "http://127.0.0.1:9/";

/// The connector routing both schemes through `proxy_url`, trusting `ca`, short timeouts.
fn connector(proxy_url: &str, ca: &TestCa, rt: Runtime) -> Connector {
    Connector::builder()
        .runtime(rt)
        .http_proxy(proxy_url)
        .https_proxy(proxy_url)
        .timeout_connect(Duration::from_secs(1))
        .timeout_proxy_handshake(Duration::from_millis(400))
        .timeout_tls(Duration::from_secs(1))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(egress_async::ConnectorBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn client(proxy_url: &str, ca: &TestCa, rt: Runtime) -> Client {
    Client::builder(connector(proxy_url, ca, rt))
        .timeout_exchange(Duration::from_millis(1500))
        .build()
}

/// Fetches `url`, whole body, within [`fault_support::BOUND`].
async fn fetch(client: &Client, url: &str) -> Result<Vec<u8>, Error> {
    let clock = Bounded::start();
    let result = async { client.get(url).send().await?.bytes().await }.await;
    clock.check();
    result
}

/// Starts a proxy with `fault` and fetches `url` through it (an `https://` one tunnels).
async fn through_fault(fault: Fault, url: &str, rt: Runtime) -> Result<Vec<u8>, Error> {
    let ca = TestCa::new("faults async CA");
    let proxy = TestProxy::start(ProxyOptions::default().fault(fault));
    fetch(&client(&proxy.url(), &ca, rt), url).await
}

/// Asserts the forward proxy was blamed for closing before its response head.
fn assert_proxy_closed(result: Result<Vec<u8>, Error>) {
    match result {
        Err(Error::Failure(Failure::ProxyClosed { proxy, phase, .. })) => {
            assert!(proxy.starts_with("http://127.0.0.1:"), "{proxy}");
            assert_eq!(phase, Phase::ProxyResponse);
        }
        other => panic!("expected ProxyClosed, got {other:?}"),
    }
}

/// The CONNECT decoder error inside `result`, or a panic naming what came instead.
fn protocol_error(result: Result<Vec<u8>, Error>) -> ConnectError {
    match result {
        Err(Error::Failure(Failure::ProxyProtocol { error, proxy })) => {
            assert!(proxy.starts_with("http://127.0.0.1:"), "{proxy}");
            error
        }
        other => panic!("expected ProxyProtocol, got {other:?}"),
    }
}

/// The error of a failed HTTP exchange, or a panic naming what came instead (a success
/// included).
fn http_error(result: Result<Vec<u8>, Error>) -> HttpError {
    match result {
        Err(Error::Http(error)) => error,
        other => panic!("expected an HTTP exchange error, got {other:?}"),
    }
}

/// Asserts the exchange failed because the peer closed before the message was complete.
fn assert_eof(result: Result<Vec<u8>, Error>) {
    let error = http_error(result);
    assert!(
        matches!(&error, HttpError::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof),
        "{error:?}"
    );
}

/// Asserts the exchange failed in ureq-proto's parser with `debug` (its error, which this
/// crate does not name directly).
fn assert_protocol(result: Result<Vec<u8>, Error>, debug: &str) {
    let error = http_error(result);
    assert_eq!(format!("{error:?}"), format!("Protocol({debug})"));
}

async fn never_answering_hits_the_handshake_timeout(rt: Runtime) {
    let error = through_fault(Fault::NeverAnswer, TUNNEL_URL, rt)
        .await
        .err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::ProxyHandshake
            }))
        ),
        "{error:?}"
    );
}

async fn closing_before_answering_is_closed_early_with_nothing_received(rt: Runtime) {
    let error = protocol_error(through_fault(Fault::CloseBeforeAnswer, TUNNEL_URL, rt).await);
    assert_eq!(error, ConnectError::ClosedEarly { received: 0 });
    // A forward proxy that closes before any answer is the proxy's failure, as on CONNECT.
    assert_proxy_closed(through_fault(Fault::CloseBeforeAnswer, FORWARD_URL, rt).await);
}

async fn closing_mid_header_is_closed_early_counting_the_bytes(rt: Runtime) {
    let error = protocol_error(through_fault(Fault::CloseMidHeader, TUNNEL_URL, rt).await);
    let sent = b"HTTP/1.1 200 Conn".len();
    assert_eq!(error, ConnectError::ClosedEarly { received: sent });
    assert_eof(through_fault(Fault::CloseMidHeader, FORWARD_URL, rt).await);
}

async fn slowloris_beyond_the_handshake_timeout_is_a_handshake_timeout(rt: Runtime) {
    let ca = TestCa::new("faults async CA");
    let origin = Origin::https(&ca);
    // 40 ms a byte: the ~400-byte CONNECT head takes 16 s, a forwarded ~80-byte head 3 s.
    let delay = Duration::from_millis(40);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::Slowloris { delay }));
    let client = client(&proxy.url(), &ca, rt);
    let clock = Bounded::start();
    let error = fetch(&client, &origin.url("/hello")).await.err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::ProxyHandshake
            }))
        ),
        "{error:?}"
    );
    assert!(clock.check() >= Duration::from_millis(380));
    // A forwarded response head trickled past the exchange limit is an exchange timeout.
    let plain = Origin::http();
    let error = fetch(&client, &plain.url("/hello")).await.err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::Exchange
            }))
        ),
        "{error:?}"
    );
}

async fn a_100_kib_head_is_refused_at_the_16_kib_limit(rt: Runtime) {
    let error = protocol_error(through_fault(Fault::HugeHead, TUNNEL_URL, rt).await);
    assert_eq!(
        error,
        ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        }
    );
    // Forwarded, the client's own 16 KiB response-head limit applies.
    let error = http_error(through_fault(Fault::HugeHead, FORWARD_URL, rt).await);
    assert!(
        matches!(&error, HttpError::Io(e) if e.kind() == std::io::ErrorKind::InvalidData
            && e.to_string().contains("larger than 16 KiB")),
        "{error:?}"
    );
}

async fn ten_thousand_headers_overflow_the_head_buffer_before_the_count_is_known(rt: Runtime) {
    // 10,000 short headers are ~100 KiB: the 16 KiB buffer fills long before the head ends,
    // so the size limit fires before the header count can be judged.
    let error = protocol_error(through_fault(Fault::ManyHeaders, TUNNEL_URL, rt).await);
    assert_eq!(
        error,
        ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        }
    );
    // ureq-proto's parser counts headers as it goes: its header limit fires first.
    assert_protocol(
        through_fault(Fault::ManyHeaders, FORWARD_URL, rt).await,
        "HttpParseTooManyHeaders",
    );
}

async fn garbage_http09_and_binary_answers_are_not_http_at_byte_0(rt: Runtime) {
    for fault in [Fault::Garbage, Fault::Http09, Fault::BinaryBlob] {
        let error = protocol_error(through_fault(fault.clone(), TUNNEL_URL, rt).await);
        assert_eq!(error, ConnectError::NotHttp { offset: 0 }, "{fault:?}");
        assert_protocol(
            through_fault(fault, FORWARD_URL, rt).await,
            "HttpParseFail(\"invalid HTTP version\")",
        );
    }
}

async fn an_interim_flood_beyond_the_limit_is_refused_and_within_it_skipped(rt: Runtime) {
    let ca = TestCa::new("faults async CA");
    let origin = Origin::https(&ca);
    let over = Fault::InterimFlood {
        count: MAX_INTERIM_RESPONSES + 1,
    };
    let proxy = TestProxy::start(ProxyOptions::default().fault(over));
    let client_over = client(&proxy.url(), &ca, rt);
    let error = protocol_error(fetch(&client_over, &origin.url("/hello")).await);
    assert_eq!(
        error,
        ConnectError::TooManyInterimResponses {
            limit: MAX_INTERIM_RESPONSES
        }
    );
    let within = Fault::InterimFlood {
        count: MAX_INTERIM_RESPONSES,
    };
    let proxy = TestProxy::start(ProxyOptions::default().fault(within));
    let body = fetch(&client(&proxy.url(), &ca, rt), &origin.url("/hello")).await;
    assert_eq!(
        body.unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY.as_bytes()
    );
    // Forwarded, interim responses are ureq-proto's to skip (the CONNECT limit is not
    // involved).
    let plain = Origin::http();
    let flood = Fault::InterimFlood { count: 50 };
    let body = through_fault(flood, &plain.url("/hello"), rt).await;
    assert_eq!(
        body.unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY.as_bytes()
    );
}

async fn a_502_with_a_body_is_connect_rejected_with_status_and_reason(rt: Runtime) {
    let url = "https://target.example:8448/";
    match through_fault(Fault::bad_gateway(), url, rt).await.err() {
        Some(Error::Failure(Failure::ConnectRejected {
            status: 502,
            reason,
            target,
            ..
        })) => {
            assert_eq!(reason, "Bad Gateway");
            assert_eq!(target, "target.example:8448");
        }
        other => panic!("expected ConnectRejected, got {other:?}"),
    }
    // Forwarded, a 502 is an ordinary response whose body arrives whole.
    let ca = TestCa::new("faults async CA");
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::bad_gateway()));
    let client = client(&proxy.url(), &ca, rt);
    let clock = Bounded::start();
    let mut response = client
        .get(FORWARD_URL)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 502);
    let body = response.text().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, "test proxy: upstream refused\n");
    clock.check();
}

async fn a_forwarded_download_cut_mid_body_is_an_error_not_a_short_body(rt: Runtime) {
    let origin = Origin::http();
    let cut = Fault::CutAfter { bytes: 100_000 };
    assert_eof(through_fault(cut, &origin.url("/bytes/1000000"), rt).await);
}

async fn a_tunnelled_download_cut_mid_body_is_an_error_not_a_short_body(rt: Runtime) {
    let ca = TestCa::new("faults async CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CutAfter { bytes: 100_000 }));
    let client = client(&proxy.url(), &ca, rt);
    let result = fetch(&client, &origin.url("/bytes/1000000")).await;
    assert_eof(result);
    // The same proxy delivers whatever fits before the cut intact.
    let body = fetch(&client, &origin.url("/bytes/20000")).await;
    let body = body.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((body.len(), check_pattern(0, &body)), (20_000, Ok(())));
}

/// Asserts `error` is a target TLS failure caused by the peer's handshake_failure alert.
fn assert_alert_reached_tls<T: std::fmt::Debug>(result: Result<T, Error>) {
    match &result {
        Err(Error::Failure(Failure::TargetTls { source, .. })) => assert_shows_alert(source),
        other => panic!("expected TargetTls from the alert, got {other:?}"),
    }
}

async fn bytes_after_200_in_the_same_write_reach_the_tls_layer_raw_proxy(rt: Runtime) {
    // A hand-written proxy: one write holds the 200 head and a TLS alert record.
    let (addr, proxy) = alert_after_200_proxy();
    let ca = TestCa::new("faults async CA");
    let client = client(&format!("http://{addr}"), &ca, rt);
    assert_alert_reached_tls(fetch(&client, "https://target.example/").await);
    let request = proxy.join().unwrap_or_else(|_| panic!("proxy thread"));
    assert!(
        request.starts_with(b"CONNECT target.example:443 HTTP/1.1\r\n"),
        "{}",
        String::from_utf8_lossy(&request)
    );
}

async fn bytes_coalesced_with_200_reach_the_tls_layer_of_a_connector_stream(rt: Runtime) {
    // The target speaks first; the proxy sends its banner in the write that carries the 200.
    // Tunnels always carry TLS to the target, so the banner is a TLS alert: the connector's
    // TLS layer must read it as the first bytes from the target.
    let (target, banner) = banner_target(ALERT);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CoalesceTunnelBytes));
    let ca = TestCa::new("faults async CA");
    let connector = connector(&proxy.url(), &ca, rt);
    let clock = Bounded::start();
    let result = connector.connect(&format!("https://{target}/")).await;
    clock.check();
    assert_alert_reached_tls(result);
    drop(proxy);
    banner.join().unwrap_or_else(|_| panic!("banner thread"));
}
