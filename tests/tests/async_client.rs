//! egress-async's client for services: whole-request and idle-read timeouts (client-wide
//! and per request), the request/response conveniences, the route a response took, the
//! phase observer, and the defaults shared with egress-sync. Each scenario runs on every
//! compiled-in runtime.

mod async_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_support::client;
use egress_async::{
    Client, Connector, ConnectorBuilder, DEFAULT_MAX_REDIRECTS, Error, Failure, HttpError, Phase,
    PhaseEvent, RouteKind, Runtime,
};
use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};

on_every_runtime!(
    a_stalled_body_fails_with_a_receive_body_timeout_within_the_idle_limit,
    a_trickling_body_is_cut_by_the_whole_request_limit_not_the_idle_one,
    a_request_can_override_the_clients_limits,
    query_form_and_authorization_reach_the_origin_encoded,
    error_for_status_content_length_and_patch,
    a_response_tells_the_route_it_took,
    the_phase_observer_sees_each_phase_of_a_tunnel,
    redirects_are_followed_by_default_like_the_sync_agent,
);

fn plain(rt: Runtime) -> ConnectorBuilder {
    Connector::builder().runtime(rt)
}

fn built(builder: ConnectorBuilder) -> Connector {
    builder.build().unwrap_or_else(|e| panic!("{e}"))
}

async fn a_stalled_body_fails_with_a_receive_body_timeout_within_the_idle_limit(rt: Runtime) {
    let origin = Origin::http();
    let client = Client::builder(built(plain(rt)))
        .read_timeout(Duration::from_millis(300))
        .build();
    let mut response = client
        .get(&origin.url("/stall/1000"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let error = response.bytes().await.err();
    let took = started.elapsed();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::ReceiveBody
            }))
        ),
        "{error:?}"
    );
    assert!(
        took >= Duration::from_millis(280) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

async fn a_trickling_body_is_cut_by_the_whole_request_limit_not_the_idle_one(rt: Runtime) {
    let origin = Origin::http();
    // A byte every 50 ms never trips a 300 ms idle limit; 100 bytes take 5 s in all.
    let client = Client::builder(built(plain(rt)))
        .read_timeout(Duration::from_millis(300))
        .timeout(Duration::from_millis(800))
        .build();
    let started = Instant::now();
    let result = async {
        let mut response = client.get(&origin.url("/trickle/100")).send().await?;
        response.bytes().await
    }
    .await;
    let took = started.elapsed();
    assert!(
        matches!(
            result,
            Err(Error::Failure(Failure::Timeout {
                phase: Phase::ReceiveBody
            }))
        ),
        "{result:?}"
    );
    assert!(
        took >= Duration::from_millis(750) && took < Duration::from_secs(3),
        "{took:?}"
    );
    // Without the whole-request limit the same body arrives, byte by byte.
    let patient = Client::builder(built(plain(rt)))
        .read_timeout(Duration::from_millis(300))
        .build();
    let mut response = patient
        .get(&origin.url("/trickle/10"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, egress_tests::pattern_bytes(10));
}

async fn a_request_can_override_the_clients_limits(rt: Runtime) {
    let origin = Origin::http();
    let client = Client::builder(built(plain(rt)))
        .read_timeout(Duration::from_secs(30))
        .build();
    let started = Instant::now();
    let result = async {
        let request = client
            .get(&origin.url("/stall/10"))
            .read_timeout(Duration::from_millis(200));
        request.send().await?.bytes().await
    }
    .await;
    assert!(
        matches!(
            result,
            Err(Error::Failure(Failure::Timeout {
                phase: Phase::ReceiveBody
            }))
        ),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // A whole-request limit set on the request alone cuts a silent proxy's handshake in
    // the phase it was in, long before the 30 s handshake default.
    let proxy = TestProxy::start(ProxyOptions::default().fault(egress_tests::Fault::NeverAnswer));
    let tunnel = Client::new(built(plain(rt).https_proxy(&proxy.url())));
    let started = Instant::now();
    let result = tunnel
        .get("https://target.example/")
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(
        matches!(
            result,
            Err(Error::Failure(Failure::Timeout {
                phase: Phase::ProxyHandshake
            }))
        ),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

async fn query_form_and_authorization_reach_the_origin_encoded(rt: Runtime) {
    let origin = Origin::http();
    let client = client(plain(rt));
    let mut response = client
        .post(&origin.url("/echo?keep=1"))
        .query("q", "a b&c")
        .query("lang", "é")
        .basic_auth("bob", Some("s3cret"))
        .form([("name", "egress proxy"), ("x", "1&2")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = response.text().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, "name=egress%20proxy&x=1%262");
    let recorded = origin.requests();
    let request = recorded.last().unwrap_or_else(|| panic!("no request"));
    assert_eq!(request.target, "/echo?keep=1&q=a%20b%26c&lang=%C3%A9");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.header("authorization"),
        Some("Basic Ym9iOnMzY3JldA==")
    );
    let shown = format!("{:?}", client.get(&origin.url("/x")).bearer_auth("tok-123"));
    assert!(!shown.contains("tok-123"), "{shown}");
    client
        .get(&origin.url("/hello"))
        .bearer_auth("tok-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorded = origin.requests();
    let last = recorded.last().unwrap_or_else(|| panic!("no request"));
    assert_eq!(last.header("authorization"), Some("Bearer tok-123"));
}

async fn error_for_status_content_length_and_patch(rt: Runtime) {
    let origin = Origin::http();
    let client = client(plain(rt));
    let response = client
        .get(&origin.url("/status/503"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.content_length(), Some("status 503\n".len() as u64));
    match response.error_for_status() {
        Err(Error::Http(HttpError::Status { status, url })) => {
            assert_eq!(status, 503);
            assert!(url.ends_with("/status/503"), "{url}");
        }
        other => panic!("{other:?}"),
    }
    let ok = client
        .get(&origin.url("/hello"))
        .send()
        .await
        .and_then(egress_async::Response::error_for_status);
    assert!(ok.is_ok());
    let mut patched = client
        .patch(&origin.url("/echo"))
        .body("delta")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(patched.header("x-echo-method"), Some("PATCH"));
    assert_eq!(patched.text().await.ok().as_deref(), Some("delta"));
}

async fn a_response_tells_the_route_it_took(rt: Runtime) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let connector = built(
        plain(rt)
            .http_proxy(&proxy.url())
            .no_proxy("bypass.example")
            .extend_no_proxy("localhost"),
    );
    let client = Client::new(connector);
    let via_proxy = client
        .get(&origin.url("/hello"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(via_proxy.route().kind, RouteKind::Forward);
    assert_eq!(
        via_proxy.route().proxy.as_deref(),
        Some(proxy.url().as_str())
    );
    let direct = client
        .get(&origin.url_with_host("localhost", "/hello"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(direct.route().kind, RouteKind::Direct);
    assert_eq!(direct.route().matched.as_deref(), Some("localhost"));
}

async fn the_phase_observer_sees_each_phase_of_a_tunnel(rt: Runtime) {
    let ca = TestCa::new("async observer CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let connector = plain(rt)
        .https_proxy(&proxy.url())
        .add_ca_pem(ca.cert_pem().as_bytes())
        .map(|b| {
            b.phase_observer(move |event: &PhaseEvent| {
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(event.clone());
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let client = Client::new(built(connector));
    let mut response = client
        .get(&origin.url("/hello"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.text().await.ok().as_deref(), Some(HELLO_BODY));
    let events = events.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let phases: Vec<Phase> = events.iter().map(|e| e.phase).collect();
    assert_eq!(
        phases,
        [Phase::ConnectProxy, Phase::ProxyHandshake, Phase::TargetTls]
    );
    assert_eq!(events[0].detail, proxy.addr().to_string());
    assert!(events[1].detail.ends_with("-> 200"), "{events:?}");
}

async fn redirects_are_followed_by_default_like_the_sync_agent(rt: Runtime) {
    let origin = Origin::http();
    let client = Client::new(built(plain(rt)));
    let target = origin.url("/hello");
    let hop = origin.url(&format!(
        "/redirect?to={}",
        target.replace(':', "%3A").replace('/', "%2F")
    ));
    let mut response = client
        .get(&hop)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.ok().as_deref(), Some(HELLO_BODY));
    assert_eq!(DEFAULT_MAX_REDIRECTS, 10);
}

#[cfg(feature = "json")]
#[test]
fn json_bodies_go_out_and_come_back() {
    let origin = Origin::http();
    let client = Client::new(built(plain(Runtime::AsyncStd)));
    async_std::task::block_on(async {
        let value = serde_json::json!({"name": "egress", "tags": ["proxy", "no_proxy"]});
        let mut response = client
            .post(&origin.url("/echo"))
            .json(&value)
            .unwrap_or_else(|e| panic!("{e}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let back: serde_json::Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, value);
    });
    let recorded = origin.requests();
    assert_eq!(recorded[0].header("content-type"), Some("application/json"));
}
