//! egress-sync against a misbehaving proxy: one test per fault mode of the loopback proxy,
//! each asserting the exact error kind and that the failure comes quickly (short phase
//! timeouts; every test bounded well under 3 s), for CONNECT tunnels and, where the fault
//! means something there, for forwarded `http://` requests.

mod fault_support;

use std::time::{Duration, Instant};

use egress_core::connect::{ConnectError, MAX_HEAD_LEN, MAX_INTERIM_RESPONSES};
use egress_sync::Failure;
use egress_sync::{Agent, AgentBuilder, Error, Phase};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy, check_pattern};
use fault_support::{ALERT, Bounded, alert_after_200_proxy, assert_shows_alert, banner_target};

/// An agent routing both schemes through `proxy_url`, trusting `ca`, with short timeouts.
fn agent(proxy_url: &str, ca: &TestCa) -> Agent {
    Agent::builder()
        .http_proxy(proxy_url)
        .https_proxy(proxy_url)
        .timeout_connect(Duration::from_secs(1))
        .timeout_proxy_handshake(Duration::from_millis(400))
        .timeout_tls(Duration::from_secs(1))
        .timeout_global(Duration::from_millis(1500))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(AgentBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn get_bytes(agent: &Agent, url: &str) -> Result<Vec<u8>, Error> {
    let mut response = agent.get(url).call()?;
    Ok(response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()?)
}

/// Runs `f`, asserting it took less than [`fault_support::BOUND`].
fn quick<T>(f: impl FnOnce() -> T) -> T {
    let clock = Bounded::start();
    let value = f();
    clock.check();
    value
}

/// Starts a proxy with `fault` and fetches `url` through it (an `https://` one tunnels).
fn through_fault(fault: Fault, url: &str) -> Result<Vec<u8>, Error> {
    let ca = TestCa::new("faults sync CA");
    let proxy = TestProxy::start(ProxyOptions::default().fault(fault));
    let agent = agent(&proxy.url(), &ca);
    quick(|| get_bytes(&agent, url))
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

/// The ureq error of a failed HTTP exchange (a forwarded request, or a body through a
/// tunnel), or a panic naming what came instead (a success included).
fn http_error(result: Result<Vec<u8>, Error>) -> ureq::Error {
    match result {
        Err(Error::Http(error)) => error,
        other => panic!("expected an HTTP exchange error, got {other:?}"),
    }
}

/// Asserts the exchange failed because the peer closed before the message was complete.
fn assert_eof(result: Result<Vec<u8>, Error>) {
    let error = http_error(result);
    assert!(
        matches!(&error, ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof),
        "{error:?}"
    );
}

/// Asserts the exchange failed on ureq's parser with `debug` (ureq-proto's error, which
/// this crate does not name directly).
fn assert_protocol(result: Result<Vec<u8>, Error>, debug: &str) {
    let error = http_error(result);
    assert_eq!(format!("{error:?}"), format!("Protocol({debug})"));
}

const TUNNEL_URL: &str = "https://127.0.0.1:9/";
const FORWARD_URL: &str = "http://127.0.0.1:9/";

#[test]
fn never_answering_hits_the_handshake_timeout() {
    let error = through_fault(Fault::NeverAnswer, TUNNEL_URL).err();
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

#[test]
fn closing_before_answering_is_closed_early_with_nothing_received() {
    let error = protocol_error(through_fault(Fault::CloseBeforeAnswer, TUNNEL_URL));
    assert_eq!(error, ConnectError::ClosedEarly { received: 0 });
    // A forward proxy that closes before any answer is the proxy's failure, as on CONNECT.
    assert_proxy_closed(through_fault(Fault::CloseBeforeAnswer, FORWARD_URL));
}

#[test]
fn closing_mid_header_is_closed_early_counting_the_bytes() {
    let error = protocol_error(through_fault(Fault::CloseMidHeader, TUNNEL_URL));
    let sent = b"HTTP/1.1 200 Conn".len();
    assert_eq!(error, ConnectError::ClosedEarly { received: sent });
    assert_eof(through_fault(Fault::CloseMidHeader, FORWARD_URL));
}

#[test]
fn slowloris_beyond_the_handshake_timeout_is_a_handshake_timeout() {
    let ca = TestCa::new("faults sync CA");
    let origin = Origin::https(&ca);
    // 40 ms a byte: the ~400-byte CONNECT head takes 16 s, a forwarded ~80-byte head 3 s.
    let delay = Duration::from_millis(40);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::Slowloris { delay }));
    let agent = agent(&proxy.url(), &ca);
    let started = Instant::now();
    let error = quick(|| get_bytes(&agent, &origin.url("/hello"))).err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::ProxyHandshake
            }))
        ),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(380));
    // A forwarded response trickled past the global limit is an exchange timeout.
    let plain = Origin::http();
    let error = quick(|| get_bytes(&agent, &plain.url("/hello"))).err();
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

#[test]
fn a_100_kib_head_is_refused_at_the_16_kib_limit() {
    let error = protocol_error(through_fault(Fault::HugeHead, TUNNEL_URL));
    assert_eq!(
        error,
        ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        }
    );
    // Forwarded, ureq's own limit (64 KiB) applies.
    let error = http_error(through_fault(Fault::HugeHead, FORWARD_URL));
    assert!(
        matches!(error, ureq::Error::LargeResponseHeader(n, 65_536) if n > 100 * 1024),
        "{error:?}"
    );
}

#[test]
fn ten_thousand_headers_overflow_the_head_buffer_before_the_count_is_known() {
    // 10,000 short headers are ~100 KiB: the 16 KiB buffer fills long before the head ends,
    // so the size limit fires before the header count can be judged.
    let error = protocol_error(through_fault(Fault::ManyHeaders, TUNNEL_URL));
    assert_eq!(
        error,
        ConnectError::HeaderBlockTooLarge {
            limit: MAX_HEAD_LEN
        }
    );
    // ureq's parser counts headers as it goes: its header limit fires first.
    assert_protocol(
        through_fault(Fault::ManyHeaders, FORWARD_URL),
        "HttpParseTooManyHeaders",
    );
}

#[test]
fn garbage_http09_and_binary_answers_are_not_http_at_byte_0() {
    for fault in [Fault::Garbage, Fault::Http09, Fault::BinaryBlob] {
        let error = protocol_error(through_fault(fault.clone(), TUNNEL_URL));
        assert_eq!(error, ConnectError::NotHttp { offset: 0 }, "{fault:?}");
        assert_protocol(
            through_fault(fault, FORWARD_URL),
            "HttpParseFail(\"invalid HTTP version\")",
        );
    }
}

#[test]
fn an_interim_flood_beyond_the_limit_is_refused_and_within_it_skipped() {
    let ca = TestCa::new("faults sync CA");
    let origin = Origin::https(&ca);
    let over = Fault::InterimFlood {
        count: MAX_INTERIM_RESPONSES + 1,
    };
    let proxy = TestProxy::start(ProxyOptions::default().fault(over));
    let error = protocol_error(quick(|| {
        get_bytes(&agent(&proxy.url(), &ca), &origin.url("/hello"))
    }));
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
    let body = quick(|| get_bytes(&agent(&proxy.url(), &ca), &origin.url("/hello")));
    assert_eq!(
        body.unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY.as_bytes()
    );
    // Forwarded, interim responses are ureq's to skip (the CONNECT limit is not involved).
    let plain = Origin::http();
    let body = through_fault(Fault::InterimFlood { count: 50 }, &plain.url("/hello"));
    assert_eq!(
        body.unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY.as_bytes()
    );
}

#[test]
fn a_502_with_a_body_is_connect_rejected_with_status_and_reason() {
    let error = through_fault(Fault::bad_gateway(), "https://target.example:8448/").err();
    match error {
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
    // Forwarded, a 502 is the origin-side answer: a status error by default.
    let error = through_fault(Fault::bad_gateway(), FORWARD_URL).err();
    assert!(
        matches!(error, Some(Error::Http(ureq::Error::StatusCode(502)))),
        "{error:?}"
    );
}

#[test]
fn a_forwarded_download_cut_mid_body_is_an_error_not_a_short_body() {
    let origin = Origin::http();
    let result = through_fault(
        Fault::CutAfter { bytes: 100_000 },
        &origin.url("/bytes/1000000"),
    );
    assert_eof(result);
}

#[test]
fn a_tunnelled_download_cut_mid_body_is_an_error_not_a_short_body() {
    let ca = TestCa::new("faults sync CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CutAfter { bytes: 100_000 }));
    let agent = agent(&proxy.url(), &ca);
    let result = quick(|| get_bytes(&agent, &origin.url("/bytes/1000000")));
    assert_eof(result);
    // The same proxy delivers whatever fits before the cut intact.
    let body = quick(|| get_bytes(&agent, &origin.url("/bytes/20000")));
    let body = body.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((body.len(), check_pattern(0, &body)), (20_000, Ok(())));
}

/// Asserts `error` is a target TLS failure caused by the peer's handshake_failure alert.
fn assert_alert_reached_tls(error: Option<Error>) {
    match &error {
        Some(Error::Failure(Failure::TargetTls { source, .. })) => assert_shows_alert(source),
        other => panic!("expected TargetTls from the alert, got {other:?}"),
    }
}

#[test]
fn bytes_after_200_in_the_same_write_reach_the_tls_layer_raw_proxy() {
    // A hand-written proxy: one write holds the 200 head and a TLS alert record.
    let (addr, proxy) = alert_after_200_proxy();
    let ca = TestCa::new("faults sync CA");
    let agent = agent(&format!("http://{addr}"), &ca);
    let error = quick(|| get_bytes(&agent, "https://target.example/")).err();
    assert_alert_reached_tls(error);
    let request = proxy.join().unwrap_or_else(|_| panic!("proxy thread"));
    assert!(
        request.starts_with(b"CONNECT target.example:443 HTTP/1.1\r\n"),
        "{}",
        String::from_utf8_lossy(&request)
    );
}

#[test]
fn bytes_coalesced_with_200_by_the_test_proxy_reach_the_tls_layer() {
    let (target, banner) = banner_target(ALERT);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CoalesceTunnelBytes));
    let ca = TestCa::new("faults sync CA");
    let agent = agent(&proxy.url(), &ca);
    let error = quick(|| get_bytes(&agent, &format!("https://{target}/"))).err();
    assert_alert_reached_tls(error);
    drop(proxy);
    banner.join().unwrap_or_else(|_| panic!("banner thread"));
}
