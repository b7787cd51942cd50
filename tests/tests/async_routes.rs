//! egress-async against the loopback origin and proxy: every route and error kind of the
//! blocking frontend's suite (sync_routes.rs), keep-alive, the promise that a proxied target
//! is never resolved locally, plus response framings, redirects, raw `Connector` streams
//! and timeouts. Every scenario runs on async-std, and on smol with the `smol` feature.

mod async_support;

use std::time::{Duration, Instant};

use async_support::*;
use egress_async::Failure;
use egress_async::{Client, Connector, ConnectorBuilder, Error, IpBlocklist, Phase, Runtime};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

on_every_runtime!(
    http_target_goes_through_the_proxy_in_absolute_form_with_credentials,
    https_target_goes_through_a_connect_tunnel_with_credentials,
    https_target_through_an_https_proxy_is_tls_in_tls,
    proxy_with_a_certificate_from_an_unknown_ca_is_a_proxy_tls_error,
    no_proxy_cidr_entry_bypasses_the_proxy,
    blocklist_refuses_direct_loopback_but_allows_a_proxy_on_loopback,
    proxy_407_is_the_auth_error_kind_with_the_scheme,
    a_forward_proxy_407_is_the_auth_error_kind_too,
    connect_refused_with_502_is_the_rejected_kind_with_status_and_reason,
    a_proxy_that_never_answers_hits_the_handshake_timeout,
    an_unreachable_proxy_is_the_unreachable_kind,
    keep_alive_through_the_forward_proxy_uses_one_proxy_connection,
    keep_alive_through_a_tunnel_reuses_it_for_the_same_target_only,
    a_proxied_target_name_is_never_resolved_locally,
    invalid_proxy_configuration_fails_the_build_naming_the_problem,
    chunked_and_close_delimited_bodies_are_read_to_their_end,
    redirects_are_off_by_default_and_followed_when_enabled,
    a_connector_stream_through_a_tunnel_speaks_any_protocol,
);

async fn http_target_goes_through_the_proxy_in_absolute_form_with_credentials(rt: Runtime) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let client = client(short_timeouts(
        Connector::builder().http_proxy(&proxy_url_with_auth(&proxy)),
        rt,
    ));
    let body = get_text(&client, &origin.url("/hello")).await;
    assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
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
    assert!(proxy.connect_targets().is_empty(), "no CONNECT for http://");
    let at_origin = origin.requests();
    assert_eq!(at_origin[0].target, "/hello", "origin form at the origin");
    assert_eq!(at_origin[0].header("proxy-authorization"), None);
}

async fn https_target_goes_through_a_connect_tunnel_with_credentials(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let builder = short_timeouts(
        Connector::builder().https_proxy(&proxy_url_with_auth(&proxy)),
        rt,
    )
    .add_ca_pem(ca.cert_pem().as_bytes())
    .unwrap_or_else(|e| panic!("{e}"));
    let body = get_text(&client(builder), &origin.url("/hello")).await;
    assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
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

async fn https_target_through_an_https_proxy_is_tls_in_tls(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));
    assert!(proxy.url().starts_with("https://"));
    let builder = short_timeouts(Connector::builder().https_proxy(&proxy.url()), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(|b| b.add_proxy_ca_pem(ca.cert_pem().as_bytes()))
        .unwrap_or_else(|e| panic!("{e}"));
    let connector = builder.build().unwrap_or_else(|e| panic!("{e}"));
    let stream = connector.connect(&origin.url("/")).await;
    let stream = stream.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stream.is_tls_to_proxy() && stream.is_tls_to_target(),
        "{stream:?}"
    );
    drop(stream);
    let client = Client::new(connector);
    let body = get_bytes(&client, &origin.url("/bytes/100000")).await;
    let body = body.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body.len(), 100_000);
    assert_eq!(egress_tests::check_pattern(0, &body), Ok(()));
    assert_eq!(proxy.connect_targets().len(), 2);
}

async fn proxy_with_a_certificate_from_an_unknown_ca_is_a_proxy_tls_error(rt: Runtime) {
    let ca = TestCa::new("trusted CA");
    let unknown = TestCa::new("unknown CA");
    let origin = Origin::https(&ca);
    let proxy =
        TestProxy::start(ProxyOptions::default().tls(unknown.issue_local().server_config()));
    let builder = short_timeouts(Connector::builder().https_proxy(&proxy.url()), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let error = get_text(&client(builder), &origin.url("/hello"))
        .await
        .err();
    assert!(
        matches!(error, Some(Error::Failure(Failure::ProxyTls { .. }))),
        "{error:?}"
    );
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    // The library says what to do in its own terms; only the CLI names its flags.
    assert!(message.contains("private CA"), "{message}");
    assert!(!message.contains("--"), "{message}");
}

async fn no_proxy_cidr_entry_bypasses_the_proxy(rt: Runtime) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let builder = Connector::builder()
        .http_proxy(&proxy.url())
        .no_proxy("example.com, 127.0.0.0/8");
    let client = client(short_timeouts(builder, rt));
    let body = get_text(&client, &origin.url("/hello")).await;
    assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
    assert_eq!(
        proxy.connections(),
        0,
        "bypassed targets never touch the proxy"
    );
    assert_eq!(origin.requests()[0].target, "/hello");
    let route = client.connector().route(&origin.url("/hello"));
    let route = route.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (route.route, route.matched.as_deref()),
        ("direct", Some("127.0.0.0/8"))
    );
}

async fn blocklist_refuses_direct_loopback_but_allows_a_proxy_on_loopback(rt: Runtime) {
    let origin = Origin::http();
    let direct = client(short_timeouts(
        Connector::builder().ip_blocklist(IpBlocklist::non_public()),
        rt,
    ));
    let error = get_text(&direct, &origin.url("/hello")).await.err();
    assert!(
        matches!(&error, Some(Error::Failure(Failure::Blocked { addr, .. })) if addr.is_loopback()),
        "{error:?}"
    );
    // A name resolving to loopback only is refused too, after resolution.
    let by_name = origin.url("/hello").replace("127.0.0.1", "localhost");
    let error = get_text(&direct, &by_name).await.err();
    assert!(
        matches!(&error, Some(Error::Failure(Failure::Blocked { .. }))),
        "{error:?}"
    );
    assert_eq!(origin.connections(), 0);

    let proxy = TestProxy::start(ProxyOptions::default());
    let proxied = client(short_timeouts(
        Connector::builder()
            .http_proxy(&proxy.url())
            .ip_blocklist(IpBlocklist::non_public()),
        rt,
    ));
    let body = get_text(&proxied, &origin.url("/hello")).await;
    assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
}

async fn proxy_407_is_the_auth_error_kind_with_the_scheme(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        let builder = short_timeouts(Connector::builder().https_proxy(&proxy_url), rt)
            .add_ca_pem(ca.cert_pem().as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let error = get_text(&client(builder), &origin.url("/hello"))
            .await
            .err();
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

async fn connect_refused_with_502_is_the_rejected_kind_with_status_and_reason(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::bad_gateway()));
    let client = client(short_timeouts(
        Connector::builder().https_proxy(&proxy.url()),
        rt,
    ));
    let error = get_text(&client, &origin.url("/hello")).await.err();
    assert!(
        matches!(&error, Some(Error::Failure(Failure::ConnectRejected { status: 502, reason, .. })) if reason == "Bad Gateway"),
        "{error:?}"
    );
}

async fn a_proxy_that_never_answers_hits_the_handshake_timeout(rt: Runtime) {
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::NeverAnswer));
    let client = client(short_timeouts(
        Connector::builder().https_proxy(&proxy.url()),
        rt,
    ));
    // This client pools what it finishes (an http:// request goes direct: it has only an
    // https proxy), so the count after the timeout observes whether the timed-out
    // connection was pooled.
    let plain = Origin::http();
    let direct = get_text(&client, &plain.url("/hello")).await;
    assert_eq!(direct.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
    assert_eq!(client.idle_connections(), 1, "a finished request is pooled");
    let started = Instant::now();
    let error = get_text(&client, "https://example.com/").await.err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::Timeout {
                phase: Phase::ProxyHandshake
            }))
        ),
        "{error:?}"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(
        client.idle_connections(),
        1,
        "only the finished direct connection is idle; the timed-out one was not pooled"
    );
}

async fn an_unreachable_proxy_is_the_unreachable_kind(rt: Runtime) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"));
    let builder = Connector::builder().https_proxy(&format!("http://{closed}"));
    let error = get_text(&client(short_timeouts(builder, rt)), "https://example.com/")
        .await
        .err();
    assert!(
        matches!(
            error,
            Some(Error::Failure(Failure::ProxyUnreachable { .. }))
        ),
        "{error:?}"
    );
}

async fn keep_alive_through_the_forward_proxy_uses_one_proxy_connection(rt: Runtime) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let client = client(short_timeouts(
        Connector::builder().http_proxy(&proxy_url_with_auth(&proxy)),
        rt,
    ));
    for i in 0..10 {
        let body = get_bytes(&client, &origin.url(&format!("/bytes/{}", 100 + i))).await;
        let body = body.unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(body.len(), 100 + i);
        assert_eq!(client.idle_connections(), 1, "pooled after a complete body");
    }
    let smuggle = "GET /smuggled HTTP/1.1\r\n\r\n";
    let response = client.post(&origin.url("/echo")).body(smuggle).send().await;
    let echoed = response
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(echoed, smuggle, "body bytes pass unchanged");
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

async fn keep_alive_through_a_tunnel_reuses_it_for_the_same_target_only(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let first = Origin::https(&ca);
    let second = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default());
    let builder = short_timeouts(Connector::builder().https_proxy(&proxy.url()), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let client = client(builder);
    for origin in [&first, &first, &second, &first] {
        let body = get_text(&client, &origin.url("/hello")).await;
        assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
    }
    assert_eq!(proxy.connect_targets().len(), 2, "one tunnel per target");
    assert_eq!(client.idle_connections(), 2);
    // A body dropped before its end closes its connection instead of pooling it.
    let partial = client.get(&first.url("/bytes/100000")).send().await;
    let mut partial = partial.unwrap_or_else(|e| panic!("{e}"));
    let mut some = [0u8; 10];
    let n = partial
        .body_mut()
        .read(&mut some)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(n > 0);
    drop(partial);
    assert_eq!(
        client.idle_connections(),
        1,
        "the half-read connection is gone"
    );
}

async fn a_proxied_target_name_is_never_resolved_locally(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https_with(&ca.issue(&["target.invalid"]));
    let proxy = TestProxy::start(ProxyOptions::default().resolve("target.invalid", origin.addr()));
    let builder = short_timeouts(Connector::builder().https_proxy(&proxy.url()), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    // `.invalid` never resolves (RFC 6761): success proves only the proxy looked it up.
    let body = get_text(&client(builder), "https://target.invalid/hello").await;
    assert_eq!(body.unwrap_or_else(|e| panic!("{e}")), HELLO_BODY);
    assert_eq!(
        proxy.connect_targets(),
        vec!["target.invalid:443".to_owned()]
    );
}

async fn invalid_proxy_configuration_fails_the_build_naming_the_problem(rt: Runtime) {
    for (url, hint) in [
        ("socks5://proxy:1080", "socks5"),
        ("http://2001:db8::1:3128", "brackets"),
        ("http://user:pw@proxy:99999", "port"),
    ] {
        let error = Connector::builder()
            .runtime(rt)
            .https_proxy(url)
            .build()
            .err();
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

async fn chunked_and_close_delimited_bodies_are_read_to_their_end(rt: Runtime) {
    let origin = Origin::http();
    let client = client(short_timeouts(ConnectorBuilder::without_proxy(), rt));
    for path in ["/chunked/70000", "/close/70000", "/bytes/70000"] {
        let body = get_bytes(&client, &origin.url(path)).await;
        let body = body.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(body.len(), 70_000, "{path}");
        assert_eq!(egress_tests::check_pattern(0, &body), Ok(()), "{path}");
    }
    // Chunked and Content-Length connections are kept; the close-delimited one cannot be.
    assert_eq!(origin.connections(), 2);
    assert_eq!(client.idle_connections(), 1);
    let response = client.head(&origin.url("/bytes/5")).send().await;
    let mut response = response.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.header("content-length"), Some("5"));
    assert!(
        response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
}

async fn redirects_are_off_by_default_and_followed_when_enabled(rt: Runtime) {
    let origin = Origin::http();
    // The `to` URL is percent-encoded: a bare `://` in the query would look like
    // absolute form to the origin.
    let encode = |url: String| url.replace(':', "%3A").replace('/', "%2F");
    let hop = origin.url(&format!("/redirect?to={}", encode(origin.url("/hello"))));
    let connector = short_timeouts(ConnectorBuilder::without_proxy(), rt).build();
    let connector = connector.unwrap_or_else(|e| panic!("{e}"));
    let plain = Client::new(connector.clone());
    let response = plain
        .get(&hop)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 302);
    let following = Client::builder(connector).max_redirects(3).build();
    let mut response = following
        .get(&hop)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.url().path(), "/hello");
    assert_eq!(
        response.text().await.unwrap_or_else(|e| panic!("{e}")),
        HELLO_BODY
    );
    let looping = origin.url(&format!(
        "/redirect?to={}",
        encode(origin.url("/redirect?to=/hello"))
    ));
    let strict = Client::builder(following.connector().clone())
        .max_redirects(1)
        .build();
    let error = strict.get(&looping).send().await.err();
    assert!(
        matches!(
            error,
            Some(Error::Http(egress_async::HttpError::TooManyRedirects {
                limit: 1
            }))
        ),
        "{error:?}"
    );
}

async fn a_connector_stream_through_a_tunnel_speaks_any_protocol(rt: Runtime) {
    let ca = TestCa::new("egress async test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default());
    let connector = short_timeouts(Connector::builder().https_proxy(&proxy.url()), rt)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(ConnectorBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stream = connector
        .connect(&origin.url("/"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.route(), egress_async::RouteKind::Tunnel);
    let request = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with(HELLO_BODY), "{answer}");
}

async fn a_forward_proxy_407_is_the_auth_error_kind_too(rt: Runtime) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        let client = client(short_timeouts(
            Connector::builder().http_proxy(&proxy_url),
            rt,
        ));
        let error = get_text(&client, &origin.url("/hello")).await.err();
        assert!(
            matches!(
                &error,
                Some(Error::Failure(Failure::ProxyAuthRequired { status: 407, schemes, credentials_sent, .. }))
                    if schemes == &["Basic".to_owned()] && *credentials_sent == sent
            ),
            "{error:?}"
        );
        assert_eq!(
            client.idle_connections(),
            0,
            "a refused connection is not pooled"
        );
    }
    assert_eq!(
        origin.connections(),
        0,
        "the request never reached the origin"
    );
}
