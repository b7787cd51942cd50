//! egress-sync against the loopback origin and proxy: every route, the error kinds, keep-alive
//! and the promise that a proxied target is never resolved locally.

use std::io::Read;
use std::time::Duration;

use egress_sync::Failure;
use egress_sync::{Agent, AgentBuilder, Error, IpBlocklist, Phase};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};

const USER: &str = "alice";
const PASSWORD: &str = "s3cret-pw";

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

fn short_timeouts(builder: AgentBuilder) -> AgentBuilder {
    builder
        .timeout_connect(Duration::from_secs(2))
        .timeout_proxy_handshake(Duration::from_millis(500))
        .timeout_tls(Duration::from_secs(2))
        .timeout_global(Duration::from_secs(5))
}

fn get_text(agent: &Agent, url: &str) -> Result<String, Error> {
    let mut response = agent.get(url).call()?;
    Ok(response.body_mut().read_to_string()?)
}

fn get_bytes(agent: &Agent, url: &str) -> Result<Vec<u8>, Error> {
    let mut response = agent.get(url).call()?;
    Ok(response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()?)
}

fn proxy_url_with_auth(proxy: &TestProxy) -> String {
    proxy
        .url()
        .replacen("://", &format!("://{USER}:{PASSWORD}@"), 1)
}

#[test]
fn http_target_goes_through_the_proxy_in_absolute_form_with_credentials() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let agent = short_timeouts(Agent::builder().http_proxy(&proxy_url_with_auth(&proxy)))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let body = get_text(&agent, &origin.url("/hello")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, HELLO_BODY);
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].target,
        origin.url("/hello"),
        "absolute form at the proxy"
    );
    assert_eq!(
        seen[0].header("proxy-authorization"),
        Some(basic(USER, PASSWORD).as_str())
    );
    assert!(
        proxy.connect_targets().is_empty(),
        "no CONNECT for http:// targets"
    );
    let at_origin = origin.requests();
    assert_eq!(at_origin[0].target, "/hello", "origin form at the origin");
    assert_eq!(at_origin[0].header("proxy-authorization"), None);
}

#[test]
fn https_target_goes_through_a_connect_tunnel_with_credentials() {
    let ca = TestCa::new("egress sync test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let agent = short_timeouts(Agent::builder().https_proxy(&proxy_url_with_auth(&proxy)))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(AgentBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    let body = get_text(&agent, &origin.url("/hello")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, HELLO_BODY);
    assert_eq!(
        proxy.connect_targets(),
        vec![format!("127.0.0.1:{}", origin.port())]
    );
    let connect = &proxy.requests()[0];
    assert_eq!(connect.method, "CONNECT");
    assert_eq!(
        connect.header("proxy-authorization"),
        Some(basic(USER, PASSWORD).as_str())
    );
}

#[test]
fn https_target_through_an_https_proxy_is_tls_in_tls() {
    let ca = TestCa::new("egress sync test CA");
    let origin = Origin::https(&ca);
    let proxy_cert = ca.issue_local();
    let proxy = TestProxy::start(ProxyOptions::default().tls(proxy_cert.server_config()));
    assert!(proxy.url().starts_with("https://"));
    let agent = short_timeouts(Agent::builder().https_proxy(&proxy.url()))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(|b| b.add_proxy_ca_pem(ca.cert_pem().as_bytes()))
        .and_then(AgentBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    let body = get_bytes(&agent, &origin.url("/bytes/100000")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body.len(), 100_000);
    assert_eq!(egress_tests::check_pattern(0, &body), Ok(()));
    assert_eq!(proxy.connect_targets().len(), 1);
}

#[test]
fn proxy_with_a_certificate_from_an_unknown_ca_is_a_proxy_tls_error() {
    let ca = TestCa::new("trusted CA");
    let unknown = TestCa::new("unknown CA");
    let origin = Origin::https(&ca);
    let proxy =
        TestProxy::start(ProxyOptions::default().tls(unknown.issue_local().server_config()));
    let agent = short_timeouts(Agent::builder().https_proxy(&proxy.url()))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(AgentBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    let error = get_text(&agent, &origin.url("/hello")).err();
    assert!(
        matches!(error, Some(Error::Failure(Failure::ProxyTls { .. }))),
        "{error:?}"
    );
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    // The library says what to do in its own terms; only the CLI names its flags.
    assert!(message.contains("private CA"), "{message}");
    assert!(!message.contains("--"), "{message}");
}

#[test]
fn no_proxy_cidr_entry_bypasses_the_proxy() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let agent = short_timeouts(
        Agent::builder()
            .http_proxy(&proxy.url())
            .no_proxy("example.com, 127.0.0.0/8"),
    )
    .build()
    .unwrap_or_else(|e| panic!("{e}"));
    let body = get_text(&agent, &origin.url("/hello")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, HELLO_BODY);
    assert_eq!(
        proxy.connections(),
        0,
        "bypassed targets never touch the proxy"
    );
    assert_eq!(origin.requests()[0].target, "/hello");
    let route = agent
        .route(&origin.url("/hello"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (route.route, route.matched.as_deref()),
        ("direct", Some("127.0.0.0/8"))
    );
}

#[test]
fn blocklist_refuses_direct_loopback_but_allows_a_proxy_on_loopback() {
    let origin = Origin::http();
    let direct = short_timeouts(Agent::builder().ip_blocklist(IpBlocklist::non_public()))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = get_text(&direct, &origin.url("/hello")).err();
    assert!(
        matches!(&error, Some(Error::Failure(Failure::Blocked { addr, .. })) if addr.is_loopback()),
        "{error:?}"
    );
    assert_eq!(origin.connections(), 0);

    let proxy = TestProxy::start(ProxyOptions::default());
    let proxied = short_timeouts(
        Agent::builder()
            .http_proxy(&proxy.url())
            .ip_blocklist(IpBlocklist::non_public()),
    )
    .build()
    .unwrap_or_else(|e| panic!("{e}"));
    let body = get_text(&proxied, &origin.url("/hello")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, HELLO_BODY);
}

#[test]
fn proxy_407_is_the_auth_error_kind_with_the_scheme() {
    let ca = TestCa::new("egress sync test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        let agent = short_timeouts(Agent::builder().https_proxy(&proxy_url))
            .add_ca_pem(ca.cert_pem().as_bytes())
            .and_then(AgentBuilder::build)
            .unwrap_or_else(|e| panic!("{e}"));
        let error = get_text(&agent, &origin.url("/hello")).err();
        let Some(Error::Failure(Failure::ProxyAuthRequired {
            status,
            schemes,
            credentials_sent,
            ..
        })) = &error
        else {
            panic!("expected ProxyAuthRequired, got {error:?}");
        };
        assert_eq!(
            (*status, schemes.as_slice(), *credentials_sent),
            (407, &["Basic".to_owned()][..], sent)
        );
        let shown = format!(
            "{} {:?}",
            error.as_ref().map(ToString::to_string).unwrap_or_default(),
            error
        );
        assert!(
            !shown.contains("wrong") && !shown.contains(PASSWORD),
            "{shown}"
        );
    }
}

#[test]
fn connect_refused_with_502_is_the_rejected_kind_with_status_and_reason() {
    let ca = TestCa::new("egress sync test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::bad_gateway()));
    let agent = short_timeouts(Agent::builder().https_proxy(&proxy.url()))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = get_text(&agent, &origin.url("/hello")).err();
    assert!(
        matches!(&error, Some(Error::Failure(Failure::ConnectRejected { status: 502, reason, .. })) if reason == "Bad Gateway"),
        "{error:?}"
    );
}

#[test]
fn a_proxy_that_never_answers_hits_the_handshake_timeout() {
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::NeverAnswer));
    let agent = short_timeouts(Agent::builder().https_proxy(&proxy.url()))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let error = get_text(&agent, "https://example.com/").err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::ProxyHandshake
            }))
        ),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_unreachable_proxy_is_the_unreachable_kind() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"));
    let agent = short_timeouts(Agent::builder().https_proxy(&format!("http://{closed}")))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = get_text(&agent, "https://example.com/").err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::ProxyUnreachable { .. }))
        ),
        "{error:?}"
    );
}

#[test]
fn keep_alive_through_the_forward_proxy_uses_one_proxy_connection() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let agent = short_timeouts(Agent::builder().http_proxy(&proxy_url_with_auth(&proxy)))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..10 {
        let body = get_bytes(&agent, &origin.url(&format!("/bytes/{}", 100 + i)))
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(body.len(), 100 + i);
    }
    let mut response = agent
        .post(origin.url("/echo"))
        .send("GET /smuggled HTTP/1.1\r\n\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut echoed = String::new();
    let _ = response.body_mut().as_reader().read_to_string(&mut echoed);
    assert_eq!(
        echoed, "GET /smuggled HTTP/1.1\r\n\r\n",
        "body bytes pass unchanged"
    );
    assert_eq!(
        proxy.connections(),
        1,
        "one proxy connection for 11 requests"
    );
    assert_eq!(proxy.requests().len(), 11);
    assert!(
        proxy
            .requests()
            .iter()
            .all(|r| r.header("proxy-authorization").is_some())
    );
}

#[test]
fn a_proxied_target_name_is_never_resolved_locally() {
    let ca = TestCa::new("egress sync test CA");
    let origin = Origin::https_with(&ca.issue(&["target.invalid"]));
    let proxy = TestProxy::start(ProxyOptions::default().resolve("target.invalid", origin.addr()));
    let agent = short_timeouts(Agent::builder().https_proxy(&proxy.url()))
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(AgentBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    // `.invalid` never resolves (RFC 6761): success proves only the proxy looked it up.
    let body = get_text(&agent, "https://target.invalid/hello").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, HELLO_BODY);
    assert_eq!(
        proxy.connect_targets(),
        vec!["target.invalid:443".to_owned()]
    );
}

#[test]
fn invalid_proxy_configuration_fails_the_build_naming_the_problem() {
    for (url, hint) in [
        ("socks5://proxy:1080", "socks5"),
        ("http://2001:db8::1:3128", "brackets"),
        ("http://user:pw@proxy:99999", "port"),
    ] {
        let error = Agent::builder().https_proxy(url).build().err();
        let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(
            matches!(error, Some(Error::Failure(Failure::InvalidConfig { .. }))),
            "{url}: {error:?}"
        );
        assert!(
            message.contains(hint) && !message.contains("pw"),
            "{message}"
        );
    }
}

#[test]
fn a_forward_proxy_407_is_the_auth_error_kind_too() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        for status_as_error in [true, false] {
            let agent = short_timeouts(Agent::builder().http_proxy(&proxy_url))
                .http_status_as_error(status_as_error)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let error = get_text(&agent, &origin.url("/hello")).err();
            assert!(
                matches!(
                    &error,
                    Some(Error::Failure(Failure::ProxyAuthRequired { status: 407, schemes, credentials_sent, .. }))
                        if schemes == &["Basic".to_owned()] && *credentials_sent == sent
                ),
                "{error:?}"
            );
        }
    }
    assert_eq!(
        origin.connections(),
        0,
        "the request never reached the origin"
    );
}
