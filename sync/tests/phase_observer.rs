//! The `PhaseObserver` API: which phases are reported, in which order, for each route.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use egress_sync::{Agent, AgentBuilder, Phase, PhaseEvent};
use egress_tests::{Origin, ProxyOptions, TestCa, TestProxy};

fn recorded(builder: AgentBuilder, url: &str) -> Vec<PhaseEvent> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let agent = builder
        .timeout_global(Duration::from_secs(5))
        .phase_observer(move |event: &PhaseEvent| {
            sink.lock()
                .unwrap_or_else(|e| panic!("poisoned: {e}"))
                .push(event.clone());
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    agent.get(url).call().unwrap_or_else(|e| panic!("{e}"));
    let events = events.lock().unwrap_or_else(|e| panic!("poisoned: {e}"));
    events.clone()
}

fn phases(events: &[PhaseEvent]) -> Vec<Phase> {
    events.iter().map(|e| e.phase).collect()
}

#[test]
fn a_tunnel_through_a_tls_proxy_reports_every_phase_in_order() {
    let ca = TestCa::new("observer CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(
        ProxyOptions::default()
            .tls(ca.issue_local().server_config())
            .auth("u", "observer-secret"),
    );
    let proxy_url = proxy.url().replacen("://", "://u:observer-secret@", 1);
    let builder = Agent::builder()
        .https_proxy(&proxy_url)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(|b| b.add_proxy_ca_pem(ca.cert_pem().as_bytes()))
        .unwrap_or_else(|e| panic!("{e}"));
    let events = recorded(builder, &origin.url("/hello"));
    assert_eq!(
        phases(&events),
        // The proxy URL names an address: nothing to resolve.
        [
            Phase::ConnectProxy,
            Phase::ProxyTls,
            Phase::ProxyHandshake,
            Phase::TargetTls
        ]
    );
    assert_eq!(events[0].detail, proxy.addr().to_string());
    assert!(events[2].detail.contains("-> 200"), "{events:?}");
    assert!(events[2].detail.contains("accepted Basic"), "{events:?}");
    assert!(
        events.iter().all(|e| !e.detail.contains("observer-secret")),
        "{events:?}"
    );
}

#[test]
fn a_direct_connection_reports_resolve_and_connect() {
    let origin = Origin::http();
    let by_name = format!("http://localhost:{}/hello", origin.addr().port());
    let events = recorded(Agent::builder(), &by_name);
    assert_eq!(
        phases(&events),
        [Phase::ResolveTarget, Phase::ConnectTarget]
    );
    assert!(events[0].detail.ends_with("for localhost"), "{events:?}");
    assert_eq!(events[1].detail, origin.addr().to_string());
    // An address literal is connected to without a lookup.
    let events = recorded(Agent::builder(), &origin.url("/hello"));
    assert_eq!(phases(&events), [Phase::ConnectTarget]);
}

#[test]
fn a_forwarded_request_reports_only_the_proxy_connection() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let events = recorded(
        Agent::builder().http_proxy(&proxy.url()),
        &origin.url("/hello"),
    );
    assert_eq!(phases(&events), [Phase::ConnectProxy]);
}
