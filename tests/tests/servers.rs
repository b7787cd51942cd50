//! The loopback servers tested on their own, with raw std sockets and rustls clients.

mod support;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy, check_pattern};
use support::{connect, exchange, read_head, tls};

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: origin\r\n\r\n")
}

#[test]
fn origin_serves_every_route_on_one_keep_alive_connection() {
    let origin = Origin::http();
    let mut s = BufReader::new(connect(origin.addr()));
    let r = exchange(&mut s, &get("/hello"));
    assert_eq!((r.status, r.body.as_slice()), (200, HELLO_BODY.as_bytes()));
    let r = exchange(&mut s, &get("/bytes/100000"));
    assert_eq!(r.body.len(), 100_000);
    assert_eq!(check_pattern(0, &r.body), Ok(()));
    let r = exchange(&mut s, &get("/chunked/150000"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body, egress_tests::pattern_bytes(150_000));
    let post = "POST /echo HTTP/1.1\r\nHost: o\r\nX-Mine: 1\r\nContent-Length: 5\r\n\r\nabcde";
    let r = exchange(&mut s, post);
    assert_eq!(r.body, b"abcde");
    assert_eq!(r.header("x-echo-method"), Some("POST"));
    let r = exchange(&mut s, &get("/status/503"));
    assert_eq!((r.status, r.body.as_slice()), (503, &b"status 503\n"[..]));
    let r = exchange(&mut s, &get("/redirect?to=http%3A%2F%2Fnext.test%2Fa"));
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some("http://next.test/a"))
    );
    assert_eq!(exchange(&mut s, &get("/nope")).status, 404);
    let r = exchange(&mut s, &get("/close/70000"));
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.body, egress_tests::pattern_bytes(70_000));
    assert_eq!(origin.connections(), 1);
    let seen = origin.requests();
    assert_eq!(seen.len(), 8);
    assert!(seen.iter().all(|r| r.connection == 0));
    assert_eq!(seen[3].header("x-mine"), Some("1"));
    assert_eq!(seen[3].request_line(), "POST /echo HTTP/1.1");
}

#[test]
fn https_origin_verifies_with_the_test_ca_for_names_and_ips() {
    let ca = TestCa::new("egress test CA");
    let origin = Origin::https(&ca);
    for name in ["localhost", "127.0.0.1"] {
        let stream = tls(&ca.client_config(), name, connect(origin.addr()));
        let mut s = BufReader::new(stream);
        let r = exchange(&mut s, &get("/bytes/200000"));
        assert_eq!(check_pattern(0, &r.body), Ok(()));
        assert_eq!(r.body.len(), 200_000);
    }
    // A client trusting another CA must fail the handshake.
    let unknown = TestCa::new("unknown CA");
    let mut s = tls(
        &unknown.client_config(),
        "localhost",
        connect(origin.addr()),
    );
    let err = s
        .write_all(get("/hello").as_bytes())
        .and_then(|()| s.flush());
    let err = err.and_then(|()| s.read(&mut [0u8; 16]).map(|_| ()));
    assert!(err.is_err(), "unknown CA must be rejected");
}

#[test]
fn forward_proxy_sends_origin_form_keeps_alive_and_strips_proxy_auth() {
    let origin = Origin::http();
    let proxy = TestProxy::start(
        ProxyOptions::default()
            .auth("alice", "s3cret")
            .resolve("target.invalid", origin.addr()),
    );
    let mut s = BufReader::new(connect(proxy.addr()));
    for i in 0..10 {
        let req = format!(
            "GET http://target.invalid/bytes/{i}000 HTTP/1.1\r\nHost: target.invalid\r\n\
             Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n"
        );
        let r = exchange(&mut s, &req);
        assert_eq!(r.status, 200);
        assert_eq!(r.body, egress_tests::pattern_bytes(i * 1000));
    }
    assert_eq!((proxy.connections(), origin.connections()), (1, 1));
    assert_eq!(proxy.upstream_connects(), 1);
    let at_proxy = proxy.requests();
    assert_eq!(at_proxy[0].target, "http://target.invalid/bytes/0000");
    assert_eq!(
        at_proxy[0].header("proxy-authorization"),
        Some("Basic YWxpY2U6czNjcmV0")
    );
    let at_origin = origin.requests();
    assert_eq!(at_origin.len(), 10);
    assert_eq!(at_origin[9].target, "/bytes/9000");
    assert!(
        at_origin
            .iter()
            .all(|r| r.header("proxy-authorization").is_none())
    );
}

#[test]
fn proxy_challenges_missing_or_wrong_credentials() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth("alice", "s3cret"));
    let mut s = BufReader::new(connect(proxy.addr()));
    let url = origin.url("/hello");
    let r = exchange(&mut s, &format!("GET {url} HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_eq!(r.status, 407);
    assert_eq!(
        r.header("proxy-authenticate"),
        Some("Basic realm=\"egress-test\"")
    );
    // Same connection, wrong password (alice:wrong), CONNECT this time.
    let t = origin.addr();
    let wrong = "Proxy-Authorization: Basic YWxpY2U6d3Jvbmc=\r\n";
    let r = exchange(
        &mut s,
        &format!("CONNECT {t} HTTP/1.1\r\nHost: {t}\r\n{wrong}\r\n"),
    );
    assert_eq!(r.status, 407);
    assert_eq!(origin.connections(), 0);
    assert!(proxy.connect_targets().len() <= 1);

    let tiny = TestProxy::start(ProxyOptions {
        auth_answers_401: true,
        ..ProxyOptions::default().auth("u", "p")
    });
    let mut s = BufReader::new(connect(tiny.addr()));
    let r = exchange(
        &mut s,
        &format!("CONNECT {t} HTTP/1.1\r\nHost: {t}\r\n\r\n"),
    );
    assert_eq!(
        (r.status, r.header("www-authenticate").is_some()),
        (401, true)
    );
}

/// CONNECT through `proxy_stream`, then TLS to the origin inside the tunnel.
fn tunnel_get<S: Read + Write>(proxy_stream: S, ca: &TestCa, authority: &str) -> Vec<u8> {
    let mut s = BufReader::new(proxy_stream);
    let req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
    s.get_mut().write_all(req.as_bytes()).expect("CONNECT");
    let head = read_head(&mut s);
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&head)
    );
    assert!(s.buffer().is_empty());
    let inner = tls(&ca.client_config(), "localhost", s.into_inner());
    let mut inner = BufReader::new(inner);
    exchange(&mut inner, &get("/bytes/300000")).body
}

#[test]
fn connect_tunnel_carries_tls_to_the_origin_by_an_overridden_name() {
    let ca = TestCa::new("egress test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().resolve("target.invalid", origin.addr()));
    let body = tunnel_get(connect(proxy.addr()), &ca, "target.invalid:443");
    assert_eq!((body.len(), check_pattern(0, &body)), (300_000, Ok(())));
    assert_eq!(
        proxy.connect_targets(),
        vec!["target.invalid:443".to_owned()]
    );
    assert_eq!(origin.requests()[0].target, "/bytes/300000");
}

#[test]
fn https_proxy_tunnels_tls_inside_tls() {
    let ca = TestCa::new("egress test CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));
    assert!(proxy.url().starts_with("https://127.0.0.1:"));
    let outer = tls(&ca.client_config(), "127.0.0.1", connect(proxy.addr()));
    let body = tunnel_get(outer, &ca, &origin.addr().to_string());
    assert_eq!((body.len(), check_pattern(0, &body)), (300_000, Ok(())));
}

#[test]
fn proxy_refuses_non_loopback_targets_and_bad_request_targets() {
    let proxy = TestProxy::start(ProxyOptions::default());
    let mut s = BufReader::new(connect(proxy.addr()));
    let r = exchange(
        &mut s,
        "CONNECT 192.0.2.1:443 HTTP/1.1\r\nHost: 192.0.2.1:443\r\n\r\n",
    );
    assert_eq!(r.status, 502);
    assert_eq!(proxy.upstream_connects(), 0);
    let mut s = BufReader::new(connect(proxy.addr()));
    assert_eq!(exchange(&mut s, &get("/origin-form")).status, 400);
}

#[test]
fn dropping_servers_releases_ports_and_held_connections_quickly() {
    let proxy = TestProxy::start(ProxyOptions::default().fault(egress_tests::Fault::NeverAnswer));
    let origin = Origin::http();
    let (paddr, oaddr) = (proxy.addr(), origin.addr());
    let mut held = connect(paddr);
    held.write_all(b"CONNECT a:1 HTTP/1.1\r\n\r\n")
        .expect("write");
    held.set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    assert!(
        held.read(&mut [0u8; 8]).is_err(),
        "never-answer must not answer"
    );
    let _idle = connect(oaddr);
    let start = Instant::now();
    drop(proxy);
    drop(origin);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(TcpStream::connect(paddr).is_err());
    assert!(TcpStream::connect(oaddr).is_err());
    held.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    assert_eq!(held.read(&mut [0u8; 8]).unwrap_or(0), 0);
}

#[test]
fn servers_listen_on_ipv6_loopback() {
    if TcpStream::connect("[::1]:9").is_err() && std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipping: no IPv6 loopback on this machine");
        return;
    }
    let origin = Origin::http_v6();
    let proxy = TestProxy::start(ProxyOptions::default().ipv6());
    assert!(proxy.url().starts_with("http://[::1]:"));
    let mut s = BufReader::new(connect(proxy.addr()));
    let req = format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", origin.url("/hello"));
    let r = exchange(&mut s, &req);
    assert_eq!(r.body, HELLO_BODY.as_bytes());
}

#[test]
fn proxy_serves_200_concurrent_tunnels() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let (p, t) = (proxy.addr(), origin.addr());
    let clients: Vec<_> = (0..200)
        .map(|i| {
            std::thread::spawn(move || {
                let mut s = BufReader::new(connect(p));
                let req = format!("CONNECT {t} HTTP/1.1\r\nHost: {t}\r\n\r\n");
                s.get_mut().write_all(req.as_bytes()).expect("CONNECT");
                assert!(read_head(&mut s).starts_with(b"HTTP/1.1 200"));
                let r = exchange(&mut s, &get(&format!("/bytes/{}", 1000 + i)));
                r.body.len() == 1000 + i && check_pattern(0, &r.body).is_ok()
            })
        })
        .collect();
    let ok = clients
        .into_iter()
        .map(|c| c.join())
        .filter(|r| matches!(r, Ok(true)))
        .count();
    assert_eq!(ok, 200);
    assert_eq!((proxy.connections(), origin.connections()), (200, 200));
}
