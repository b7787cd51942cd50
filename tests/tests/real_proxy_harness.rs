//! Proves the real-proxy harness with plain std networking (no egress code): squid and
//! tinyproxy start, forward absolute-form requests to a loopback origin, allow CONNECT only
//! to the configured ports, challenge for credentials, and (squid) speak TLS on `https_port`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use egress_tests::real_proxy::{
    BasicAuth, Squid, SquidOptions, Tinyproxy, TinyproxyOptions, free_ports,
};

const IO_TIMEOUT: Duration = Duration::from_secs(5);
const BODY: &str = "hello from the loopback origin";

/// A loopback origin answering every connection with one fixed response.
fn origin() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind origin");
    let port = listener.local_addr().expect("origin addr").port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || answer(stream));
        }
    });
    port
}

fn answer(stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    // Read the request head; the response does not depend on it.
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = (&stream).write_all(response.as_bytes());
}

/// A port nothing listens on and that no proxy is told about.
fn closed_port() -> u16 {
    free_ports(1).expect("port")[0]
}

/// Sends `request` to 127.0.0.1:`port` and returns everything up to the end of the head
/// (or the connection's end), bounded by [`IO_TIMEOUT`].
fn exchange(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect proxy");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.write_all(request.as_bytes()).expect("send");
    read_head(&mut stream)
}

fn read_head(stream: &mut impl Read) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn status(head: &str) -> u16 {
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn basic(user: &str, password: &str) -> String {
    use std::fmt::Write as _;
    // A tiny base64 so the test depends on nothing but std.
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let _ = out.write_char(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

fn get_via(proxy_port: u16, origin: u16, auth: Option<&str>) -> String {
    let auth_line = auth.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
    let request = format!(
        "GET http://127.0.0.1:{origin}/hello HTTP/1.1\r\nHost: 127.0.0.1:{origin}\r\n\
         {auth_line}Connection: close\r\n\r\n"
    );
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, proxy_port)).expect("connect");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.write_all(request.as_bytes()).expect("send");
    let mut all = String::new();
    let _ = stream.read_to_string(&mut all);
    all
}

fn connect_via(proxy_port: u16, target: u16, auth: Option<&str>) -> String {
    let auth_line = auth.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
    exchange(
        proxy_port,
        &format!(
            "CONNECT 127.0.0.1:{target} HTTP/1.1\r\nHost: 127.0.0.1:{target}\r\n{auth_line}\r\n"
        ),
    )
}

fn squid_full(ssl_port: u16) -> Option<Squid> {
    Squid::start_or_skip(SquidOptions {
        ssl_ports: vec![ssl_port],
        basic_auth: Some(BasicAuth::new("alice", "wonder land")),
        tls: true,
        digest: false,
        negotiate: None,
    })
}

#[test]
fn squid_forwards_absolute_form_get_to_loopback_origin() {
    let origin = origin();
    let Some(squid) = squid_full(origin) else {
        return;
    };
    let reply = get_via(squid.plain_port(), origin, None);
    assert_eq!(status(&reply), 200, "{reply}\n{}", squid.log_tail());
    assert!(reply.ends_with(BODY), "{reply}");
    // The same through the auth listener with the right credentials.
    let creds = basic("alice", "wonder land");
    let port = squid.auth_port().expect("auth listener");
    let reply = get_via(port, origin, Some(&creds));
    assert_eq!(status(&reply), 200, "{reply}\n{}", squid.log_tail());
    assert!(reply.ends_with(BODY), "{reply}");
}

#[test]
fn squid_connects_only_to_ssl_ports() {
    let origin = origin();
    let Some(squid) = squid_full(origin) else {
        return;
    };
    let head = connect_via(squid.plain_port(), origin, None);
    assert_eq!(status(&head), 200, "{head}\n{}", squid.log_tail());
    let head = connect_via(squid.plain_port(), closed_port(), None);
    assert_eq!(status(&head), 403, "{head}");
}

#[test]
fn squid_auth_listener_challenges_missing_and_wrong_credentials() {
    let origin = origin();
    let Some(squid) = squid_full(origin) else {
        return;
    };
    let port = squid.auth_port().expect("auth listener");
    for auth in [None, Some(basic("alice", "wrong"))] {
        let head = connect_via(port, origin, auth.as_deref());
        assert_eq!(status(&head), 407, "{head}");
        let challenge = header(&head, "Proxy-Authenticate").expect("challenge");
        assert!(challenge.starts_with("Basic "), "{challenge}");
    }
    let head = connect_via(port, origin, Some(&basic("alice", "wonder land")));
    assert_eq!(status(&head), 200, "{head}\n{}", squid.log_tail());
    assert!(
        squid
            .auth_url()
            .expect("url")
            .contains("alice:wonder%20land@127.0.0.1:")
    );
}

#[test]
fn squid_https_port_completes_a_rustls_handshake_trusting_the_generated_ca() {
    let origin = origin();
    let Some(squid) = squid_full(origin) else {
        return;
    };
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(squid.ca_der().expect("ca").clone())
        .expect("add CA");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let conn = rustls::ClientConnection::new(Arc::new(config), name).expect("client");
    let tcp = TcpStream::connect((Ipv4Addr::LOCALHOST, squid.https_port().expect("tls port")))
        .expect("connect");
    tcp.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // Inside TLS, the proxy is a plain forward proxy: the absolute-form GET goes through.
    let request = format!(
        "GET http://127.0.0.1:{origin}/ HTTP/1.1\r\nHost: 127.0.0.1:{origin}\r\n\
         Connection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes())
        .expect("handshake and send");
    let head = read_head(&mut tls);
    assert_eq!(status(&head), 200, "{head}\n{}", squid.log_tail());
}

#[test]
fn squid_stops_by_pid_on_drop() {
    let origin = origin();
    let Some(squid) = squid_full(origin) else {
        return;
    };
    let pid = squid.pid();
    let port = squid.plain_port();
    let dir = squid.dir().to_path_buf();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists());
    // Make squid start its auth helper, whose command line names the work dir.
    let head = connect_via(squid.auth_port().expect("auth"), origin, None);
    assert_eq!(status(&head), 407, "{head}");
    assert!(!processes_mentioning(&dir).is_empty(), "no helper found");
    drop(squid);
    assert!(!proc_dir.exists(), "squid {pid} still running");
    let left = processes_mentioning(&dir);
    assert!(left.is_empty(), "left running: {left:?}");
    assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());
    assert!(!dir.exists());
}

/// PIDs of processes whose command line contains `dir` (squid and its helpers).
fn processes_mentioning(dir: &std::path::Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .expect("read /proc")
        .flatten()
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(&needle)
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}

#[test]
fn tinyproxy_forwards_get_and_restricts_connect_ports() {
    let origin = origin();
    let Some(tiny) = Tinyproxy::start_or_skip(TinyproxyOptions {
        connect_ports: vec![origin],
        basic_auth: None,
    }) else {
        return;
    };
    let reply = get_via(tiny.port(), origin, None);
    assert_eq!(status(&reply), 200, "{reply}\n{}", tiny.log_tail());
    assert!(reply.ends_with(BODY), "{reply}");
    let head = connect_via(tiny.port(), origin, None);
    assert_eq!(status(&head), 200, "{head}");
    let head = connect_via(tiny.port(), closed_port(), None);
    assert_eq!(status(&head), 403, "{head}");
}

#[test]
fn tinyproxy_basic_auth_answers_407_without_and_401_with_wrong_credentials() {
    let origin = origin();
    let Some(tiny) = Tinyproxy::start_or_skip(TinyproxyOptions {
        connect_ports: vec![origin],
        basic_auth: Some(BasicAuth::new("bob", "s3cret")),
    }) else {
        return;
    };
    // tinyproxy 1.11.1: no credentials => 407 + Proxy-Authenticate, as expected ...
    let head = connect_via(tiny.port(), origin, None);
    assert_eq!(status(&head), 407, "{head}");
    let challenge = header(&head, "Proxy-Authenticate").expect("proxy challenge");
    assert_eq!(challenge, "Basic realm=\"Tinyproxy\"");
    // ... but wrong credentials => 401 + WWW-Authenticate, to CONNECT and to a forward GET
    // alike. egress must classify a 401 from the proxy as proxy authentication failure.
    let wrong = basic("bob", "wrong");
    let head = connect_via(tiny.port(), origin, Some(&wrong));
    assert_eq!(
        head.lines().next(),
        Some("HTTP/1.0 401 Unauthorized"),
        "{head}"
    );
    let challenge = header(&head, "WWW-Authenticate").expect("www challenge");
    assert_eq!(challenge, "Basic realm=\"Tinyproxy\"");
    assert_eq!(header(&head, "Proxy-Authenticate"), None, "{head}");
    let reply = get_via(tiny.port(), origin, Some(&wrong));
    assert_eq!(status(&reply), 401, "{reply}");
    // The right credentials pass.
    let right = basic("bob", "s3cret");
    let head = connect_via(tiny.port(), origin, Some(&right));
    assert_eq!(status(&head), 200, "{head}");
    let reply = get_via(tiny.port(), origin, Some(&right));
    assert!(reply.ends_with(BODY), "{reply}");
}
