//! `egress get`'s proxy-side options and diagnostics: `--proxy-header` on CONNECT and on
//! forward requests (never to the origin through a tunnel), `Proxy-*` with `-H` refused where
//! it would reach an origin, `--block-non-public`/`--block-allow`, `-v` no_proxy diagnostics,
//! `-vv`/`RUST_LOG` log lines, `-m` on a silent origin, and target credentials as `***` in
//! `route`, `check`, `get` and logs.

mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};
use support::{PASSWORD, USER, egress, egress_in, temp_dir, with_auth, with_target_auth};

#[test]
fn proxy_headers_go_on_connect_and_forward_requests_never_to_the_origin() {
    let ca = TestCa::new("cli proxy header CA");
    let https = Origin::https(&ca);
    let http = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let dir = temp_dir("proxy-header");
    std::fs::write(dir.join("ca.pem"), ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
    let env = [
        ("https_proxy", with_auth(&proxy)),
        ("http_proxy", with_auth(&proxy)),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for url in [https.url("/hello"), http.url("/hello")] {
        let run = egress_in(
            &[
                "get",
                "--ca",
                "ca.pem",
                "--proxy-header",
                "X-Proxy-Team: blue",
                &url,
            ],
            &env,
            Some(&dir),
        );
        assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    }
    let seen = proxy.requests();
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].header("x-proxy-team"), Some("blue"), "on CONNECT");
    assert_eq!(
        seen[1].header("x-proxy-team"),
        Some("blue"),
        "on the forward request"
    );
    assert_eq!(
        https.requests()[0].header("x-proxy-team"),
        None,
        "never through the tunnel"
    );

    for bad in [
        "Host: evil",
        "Proxy-Authorization: Basic eA==",
        "Content-Length: 1",
    ] {
        let run = egress(&["get", "--proxy-header", bad, &http.url("/hello")], &env);
        assert_eq!(run.code, 2, "{bad}: {run:?}");
        assert!(
            run.stderr.contains("cannot be set as proxy headers"),
            "{run:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn proxy_star_headers_with_h_are_refused_where_they_would_reach_an_origin() {
    let ca = TestCa::new("cli proxy header CA");
    let https = Origin::https(&ca);
    let http = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let env = [("https_proxy", proxy.url()), ("http_proxy", proxy.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = egress(
        &["get", "-H", "Proxy-Trace: 1", &https.url("/hello"), "-k"],
        &env,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("tunnel route"), "{run:?}");
    assert!(
        run.stderr.contains("--proxy-header 'Proxy-Trace: …'"),
        "{run:?}"
    );
    let run = egress(
        &["get", "-L", "-H", "Proxy-Trace: 1", &http.url("/hello")],
        &env,
    );
    assert_eq!(run.code, 2, "with -L a hop could tunnel: {run:?}");
    let run = egress(&["get", "-H", "Proxy-Trace: 1", &http.url("/hello")], &[]);
    assert_eq!(run.code, 2, "direct: {run:?}");
    assert_eq!(proxy.connections(), 0);
    assert_eq!(https.connections() + http.connections(), 0);
    // On a forward route the request goes to the proxy: the header is the proxy's.
    let run = egress(&["get", "-H", "Proxy-Trace: 1", &http.url("/hello")], &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(proxy.requests()[0].header("proxy-trace"), Some("1"));
}

#[test]
fn block_non_public_refuses_loopback_and_block_allow_lets_it_through() {
    let origin = Origin::http();
    let url = origin.url("/hello");
    let run = egress(&["get", "--block-non-public", &url], &[]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stderr.contains("127.0.0.1"),
        "names the address: {run:?}"
    );
    assert!(run.stderr.contains("block"), "{run:?}");
    assert_eq!(origin.connections(), 0);
    let run = egress(
        &[
            "get",
            "--block-non-public",
            "--block-allow",
            "127.0.0.0/8",
            &url,
        ],
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    let run = egress(&["get", "--block-allow", "127.0.0.1", &url], &[]);
    assert_eq!(
        run.code, 2,
        "--block-allow needs --block-non-public: {run:?}"
    );
    // Through a proxy the blocklist does not apply (the proxy resolves and connects).
    let proxy = TestProxy::start(ProxyOptions::default());
    let run = egress(
        &["get", "--block-non-public", &url],
        &[("http_proxy", &proxy.url())],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
}

#[test]
fn verbose_shows_no_proxy_diagnostics_and_vv_or_rust_log_the_library_log() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let url = with_target_auth(&origin.url("/hello"));
    let proxy_url = with_auth(&proxy);
    let env = [
        ("http_proxy", proxy_url.as_str()),
        ("no_proxy", "10.0.0.0/33, .corp"),
    ];
    let run = egress(&["get", "-v", &url], &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("* no_proxy"), "{run:?}");
    assert!(
        run.stderr.contains("ignoring entry \"10.0.0.0/33\""),
        "{run:?}"
    );
    assert!(!run.stderr.contains("[debug]"), "{run:?}");
    let run = egress(&["get", "-vv", &url], &env);
    assert!(
        run.stderr
            .contains("egress: [debug] egress: http://127.0.0.1:"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("-> forward http://127.0.0.1:"),
        "{run:?}"
    );
    let with_log: Vec<(&str, &str)> = env.iter().copied().chain([("RUST_LOG", "debug")]).collect();
    let run = egress(&["get", &url], &with_log);
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    assert!(run.stderr.contains("egress: [debug]"), "{run:?}");
    let run = egress(&["get", &url], &env);
    assert!(run.stderr.is_empty(), "quiet by default: {run:?}");
}

#[test]
fn target_credentials_are_stars_in_route_check_and_errors() {
    let origin = Origin::http();
    let url = with_target_auth(&origin.url("/hello"));
    let shown = origin.url("/hello").replacen("://", "://***@", 1);
    let run = egress(&["route", "--json", &url], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let line: serde_json::Value =
        serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    assert_eq!(line["url"], shown.as_str());
    let run = egress(&["route", &url], &[]);
    assert!(run.stdout.starts_with(&shown), "{run:?}");
    let run = egress(&["check", &url, "--timeout", "5"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(&format!("probe {shown}:")), "{run:?}");
    let dead = with_target_auth(&format!("http://127.0.0.1:{}/x", support::closed_port()));
    let run = egress(&["get", "-vv", &dead, "--timeout", "5"], &[]);
    assert_eq!(run.code, 5, "{run:?}");
    let run = egress(&["check", &dead, "--timeout", "5"], &[]);
    assert_eq!(run.code, 5, "{run:?}");
}

/// A loopback server that accepts, reads the request and never answers.
fn silent_origin() -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let handle = std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    (addr, handle)
}

#[test]
fn max_time_and_its_aliases_bound_a_silent_origin() {
    for flag in ["-m", "--max-time", "--timeout"] {
        let (addr, handle) = silent_origin();
        let started = Instant::now();
        let run = egress(&["get", flag, "1", &format!("http://{addr}/")], &[]);
        assert_eq!(run.code, 5, "{flag}: {run:?}");
        assert!(
            run.stderr.contains("timed out") || run.stderr.contains("timeout"),
            "{run:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3), "{flag}");
        let _ = handle.join();
    }
}
