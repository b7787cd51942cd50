//! NTLM end to end against an independent acceptor: pyspnego's NTLM server behind
//! `tests/peers/ntlm_proxy.py`, started on loopback by `egress_tests::real_proxy::NtlmProxy`
//! (skipped with a notice outside CI when pyspnego is missing, failing in CI).
//!
//! On every frontend, for `https://` targets (CONNECT): the right password tunnels through
//! (with a domain, without one, and all non-ASCII), pinned to NTLM and with `Any` (a proxy offering NTLM and Basic gets NTLM and never sees
//! Basic); the `DOMAIN\user` domain reaches the acceptor (the same user in another domain
//! is refused); a wrong password is a typed NTLM refusal; every round of a handshake comes
//! on one client connection (the acceptor's event log tells). The acceptor's own rules (a
//! handshake split over two connections fails, NTLMv1 is refused) are checked with raw
//! messages, so the end-to-end tests cannot pass against an acceptor that ignores them.

mod frontends;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use egress_core::Failure;
use egress_core::auth::{AuthChoice, AuthProblem};
use egress_tests::real_proxy::{NtlmEvent, NtlmOptions, NtlmProxy, NtlmUser, Rig};
use egress_tests::{HELLO_BODY, TestCa};
use frontends::{Client, Frontend, Setup};

on_every_frontend!(
    ntlm_tunnels_https_on_one_connection_with_and_without_a_domain,
    any_picks_ntlm_over_basic_and_never_sends_basic,
    a_wrong_password_or_domain_is_a_rejected_ntlm_failure,
    ntlm_on_forward_requests_runs_on_one_connection_which_stays_authenticated,
);

const PASSWORD: &str = "Ntlm-pw-7Qx";
const WRONG: &str = "ntlm-wrong-pw-3K";

fn alice() -> NtlmUser {
    NtlmUser::new("CORP", "alice", PASSWORD)
}

fn bob() -> NtlmUser {
    NtlmUser::new("", "bob", PASSWORD)
}

/// Non-ASCII user, domain and password: UTF-16LE on the wire, the user upper-cased in
/// NTOWFv2, percent-encoded UTF-8 in the proxy URL.
fn jurgen() -> NtlmUser {
    NtlmUser::new("Körp", "Jürgen", "Pässwörd€")
}

fn start(offer_basic: bool) -> Option<NtlmProxy> {
    NtlmProxy::start_or_skip(&NtlmOptions {
        users: vec![alice(), bob(), jurgen()],
        offer_basic,
    })
}

/// `https://` targets through `proxy` with `choice`, trusting `ca`.
fn tunnelling(frontend: Frontend, proxy: &str, choice: AuthChoice, ca: &TestCa) -> Client {
    frontend.client(
        &Setup {
            https_proxy: Some(proxy.to_owned()),
            proxy_auth: Some(choice),
            connect: Duration::from_secs(3),
            handshake: Duration::from_secs(5),
            tls: Duration::from_secs(3),
            exchange: Duration::from_secs(20),
            ..Setup::default()
        }
        .trusting(ca.cert_pem()),
    )
}

/// The events of the connection on which `event` happened for `user` (the last such).
fn connection_of(events: &[NtlmEvent], event: &str, user: &str) -> Vec<NtlmEvent> {
    let conn = events
        .iter()
        .rev()
        .find(|e| e.event == event && e.field("user") == Some(user))
        .unwrap_or_else(|| panic!("no {event} for {user}: {events:#?}"))
        .conn;
    events.iter().filter(|e| e.conn == conn).cloned().collect()
}

/// The event names of `events`, with each request's `auth` scheme: `request:NTLM`.
fn names(events: &[NtlmEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e.field("auth") {
            Some(auth) => format!("{}:{auth}", e.event),
            None => e.event.clone(),
        })
        .collect()
}

fn ntlm_tunnels_https_on_one_connection_with_and_without_a_domain(frontend: Frontend) {
    let rig = Rig::new("ntlm origin CA");
    let Some(proxy) = start(false) else {
        return;
    };
    for (user, domain) in [(alice(), "CORP"), (bob(), "-"), (jurgen(), "Körp")] {
        let client = tunnelling(frontend, &proxy.url_for(&user), AuthChoice::Ntlm, &rig.ca);
        match client.fetch(&rig.https.url("/hello")) {
            frontends::Fetched::Response(r) if r.status == 200 => {
                assert_eq!(r.body, HELLO_BODY.as_bytes());
            }
            other => panic!("{user:?}: {other:?}\n{}", proxy.log_tail()),
        }
        let events = proxy.events();
        let conn = connection_of(&events, "ntlm-authenticated", user.user());
        // Pinned NTLM: the negotiate message goes with the first CONNECT, the authenticate
        // message with the second, on the same connection, then the tunnel opens there.
        // (The tunnel stays open: the client pools it, so no `close` yet.)
        assert_eq!(
            names(&conn)[..7],
            [
                "accept",
                "request:NTLM",
                "ntlm-negotiate",
                "ntlm-challenge",
                "request:NTLM",
                "ntlm-authenticated",
                "tunnel",
            ]
            .map(String::from),
            "{events:#?}"
        );
        let authenticated = conn.iter().find(|e| e.event == "ntlm-authenticated");
        assert_eq!(
            authenticated.and_then(|e| e.field("domain")),
            Some(domain),
            "the DOMAIN\\user domain reached the acceptor"
        );
    }
}

/// `http://` targets (forward requests, no CONNECT): the acceptor's 407s answer the
/// request itself, so egress sends it again with each NTLM message on the same connection;
/// the caller sees only the origin's answer, and later requests on the connection carry
/// nothing (the connection is authenticated). With `Any` against NTLM and Basic, the
/// proxy never sees Basic.
fn ntlm_on_forward_requests_runs_on_one_connection_which_stays_authenticated(frontend: Frontend) {
    let rig = Rig::new("ntlm origin CA");
    let Some(proxy) = start(true) else {
        return;
    };
    let client = frontend.client(&Setup {
        http_proxy: Some(proxy.url_for(&alice())),
        connect: Duration::from_secs(3),
        handshake: Duration::from_secs(5),
        exchange: Duration::from_secs(20),
        ..Setup::default()
    });
    for _ in 0..3 {
        match client.fetch(&rig.http.url("/hello")) {
            frontends::Fetched::Response(r) if r.status == 200 => {
                assert_eq!(r.body, HELLO_BODY.as_bytes());
            }
            other => panic!("{other:?}\n{}", proxy.log_tail()),
        }
    }
    assert_eq!(
        rig.http.requests().len(),
        3,
        "the origin saw each request once"
    );
    let events = proxy.events();
    let conn = connection_of(&events, "ntlm-authenticated", "alice");
    let names = names(&conn);
    assert_eq!(
        names[..6],
        [
            "accept",
            "request:none",
            "request:NTLM",
            "ntlm-negotiate",
            "ntlm-challenge",
            "request:NTLM",
        ]
        .map(String::from),
        "{events:#?}"
    );
    assert!(
        names
            .iter()
            .filter(|n| n.starts_with("request:none"))
            .count()
            >= 3,
        "the first request asked, the later two went on the authenticated connection: {names:?}"
    );
    assert!(
        events.iter().all(|e| e.field("auth") != Some("Basic")),
        "never Basic: {events:#?}"
    );
}

fn any_picks_ntlm_over_basic_and_never_sends_basic(frontend: Frontend) {
    let rig = Rig::new("ntlm origin CA");
    let Some(proxy) = start(true) else {
        return;
    };
    let client = tunnelling(frontend, &proxy.url_for(&alice()), AuthChoice::Any, &rig.ca);
    assert_eq!(
        client.fetch(&rig.https.url("/hello")).body(),
        HELLO_BODY.as_bytes()
    );
    let events = proxy.events();
    assert!(
        events
            .iter()
            .all(|e| e.field("auth") != Some("Basic") && !e.event.starts_with("basic-")),
        "the proxy offered Basic and NTLM; Basic must never be sent: {events:#?}"
    );
    let conn = connection_of(&events, "ntlm-authenticated", "alice");
    // Any: the first CONNECT asks for nothing, to learn the offers; then NTLM's two rounds.
    assert_eq!(
        names(&conn)[..7],
        [
            "accept",
            "request:none",
            "request:NTLM",
            "ntlm-negotiate",
            "ntlm-challenge",
            "request:NTLM",
            "ntlm-authenticated",
        ]
        .map(String::from),
        "{events:#?}"
    );
}

fn a_wrong_password_or_domain_is_a_rejected_ntlm_failure(frontend: Frontend) {
    let rig = Rig::new("ntlm origin CA");
    let Some(proxy) = start(false) else {
        return;
    };
    let wrong_password = NtlmUser::new("CORP", "alice", WRONG);
    let wrong_domain = NtlmUser::new("OTHER", "alice", PASSWORD);
    // pyspnego's reasons: a response that does not verify (InvalidTokenError), no account
    // for that domain and user (SpnegoError: the domain takes part in the lookup).
    for (user, choice, reason) in [
        (&wrong_password, AuthChoice::Ntlm, "InvalidTokenError"),
        (&wrong_password, AuthChoice::Any, "InvalidTokenError"),
        (&wrong_domain, AuthChoice::Ntlm, "SpnegoError"),
    ] {
        let client = tunnelling(frontend, &proxy.url_for(user), choice, &rig.ca);
        let failure = client.fetch(&rig.https.url("/hello")).failure();
        match &failure {
            Failure::ProxyAuthRequired {
                status,
                scheme,
                problem,
                credentials_sent,
                schemes,
                ..
            } => {
                assert_eq!(*status, 407);
                assert_eq!(*scheme, Some("NTLM"), "{failure}");
                assert_eq!(*problem, AuthProblem::Rejected, "{failure}");
                assert!(*credentials_sent);
                assert_eq!(schemes, &["NTLM"], "{failure}");
            }
            other => panic!("{user:?} {choice:?}: expected an NTLM refusal, got {other:?}"),
        }
        let shown = format!("{failure} {failure:?}");
        assert!(shown.contains("rejected"), "{shown}");
        assert!(
            !shown.contains(WRONG) && !shown.contains(PASSWORD),
            "{shown}"
        );
        let events = proxy.events();
        let conn = connection_of(&events, "ntlm-rejected", "alice");
        let rejected = conn.iter().find(|e| e.event == "ntlm-rejected");
        assert_eq!(
            rejected.and_then(|e| e.field("reason")),
            Some(reason),
            "pyspnego refused the response itself: {events:#?}"
        );
        assert!(
            conn.iter().any(|e| e.event == "ntlm-negotiate"),
            "the refused answer came on the negotiate's connection: {events:#?}"
        );
    }
    assert!(
        rig.https.requests().is_empty(),
        "no request reached the origin"
    );
}

// ---- The acceptor's own rules, with raw messages ----------------------------------------

/// One request on `stream`: the response head and whether it closes the connection.
fn round_trip(stream: &mut TcpStream, request: &str) -> (String, bool) {
    let (head, closes, _) = exchange(stream, request);
    (head, closes)
}

/// One request on `stream`: the response head, whether it closes, and its body (framed by
/// Content-Length, which the acceptor always sends).
fn exchange(stream: &mut TcpStream, request: &str) -> (String, bool, Vec<u8>) {
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("write: {e}"));
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream
            .read(&mut buf)
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert!(n > 0, "closed before a response head");
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..end - 4]).into_owned();
    let lower = head.to_ascii_lowercase();
    let length: usize = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap_or(0));
    let mut body = data[end..].to_vec();
    while body.len() < length {
        let n = stream
            .read(&mut buf)
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert!(n > 0, "closed inside a response body");
        body.extend_from_slice(&buf[..n]);
    }
    (head, lower.contains("connection: close"), body)
}

fn connect_with(authorization: &str) -> String {
    format!(
        "CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nProxy-Authorization: {authorization}\r\n\r\n"
    )
}

/// The `NTLM <token>` of a 407 head.
fn challenge_token(head: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix("Proxy-Authenticate: NTLM "))
        .unwrap_or_else(|| panic!("no NTLM challenge in {head}"))
        .trim()
        .to_owned()
}

fn stream_to(proxy: &NtlmProxy) -> TcpStream {
    let stream =
        TcpStream::connect(("127.0.0.1", proxy.port())).unwrap_or_else(|e| panic!("connect: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap_or_else(|e| panic!("{e}"));
    stream
}

/// egress's own NTLM client makes the messages; the acceptor must refuse the authenticate
/// message on a connection other than the negotiate's, with a 407 that closes.
#[test]
fn the_acceptor_refuses_a_handshake_split_over_two_connections() {
    use egress_core::Credentials;
    use egress_core::auth::RoundInput;
    use egress_core::auth::ntlm::NtlmClient;
    let Some(proxy) = start(false) else {
        return;
    };
    let credentials = Credentials::from_encoded("CORP%5Calice", PASSWORD);
    let (mut client, negotiate) = NtlmClient::start(&credentials);
    let mut first = stream_to(&proxy);
    let (head, closes) = round_trip(&mut first, &connect_with(&negotiate));
    assert!(head.starts_with("HTTP/1.1 407") && !closes, "{head}");
    let input = RoundInput {
        method: "CONNECT",
        uri: "127.0.0.1:9",
        random: [5; 16],
        unix_time: 1_700_000_000,
    };
    let authenticate = client
        .authenticate(&challenge_token(&head), &credentials, &input)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut second = stream_to(&proxy);
    let (head, closes) = round_trip(&mut second, &connect_with(&authenticate));
    assert!(head.starts_with("HTTP/1.1 407") && closes, "{head}");
    let events = proxy.events();
    let rejected = events.iter().find(|e| e.event == "ntlm-rejected");
    assert_eq!(
        rejected.and_then(|e| e.field("reason")),
        Some("no-negotiate-on-this-connection"),
        "{events:#?}"
    );
}

/// An AUTHENTICATE_MESSAGE with 24-byte (NTLMv1-sized) LM and NT responses.
fn ntlm_v1_authenticate() -> Vec<u8> {
    let user: Vec<u8> = "alice".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let domain: Vec<u8> = "CORP".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let payloads: [&[u8]; 6] = [&[0x11; 24], &[0x22; 24], &domain, &user, &[], &[]];
    let mut message = b"NTLMSSP\0".to_vec();
    message.extend_from_slice(&3u32.to_le_bytes());
    let mut offset = 64u32;
    for payload in payloads {
        let len = u16::try_from(payload.len()).unwrap_or(0);
        message.extend_from_slice(&len.to_le_bytes());
        message.extend_from_slice(&len.to_le_bytes());
        message.extend_from_slice(&offset.to_le_bytes());
        offset += u32::from(len);
    }
    // Unicode | NTLM, no extended session security: what an NTLMv1 client sends.
    message.extend_from_slice(&0x0000_0201u32.to_le_bytes());
    for payload in payloads {
        message.extend_from_slice(payload);
    }
    message
}

#[test]
fn the_acceptor_refuses_ntlm_v1_responses() {
    use base64::Engine as _;
    use egress_core::Credentials;
    use egress_core::auth::ntlm::NtlmClient;
    let Some(proxy) = start(false) else {
        return;
    };
    let (_, negotiate) = NtlmClient::start(&Credentials::from_encoded("alice", "x"));
    let mut stream = stream_to(&proxy);
    let (head, _) = round_trip(&mut stream, &connect_with(&negotiate));
    assert!(head.starts_with("HTTP/1.1 407"), "{head}");
    let v1 = base64::engine::general_purpose::STANDARD.encode(ntlm_v1_authenticate());
    let (head, closes) = round_trip(&mut stream, &connect_with(&format!("NTLM {v1}")));
    assert!(head.starts_with("HTTP/1.1 407") && closes, "{head}");
    let events = proxy.events();
    let rejected = events.iter().find(|e| e.event == "ntlm-rejected");
    assert_eq!(
        rejected.and_then(|e| e.field("reason")),
        Some("ntlmv1-or-lm"),
        "{events:#?}"
    );
}

/// The acceptor's forward side, for forward-route tests: an absolute-form GET authenticated
/// by NTLM's rounds on one connection reaches the origin (without `Proxy-Authorization`), and
/// the connection stays authenticated for the next request.
#[test]
fn the_acceptor_forwards_absolute_form_requests_after_ntlm() {
    use egress_core::Credentials;
    use egress_core::auth::RoundInput;
    use egress_core::auth::ntlm::NtlmClient;
    let origin = egress_tests::Origin::http();
    let Some(proxy) = start(false) else {
        return;
    };
    let url = origin.url("/hello");
    let get = |authorization: Option<&str>| {
        let auth = authorization.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
        format!(
            "GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{auth}\r\n",
            origin.port()
        )
    };
    let credentials = Credentials::from_encoded("CORP%5Calice", PASSWORD);
    let (mut client, negotiate) = NtlmClient::start(&credentials);
    let mut stream = stream_to(&proxy);
    let (head, closes, _) = exchange(&mut stream, &get(None));
    assert!(head.starts_with("HTTP/1.1 407") && !closes, "{head}");
    let (head, closes, _) = exchange(&mut stream, &get(Some(&negotiate)));
    assert!(head.starts_with("HTTP/1.1 407") && !closes, "{head}");
    let input = RoundInput {
        method: "GET",
        uri: &url,
        random: [3; 16],
        unix_time: 1_700_000_000,
    };
    let authenticate = client
        .authenticate(&challenge_token(&head), &credentials, &input)
        .unwrap_or_else(|e| panic!("{e}"));
    let (head, _, body) = exchange(&mut stream, &get(Some(&authenticate)));
    assert!(
        head.starts_with("HTTP/1.1 200"),
        "{head}\n{}",
        proxy.log_tail()
    );
    assert_eq!(body, HELLO_BODY.as_bytes());
    let (head, _, body) = exchange(&mut stream, &get(None));
    assert!(
        head.starts_with("HTTP/1.1 200"),
        "the connection stays authenticated: {head}"
    );
    assert_eq!(body, HELLO_BODY.as_bytes());
    let requests = origin.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.target == "/hello" && r.header("proxy-authorization").is_none())
    );
    let events = proxy.events();
    let conn = connection_of(&events, "ntlm-authenticated", "alice");
    let forwards = conn.iter().filter(|e| e.event == "forward").count();
    assert_eq!(forwards, 2, "{events:#?}");
}
