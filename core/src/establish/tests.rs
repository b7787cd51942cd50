//! Scripted-peer scenarios: the machine driven in memory on a virtual clock, one scenario per
//! fault mode of the loopback fault suites and per classification rule. No sockets, no
//! sleeping: a silent peer is the clock jumping to the machine's deadline.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr};
use core::time::Duration;

use super::*;
use crate::blocklist::IpBlocklist;
use crate::failure::{Failure, FailureKind, PeerError, PeerErrorKind};
use crate::router::{Router, Setting};
use crate::target::Target;

/// What the scripted driver answers to each action.
#[derive(Clone)]
struct Peer {
    /// Answer to every `Resolve`: addresses, or an error kind.
    resolve: Result<Vec<IpAddr>, PeerErrorKind>,
    /// Answers to successive `Connect`s (missing: connected).
    connects: Vec<Option<PeerErrorKind>>,
    /// `Some(kind)`: the proxy's TLS handshake fails so; `None`: it succeeds.
    proxy_tls: Option<Reply>,
    /// The proxy's answer to CONNECT, read in these pieces.
    reads: Vec<Reply>,
    /// The target's TLS handshake.
    target_tls: Option<Reply>,
    /// Virtual time each action takes.
    step: Duration,
}

#[derive(Clone, Debug)]
enum Reply {
    Bytes(&'static [u8]),
    Eof,
    Error(PeerErrorKind),
    /// Nothing at all: the driver waits for the machine's deadline.
    Silence,
}

impl Default for Peer {
    fn default() -> Self {
        Self {
            resolve: Ok(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))]),
            connects: Vec::new(),
            proxy_tls: None,
            reads: vec![Reply::Bytes(b"HTTP/1.1 200 Connection established\r\n\r\n")],
            target_tls: None,
            step: Duration::from_millis(5),
        }
    }
}

/// Everything a run observed.
#[derive(Debug)]
struct Run {
    ready: Option<Ready>,
    failure: Option<Failure>,
    resolved: Vec<String>,
    connected: Vec<SocketAddr>,
    sent: Vec<u8>,
    leftover: Vec<u8>,
    /// Bytes of scripted reads the machine never asked for (the target's TLS reads them).
    unread: Vec<u8>,
    events: Vec<Event>,
    ended_at: Duration,
    actions: usize,
}

fn router(http: Option<&str>, https: Option<&str>, no_proxy: Option<&str>) -> Router {
    Router::new(
        http.map(|v| Setting::new("http_proxy", v)),
        https.map(|v| Setting::new("https_proxy", v)),
        no_proxy.map(|v| Setting::new("no_proxy", v)),
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn target(scheme: &str, authority: &'static str) -> Target<'static> {
    Target::from_authority(scheme, authority).unwrap_or_else(|e| panic!("{e}"))
}

fn reply_error(kind: PeerErrorKind) -> PeerError {
    PeerError::new(kind, "scripted failure")
}

fn run(router: &Router, target: Target<'_>, options: Options<'_>, peer: &Peer) -> Run {
    drive(router, target, options, peer, 64)
}

/// [`run`] for scripts of many reads (a trickling proxy).
fn run_long(router: &Router, target: Target<'_>, options: Options<'_>, peer: &Peer) -> Run {
    drive(router, target, options, peer, 10_000)
}

fn drive(
    router: &Router,
    target: Target<'_>,
    options: Options<'_>,
    peer: &Peer,
    max_actions: usize,
) -> Run {
    let decision = router.route(&target);
    let mut now = Duration::from_secs(100);
    let mut machine = Establish::new(&decision, target, options, now);
    let mut out = Run {
        ready: None,
        failure: None,
        resolved: Vec::new(),
        connected: Vec::new(),
        sent: Vec::new(),
        leftover: Vec::new(),
        unread: Vec::new(),
        events: Vec::new(),
        ended_at: now,
        actions: 0,
    };
    let mut connects = peer.connects.iter();
    let mut reads = peer.reads.iter();
    let silence = |machine: &mut Establish<'_>, now: &mut Duration| {
        let deadline = machine
            .poll_timeout()
            .unwrap_or_else(|| panic!("silence with no deadline would hang"));
        *now = deadline;
        machine.handle_timeout(*now);
    };
    loop {
        while let Some(event) = machine.poll_event() {
            out.events.push(event);
        }
        out.actions += 1;
        assert!(out.actions < max_actions, "the machine loops");
        now += peer.step;
        match machine.poll_action() {
            Action::Resolve { name, .. } => {
                out.resolved.push(name.to_string());
                match &peer.resolve {
                    Ok(addrs) => machine.handle_resolved(now, addrs.iter().copied()),
                    Err(kind) => machine.handle_resolve_failed(now, reply_error(*kind)),
                }
            }
            Action::Connect { addr, .. } => {
                out.connected.push(addr);
                match connects.next().copied().flatten() {
                    None => machine.handle_connected(now),
                    Some(PeerErrorKind::TimedOut) => silence(&mut machine, &mut now),
                    Some(kind) => machine.handle_connect_failed(now, reply_error(kind)),
                }
            }
            Action::StartTls { peer: side, .. } => {
                let reply = match side {
                    TlsPeer::Proxy => &peer.proxy_tls,
                    TlsPeer::Target => &peer.target_tls,
                };
                match reply {
                    None => machine.handle_tls_done(now),
                    Some(Reply::Silence) => silence(&mut machine, &mut now),
                    Some(Reply::Error(kind)) => machine.handle_tls_failed(now, reply_error(*kind)),
                    Some(other) => panic!("not a TLS reply: {other:?}"),
                }
            }
            Action::Send(bytes) => {
                out.sent.extend_from_slice(bytes);
                machine.handle_sent(now);
            }
            Action::Read => match reads.next().cloned().unwrap_or(Reply::Silence) {
                Reply::Bytes(bytes) => {
                    let taken = machine.handle_bytes(now, bytes);
                    out.leftover.extend_from_slice(&bytes[taken..]);
                }
                Reply::Eof => machine.handle_eof(now),
                Reply::Error(kind) => machine.handle_io_failed(now, reply_error(kind)),
                Reply::Silence => silence(&mut machine, &mut now),
            },
            Action::Ready(ready) => {
                out.ready = Some(ready);
                break;
            }
            Action::Failed => {
                out.failure = machine.take_failure();
                assert!(out.failure.is_some(), "Failed without a failure");
                assert_eq!(machine.poll_action(), Action::Failed, "failure is sticky");
                break;
            }
        }
    }
    while let Some(event) = machine.poll_event() {
        out.events.push(event);
    }
    for reply in reads {
        if let Reply::Bytes(bytes) = reply {
            out.unread.extend_from_slice(bytes);
        }
    }
    out.ended_at = now;
    out
}

fn failure_kind(run: &Run) -> Option<FailureKind> {
    run.failure.as_ref().map(Failure::kind)
}

const TUNNEL: &str = "http://u:secret@proxy.corp:3128";

#[test]
fn direct_name_resolves_connects_and_verifies_tls() {
    let r = router(None, None, None);
    let out = run(
        &r,
        target("https", "example.com"),
        Options::default(),
        &Peer::default(),
    );
    assert_eq!(out.resolved, ["example.com"]);
    assert_eq!(
        out.connected,
        ["192.0.2.10:443".parse().unwrap_or_else(|_| panic!())]
    );
    let ready = out.ready.unwrap_or_else(|| panic!("{:?}", out.failure));
    assert!(ready.target_tls && !ready.proxy_tls && !ready.forward);
    assert!(out.sent.is_empty());
    let phases: Vec<Phase> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Done { phase, .. } => Some(*phase),
            Event::Started(_) => None,
        })
        .collect();
    assert_eq!(
        phases,
        [Phase::ResolveTarget, Phase::ConnectTarget, Phase::TargetTls]
    );
}

#[test]
fn a_direct_lookup_failure_names_the_target() {
    let r = router(None, None, None);
    let peer = Peer {
        resolve: Err(PeerErrorKind::NotFound),
        ..Peer::default()
    };
    let out = run(
        &r,
        target("http", "nowhere.invalid:8080"),
        Options::default(),
        &peer,
    );
    match out.failure {
        Some(Failure::TargetUnreachable { target, phase, .. }) => {
            assert_eq!(target, "nowhere.invalid:8080");
            assert_eq!(phase, Phase::ResolveTarget);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn address_literals_and_zone_ids_are_never_resolved() {
    let r = router(None, None, None);
    for authority in ["[::1%25lo]:8080", "127.0.0.1:8080", "[2001:db8::1]"] {
        let out = run(
            &r,
            target("http", authority),
            Options::default(),
            &Peer::default(),
        );
        assert!(out.resolved.is_empty(), "{authority}: {:?}", out.resolved);
        assert!(out.ready.is_some(), "{authority}");
    }
}

#[test]
fn proxied_targets_are_never_resolved_locally() {
    let r = router(Some("http://proxy.corp:3128"), Some(TUNNEL), None);
    for (scheme, authority) in [
        ("https", "only.proxy.resolves"),
        ("http", "only.proxy.resolves"),
    ] {
        let out = run(
            &r,
            target(scheme, authority),
            Options::default(),
            &Peer::default(),
        );
        assert_eq!(out.resolved, ["proxy.corp"], "{scheme}");
        assert_eq!(out.connected[0].port(), 3128);
        assert!(out.ready.is_some(), "{scheme}: {:?}", out.failure);
    }
}

#[test]
fn the_blocklist_filters_direct_addresses_only() {
    let blocklist = IpBlocklist::non_public();
    let options = Options {
        blocklist: Some(&blocklist),
        ..Options::default()
    };
    let mixed = Peer {
        resolve: Ok(vec![
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)),
        ]),
        ..Peer::default()
    };
    let direct = router(None, None, None);
    let out = run(&direct, target("http", "mixed.example"), options, &mixed);
    assert_eq!(
        out.connected,
        ["93.184.216.34:80".parse().unwrap_or_else(|_| panic!())]
    );

    let internal = Peer {
        resolve: Ok(vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))]),
        ..Peer::default()
    };
    let out = run(
        &direct,
        target("http", "internal.example"),
        options,
        &internal,
    );
    match &out.failure {
        Some(Failure::Blocked { host, addr, .. }) => {
            assert_eq!(host, "internal.example");
            assert_eq!(addr.to_string(), "10.0.0.1");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        out.connected.is_empty(),
        "nothing blocked is ever connected to"
    );
    let literal = run(
        &direct,
        target("http", "127.0.0.1:8080"),
        options,
        &internal,
    );
    assert_eq!(failure_kind(&literal), Some(FailureKind::Blocked));

    // Through a proxy: the proxy resolves; its own (private) address is never checked.
    let proxied = router(Some("http://10.1.1.1:3128"), None, None);
    let out = run(
        &proxied,
        target("http", "internal.example"),
        options,
        &internal,
    );
    assert!(out.ready.is_some(), "{:?}", out.failure);
}

#[test]
fn the_next_address_is_tried_and_the_last_error_reported() {
    let r = router(None, Some(TUNNEL), None);
    let two = Peer {
        resolve: Ok(vec![
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)),
        ]),
        connects: vec![Some(PeerErrorKind::Refused)],
        ..Peer::default()
    };
    let out = run(&r, target("https", "t.example"), Options::default(), &two);
    assert_eq!(out.connected.len(), 2);
    assert!(out.ready.is_some());
    let refused = Peer {
        connects: vec![Some(PeerErrorKind::Refused), Some(PeerErrorKind::Refused)],
        ..two
    };
    let out = run(
        &r,
        target("https", "t.example"),
        Options::default(),
        &refused,
    );
    assert_eq!(failure_kind(&out), Some(FailureKind::ProxyUnreachable));
}

#[test]
fn silent_peers_time_out_in_their_phase_at_the_deadline() {
    let r = router(None, Some("https://proxy.corp:3129"), None);
    let timeouts = Timeouts {
        connect: Some(Duration::from_secs(3)),
        proxy_handshake: Some(Duration::from_secs(7)),
        tls: Some(Duration::from_secs(5)),
    };
    let options = Options {
        timeouts,
        ..Options::default()
    };
    let cases: [(Peer, Phase); 4] = [
        (
            Peer {
                connects: vec![Some(PeerErrorKind::TimedOut)],
                ..Peer::default()
            },
            Phase::ConnectProxy,
        ),
        (
            Peer {
                proxy_tls: Some(Reply::Silence),
                ..Peer::default()
            },
            Phase::ProxyTls,
        ),
        (
            Peer {
                reads: vec![Reply::Bytes(b"HTTP/1.1 200 OK\r\n")],
                ..Peer::default()
            },
            Phase::ProxyHandshake,
        ),
        (
            Peer {
                target_tls: Some(Reply::Silence),
                ..Peer::default()
            },
            Phase::TargetTls,
        ),
    ];
    for (peer, phase) in cases {
        let out = run(&r, target("https", "t.example"), options, &peer);
        match out.failure {
            Some(Failure::Timeout { phase: got }) => assert_eq!(got, phase),
            other => panic!("{phase}: {other:?}"),
        }
    }
    // The handshake deadline starts when the handshake does, not before DNS and TCP.
    let peer = Peer {
        reads: vec![Reply::Silence],
        step: Duration::from_secs(2),
        ..Peer::default()
    };
    let out = run(&r, target("https", "t.example"), options, &peer);
    let started = Duration::from_secs(100) + Duration::from_secs(2 * 4);
    assert_eq!(out.ended_at, started + Duration::from_secs(7));
}

#[test]
fn a_late_result_is_a_timeout_of_its_phase() {
    let r = router(None, None, None);
    let options = Options {
        timeouts: Timeouts {
            connect: Some(Duration::from_secs(1)),
            ..Timeouts::default()
        },
        ..Options::default()
    };
    let slow = Peer {
        step: Duration::from_secs(2),
        ..Peer::default()
    };
    let out = run(&r, target("http", "example.com"), options, &slow);
    assert!(matches!(
        out.failure,
        Some(Failure::Timeout {
            phase: Phase::ResolveTarget
        })
    ));
}

#[test]
fn connect_answers_are_classified_once() {
    let r = router(None, Some(TUNNEL), None);
    let cases: [(&[Reply], FailureKind); 6] = [
        (
            &[Reply::Bytes(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=x\r\nProxy-Authenticate: Negotiate\r\n\r\n",
            )],
            FailureKind::ProxyAuthRequired,
        ),
        (
            &[Reply::Bytes(b"HTTP/1.1 403 Forbidden\r\n\r\n")],
            FailureKind::ConnectRejected,
        ),
        (&[Reply::Bytes(b"SSH-2.0-OpenSSH\r\n")], FailureKind::ProxyProtocol),
        (
            &[Reply::Bytes(b"HTTP/1.1 200 OK\r\nVia: x\r\n"), Reply::Eof],
            FailureKind::ProxyProtocol,
        ),
        (&[Reply::Error(PeerErrorKind::Reset)], FailureKind::ProxyClosed),
        (&[Reply::Error(PeerErrorKind::Other)], FailureKind::ProxyUnreachable),
    ];
    // Basic pinned: the credentials go with the first CONNECT, so the 407 is a refusal.
    let basic = || Options {
        auth: crate::auth::AuthChoice::Basic,
        ..Options::default()
    };
    for (reads, kind) in cases {
        let peer = Peer {
            reads: reads.to_vec(),
            ..Peer::default()
        };
        let out = run(&r, target("https", "t.example"), basic(), &peer);
        assert_eq!(failure_kind(&out), Some(kind), "{reads:?}");
        assert!(out.failure.as_ref().is_some_and(Failure::is_proxy_failure));
    }
    let peer = Peer {
        reads: cases[0].0.to_vec(),
        ..Peer::default()
    };
    let out = run(&r, target("https", "t.example"), basic(), &peer);
    match out.failure {
        Some(Failure::ProxyAuthRequired {
            schemes,
            credentials_sent,
            status,
            proxy,
            scheme,
            problem,
        }) => {
            assert_eq!(scheme, Some("Basic"));
            assert_eq!(problem, crate::auth::AuthProblem::Rejected);
            assert_eq!(schemes, ["Basic", "Negotiate"]);
            assert!(credentials_sent);
            assert_eq!(status, 407);
            assert_eq!(proxy, "http://proxy.corp:3128");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_connect_request_carries_credentials_and_user_agent() {
    let r = router(None, Some(TUNNEL), None);
    let headers =
        crate::ProxyHeaderLines::parse("X-Team: blue\r\n").unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        user_agent: Some("egress-test/1"),
        proxy_headers: headers,
        auth: crate::auth::AuthChoice::Basic,
        ..Options::default()
    };
    let out = run(
        &r,
        target("https", "[2001:db8::5]:8443"),
        options,
        &Peer::default(),
    );
    let sent = core::str::from_utf8(&out.sent).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        sent.starts_with("CONNECT [2001:db8::5]:8443 HTTP/1.1\r\nHost: [2001:db8::5]:8443\r\n")
    );
    assert!(
        sent.contains("Proxy-Authorization: Basic dTpzZWNyZXQ=\r\n"),
        "{sent}"
    );
    assert!(
        sent.ends_with("User-Agent: egress-test/1\r\nX-Team: blue\r\n\r\n"),
        "{sent}"
    );
    let bad = Options {
        user_agent: Some("bad\r\nX-Injected: 1"),
        ..Options::default()
    };
    let out = run(&r, target("https", "t.example"), bad, &Peer::default());
    assert_eq!(failure_kind(&out), Some(FailureKind::InvalidConfig));
    assert!(
        matches!(&out.failure, Some(Failure::InvalidConfig { variable, .. }) if variable == "user agent"),
        "the failure names the part that cannot be sent: {:?}",
        out.failure
    );
    assert!(out.sent.is_empty(), "nothing is sent after a failure");
}

#[test]
fn tunnel_bytes_after_the_answer_are_left_for_tls_however_they_are_split() {
    let r = router(None, Some(TUNNEL), None);
    let whole: &[u8] =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX: y\r\n\r\n\x16\x03\x01hello";
    let answer_len = whole.len() - b"\x16\x03\x01hello".len();
    for split in 0..=whole.len() {
        let (first, second) = whole.split_at(split);
        let first: &'static [u8] = alloc::boxed::Box::leak(first.into());
        let second: &'static [u8] = alloc::boxed::Box::leak(second.into());
        let peer = Peer {
            reads: vec![Reply::Bytes(first), Reply::Bytes(second)],
            ..Peer::default()
        };
        let out = run(&r, target("https", "t.example"), Options::default(), &peer);
        assert!(out.ready.is_some(), "split {split}: {:?}", out.failure);
        // What the target's TLS sees first: the leftover, then the stream's own bytes.
        let mut tunnel = out.leftover.clone();
        tunnel.extend_from_slice(&out.unread);
        assert_eq!(tunnel, &whole[answer_len..], "split {split}");
    }
}

#[test]
fn a_close_inside_a_fresh_tunnel_is_the_proxys_failure() {
    let r = router(None, Some(TUNNEL), None);
    let closed = Peer {
        target_tls: Some(Reply::Error(PeerErrorKind::Closed)),
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        Options::default(),
        &closed,
    );
    match &out.failure {
        Some(Failure::ProxyClosed { phase, .. }) => assert_eq!(*phase, Phase::TargetTls),
        other => panic!("{other:?}"),
    }
    // The same close on a direct connection is the target's TLS failure.
    let direct = router(None, None, None);
    let out = run(
        &direct,
        target("https", "t.example"),
        Options::default(),
        &closed,
    );
    assert_eq!(failure_kind(&out), Some(FailureKind::TargetTls));
    // A certificate problem inside the tunnel is the target's too.
    let bad_cert = Peer {
        target_tls: Some(Reply::Error(PeerErrorKind::Other)),
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        Options::default(),
        &bad_cert,
    );
    assert_eq!(failure_kind(&out), Some(FailureKind::TargetTls));
}

#[test]
fn proxy_tls_failures_name_the_proxy() {
    let r = router(None, Some("https://proxy.corp:3129"), None);
    let peer = Peer {
        proxy_tls: Some(Reply::Error(PeerErrorKind::Other)),
        ..Peer::default()
    };
    let out = run(&r, target("https", "t.example"), Options::default(), &peer);
    match &out.failure {
        Some(Failure::ProxyTls { proxy, .. }) => assert_eq!(proxy, "https://proxy.corp:3129"),
        other => panic!("{other:?}"),
    }
    let ok = run(
        &r,
        target("https", "t.example"),
        Options::default(),
        &Peer::default(),
    );
    assert!(
        ok.ready
            .is_some_and(|ready| ready.proxy_tls && ready.target_tls)
    );
}

#[test]
fn a_target_no_certificate_can_name_fails_before_anything_is_sent() {
    let r = router(None, Some(TUNNEL), None);
    let t = Target {
        scheme: crate::target::Scheme::Https,
        host: crate::host::Host::Name("127.1"),
        port: 443,
    };
    let out = run(&r, t, Options::default(), &Peer::default());
    assert_eq!(failure_kind(&out), Some(FailureKind::InvalidTarget));
    assert!(out.connected.is_empty() && out.sent.is_empty() && out.resolved.is_empty());
}

#[test]
fn forward_routes_are_ready_after_the_proxy_connection() {
    let r = router(Some("http://proxy.corp:3128"), None, None);
    let out = run(
        &r,
        target("http", "t.example"),
        Options::default(),
        &Peer::default(),
    );
    let ready = out.ready.unwrap_or_else(|| panic!("{:?}", out.failure));
    assert!(ready.forward && !ready.target_tls);
    assert!(out.sent.is_empty(), "no CONNECT on forward routes");
}

#[test]
fn the_forward_watch_blames_the_proxy_only_before_the_response() {
    let mut watch = ForwardWatch::new("http://proxy:3128", Some(Duration::from_secs(30)));
    assert!(
        watch.on_timeout(Duration::from_secs(1000)).is_none(),
        "idle is not waiting"
    );
    watch.request_sent(Duration::from_secs(10));
    watch.request_sent(Duration::from_secs(20));
    assert_eq!(
        watch.deadline(),
        Some(Duration::from_secs(40)),
        "first send starts it"
    );
    assert!(watch.on_timeout(Duration::from_secs(39)).is_none());
    let reset = watch.on_error(reply_error(PeerErrorKind::Reset));
    assert!(matches!(
        reset,
        Ok(Failure::ProxyClosed {
            phase: Phase::ProxyResponse,
            ..
        })
    ));
    watch.request_sent(Duration::from_secs(50));
    watch.response_bytes(0);
    assert!(watch.is_waiting(), "zero bytes are no answer");
    watch.response_bytes(1);
    assert!(watch.on_error(reply_error(PeerErrorKind::Closed)).is_err());
    let mut unbounded = ForwardWatch::new("http://proxy:3128", None);
    unbounded.request_sent(Duration::ZERO);
    assert!(unbounded.is_waiting() && unbounded.deadline().is_none());
}

#[test]
fn every_scenario_ends_in_exactly_one_outcome_and_never_leaks_credentials() {
    let r = router(Some(TUNNEL), Some(TUNNEL), None);
    let replies = [
        Reply::Bytes(b"HTTP/1.1 200 OK\r\n\r\n"),
        Reply::Bytes(b"HTTP/1.1 407 x\r\n\r\n"),
        Reply::Bytes(b"garbage"),
        Reply::Eof,
        Reply::Error(PeerErrorKind::Reset),
        Reply::Silence,
    ];
    for scheme in ["http", "https"] {
        for reply in &replies {
            let peer = Peer {
                reads: vec![reply.clone()],
                ..Peer::default()
            };
            let out = run(&r, target(scheme, "t.example"), Options::default(), &peer);
            assert!(out.ready.is_some() != out.failure.is_some());
            let shown = alloc::format!("{:?} {:?}", out.failure, out.events);
            assert!(!shown.contains("secret"), "{shown}");
            if let Some(failure) = &out.failure {
                assert!(!failure.to_string().contains("secret"));
            }
        }
    }
}

#[test]
fn proxy_failures_carry_their_phase() {
    let r = router(None, Some(TUNNEL), None);
    let lookup = Peer {
        resolve: Err(PeerErrorKind::NotFound),
        ..Peer::default()
    };
    let refused = Peer {
        connects: vec![Some(PeerErrorKind::Refused)],
        ..Peer::default()
    };
    for (peer, phase) in [
        (lookup, Phase::ResolveProxy),
        (refused, Phase::ConnectProxy),
    ] {
        let out = run(&r, target("https", "t.example"), Options::default(), &peer);
        match out.failure {
            Some(Failure::ProxyUnreachable {
                phase: got, proxy, ..
            }) => {
                assert_eq!(got, phase);
                assert_eq!(proxy, "http://proxy.corp:3128");
            }
            other => panic!("{phase}: {other:?}"),
        }
    }
}

/// A fault mode: its name, the proxy's replies, and the failure it must end in.
type FaultCase = (&'static str, Vec<Reply>, fn(&Failure) -> bool);

/// The proxy's side of every fault mode of the loopback fault suites, as bytes.
fn fault_replies() -> Vec<FaultCase> {
    use crate::connect::ConnectError as E;
    let leak = |bytes: Vec<u8>| -> &'static [u8] { alloc::boxed::Box::leak(bytes.into()) };
    let mut huge = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..100 {
        huge.extend_from_slice(alloc::format!("X-Filler-{i}: {}\r\n", "v".repeat(1024)).as_bytes());
    }
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..10_000 {
        many.extend_from_slice(alloc::format!("X{i}: v\r\n").as_bytes());
    }
    let flood = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(5);
    vec![
        ("close before answer", vec![Reply::Eof], |f| {
            matches!(
                f,
                Failure::ProxyProtocol {
                    error: E::ClosedEarly { received: 0 },
                    ..
                }
            )
        }),
        (
            "close mid header",
            vec![Reply::Bytes(b"HTTP/1.1 200 Conn"), Reply::Eof],
            |f| {
                matches!(
                    f,
                    Failure::ProxyProtocol {
                        error: E::ClosedEarly { received: 17 },
                        ..
                    }
                )
            },
        ),
        ("huge head", vec![Reply::Bytes(leak(huge))], |f| {
            matches!(
                f,
                Failure::ProxyProtocol {
                    error: E::HeaderBlockTooLarge { .. },
                    ..
                }
            )
        }),
        ("many headers", vec![Reply::Bytes(leak(many))], |f| {
            matches!(
                f,
                Failure::ProxyProtocol {
                    error: E::HeaderBlockTooLarge { .. } | E::TooManyHeaders { .. },
                    ..
                }
            )
        }),
        ("garbage", vec![Reply::Bytes(b"hello there\r\n\r\n")], |f| {
            matches!(
                f,
                Failure::ProxyProtocol {
                    error: E::NotHttp { offset: 0 },
                    ..
                }
            )
        }),
        (
            "http/0.9",
            vec![Reply::Bytes(b"<html>no status line</html>")],
            |f| {
                matches!(
                    f,
                    Failure::ProxyProtocol {
                        error: E::NotHttp { offset: 0 },
                        ..
                    }
                )
            },
        ),
        (
            "tls record",
            vec![Reply::Bytes(&[0x16, 0x03, 0x01, 0x00, 0xff])],
            |f| {
                matches!(
                    f,
                    Failure::ProxyProtocol {
                        error: E::TlsAnswer,
                        ..
                    }
                )
            },
        ),
        (
            "binary",
            vec![Reply::Bytes(&[0x05, 0x00, 0x01, 0x00, 0xff])],
            |f| {
                matches!(
                    f,
                    Failure::ProxyProtocol {
                        error: E::NotHttp { offset: 0 },
                        ..
                    }
                )
            },
        ),
        ("interim flood", vec![Reply::Bytes(leak(flood))], |f| {
            matches!(
                f,
                Failure::ProxyProtocol {
                    error: E::TooManyInterimResponses { .. },
                    ..
                }
            )
        }),
        (
            "502 with a body",
            vec![Reply::Bytes(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 9\r\n\r\nupstream!",
            )],
            |f| matches!(f, Failure::ConnectRejected { status: 502, reason, .. } if reason == "Bad Gateway"),
        ),
        ("never answers", vec![Reply::Silence], |f| {
            matches!(
                f,
                Failure::Timeout {
                    phase: Phase::ProxyHandshake
                }
            )
        }),
    ]
}

#[test]
fn every_loopback_fault_mode_is_classified_whole_and_byte_by_byte() {
    let r = router(None, Some(TUNNEL), None);
    for (name, reads, expected) in fault_replies() {
        let whole = Peer {
            reads: reads.clone(),
            ..Peer::default()
        };
        let out = run(&r, target("https", "t.example"), Options::default(), &whole);
        let failure = out.failure.unwrap_or_else(|| panic!("{name}: no failure"));
        assert!(expected(&failure), "{name}: {failure:?}");
        assert!(failure.is_proxy_failure(), "{name}");
        // The same bytes a byte at a time (slowloris within the limit) end the same way.
        let mut trickle = Vec::new();
        for reply in reads {
            match reply {
                Reply::Bytes(bytes) => trickle.extend(bytes.chunks(1).map(Reply::Bytes)),
                other => trickle.push(other),
            }
        }
        if trickle.len() > 4096 {
            continue; // the 10,000-header reply fails at the 16 KiB cap either way
        }
        let slow = Peer {
            reads: trickle,
            step: Duration::from_micros(1),
            ..Peer::default()
        };
        let out = run_long(&r, target("https", "t.example"), Options::default(), &slow);
        let failure = out
            .failure
            .unwrap_or_else(|| panic!("{name} trickled: no failure"));
        assert!(expected(&failure), "{name} trickled: {failure:?}");
    }
}

#[test]
fn a_slowloris_past_the_handshake_limit_times_out() {
    let r = router(None, Some(TUNNEL), None);
    let head: &[u8] = b"HTTP/1.1 200 Connection established\r\nX-Filler: aaaaaaaaaaaaaaaa\r\n\r\n";
    let slow = Peer {
        reads: head.chunks(1).map(Reply::Bytes).collect(),
        // 40 ms a byte: the head needs about 2.8 s, the limit is 1 s.
        step: Duration::from_millis(40),
        ..Peer::default()
    };
    let options = Options {
        timeouts: Timeouts {
            proxy_handshake: Some(Duration::from_secs(1)),
            ..Timeouts::default()
        },
        ..Options::default()
    };
    let out = run_long(&r, target("https", "t.example"), options, &slow);
    assert!(
        matches!(
            out.failure,
            Some(Failure::Timeout {
                phase: Phase::ProxyHandshake
            })
        ),
        "{:?}",
        out.failure
    );
}

#[test]
fn a_whole_request_deadline_cuts_the_phase_it_falls_in() {
    let r = router(None, Some(TUNNEL), None);
    let start = Duration::from_secs(100);
    let options = Options {
        // Phase limits of 30 s, but the request as a whole must be done 1.5 s in: the
        // CONNECT handshake (starting about 20 ms in) is where it runs out.
        deadline: Some(start + Duration::from_millis(1500)),
        ..Options::default()
    };
    let silent = Peer {
        reads: vec![Reply::Silence],
        ..Peer::default()
    };
    let out = run(&r, target("https", "t.example"), options, &silent);
    assert!(
        matches!(
            out.failure,
            Some(Failure::Timeout {
                phase: Phase::ProxyHandshake
            })
        ),
        "{:?}",
        out.failure
    );
    // The driver's clock stood at the deadline when it fired (one scripted step later here).
    let deadline = start + Duration::from_millis(1500);
    assert!(out.ended_at >= deadline && out.ended_at <= deadline + Peer::default().step);
}

#[test]
fn a_tls_alert_from_the_proxy_after_its_handshake_is_a_proxy_tls_failure() {
    let r = router(None, Some("https://proxy.corp:3129"), None);
    let refused = Peer {
        reads: vec![Reply::Error(PeerErrorKind::Tls)],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        Options::default(),
        &refused,
    );
    assert_eq!(failure_kind(&out), Some(FailureKind::ProxyTls));
    let mut watch = ForwardWatch::new("https://proxy.corp:3129", None);
    watch.request_sent(Duration::ZERO);
    let failure = watch.on_error(reply_error(PeerErrorKind::Tls));
    assert!(
        matches!(failure, Ok(Failure::ProxyTls { .. })),
        "{failure:?}"
    );
}

#[path = "auth_tests.rs"]
mod auth;

#[path = "negotiate_tests.rs"]
mod negotiate;
