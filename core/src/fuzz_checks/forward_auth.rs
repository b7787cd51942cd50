//! `forward_auth`: the forward-route authentication machine against an arbitrary proxy.
//!
//! A fixed request (GET, HEAD or a small POST) goes through an `AuthenticatingRewriter`
//! with an arbitrary scheme choice and credentials or none; the proxy then answers with up to
//! six arbitrary responses (fuzzed bytes, or well-formed 407 challenges and 200s), one per
//! request the machine writes. Properties:
//!
//! - nothing panics, and no call loops without progress;
//! - the outcome (every byte written to the proxy, every byte released to the client, the
//!   last problem) does not depend on how the responses are cut into reads;
//! - without credentials the machine is transparent: the client sees the proxy's bytes
//!   exactly, and exactly one request is written;
//! - every request written again is the first one with only its `Proxy-Authorization`
//!   changed, and never more requests than responses.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Input;
use crate::auth::{AuthChoice, AuthProblem};
use crate::credentials::Credentials;
use crate::forward::{AuthenticatingRewriter, ForwardRewriter, Received};
use crate::target::{Scheme, Target};

const CHOICES: [AuthChoice; 4] = [
    AuthChoice::Any,
    AuthChoice::Basic,
    AuthChoice::Digest,
    AuthChoice::Ntlm,
];

const REQUESTS: [&[u8]; 3] = [
    b"GET /p?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 7\r\n\r\na=1&b=2",
];

/// What one drive produced.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    written: Vec<Vec<u8>>,
    delivered: Vec<u8>,
    problem: Option<AuthProblem>,
}

/// Decodes a flags byte (bits 0–1: the choice, bit 2: credentials, bit 3: TLS to the
/// proxy, bit 4: the driver reconnects when asked), a request selector, up to 6 responses
/// (a kind byte, then for kind 0 the raw bytes of a field), and read sizes from the rest.
pub fn check_forward_auth(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let request = REQUESTS[usize::from(input.byte()) % REQUESTS.len()];
    let mut responses: Vec<Vec<u8>> = Vec::new();
    for round in 0..input.byte() % 7 {
        let kind = input.byte();
        responses.push(match kind % 6 {
            0 => input.field().to_vec(),
            1 => challenge(
                "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"",
                kind,
                round,
            ),
            2 => challenge("Digest realm=\"r\", nonce=\"n2\", stale=true", kind, round),
            3 => challenge("Basic realm=\"r\"", kind, round),
            4 => challenge(NTLM_CHALLENGE, kind, round),
            _ => b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
        });
    }
    let sizes: Vec<usize> = input
        .rest()
        .iter()
        .take(16)
        .map(|&b| usize::from(b).max(1))
        .collect();

    let whole = drive(flags, request, &responses, &[]);
    let bytewise = drive(flags, request, &responses, &[1]);
    assert_eq!(whole, bytewise, "byte-by-byte reads change the outcome");
    if !sizes.is_empty() {
        let split = drive(flags, request, &responses, &sizes);
        assert_eq!(whole, split, "reads of {sizes:?} change the outcome");
    }

    let first = strip_authorization(&whole.written[0]);
    for again in &whole.written[1..] {
        assert_eq!(
            strip_authorization(again),
            first,
            "a request written again differs from the first in more than its authorization"
        );
    }
    assert!(
        whole.written.len() <= responses.len() + 1,
        "more requests than answers: {}",
        whole.written.len()
    );
    if flags & 4 == 0 {
        let all: Vec<u8> = responses.concat();
        assert_eq!(
            whole.delivered, all,
            "without credentials the proxy's bytes pass"
        );
        assert_eq!(whole.written.len(), 1);
    }
}

/// The MS-NLMP §4.2.4.3 CHALLENGE_MESSAGE as an NTLM challenge.
const NTLM_CHALLENGE: &str = "NTLM TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAAAAAAA";

/// A 407 with `challenge`; `kind`'s high bits pick its framing (a body, none, or a close).
fn challenge(challenge: &str, kind: u8, round: u8) -> Vec<u8> {
    let framing = match (kind >> 3) % 3 {
        0 => String::from("Content-Length: 4\r\n\r\nnope"),
        1 => String::from("Content-Length: 0\r\n\r\n"),
        _ => String::from("Connection: close\r\nContent-Length: 0\r\n\r\n"),
    };
    format!("HTTP/1.1 407 Round {round}\r\nProxy-Authenticate: {challenge}\r\n{framing}")
        .into_bytes()
}

/// The request with its `Proxy-Authorization` line removed.
fn strip_authorization(request: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = request;
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(rest.len(), |at| at + 2);
        let (line, after) = rest.split_at(end);
        if !line.starts_with(b"Proxy-Authorization: ") {
            out.extend_from_slice(line);
        }
        rest = after;
    }
    out
}

/// Writes `request`, then answers each request written with the next response, read in
/// pieces of `sizes` in turn (whole when empty).
fn drive(flags: u8, request: &[u8], responses: &[Vec<u8>], sizes: &[usize]) -> Outcome {
    let target = Target::from_url_parts(Scheme::Http, "example.com", None)
        .unwrap_or_else(|error| panic!("fixed target: {error}"));
    let rewriter = ForwardRewriter::new(&target, None)
        .unwrap_or_else(|error| panic!("fixed rewriter: {error}"));
    let credentials = (flags & 4 != 0).then(|| Credentials::from_encoded("CORP%5Calice", "pw"));
    let learned = alloc::sync::Arc::default();
    let mut machine = AuthenticatingRewriter::new(
        alloc::boxed::Box::new(rewriter),
        CHOICES[usize::from(flags & 3)],
        credentials,
        crate::auth::Seed {
            random: [7; 16],
            unix_time: 0,
        },
    )
    .for_proxy(flags & 8 != 0, learned);
    let mut outcome = Outcome {
        written: Vec::new(),
        delivered: Vec::new(),
        problem: None,
    };
    outcome.written.push(write_all(&mut machine, request));
    let mut turn = 0;
    for response in responses {
        let mut rest = response.as_slice();
        while !rest.is_empty() {
            let size = if sizes.is_empty() {
                rest.len()
            } else {
                sizes[turn % sizes.len()]
            };
            turn += 1;
            let (chunk, after) = rest.split_at(size.min(rest.len()));
            rest = after;
            match machine.receive(chunk) {
                Received::Unchanged => outcome.delivered.extend_from_slice(chunk),
                Received::Taken => drain(&mut machine, &mut outcome.delivered),
            }
            if machine.needs_new_connection() {
                if flags & 16 != 0 {
                    // A new connection: what the old one sends after its 407 is not read.
                    machine.reconnected();
                    rest = &[];
                } else {
                    // No new connection: the 407 and the rest of its response are the
                    // client's.
                    machine.cannot_reconnect();
                    drain(&mut machine, &mut outcome.delivered);
                }
            }
        }
        if machine.has_pending_output() {
            outcome.written.push(write_all(&mut machine, b""));
        }
    }
    machine.handle_eof();
    drain(&mut machine, &mut outcome.delivered);
    outcome.problem = machine.last_problem();
    outcome
}

/// Everything the machine writes for `input` and any pending request, in small pieces.
fn write_all<const N: usize>(machine: &mut AuthenticatingRewriter<N>, input: &[u8]) -> Vec<u8> {
    let mut sent = Vec::new();
    let mut out = [0u8; 29];
    let mut rest = input;
    loop {
        let progress = machine
            .write(rest, &mut out)
            .unwrap_or_else(|error| panic!("fixed request refused: {error}"));
        sent.extend_from_slice(&out[..progress.written]);
        rest = &rest[progress.consumed..];
        if rest.is_empty() && !machine.has_pending_output() {
            return sent;
        }
        assert!(
            progress.written > 0 || progress.consumed > 0,
            "write made no progress"
        );
    }
}

/// Moves the released bytes to `delivered`.
fn drain<const N: usize>(machine: &mut AuthenticatingRewriter<N>, delivered: &mut Vec<u8>) {
    let mut out = [0u8; 13];
    while machine.has_released() {
        let n = machine.take_released(&mut out);
        assert!(n > 0, "released bytes that cannot be taken");
        delivered.extend_from_slice(&out[..n]);
    }
}
