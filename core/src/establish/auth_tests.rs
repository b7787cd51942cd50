//! Proxy authentication rounds through the connection machine, against a scripted proxy:
//! Digest on the same connection (body skipped however it is split), a stale nonce, a
//! refused password, a proxy that closes after its 407, NTLM's two rounds on one connection.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;
use crate::Credentials;
use crate::auth::{AuthChoice, AuthProblem, Challenges, ProxyAuth, RoundInput, SchemeKind};

const DIGEST_407: &[u8] = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
    Proxy-Authenticate: Digest realm=\"corp\", nonce=\"n1\", qop=\"auth\", stale=false\r\n\
    Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 10\r\n\r\n0123456789";
const STALE_407: &[u8] = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
    Proxy-Authenticate: Digest realm=\"corp\", nonce=\"n2\", qop=\"auth\", stale=true\r\n\
    Content-Length: 0\r\n\r\n";
const REFUSED_407: &[u8] = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
    Proxy-Authenticate: Digest realm=\"corp\", nonce=\"n3\", qop=\"auth\", stale=false\r\n\
    Content-Length: 0\r\n\r\n";
const OK: &[u8] = b"HTTP/1.1 200 Connection established\r\n\r\n";

fn options(choice: AuthChoice) -> Options<'static> {
    Options {
        auth: choice,
        random: [9; 16],
        ..Options::default()
    }
}

fn requests(out: &Run) -> Vec<String> {
    let text = String::from_utf8_lossy(&out.sent).into_owned();
    text.split("CONNECT ")
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect()
}

/// What egress must send for nonce `nonce`, count `nc`, computed by the auth module.
fn expected_digest(nonce: &str, rounds: usize) -> String {
    let value = alloc::format!("Digest realm=\"corp\", nonce=\"{nonce}\", qop=\"auth\"");
    let challenges = Challenges::parse([value.as_bytes()]);
    let input = RoundInput {
        method: "CONNECT",
        uri: "t.example:443",
        random: [9; 16],
        unix_time: 0,
    };
    let creds = Credentials::from_encoded("u", "secret");
    let mut auth = ProxyAuth::new(AuthChoice::Digest);
    let mut last = String::new();
    for _ in 0..rounds {
        last = auth
            .respond(&challenges, Some(&creds), &input)
            .unwrap_or_default();
    }
    last
}

#[test]
fn digest_answers_on_the_same_connection_however_split() {
    let r = router(None, Some(TUNNEL), None);
    for split in 0..DIGEST_407.len() {
        let (a, b) = DIGEST_407.split_at(split);
        let peer = Peer {
            reads: vec![Reply::Bytes(a), Reply::Bytes(b), Reply::Bytes(OK)],
            ..Peer::default()
        };
        let out = run(
            &r,
            target("https", "t.example"),
            options(AuthChoice::Any),
            &peer,
        );
        let ready = out
            .ready
            .unwrap_or_else(|| panic!("split {split}: {:?}", out.failure));
        assert_eq!(ready.proxy_auth, Some(SchemeKind::Digest));
        assert_eq!(out.connected.len(), 1, "one connection");
        let sent = requests(&out);
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(
            !sent[0].contains("Proxy-Authorization"),
            "no password in the clear before a plain proxy has challenged: {}",
            sent[0]
        );
        let digest = expected_digest("n1", 1);
        assert!(
            sent[1].contains(&alloc::format!("Proxy-Authorization: {digest}\r\n")),
            "{} vs {digest}",
            sent[1]
        );
        assert!(out.leftover.is_empty() && out.unread.is_empty());
    }
}

#[test]
fn pinned_digest_sends_nothing_first_and_retries_a_stale_nonce() {
    let r = router(None, Some(TUNNEL), None);
    let peer = Peer {
        reads: vec![
            Reply::Bytes(DIGEST_407),
            Reply::Bytes(STALE_407),
            Reply::Bytes(OK),
        ],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Digest),
        &peer,
    );
    assert!(out.ready.is_some(), "{:?}", out.failure);
    let sent = requests(&out);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(!sent[0].contains("Proxy-Authorization"), "{}", sent[0]);
    assert!(sent[1].contains("nonce=\"n1\""), "{}", sent[1]);
    assert!(
        sent[2].contains("nonce=\"n2\"") && sent[2].contains("nc=00000001"),
        "{}",
        sent[2]
    );
}

#[test]
fn a_refused_digest_is_a_rejected_password() {
    let r = router(None, Some(TUNNEL), None);
    let peer = Peer {
        reads: vec![Reply::Bytes(DIGEST_407), Reply::Bytes(REFUSED_407)],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    match out.failure {
        Some(Failure::ProxyAuthRequired {
            scheme,
            problem,
            credentials_sent,
            ..
        }) => {
            assert_eq!(scheme, Some("Digest"));
            assert_eq!(problem, AuthProblem::Rejected);
            assert!(credentials_sent);
        }
        other => panic!("{other:?}"),
    }
    let shown = alloc::format!("{:?}", out.events);
    assert!(!shown.contains("secret"), "{shown}");
}

#[test]
fn a_proxy_that_closes_after_407_is_reconnected_for_digest() {
    let r = router(None, Some(TUNNEL), None);
    let closing: &[u8] = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Digest realm=\"corp\", \
        nonce=\"n1\", qop=auth\r\nConnection: close\r\n\r\n";
    let peer = Peer {
        reads: vec![Reply::Bytes(closing), Reply::Bytes(OK)],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    assert!(out.ready.is_some(), "{:?}", out.failure);
    assert_eq!(out.connected.len(), 2);
    assert!(requests(&out)[1].contains("Digest username=\"u\""));
}

/// Fuzz finding (`fuzz/regressions/establish/`): reconnecting reset the round count, so a
/// proxy answering 407 and closing, again and again, was reconnected to forever.
#[test]
fn reconnects_after_407_are_bounded_and_a_refusal_stays_a_refusal() {
    let r = router(None, Some(TUNNEL), None);
    let stale: &[u8] = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Digest realm=\"corp\", \
        nonce=\"n\", qop=auth, stale=true\r\nConnection: close\r\n\r\n";
    let peer = Peer {
        reads: vec![Reply::Bytes(stale); 12],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    match &out.failure {
        Some(Failure::ProxyAuthRequired { problem, .. }) => {
            assert_eq!(*problem, AuthProblem::TooManyRounds);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        out.connected.len(),
        usize::from(crate::auth::MAX_ROUNDS) + 1
    );

    let refused: &[u8] = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Digest realm=\"corp\", \
        nonce=\"n\", qop=auth\r\nConnection: close\r\n\r\n";
    let peer = Peer {
        reads: vec![Reply::Bytes(refused); 12],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    match &out.failure {
        Some(Failure::ProxyAuthRequired { problem, .. }) => {
            assert_eq!(*problem, AuthProblem::Rejected);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(out.connected.len(), 2);
}

#[test]
fn what_cannot_be_answered_says_why() {
    let basic_only: &[u8] = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=x\r\n\r\n";
    let cases = [
        (
            "http://proxy.corp:3128",
            AuthChoice::Any,
            DIGEST_407,
            AuthProblem::NoCredentials,
        ),
        (
            TUNNEL,
            AuthChoice::Digest,
            basic_only,
            AuthProblem::Unsupported,
        ),
        (TUNNEL, AuthChoice::Basic, basic_only, AuthProblem::Rejected),
    ];
    for (proxy, choice, reply, expected) in cases {
        let r = router(None, Some(proxy), None);
        let peer = Peer {
            reads: vec![Reply::Bytes(reply)],
            ..Peer::default()
        };
        let out = run(&r, target("https", "t.example"), options(choice), &peer);
        match out.failure {
            Some(Failure::ProxyAuthRequired { problem, .. }) => assert_eq!(problem, expected),
            other => panic!("{choice:?}: {other:?}"),
        }
    }
}

/// Under `any`, a plain `http://` proxy gets no password before its first challenge; once
/// it has offered only Basic, later connections send Basic at once; an `https://` proxy
/// gets Basic at once (the password is inside TLS).
#[test]
fn any_sends_no_cleartext_password_before_a_plain_proxy_has_challenged() {
    let basic_407: &[u8] =
        b"HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=x\r\nContent-Length: 0\r\n\r\n";
    let r = router(None, Some(TUNNEL), None);
    let peer = Peer {
        reads: vec![Reply::Bytes(basic_407), Reply::Bytes(OK)],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    assert!(out.ready.is_some(), "{:?}", out.failure);
    let sent = requests(&out);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(!sent[0].contains("Proxy-Authorization"), "{}", sent[0]);
    assert!(
        sent[1].contains("Proxy-Authorization: Basic "),
        "{}",
        sent[1]
    );

    // The same client's next connection: the proxy asked for Basic, so Basic goes first.
    let peer = Peer {
        reads: vec![Reply::Bytes(OK)],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    let sent = requests(&out);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].contains("Proxy-Authorization: Basic "),
        "{}",
        sent[0]
    );

    // A fresh client through an https:// proxy: Basic at once, inside TLS.
    let tls = router(None, Some("https://u:secret@proxy.corp:3129"), None);
    let out = run(
        &tls,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    let sent = requests(&out);
    assert!(
        sent[0].contains("Proxy-Authorization: Basic "),
        "{}",
        sent[0]
    );
}

/// The MS-NLMP §4.2.4.3 CHALLENGE_MESSAGE, as a 407 on a kept-alive connection.
fn ntlm_407(close: bool) -> &'static [u8] {
    let token = "TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAAAAAAA";
    let connection = if close { "close" } else { "keep-alive" };
    let text = alloc::format!(
        "HTTP/1.1 407 P\r\nProxy-Authenticate: NTLM {token}\r\nConnection: {connection}\r\n\
         Content-Length: 0\r\n\r\n"
    );
    Box::leak(text.into_bytes().into_boxed_slice())
}

#[test]
fn ntlm_runs_both_rounds_on_one_connection() {
    let r = router(None, Some("http://CORP%5Cu:secret@proxy.corp:3128"), None);
    let peer = Peer {
        reads: vec![Reply::Bytes(ntlm_407(false)), Reply::Bytes(OK)],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Ntlm),
        &peer,
    );
    let ready = out.ready.unwrap_or_else(|| panic!("{:?}", out.failure));
    assert_eq!(ready.proxy_auth, Some(SchemeKind::Ntlm));
    assert_eq!(out.connected.len(), 1);
    let sent = requests(&out);
    assert!(
        sent[0].contains("Proxy-Authorization: NTLM TlRMTVNTUAABAAAA"),
        "{}",
        sent[0]
    );
    assert!(
        sent[1].contains("Proxy-Authorization: NTLM TlRMTVNTUAADAAAA"),
        "{}",
        sent[1]
    );

    let peer = Peer {
        reads: vec![Reply::Bytes(ntlm_407(true))],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Ntlm),
        &peer,
    );
    match out.failure {
        Some(Failure::ProxyAuthRequired {
            problem, scheme, ..
        }) => {
            assert_eq!(
                (problem, scheme),
                (AuthProblem::ConnectionClosed, Some("NTLM"))
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A proxy offering NTLM and Basic gets NTLM under `Any`, and never sees the password as
/// Basic: the first CONNECT carries nothing (a preemptive Basic would have handed it over
/// before the proxy said it takes NTLM), the second the negotiate message, the third the
/// authenticate message, all on one connection.
#[test]
fn any_answers_ntlm_and_basic_offers_with_ntlm_and_never_sends_basic() {
    let r = router(None, Some("http://CORP%5Cu:secret@proxy.corp:3128"), None);
    let offers: &[u8] = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n\
        Proxy-Authenticate: NTLM\r\nContent-Length: 3\r\n\r\nabc";
    let peer = Peer {
        reads: vec![
            Reply::Bytes(offers),
            Reply::Bytes(ntlm_407(false)),
            Reply::Bytes(OK),
        ],
        ..Peer::default()
    };
    let out = run(
        &r,
        target("https", "t.example"),
        options(AuthChoice::Any),
        &peer,
    );
    let ready = out.ready.unwrap_or_else(|| panic!("{:?}", out.failure));
    assert_eq!(ready.proxy_auth, Some(SchemeKind::Ntlm));
    assert_eq!(out.connected.len(), 1, "one connection");
    let sent = requests(&out);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(!sent[0].contains("Proxy-Authorization"), "{}", sent[0]);
    assert!(sent[1].contains("Proxy-Authorization: NTLM TlRMTVNTUAABAAAA"));
    assert!(sent[2].contains("Proxy-Authorization: NTLM TlRMTVNTUAADAAAA"));
    assert!(sent.iter().all(|r| !r.contains("Basic ")), "{sent:?}");
}
