//! The cases of "one connection path, decided once", on every frontend from one source:
//! each asserts egress-core's classification, which both frontends now share.

mod frontends;

use std::time::{Duration, Instant};

use egress_core::{Failure, Phase, TargetError};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};
use frontends::{Frontend, Setup};

on_every_frontend!(
    an_unusable_port_is_an_error_never_the_default_port,
    a_name_no_certificate_can_carry_fails_before_any_connect,
    a_direct_lookup_failure_names_the_target_and_the_phase,
    a_zone_id_target_is_an_address_and_is_never_looked_up,
    a_forward_proxy_that_never_answers_times_out_as_the_proxys_phase,
    a_tunnel_closed_right_after_200_is_the_proxys_failure,
    each_connection_is_decided_once,
);

fn an_unusable_port_is_an_error_never_the_default_port(frontend: Frontend) {
    let proxy = TestProxy::start(ProxyOptions::default());
    let client = frontend.client(&Setup {
        https_proxy: Some(proxy.url()),
        ..Setup::default()
    });
    for url in [
        "http://127.0.0.1:99999/small",
        "http://example.com:abc/",
        "http://example.com:65536/",
        "http://example.com:-1/",
        "https://localhost:99999/",
        "https://localhost:0/",
    ] {
        match client.fetch(url).failure() {
            Failure::InvalidTarget {
                problem,
                url: shown,
            } => {
                assert_eq!(problem, TargetError::InvalidPort, "{url}");
                assert_eq!(shown, url, "the URL is named as given");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    assert_eq!(proxy.connections(), 0, "nothing reached the proxy");
}

fn a_name_no_certificate_can_carry_fails_before_any_connect(frontend: Frontend) {
    let proxy = TestProxy::start(ProxyOptions::default());
    let client = frontend.client(&Setup {
        https_proxy: Some(proxy.url()),
        ..Setup::default()
    });
    let failure = client.fetch("https://127.1:8443/").failure();
    assert!(
        matches!(
            failure,
            Failure::InvalidTarget {
                problem: TargetError::NotTlsServerName,
                ..
            }
        ),
        "{failure:?}"
    );
    assert_eq!(proxy.connections(), 0, "no CONNECT was sent");
}

fn a_direct_lookup_failure_names_the_target_and_the_phase(frontend: Frontend) {
    let client = frontend.client(&Setup::default());
    // `.invalid` never resolves (RFC 6761).
    match client.fetch("http://nowhere.invalid:8081/").failure() {
        Failure::TargetUnreachable { target, phase, .. } => {
            assert_eq!(target, "nowhere.invalid:8081");
            assert_eq!(phase, Phase::ResolveTarget);
        }
        other => panic!("{other:?}"),
    }
}

fn a_zone_id_target_is_an_address_and_is_never_looked_up(frontend: Frontend) {
    let origin = Origin::http_v6();
    let client = frontend.client(&Setup::default());
    let url = format!("http://[::1%25lo]:{}/hello", origin.port());
    assert_eq!(client.fetch(&url).body(), HELLO_BODY.as_bytes());
}

fn a_forward_proxy_that_never_answers_times_out_as_the_proxys_phase(frontend: Frontend) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::NeverAnswer));
    let client = frontend.client(&Setup {
        http_proxy: Some(proxy.url()),
        ..Setup::default()
    });
    let started = Instant::now();
    let failure = client.fetch(&origin.url("/hello")).failure();
    assert!(
        matches!(
            failure,
            Failure::Timeout {
                phase: Phase::ProxyResponse
            }
        ),
        "{failure:?}"
    );
    assert!(failure.is_proxy_failure());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(5),
        "the 500 ms handshake limit applies: {took:?}"
    );
}

fn a_tunnel_closed_right_after_200_is_the_proxys_failure(frontend: Frontend) {
    let ca = TestCa::new("one path CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CutAfter { bytes: 0 }));
    let client = frontend.client(&Setup {
        https_proxy: Some(proxy.url()),
        ca_pem: Some(ca.cert_pem().to_string()),
        ..Setup::default()
    });
    match client.fetch(&origin.url("/hello")).failure() {
        Failure::ProxyClosed {
            proxy: shown,
            phase,
            ..
        } => {
            assert_eq!(shown, proxy.url());
            assert_eq!(phase, Phase::TargetTls);
        }
        other => panic!("{other:?}"),
    }
}

fn each_connection_is_decided_once(frontend: Frontend) {
    let ca = TestCa::new("one path CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default());
    let client = frontend.client(&Setup {
        https_proxy: Some(proxy.url()),
        ca_pem: Some(ca.cert_pem().to_string()),
        ..Setup::default()
    });
    for _ in 0..3 {
        assert_eq!(
            client.fetch(&origin.url("/hello")).body(),
            HELLO_BODY.as_bytes()
        );
    }
    assert_eq!(
        proxy.connections(),
        1,
        "one pooled tunnel carried all three"
    );
    // ureq looks up its pool before asking the connector, so the blocking agent decides once
    // per new connection; the async client decides once per request (the decision's key is
    // what finds the pooled connection). Before, a new connection was decided two or three
    // times and its proxy URL parsed again each time.
    let expected = if client.is_sync() { 1 } else { 3 };
    assert_eq!(client.route_decisions(), expected);
}
