//! Every frontend against a misbehaving proxy: one scenario per fault mode of the loopback
//! proxy, each asserting the exact failure and that it comes quickly (short phase timeouts;
//! every request bounded well under 3 s), for CONNECT tunnels and, where the fault means
//! something there, for forwarded `http://` requests. Written once; run on sync, async-std
//! and (with their features) smol and tokio.

mod fault_support;
mod frontends;

use std::time::Duration;

use egress_core::connect::{ConnectError, MAX_HEAD_LEN, MAX_INTERIM_RESPONSES};
use egress_core::{Failure, Phase};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy, check_pattern};
use fault_support::{ALERT, Bounded, alert_after_200_proxy, assert_shows_alert, banner_target};
use frontends::{Client, Fetched, Frontend, HttpFailure, Setup};

on_every_frontend!(
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
    bytes_coalesced_with_200_by_the_test_proxy_reach_the_tls_layer,
);

const TUNNEL_URL: &str = "https://127.0.0.1:9/";
const FORWARD_URL: &str = "http://127.0.0.1:9/";

/// A client routing both schemes through `proxy_url`, trusting `ca`, with short timeouts.
fn client(frontend: Frontend, proxy_url: &str, ca: &TestCa) -> Client {
    frontend.client(&Setup {
        connect: Duration::from_secs(1),
        handshake: Duration::from_millis(400),
        tls: Duration::from_secs(1),
        exchange: Duration::from_millis(1500),
        ..Setup::through(proxy_url).trusting(ca.cert_pem())
    })
}

/// Fetches `url`, whole body, within [`fault_support::BOUND`].
fn fetch(client: &Client, url: &str) -> Fetched {
    let clock = Bounded::start();
    let fetched = client.fetch(url);
    clock.check();
    fetched
}

/// Starts a proxy with `fault` and fetches `url` through it (an `https://` one tunnels).
fn through_fault(frontend: Frontend, fault: Fault, url: &str) -> Fetched {
    let ca = TestCa::new("faults CA");
    let proxy = TestProxy::start(ProxyOptions::default().fault(fault));
    fetch(&client(frontend, &proxy.url(), &ca), url)
}

/// Asserts the forward proxy was blamed for closing before its response head.
fn assert_proxy_closed(fetched: Fetched) {
    match fetched.failure() {
        Failure::ProxyClosed { proxy, phase, .. } => {
            assert!(proxy.starts_with("http://127.0.0.1:"), "{proxy}");
            assert_eq!(phase, Phase::ProxyResponse);
        }
        other => panic!("expected ProxyClosed, got {other:?}"),
    }
}

/// The CONNECT decoder error inside `fetched`, or a panic naming what came instead.
fn protocol_error(fetched: Fetched) -> ConnectError {
    match fetched.failure() {
        Failure::ProxyProtocol { error, proxy } => {
            assert!(proxy.starts_with("http://127.0.0.1:"), "{proxy}");
            error
        }
        other => panic!("expected ProxyProtocol, got {other:?}"),
    }
}

/// Asserts the failure is a timeout in `phase`.
fn assert_timeout(fetched: Fetched, phase: Phase) {
    let failure = fetched.failure();
    assert!(
        matches!(failure, Failure::Timeout { phase: p } if p == phase),
        "{failure:?}"
    );
}

/// Asserts ureq-proto's parser refused the response with `debug`.
fn assert_protocol(fetched: Fetched, debug: &str) {
    assert_eq!(fetched.http(), HttpFailure::Protocol(debug.to_owned()));
}

fn never_answering_hits_the_handshake_timeout(frontend: Frontend) {
    let fetched = through_fault(frontend, Fault::NeverAnswer, TUNNEL_URL);
    assert_timeout(fetched, Phase::ProxyHandshake);
}

fn closing_before_answering_is_closed_early_with_nothing_received(frontend: Frontend) {
    let error = protocol_error(through_fault(
        frontend,
        Fault::CloseBeforeAnswer,
        TUNNEL_URL,
    ));
    assert_eq!(error, ConnectError::ClosedEarly { received: 0 });
    // A forward proxy that closes before any answer is the proxy's failure, as on CONNECT.
    assert_proxy_closed(through_fault(
        frontend,
        Fault::CloseBeforeAnswer,
        FORWARD_URL,
    ));
}

fn closing_mid_header_is_closed_early_counting_the_bytes(frontend: Frontend) {
    let error = protocol_error(through_fault(frontend, Fault::CloseMidHeader, TUNNEL_URL));
    let sent = b"HTTP/1.1 200 Conn".len();
    assert_eq!(error, ConnectError::ClosedEarly { received: sent });
    let forwarded = through_fault(frontend, Fault::CloseMidHeader, FORWARD_URL);
    assert_eq!(forwarded.http(), HttpFailure::Eof);
}

fn slowloris_beyond_the_handshake_timeout_is_a_handshake_timeout(frontend: Frontend) {
    let ca = TestCa::new("faults CA");
    let origin = Origin::https(&ca);
    // 40 ms a byte: the ~400-byte CONNECT head takes 16 s, a forwarded ~80-byte head 3 s.
    let delay = Duration::from_millis(40);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::Slowloris { delay }));
    let client = client(frontend, &proxy.url(), &ca);
    let clock = Bounded::start();
    let fetched = client.fetch(&origin.url("/hello"));
    assert!(clock.check() >= Duration::from_millis(380));
    assert_timeout(fetched, Phase::ProxyHandshake);
    // A forwarded response head trickled past the exchange limit is an exchange timeout.
    let plain = Origin::http();
    assert_timeout(fetch(&client, &plain.url("/hello")), Phase::Exchange);
}

fn a_100_kib_head_is_refused_at_the_16_kib_limit(frontend: Frontend) {
    let error = protocol_error(through_fault(frontend, Fault::HugeHead, TUNNEL_URL));
    assert_eq!(
        error,
        ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        }
    );
    // Forwarded, the frontend's own response-head limit applies (ureq's 64 KiB,
    // egress-async's 16 KiB).
    match through_fault(frontend, Fault::HugeHead, FORWARD_URL).http() {
        HttpFailure::HeadTooLarge { limit, seen } => {
            assert_eq!(limit, frontend.response_head_limit());
            assert!(seen.is_none_or(|n| n > 100 * 1024), "{seen:?}");
        }
        other => panic!("expected HeadTooLarge, got {other:?}"),
    }
}

fn ten_thousand_headers_overflow_the_head_buffer_before_the_count_is_known(frontend: Frontend) {
    // 10,000 short headers are ~100 KiB: the 16 KiB buffer fills long before the head ends,
    // so the size limit fires before the header count can be judged.
    let error = protocol_error(through_fault(frontend, Fault::ManyHeaders, TUNNEL_URL));
    assert_eq!(
        error,
        ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        }
    );
    // ureq-proto's parser counts headers as it goes: its header limit fires first.
    assert_protocol(
        through_fault(frontend, Fault::ManyHeaders, FORWARD_URL),
        "HttpParseTooManyHeaders",
    );
}

fn garbage_http09_and_binary_answers_are_not_http_at_byte_0(frontend: Frontend) {
    for fault in [Fault::Garbage, Fault::Http09, Fault::BinaryBlob] {
        let error = protocol_error(through_fault(frontend, fault.clone(), TUNNEL_URL));
        assert_eq!(error, ConnectError::NotHttp { offset: 0 }, "{fault:?}");
        assert_protocol(
            through_fault(frontend, fault, FORWARD_URL),
            "HttpParseFail(\"invalid HTTP version\")",
        );
    }
}

fn an_interim_flood_beyond_the_limit_is_refused_and_within_it_skipped(frontend: Frontend) {
    let ca = TestCa::new("faults CA");
    let origin = Origin::https(&ca);
    let over = Fault::InterimFlood {
        count: MAX_INTERIM_RESPONSES + 1,
    };
    let proxy = TestProxy::start(ProxyOptions::default().fault(over));
    let client_over = client(frontend, &proxy.url(), &ca);
    let error = protocol_error(fetch(&client_over, &origin.url("/hello")));
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
    let body = fetch(&client(frontend, &proxy.url(), &ca), &origin.url("/hello"));
    assert_eq!(body.body(), HELLO_BODY.as_bytes());
    // Forwarded, interim responses are ureq-proto's to skip (the CONNECT limit is not
    // involved).
    let plain = Origin::http();
    let flood = Fault::InterimFlood { count: 50 };
    let body = through_fault(frontend, flood, &plain.url("/hello"));
    assert_eq!(body.body(), HELLO_BODY.as_bytes());
}

fn a_502_with_a_body_is_connect_rejected_with_status_and_reason(frontend: Frontend) {
    let url = "https://target.example:8448/";
    match through_fault(frontend, Fault::bad_gateway(), url).failure() {
        Failure::ConnectRejected {
            status: 502,
            reason,
            target,
            ..
        } => {
            assert_eq!(reason, "Bad Gateway");
            assert_eq!(target, "target.example:8448");
        }
        other => panic!("expected ConnectRejected, got {other:?}"),
    }
    // Forwarded, a 502 is an ordinary response whose body arrives whole (egress-sync's
    // default of making it a status error is in sync_only.rs).
    let response = through_fault(frontend, Fault::bad_gateway(), FORWARD_URL).response();
    assert_eq!(response.status, 502);
    assert_eq!(response.body, b"test proxy: upstream refused\n");
}

fn a_forwarded_download_cut_mid_body_is_an_error_not_a_short_body(frontend: Frontend) {
    let origin = Origin::http();
    let cut = Fault::CutAfter { bytes: 100_000 };
    let fetched = through_fault(frontend, cut, &origin.url("/bytes/1000000"));
    assert_eq!(fetched.http(), HttpFailure::Eof);
}

fn a_tunnelled_download_cut_mid_body_is_an_error_not_a_short_body(frontend: Frontend) {
    let ca = TestCa::new("faults CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CutAfter { bytes: 100_000 }));
    let client = client(frontend, &proxy.url(), &ca);
    let fetched = fetch(&client, &origin.url("/bytes/1000000"));
    assert_eq!(fetched.http(), HttpFailure::Eof);
    // The same proxy delivers whatever fits before the cut intact.
    let body = fetch(&client, &origin.url("/bytes/20000")).body();
    assert_eq!((body.len(), check_pattern(0, &body)), (20_000, Ok(())));
}

/// Asserts the failure is a target TLS failure caused by the peer's handshake_failure alert.
fn assert_alert_reached_tls(fetched: Fetched) {
    match fetched.failure() {
        Failure::TargetTls { source, .. } => assert_shows_alert(&source),
        other => panic!("expected TargetTls from the alert, got {other:?}"),
    }
}

fn bytes_after_200_in_the_same_write_reach_the_tls_layer_raw_proxy(frontend: Frontend) {
    // A hand-written proxy: one write holds the 200 head and a TLS alert record.
    let (addr, proxy) = alert_after_200_proxy();
    let ca = TestCa::new("faults CA");
    let client = client(frontend, &format!("http://{addr}"), &ca);
    assert_alert_reached_tls(fetch(&client, "https://target.example/"));
    let request = proxy.join().unwrap_or_else(|_| panic!("proxy thread"));
    assert!(
        request.starts_with(b"CONNECT target.example:443 HTTP/1.1\r\n"),
        "{}",
        String::from_utf8_lossy(&request)
    );
}

fn bytes_coalesced_with_200_by_the_test_proxy_reach_the_tls_layer(frontend: Frontend) {
    // The target speaks first; the proxy sends its banner in the write that carries the 200.
    // Tunnels always carry TLS to the target, so the banner is a TLS alert: the client's TLS
    // layer must read it as the first bytes from the target.
    let (target, banner) = banner_target(ALERT);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CoalesceTunnelBytes));
    let ca = TestCa::new("faults CA");
    let client = client(frontend, &proxy.url(), &ca);
    assert_alert_reached_tls(fetch(&client, &format!("https://{target}/")));
    drop(proxy);
    banner.join().unwrap_or_else(|_| panic!("banner thread"));
}
