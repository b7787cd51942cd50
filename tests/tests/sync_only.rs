//! egress-sync behaviour that exists only on the ureq agent: with ureq's default
//! `http_status_as_error` a 4xx/5xx is an error, and a forward proxy's 407 must still be
//! classified as the proxy's auth failure (egress-sync's middleware sees the 407 before
//! ureq turns it into a status error). The shared scenarios run with status errors off.

use std::time::Duration;

use egress_sync::{Agent, AgentBuilder, Error, Failure};
use egress_tests::{Fault, Origin, ProxyOptions, TestProxy};

fn agent(builder: AgentBuilder) -> Agent {
    builder
        .timeout_connect(Duration::from_secs(1))
        .timeout_proxy_handshake(Duration::from_millis(500))
        .timeout_global(Duration::from_secs(5))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn get(agent: &Agent, url: &str) -> Result<Vec<u8>, Error> {
    Ok(agent.get(url).call()?.body_mut().read_to_vec()?)
}

#[test]
fn by_default_a_forwarded_502_is_ureqs_status_error() {
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::bad_gateway()));
    let agent = agent(Agent::builder().http_proxy(&proxy.url()));
    let error = get(&agent, "http://127.0.0.1:9/").err();
    assert!(
        matches!(error, Some(Error::Http(ureq::Error::StatusCode(502)))),
        "{error:?}"
    );
}

#[test]
fn by_default_a_forward_proxy_407_is_still_the_auth_failure() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth("alice", "s3cret-pw"));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        // `http_status_as_error(true)` is the default; said here so the test reads alone.
        let builder = Agent::builder().http_proxy(&proxy_url);
        let agent = agent(builder.http_status_as_error(true));
        let error = get(&agent, &origin.url("/hello")).err();
        assert!(
            matches!(
                &error,
                Some(Error::Failure(Failure::ProxyAuthRequired { status: 407, schemes, credentials_sent, .. }))
                    if schemes == &["Basic".to_owned()] && *credentials_sent == sent
            ),
            "{error:?}"
        );
    }
    assert_eq!(
        origin.connections(),
        0,
        "the request never reached the origin"
    );
}
