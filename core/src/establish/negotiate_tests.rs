//! Negotiate through the connection machine, against a scripted proxy and a scripted
//! security context: a proxy URL without credentials, the token on the same connection, the
//! final token checked on the 2xx, the first token carried to a new connection when the
//! proxy closes after its first 407, and typed failures.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::*;
use crate::auth::negotiate::fake::{FakeProvider, done, send};
use crate::auth::{AuthChoice, AuthProblem, NegotiateProvider, SchemeKind};

const PROXY: &str = "http://proxy.corp.:3128";
const NEGOTIATE_407: &[u8] = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
    Proxy-Authenticate: Negotiate\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n\
    Content-Length: 5\r\n\r\nhello";
const CLOSING_407: &[u8] = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
    Proxy-Authenticate: Negotiate\r\nConnection: close\r\n\r\n";
// base64("server-final")
const OK_WITH_TOKEN: &[u8] = b"HTTP/1.1 200 Connection established\r\n\
    Proxy-Authenticate: Negotiate c2VydmVyLWZpbmFs\r\n\r\n";
const OK: &[u8] = b"HTTP/1.1 200 Connection established\r\n\r\n";

fn requests(out: &Run) -> Vec<String> {
    let text = String::from_utf8_lossy(&out.sent).into_owned();
    text.split("CONNECT ")
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect()
}

fn through(provider: &Arc<dyn NegotiateProvider>, choice: AuthChoice, reads: Vec<Reply>) -> Run {
    let r = router(None, Some(PROXY), None);
    let options = Options {
        auth: choice,
        negotiate: Some(provider),
        ..Options::default()
    };
    let peer = Peer {
        reads,
        ..Peer::default()
    };
    run(&r, target("https", "t.example"), options, &peer)
}

#[test]
fn negotiate_answers_on_the_same_connection_and_verifies_the_final_token() {
    for split in [0, 20, NEGOTIATE_407.len() - 2] {
        let (a, b) = NEGOTIATE_407.split_at(split);
        let fresh = Arc::new(FakeProvider::new(vec![send("client-1", false), done()]));
        let provider_each: Arc<dyn NegotiateProvider> = fresh.clone();
        let reads = vec![
            Reply::Bytes(a),
            Reply::Bytes(b),
            Reply::Bytes(OK_WITH_TOKEN),
        ];
        let out = through(&provider_each, AuthChoice::Any, reads);
        let ready = out
            .ready
            .unwrap_or_else(|| panic!("split {split}: {:?}", out.failure));
        assert_eq!(ready.proxy_auth, Some(SchemeKind::Negotiate));
        assert_eq!(out.connected.len(), 1, "one connection");
        let sent = requests(&out);
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(!sent[0].contains("Proxy-Authorization"), "{}", sent[0]);
        // base64("client-1")
        assert!(
            sent[1].contains("Proxy-Authorization: Negotiate Y2xpZW50LTE=\r\n"),
            "{}",
            sent[1]
        );
        assert_eq!(
            fresh.asked(),
            ["start HTTP@proxy.corp", "step -", "step server-final"],
            "the service is the proxy's host without its trailing dot"
        );
        assert!(out.events.contains(&Event::Done {
            phase: Phase::ProxyHandshake,
            detail: Detail::ProxyAuthenticated(SchemeKind::Negotiate),
        }));
    }
}

#[test]
fn a_final_token_that_does_not_verify_fails_the_tunnel() {
    let fake = Arc::new(FakeProvider::new(vec![
        send("client-1", false),
        Err(AuthProblem::Gssapi { major: 6, minor: 1 }),
    ]));
    let provider: Arc<dyn NegotiateProvider> = fake;
    let out = through(
        &provider,
        AuthChoice::Negotiate,
        vec![Reply::Bytes(NEGOTIATE_407), Reply::Bytes(OK_WITH_TOKEN)],
    );
    assert!(out.ready.is_none());
    match out.failure {
        Some(Failure::ProxyAuthRequired {
            status: 200,
            scheme: Some("Negotiate"),
            problem: AuthProblem::MutualAuthFailed,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_first_token_goes_on_a_new_connection_when_the_proxy_closes() {
    let fake = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let provider: Arc<dyn NegotiateProvider> = fake.clone();
    let out = through(
        &provider,
        AuthChoice::Any,
        vec![Reply::Bytes(CLOSING_407), Reply::Bytes(OK)],
    );
    let ready = out.ready.unwrap_or_else(|| panic!("{:?}", out.failure));
    assert_eq!(ready.proxy_auth, Some(SchemeKind::Negotiate));
    assert_eq!(out.connected.len(), 2, "a second connection");
    let sent = requests(&out);
    assert!(sent[1].contains("Negotiate Y2xpZW50LTE="), "{}", sent[1]);
    assert_eq!(fake.asked(), ["start HTTP@proxy.corp", "step -"]);
}

#[test]
fn negotiate_problems_are_typed_failures_without_tokens() {
    let cases = [
        (
            FakeProvider::failing(AuthProblem::NoKerberosTicket),
            vec![Reply::Bytes(NEGOTIATE_407)],
            AuthProblem::NoKerberosTicket,
            None,
        ),
        (
            FakeProvider::new(vec![Err(AuthProblem::UnknownServicePrincipal)]),
            vec![Reply::Bytes(NEGOTIATE_407)],
            AuthProblem::UnknownServicePrincipal,
            None,
        ),
        (
            FakeProvider::new(vec![send("client-1", false)]),
            vec![Reply::Bytes(NEGOTIATE_407), Reply::Bytes(NEGOTIATE_407)],
            AuthProblem::NegotiateRejected,
            Some("Negotiate"),
        ),
    ];
    for (fake, reads, expected, scheme) in cases {
        let provider: Arc<dyn NegotiateProvider> = Arc::new(fake);
        let out = through(&provider, AuthChoice::Any, reads);
        let failure = out.failure.unwrap_or_else(|| panic!("{expected:?}"));
        match &failure {
            Failure::ProxyAuthRequired {
                problem,
                scheme: got,
                schemes,
                ..
            } => {
                assert_eq!((*problem, *got), (expected, scheme), "{failure}");
                assert!(schemes.iter().any(|s| s == "Negotiate"), "{schemes:?}");
            }
            other => panic!("{other:?}"),
        }
        let shown = format!("{failure} {failure:?}");
        assert!(!shown.contains("Y2xpZW50LTE"), "{shown}");
        assert!(shown.contains(&expected.to_string()), "{shown}");
    }
}

#[test]
fn without_a_provider_a_negotiate_only_proxy_is_unsupported_or_wants_credentials() {
    let r = router(None, Some(PROXY), None);
    let peer = Peer {
        reads: vec![Reply::Bytes(CLOSING_407)],
        ..Peer::default()
    };
    let out = run(&r, target("https", "t.example"), Options::default(), &peer);
    assert!(
        matches!(
            out.failure,
            Some(Failure::ProxyAuthRequired {
                problem: AuthProblem::NoCredentials,
                ..
            })
        ),
        "{:?}",
        out.failure
    );
}

#[test]
fn a_pending_token_never_shows_in_the_machines_debug() {
    let fake = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let provider: Arc<dyn NegotiateProvider> = fake;
    let r = router(None, Some(PROXY), None);
    let options = Options {
        negotiate: Some(&provider),
        ..Options::default()
    };
    let mut machine = Establish::new(
        &r.route(&target("https", "t.example")),
        target("https", "t.example"),
        options,
        Duration::ZERO,
    );
    machine.handle_resolved(Duration::ZERO, [IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))]);
    machine.handle_connected(Duration::ZERO);
    machine.handle_sent(Duration::ZERO);
    // The 407's head without its body: the token waits while the body is skipped.
    let head = &NEGOTIATE_407[..NEGOTIATE_407.len() - 5];
    assert_eq!(machine.handle_bytes(Duration::ZERO, head), head.len());
    assert_eq!(machine.poll_action(), Action::Read, "skipping the body");
    let shown = format!("{machine:?}");
    assert!(shown.contains("authorization_pending: true"), "{shown}");
    // base64("client-1"), and its bytes
    assert!(!shown.contains("Y2xpZW50LTE"), "{shown}");
}
