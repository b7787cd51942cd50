//! The forward-route authentication machine against a scripted proxy: Digest answered by
//! sending the request again (whole and byte by byte), `nc` counting on later requests, a
//! stale nonce, a refused password, what cannot be sent again, NTLM's two rounds and its
//! authenticated connection, interim responses, and no secret in `Debug`.

use std::string::{String, ToString};
use std::vec::Vec;

use super::example;
use crate::Credentials;
use crate::auth::{AuthChoice, AuthProblem, SchemeKind, Seed};
use crate::forward::{AuthenticatingRewriter, ForwardRewriter, REPLAY_LIMIT, Received};

const SEED: Seed = Seed {
    random: [3; 16],
    unix_time: 0,
};

const GET: &[u8] = b"GET /p?q HTTP/1.1\r\nHost: example.com\r\n\r\n";

fn machine(choice: AuthChoice, password: &str) -> AuthenticatingRewriter {
    let target = example();
    let rewriter =
        std::boxed::Box::new(ForwardRewriter::new(&target, None).unwrap_or_else(|e| panic!("{e}")));
    let credentials = Credentials::from_encoded("alice", password);
    AuthenticatingRewriter::new(rewriter, choice, Some(credentials), SEED)
}

/// Everything the machine writes for `input` (and any resend), with small output buffers.
fn send(m: &mut AuthenticatingRewriter, input: &[u8]) -> String {
    let mut sent = Vec::new();
    let mut out = [0u8; 37];
    let mut rest = input;
    loop {
        let progress = m
            .write(rest, &mut out)
            .unwrap_or_else(|e| panic!("write: {e}"));
        sent.extend_from_slice(&out[..progress.written]);
        rest = &rest[progress.consumed..];
        if rest.is_empty() && !m.has_pending_output() {
            break;
        }
        assert!(progress.written > 0 || progress.consumed > 0, "no progress");
    }
    String::from_utf8(sent).unwrap_or_default()
}

/// Feeds `bytes` as the proxy's answer (in `piece`-byte reads); returns what the client
/// sees.
fn answer(m: &mut AuthenticatingRewriter, bytes: &[u8], piece: usize) -> Vec<u8> {
    let mut seen = Vec::new();
    for chunk in bytes.chunks(piece) {
        match m.receive(chunk) {
            Received::Unchanged => seen.extend_from_slice(chunk),
            Received::Taken => {
                let mut out = [0u8; 11];
                while m.has_released() {
                    let n = m.take_released(&mut out);
                    seen.extend_from_slice(&out[..n]);
                }
            }
        }
    }
    seen
}

fn digest_407(nonce: &str, stale: bool) -> Vec<u8> {
    let stale = if stale { ", stale=true" } else { "" };
    std::format!(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Digest \
         realm=\"corp\", nonce=\"{nonce}\", qop=\"auth\"{stale}\r\nContent-Length: 5\r\n\r\nnope!"
    )
    .into_bytes()
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

fn authorization(request: &str) -> Option<&str> {
    request
        .lines()
        .find_map(|l| l.strip_prefix("Proxy-Authorization: "))
}

#[test]
fn digest_is_answered_by_sending_the_request_again_however_the_answer_is_split() {
    for piece in [1, 3, 4096] {
        let mut m = machine(AuthChoice::Digest, "wonder");
        let first = send(&mut m, GET);
        assert_eq!(
            authorization(&first),
            None,
            "pinned Digest sends nothing first"
        );
        assert!(first.starts_with("GET http://example.com/p?q HTTP/1.1\r\n"));
        let seen = answer(&mut m, &digest_407("n1", false), piece);
        assert!(
            seen.is_empty(),
            "the client never sees the 407 (piece {piece})"
        );
        assert!(m.has_pending_output(), "the request waits to go again");
        let again = send(&mut m, b"");
        let value = authorization(&again).unwrap_or_else(|| panic!("resent: {again}"));
        assert!(value.starts_with("Digest username=\"alice\", realm=\"corp\", nonce=\"n1\""));
        assert!(value.contains("uri=\"http://example.com/p?q\""), "{value}");
        assert!(value.contains("nc=00000001"), "{value}");
        assert_eq!(
            answer(&mut m, OK, piece),
            OK,
            "the 200 reaches the client whole"
        );
        assert_eq!(m.scheme_used(), Some(SchemeKind::Digest));
        assert!(m.is_idle());
        let report = m.take_report().map(|r| r.to_string());
        assert_eq!(
            report.as_deref(),
            Some("407 offering Digest; proxy accepted Digest authentication")
        );
        assert_eq!(m.take_report(), None, "reported once");

        // The next request on the connection reuses the nonce with the next count.
        let next = send(&mut m, GET);
        let value = authorization(&next).unwrap_or_else(|| panic!("preemptive: {next}"));
        assert!(value.contains("nonce=\"n1\"") && value.contains("nc=00000002"));
        assert_eq!(answer(&mut m, OK, piece), OK);
        assert_eq!(m.take_report(), None, "no 407, nothing to report");
    }
}

#[test]
fn a_stale_nonce_on_a_later_request_is_answered_with_the_new_one() {
    let mut m = machine(AuthChoice::Any, "wonder");
    let _ = send(&mut m, GET);
    assert!(answer(&mut m, &digest_407("n1", false), 4096).is_empty());
    let _ = send(&mut m, b"");
    assert_eq!(answer(&mut m, OK, 4096), OK);
    for round in 0..6 {
        // Every later nonce expiry is answered: rounds count per challenge, not forever.
        let nonce = std::format!("n{}", round + 2);
        let _ = send(&mut m, GET);
        assert!(answer(&mut m, &digest_407(&nonce, true), 4096).is_empty());
        let again = send(&mut m, b"");
        let value = authorization(&again).unwrap_or_default();
        assert!(
            value.contains(&std::format!("nonce=\"{nonce}\"")),
            "{value}"
        );
        assert!(
            value.contains("nc=00000001"),
            "a new nonce counts from 1: {value}"
        );
        assert_eq!(answer(&mut m, OK, 4096), OK);
    }
}

#[test]
fn a_refused_password_reaches_the_client_as_the_proxys_407() {
    let mut m = machine(AuthChoice::Any, "wrong");
    let first = send(&mut m, GET);
    assert!(
        authorization(&first).is_some_and(|v| v.starts_with("Basic ")),
        "any sends Basic first"
    );
    assert!(answer(&mut m, &digest_407("n1", false), 7).is_empty());
    let again = send(&mut m, b"");
    assert!(authorization(&again).is_some_and(|v| v.starts_with("Digest ")));
    let refused = digest_407("n1", false);
    assert_eq!(
        answer(&mut m, &refused, 7),
        refused,
        "the second 407 is the client's"
    );
    assert_eq!(m.last_problem(), Some(AuthProblem::Rejected));
    assert!(!m.has_pending_output(), "nothing is sent a third time");
    assert_eq!(m.take_report(), None, "a refusal is not an acceptance");
}

#[test]
fn what_cannot_be_sent_again_reaches_the_client_and_says_why() {
    // A body over the replay limit.
    let mut m = machine(AuthChoice::Digest, "wonder");
    let body = std::vec![b'x'; REPLAY_LIMIT];
    let mut post = std::format!(
        "POST /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    post.extend_from_slice(&body);
    let _ = send(&mut m, &post);
    let challenge = digest_407("n1", false);
    assert_eq!(answer(&mut m, &challenge, 4096), challenge);
    assert_eq!(m.last_problem(), Some(AuthProblem::CannotResend));

    // A 407 that ends its connection: answered on a new one when the driver makes one...
    let closing = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n\
                    Connection: close\r\nContent-Length: 0\r\n\r\n";
    let mut m = machine(AuthChoice::Digest, "wonder");
    let _ = send(&mut m, GET);
    assert!(answer(&mut m, closing, 4096).is_empty());
    assert!(m.needs_new_connection());
    m.handle_eof();
    assert!(!m.has_released(), "the announced close is not the client's");
    m.reconnected();
    let again = send(&mut m, b"");
    assert!(
        authorization(&again).is_some_and(|v| v.contains("nonce=\"n\"")),
        "{again}"
    );
    assert_eq!(answer(&mut m, OK, 4096), OK);

    // ...and the client's 407 when it cannot.
    let mut m = machine(AuthChoice::Digest, "wonder");
    let _ = send(&mut m, GET);
    assert!(answer(&mut m, closing, 4096).is_empty());
    m.cannot_reconnect();
    let mut seen = std::vec![0u8; 512];
    let n = m.take_released(&mut seen);
    assert_eq!(&seen[..n], closing);
    assert_eq!(m.last_problem(), Some(AuthProblem::CannotResend));
    assert!(!m.has_pending_output());

    // NTLM cannot go on over another connection.
    let mut m = machine(AuthChoice::Ntlm, "wonder");
    let _ = send(&mut m, GET);
    let ntlm_closing = b"HTTP/1.1 407 P\r\nProxy-Authenticate: NTLM TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAAAAAAA\r\nConnection: close\r\n\r\n";
    assert_eq!(answer(&mut m, ntlm_closing, 4096), ntlm_closing);
    assert_eq!(m.last_problem(), Some(AuthProblem::ConnectionClosed));
    assert!(!m.needs_new_connection());
}

#[test]
fn a_small_post_is_sent_again_byte_for_byte() {
    let mut m = machine(AuthChoice::Digest, "wonder");
    let post = b"POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 7\r\n\r\na=1&b=2";
    let first = send(&mut m, post);
    assert!(first.ends_with("\r\n\r\na=1&b=2"));
    assert!(answer(&mut m, &digest_407("n1", false), 4096).is_empty());
    let again = send(&mut m, b"");
    assert!(again.starts_with("POST http://example.com/form HTTP/1.1\r\n"));
    assert!(again.ends_with("\r\n\r\na=1&b=2"), "{again}");
    let value = authorization(&again).unwrap_or_default();
    assert!(value.contains("uri=\"http://example.com/form\""), "{value}");
}

#[test]
fn a_head_requests_407_has_no_body_to_skip() {
    let mut m = machine(AuthChoice::Digest, "wonder");
    let _ = send(&mut m, b"HEAD / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    // Content-Length describes the body a GET would have had; none follows a HEAD's answer.
    let head_407 = b"HTTP/1.1 407 P\r\nProxy-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n\
                     Content-Length: 100\r\n\r\n";
    assert!(answer(&mut m, head_407, 4096).is_empty());
    let _ = send(&mut m, b"");
    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    assert_eq!(
        answer(&mut m, ok, 4096),
        ok,
        "the answer to the resend is not skipped"
    );
}

#[test]
fn interim_responses_pass_and_the_final_407_is_still_answered() {
    let mut m = machine(AuthChoice::Digest, "wonder");
    let _ = send(&mut m, GET);
    let mut stream = b"HTTP/1.1 100 Continue\r\n\r\n".to_vec();
    stream.extend_from_slice(&digest_407("n1", false));
    assert_eq!(answer(&mut m, &stream, 5), b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(m.has_pending_output());
}

#[test]
fn ntlm_runs_two_rounds_then_the_connection_carries_nothing() {
    let mut m = machine(AuthChoice::Ntlm, "wonder");
    let first = send(&mut m, GET);
    assert!(authorization(&first).is_some_and(|v| v.starts_with("NTLM TlRMTVNTUAABAAAA")));
    let token = "TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAAAAAAA";
    let challenge = std::format!(
        "HTTP/1.1 407 P\r\nProxy-Authenticate: NTLM {token}\r\nContent-Length: 0\r\n\r\n"
    );
    assert!(answer(&mut m, challenge.as_bytes(), 4096).is_empty());
    let again = send(&mut m, b"");
    assert!(authorization(&again).is_some_and(|v| v.starts_with("NTLM TlRMTVNTUAADAAAA")));
    assert_eq!(answer(&mut m, OK, 4096), OK);
    let later = send(&mut m, GET);
    assert_eq!(
        authorization(&later),
        None,
        "an authenticated NTLM connection: {later}"
    );
}

#[test]
fn basic_passes_every_response_unchanged_and_debug_shows_no_secret() {
    let mut m = machine(AuthChoice::Basic, "s3cret-pw");
    for _ in 0..3 {
        let sent = send(&mut m, GET);
        assert_eq!(authorization(&sent), Some("Basic YWxpY2U6czNjcmV0LXB3"));
        assert_eq!(answer(&mut m, OK, 1), OK);
    }
    let debug = std::format!("{m:?}");
    assert!(
        !debug.contains("s3cret") && !debug.contains("YWxpY2U6"),
        "{debug}"
    );
}

#[test]
fn without_credentials_nothing_is_kept_and_every_response_passes() {
    let target = example();
    let rewriter =
        std::boxed::Box::new(ForwardRewriter::new(&target, None).unwrap_or_else(|e| panic!("{e}")));
    let mut m: AuthenticatingRewriter =
        AuthenticatingRewriter::new(rewriter, AuthChoice::Any, None, SEED);
    let sent = send(&mut m, GET);
    assert_eq!(authorization(&sent), None);
    let challenge = digest_407("n1", false);
    assert_eq!(
        m.receive(&challenge),
        Received::Unchanged,
        "the 407 is the client's"
    );
    assert!(!m.has_pending_output());
}

#[test]
fn a_request_sent_again_before_the_407_body_arrives_skips_that_body_first() {
    let mut m = machine(AuthChoice::Digest, "wonder");
    let _ = send(&mut m, GET);
    let challenge = digest_407("n1", false);
    let (head, body) = challenge.split_at(challenge.len() - 5);
    assert!(answer(&mut m, head, 4096).is_empty());
    // The driver sends the request again at once, as the frontends do.
    let again = send(&mut m, b"");
    assert!(authorization(&again).is_some());
    let mut rest = body.to_vec();
    rest.extend_from_slice(OK);
    assert_eq!(
        answer(&mut m, &rest, 3),
        OK,
        "the 407's body never reaches the client"
    );
}

#[test]
fn any_over_a_plain_proxy_asks_first_then_sends_basic_with_every_request() {
    let target = example();
    let rewriter =
        std::boxed::Box::new(ForwardRewriter::new(&target, None).unwrap_or_else(|e| panic!("{e}")));
    let credentials = Credentials::from_encoded("alice", "pw");
    let learned = alloc::sync::Arc::new(crate::auth::LearnedScheme::default());
    let mut m: AuthenticatingRewriter =
        AuthenticatingRewriter::new(rewriter, AuthChoice::Any, Some(credentials), SEED)
            .for_proxy(false, learned);
    let first = send(&mut m, GET);
    assert_eq!(authorization(&first), None);
    let body = "test proxy: authentication required\n";
    let challenge = std::format!(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"egress-test\"\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(answer(&mut m, challenge.as_bytes(), 4096), b"");
    let again = send(&mut m, b"");
    assert!(authorization(&again).is_some(), "{again}");
    assert_eq!(answer(&mut m, OK, 4096), OK);
    for _ in 0..2 {
        let later = send(&mut m, GET);
        assert_eq!(authorization(&later), Some("Basic YWxpY2U6cHc="), "{later}");
        assert_eq!(answer(&mut m, OK, 4096), OK);
    }
}
