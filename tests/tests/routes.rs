//! Every frontend against the loopback origin and proxy: every route, the error kinds,
//! keep-alive, response framings, redirects, and the promise that a proxied target is never
//! resolved locally. Written once; run on sync, async-std and (with their
//! features) smol and tokio.

mod frontends;

use std::time::{Duration, Instant};

use egress_core::{Failure, Phase};
use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy, check_pattern};
use frontends::{Frontend, HttpFailure, Setup};

on_every_frontend!(
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
    redirects_are_followed_up_to_the_configured_limit,
);

const USER: &str = "alice";
const PASSWORD: &str = "s3cret-pw";

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

fn proxy_url_with_auth(proxy: &TestProxy) -> String {
    proxy
        .url()
        .replacen("://", &format!("://{USER}:{PASSWORD}@"), 1)
}

fn http_proxy(url: &str) -> Setup {
    Setup {
        http_proxy: Some(url.to_owned()),
        ..Setup::default()
    }
}

fn https_proxy(url: &str, ca: &TestCa) -> Setup {
    Setup {
        https_proxy: Some(url.to_owned()),
        ..Setup::default()
    }
    .trusting(ca.cert_pem())
}

fn http_target_goes_through_the_proxy_in_absolute_form_with_credentials(frontend: Frontend) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let client = frontend.client(&http_proxy(&proxy_url_with_auth(&proxy)));
    let body = client.fetch(&origin.url("/hello")).body();
    assert_eq!(body, HELLO_BODY.as_bytes());
    // The default (`Any`) asks a plain proxy first: the request goes again with the Basic
    // the proxy's 407 asked for, and the caller sees only the final answer.
    let seen = proxy.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen.iter().all(|r| r.target == origin.url("/hello")),
        "absolute form at the proxy: {seen:?}"
    );
    assert_eq!(seen[0].header("proxy-authorization"), None);
    assert_eq!(
        seen[1].header("proxy-authorization"),
        Some(basic(USER, PASSWORD).as_str())
    );
    // The client remembers what the proxy asked for: the next request carries it at once.
    assert_eq!(
        client.fetch(&origin.url("/hello")).body(),
        HELLO_BODY.as_bytes()
    );
    let seen = proxy.requests();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[2].header("proxy-authorization"),
        Some(basic(USER, PASSWORD).as_str())
    );
    assert_eq!(
        origin.requests().len(),
        2,
        "the origin saw each request once"
    );
    assert!(proxy.connect_targets().is_empty(), "no CONNECT for http://");
    let at_origin = origin.requests();
    assert_eq!(at_origin[0].target, "/hello", "origin form at the origin");
    assert_eq!(at_origin[0].header("proxy-authorization"), None);
}

fn https_target_goes_through_a_connect_tunnel_with_credentials(frontend: Frontend) {
    let ca = TestCa::new("egress routes test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let client = frontend.client(&https_proxy(&proxy_url_with_auth(&proxy), &ca));
    let body = client.fetch(&origin.url("/hello")).body();
    assert_eq!(body, HELLO_BODY.as_bytes());
    // The default (`Any`) asks first, then answers the proxy's Basic challenge.
    assert_eq!(
        proxy.connect_targets(),
        vec![format!("127.0.0.1:{}", origin.port())]
    );
    let requests = proxy.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests.iter().all(|r| r.method == "CONNECT"));
    assert_eq!(requests[0].header("proxy-authorization"), None);
    assert_eq!(
        requests[1].header("proxy-authorization"),
        Some(basic(USER, PASSWORD).as_str())
    );
    assert_eq!(proxy.connections(), 1, "both rounds on one connection");

    // Basic pinned: the credentials go with the first CONNECT, no round trip.
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let pinned = frontend.client(&Setup {
        proxy_auth: Some(egress_core::auth::AuthChoice::Basic),
        ..https_proxy(&proxy_url_with_auth(&proxy), &ca)
    });
    assert_eq!(
        pinned.fetch(&origin.url("/hello")).body(),
        HELLO_BODY.as_bytes()
    );
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].header("proxy-authorization"),
        Some(basic(USER, PASSWORD).as_str())
    );
}

fn https_target_through_an_https_proxy_is_tls_in_tls(frontend: Frontend) {
    let ca = TestCa::new("egress routes test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));
    assert!(proxy.url().starts_with("https://"));
    let client = frontend.client(&Setup {
        proxy_ca_pem: Some(ca.cert_pem().to_owned()),
        ..https_proxy(&proxy.url(), &ca)
    });
    let body = client.fetch(&origin.url("/bytes/100000")).body();
    assert_eq!(body.len(), 100_000);
    assert_eq!(check_pattern(0, &body), Ok(()));
    assert_eq!(proxy.connect_targets().len(), 1);
}

fn proxy_with_a_certificate_from_an_unknown_ca_is_a_proxy_tls_error(frontend: Frontend) {
    let ca = TestCa::new("trusted CA");
    let unknown = TestCa::new("unknown CA");
    let origin = Origin::https(&ca);
    let proxy =
        TestProxy::start(ProxyOptions::default().tls(unknown.issue_local().server_config()));
    let client = frontend.client(&https_proxy(&proxy.url(), &ca));
    let failure = client.fetch(&origin.url("/hello")).failure();
    assert!(matches!(failure, Failure::ProxyTls { .. }), "{failure:?}");
    let message = failure.to_string();
    // The library says what to do in its own terms; only the CLI names its flags.
    assert!(message.contains("private CA"), "{message}");
    assert!(!message.contains("--"), "{message}");
}

fn no_proxy_cidr_entry_bypasses_the_proxy(frontend: Frontend) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let client = frontend.client(&Setup {
        no_proxy: Some("example.com, 127.0.0.0/8".to_owned()),
        ..http_proxy(&proxy.url())
    });
    let body = client.fetch(&origin.url("/hello")).body();
    assert_eq!(body, HELLO_BODY.as_bytes());
    assert_eq!(
        proxy.connections(),
        0,
        "bypassed targets never touch the proxy"
    );
    assert_eq!(origin.requests()[0].target, "/hello");
    let route = client.route(&origin.url("/hello"));
    assert_eq!(
        (route.route, route.matched.as_deref()),
        ("direct", Some("127.0.0.0/8"))
    );
}

fn blocklist_refuses_direct_loopback_but_allows_a_proxy_on_loopback(frontend: Frontend) {
    let origin = Origin::http();
    let direct = frontend.client(&Setup {
        block_non_public: true,
        ..Setup::default()
    });
    let failure = direct.fetch(&origin.url("/hello")).failure();
    assert!(
        matches!(&failure, Failure::Blocked { addr, .. } if addr.is_loopback()),
        "{failure:?}"
    );
    // A name resolving to loopback only is refused too, after resolution.
    let by_name = origin.url("/hello").replace("127.0.0.1", "localhost");
    let failure = direct.fetch(&by_name).failure();
    assert!(matches!(&failure, Failure::Blocked { .. }), "{failure:?}");
    assert_eq!(origin.connections(), 0);

    let proxy = TestProxy::start(ProxyOptions::default());
    let proxied = frontend.client(&Setup {
        block_non_public: true,
        ..http_proxy(&proxy.url())
    });
    let body = proxied.fetch(&origin.url("/hello")).body();
    assert_eq!(body, HELLO_BODY.as_bytes());
}

fn proxy_407_is_the_auth_error_kind_with_the_scheme(frontend: Frontend) {
    let ca = TestCa::new("egress routes test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        let client = frontend.client(&https_proxy(&proxy_url, &ca));
        let failure = client.fetch(&origin.url("/hello")).failure();
        let Failure::ProxyAuthRequired {
            status,
            schemes,
            credentials_sent,
            ..
        } = &failure
        else {
            panic!("expected ProxyAuthRequired, got {failure:?}");
        };
        assert_eq!(
            (*status, schemes.as_slice(), *credentials_sent),
            (407, &["Basic".to_owned()][..], sent)
        );
        // The frontends' errors show a failure as its own Display and Debug.
        let shown = format!("{failure} {failure:?}");
        assert!(
            !shown.contains("wrong") && !shown.contains(PASSWORD),
            "{shown}"
        );
    }
}

fn a_forward_proxy_407_is_the_auth_error_kind_too(frontend: Frontend) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = proxy.url().replacen("://", "://alice:wrong@", 1);
    for (proxy_url, sent) in [(proxy.url(), false), (wrong, true)] {
        let client = frontend.client(&http_proxy(&proxy_url));
        let failure = client.fetch(&origin.url("/hello")).failure();
        assert!(
            matches!(
                &failure,
                Failure::ProxyAuthRequired { status: 407, schemes, credentials_sent, .. }
                    if schemes == &["Basic".to_owned()] && *credentials_sent == sent
            ),
            "{failure:?}"
        );
        client.assert_idle(0, "a refused connection is not pooled");
    }
    assert_eq!(
        origin.connections(),
        0,
        "the request never reached the origin"
    );
}

fn connect_refused_with_502_is_the_rejected_kind_with_status_and_reason(frontend: Frontend) {
    let ca = TestCa::new("egress routes test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::bad_gateway()));
    let client = frontend.client(&https_proxy(&proxy.url(), &ca));
    let failure = client.fetch(&origin.url("/hello")).failure();
    assert!(
        matches!(&failure, Failure::ConnectRejected { status: 502, reason, .. } if reason == "Bad Gateway"),
        "{failure:?}"
    );
}

fn a_proxy_that_never_answers_hits_the_handshake_timeout(frontend: Frontend) {
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::NeverAnswer));
    let client = frontend.client(&Setup {
        https_proxy: Some(proxy.url()),
        ..Setup::default()
    });
    // An http:// request goes direct (this client has only an https proxy) and is pooled.
    let plain = Origin::http();
    assert_eq!(
        client.fetch(&plain.url("/hello")).body(),
        HELLO_BODY.as_bytes()
    );
    client.assert_idle(1, "a finished request is pooled");
    let started = Instant::now();
    let failure = client.fetch("https://example.com/").failure();
    assert!(
        matches!(
            failure,
            Failure::Timeout {
                phase: Phase::ProxyHandshake
            }
        ),
        "{failure:?}"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(3),
        "{took:?}"
    );
    client.assert_idle(
        1,
        "only the finished direct connection is idle; the timed-out one was not pooled",
    );
    // The pooled direct connection survived the other request's timeout.
    assert_eq!(
        client.fetch(&plain.url("/hello")).body(),
        HELLO_BODY.as_bytes()
    );
    assert_eq!(plain.connections(), 1, "the direct connection was reused");
}

fn an_unreachable_proxy_is_the_unreachable_kind(frontend: Frontend) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"));
    let client = frontend.client(&Setup {
        https_proxy: Some(format!("http://{closed}")),
        ..Setup::default()
    });
    let failure = client.fetch("https://example.com/").failure();
    assert!(
        matches!(failure, Failure::ProxyUnreachable { .. }),
        "{failure:?}"
    );
}

fn keep_alive_through_the_forward_proxy_uses_one_proxy_connection(frontend: Frontend) {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let client = frontend.client(&http_proxy(&proxy_url_with_auth(&proxy)));
    for i in 0..10 {
        let body = client.fetch(&origin.url(&format!("/bytes/{}", 100 + i)));
        assert_eq!(body.body().len(), 100 + i, "request {i}");
        client.assert_idle(1, "pooled after a complete body");
    }
    let smuggle = "GET /smuggled HTTP/1.1\r\n\r\n";
    let echoed = client.post(&origin.url("/echo"), smuggle.as_bytes()).body();
    assert_eq!(echoed, smuggle.as_bytes(), "body bytes pass unchanged");
    assert_eq!(
        proxy.connections(),
        1,
        "one proxy connection for 11 requests and the 407"
    );
    // The first request was asked for credentials (a 407 answered on the same connection).
    let seen = proxy.requests();
    assert_eq!(seen.len(), 12, "{seen:?}");
    assert!(
        seen[1..]
            .iter()
            .all(|r| r.header("proxy-authorization").is_some())
    );
    assert_eq!(origin.requests().len(), 11);
}

fn keep_alive_through_a_tunnel_reuses_it_for_the_same_target_only(frontend: Frontend) {
    let ca = TestCa::new("egress routes test CA");
    let first = Origin::https(&ca);
    let second = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default());
    let client = frontend.client(&https_proxy(&proxy.url(), &ca));
    for origin in [&first, &first, &second, &first] {
        let body = client.fetch(&origin.url("/hello")).body();
        assert_eq!(body, HELLO_BODY.as_bytes());
    }
    assert_eq!(proxy.connect_targets().len(), 2, "one tunnel per target");
    client.assert_idle(2, "both tunnels are pooled");
    // A body dropped before its end closes its connection instead of pooling it.
    assert!(client.read_some_then_drop(&first.url("/bytes/100000")) > 0);
    client.assert_idle(1, "the half-read connection is gone");
    let body = client.fetch(&first.url("/hello")).body();
    assert_eq!(body, HELLO_BODY.as_bytes());
    assert_eq!(
        proxy.connect_targets().len(),
        3,
        "the half-read tunnel was not reused"
    );
}

fn a_proxied_target_name_is_never_resolved_locally(frontend: Frontend) {
    let ca = TestCa::new("egress routes test CA");
    let origin = Origin::https_with(&ca.issue(&["target.invalid"]));
    let proxy = TestProxy::start(ProxyOptions::default().resolve("target.invalid", origin.addr()));
    let client = frontend.client(&https_proxy(&proxy.url(), &ca));
    // `.invalid` never resolves (RFC 6761): success proves only the proxy looked it up.
    let body = client.fetch("https://target.invalid/hello").body();
    assert_eq!(body, HELLO_BODY.as_bytes());
    assert_eq!(
        proxy.connect_targets(),
        vec!["target.invalid:443".to_owned()]
    );
}

fn invalid_proxy_configuration_fails_the_build_naming_the_problem(frontend: Frontend) {
    for (url, hint) in [
        ("socks5://proxy:1080", "socks5"),
        ("http://2001:db8::1:3128", "brackets"),
        ("http://user:pw@proxy:99999", "port"),
    ] {
        let setup = Setup {
            https_proxy: Some(url.to_owned()),
            ..Setup::default()
        };
        let Err(failure) = frontend.try_client(&setup) else {
            panic!("{url}: the build succeeded");
        };
        assert!(
            matches!(failure, Failure::InvalidConfig { .. }),
            "{url}: {failure:?}"
        );
        let message = failure.to_string();
        assert!(
            message.contains(hint) && !message.contains("pw"),
            "{message}"
        );
    }
}

fn chunked_and_close_delimited_bodies_are_read_to_their_end(frontend: Frontend) {
    let origin = Origin::http();
    let client = frontend.client(&Setup::default());
    for path in ["/chunked/70000", "/close/70000", "/bytes/70000"] {
        let body = client.fetch(&origin.url(path)).body();
        assert_eq!(body.len(), 70_000, "{path}");
        assert_eq!(check_pattern(0, &body), Ok(()), "{path}");
    }
    // Chunked and Content-Length connections are kept; the close-delimited one cannot be.
    assert_eq!(origin.connections(), 2);
    client.assert_idle(1, "the Content-Length connection is pooled");
    let response = client.head(&origin.url("/bytes/5")).response();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-length"), Some("5"));
    assert!(response.body.is_empty(), "{:?}", response.body);
    assert_eq!(origin.connections(), 2, "the HEAD reused the pooled one");
}

fn redirects_are_followed_up_to_the_configured_limit(frontend: Frontend) {
    let origin = Origin::http();
    // The `to` URL is percent-encoded: a bare `://` in the query would look like
    // absolute form to the origin.
    let encode = |url: String| url.replace(':', "%3A").replace('/', "%2F");
    let hop = origin.url(&format!("/redirect?to={}", encode(origin.url("/hello"))));
    let limited = |redirects| {
        frontend.client(&Setup {
            max_redirects: Some(redirects),
            ..Setup::default()
        })
    };
    let response = limited(0).fetch(&hop).response();
    assert_eq!(response.status, 302, "0 turns redirects off");
    let response = limited(3).fetch(&hop).response();
    assert_eq!(response.status, 200);
    assert_eq!(response.path(), "/hello");
    assert_eq!(response.body, HELLO_BODY.as_bytes());
    let looping = origin.url(&format!(
        "/redirect?to={}",
        encode(origin.url("/redirect?to=/hello"))
    ));
    let error = limited(1).fetch(&looping).http();
    assert!(
        matches!(
            error,
            HttpFailure::TooManyRedirects {
                limit: None | Some(1)
            }
        ),
        "{error:?}"
    );
}
