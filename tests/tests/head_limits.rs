//! A request head a direct route accepts is accepted on a forward route too, on each
//! frontend: the forward rewriter's head buffer is never the smaller limit.

use std::time::Duration;

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestProxy};

/// A header value of `len` bytes.
fn big_value(len: usize) -> String {
    "x".repeat(len)
}

fn sync_get(agent: &egress_sync::Agent, url: &str, value: &str) -> Result<String, String> {
    agent
        .get(url)
        .header("X-Big", value)
        .call()
        .and_then(|mut response| {
            let body = response.body_mut().read_to_string();
            body.map_err(egress_sync::Error::from)
        })
        .map_err(|e| e.to_string())
}

#[test]
fn sync_forward_and_direct_accept_the_same_heads() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let build = |builder: egress_sync::AgentBuilder| {
        builder
            .timeout_global(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let direct = build(egress_sync::Agent::builder());
    let forward = build(egress_sync::Agent::builder().http_proxy(&proxy.url()));
    // 40 KiB: over the core rewriter's 16 KiB default, under ureq's 128 KiB output buffer.
    let value = big_value(40 * 1024);
    let url = origin.url("/hello");
    assert_eq!(sync_get(&direct, &url, &value).as_deref(), Ok(HELLO_BODY));
    assert_eq!(sync_get(&forward, &url, &value).as_deref(), Ok(HELLO_BODY));
    assert_eq!(
        proxy.requests().len(),
        1,
        "the forward request went through the proxy"
    );
}

#[test]
fn async_forward_and_direct_accept_and_refuse_the_same_heads() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let client = |builder: egress_async::ConnectorBuilder| {
        let connector = builder.build().unwrap_or_else(|e| panic!("{e}"));
        egress_async::Client::builder(connector)
            .timeout_exchange(Duration::from_secs(10))
            .build()
    };
    let direct = client(egress_async::Connector::builder());
    let forward = client(egress_async::Connector::builder().http_proxy(&proxy.url()));
    let url = origin.url("/hello");
    let get = |client: &egress_async::Client, value: String| {
        let url = url.clone();
        let client = client.clone();
        async_std::task::block_on(async move {
            let response = client.get(&url).header("X-Big", &value).send().await;
            match response {
                Ok(mut response) => response.text().await.map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            }
        })
    };
    for len in [8 * 1024, 40 * 1024] {
        let value = big_value(len);
        let direct = get(&direct, value.clone());
        let forward = get(&forward, value);
        assert_eq!(
            direct.is_ok(),
            forward.is_ok(),
            "{len}: {direct:?} / {forward:?}"
        );
        if len == 8 * 1024 {
            assert_eq!(forward.as_deref(), Ok(HELLO_BODY));
        } else {
            // Over the client's 16 KiB head buffer: the same refusal on both routes, and
            // never blamed on the proxy.
            let refused = direct
                .as_ref()
                .err()
                .map(String::as_str)
                .unwrap_or_default();
            assert!(refused.contains("request head is larger"), "{refused}");
            assert!(!refused.contains("proxy"), "{refused}");
        }
    }
}
