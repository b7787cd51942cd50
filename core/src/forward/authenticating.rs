//! Proxy authentication on forward routes, sans-IO: the [`ForwardRewriter`] of one
//! connection, plus what it takes to answer a forward proxy's 407 without the HTTP client
//! ever seeing it.
//!
//! On a forward route the 407 answers the request itself, so a scheme that needs a
//! challenge first (Digest) or several rounds on one connection (NTLM) has to send the same
//! request again. [`AuthenticatingRewriter`] keeps a copy of each request as the client
//! wrote it (up to [`REPLAY_LIMIT`] bytes), watches each response head, and when a 407
//! can be answered it swallows that response (its `Content-Length` body included) and
//! writes the request again with the next `Proxy-Authorization` value. The client only
//! sees the final response. Every head gets its value per request
//! ([`ForwardRewriter::asking_authorization`]): Basic, Digest with the learned nonce and
//! the next `nc`, NTLM's messages, or nothing once an NTLM connection is authenticated.
//!
//! ```text
//!   write ─► rewriter (records the request) ─► proxy
//!   read  ◄─ response head: not 407 ─────────────────────────► client (unchanged)
//!                           407, answerable, request replayable, body framed by length
//!                             └─ skip its body ─► write the request again ─► read …
//! ```
//!
//! A 407 that cannot be answered here (no usable challenge, wrong credentials, a request
//! too large to keep, a response that ends the connection) goes to the client unchanged,
//! where it is classified as [`Failure::ProxyAuthRequired`](crate::Failure) and
//! [`last_problem`](AuthenticatingRewriter::last_problem) says why.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use super::{ForwardError, ForwardRewriter, HEAD_CAPACITY, Progress};
use crate::auth::{
    AuthChoice, AuthProblem, LearnedScheme, NegotiateProvider, ProxyAuth, RoundInput, SchemeKind,
    Seed,
};
use crate::credentials::Credentials;
use crate::establish::auth_round::auth_reply;

/// The largest request (head and body, as the client wrote it) kept to be sent again
/// after a 407; a longer request's 407 reaches the client.
pub const REPLAY_LIMIT: usize = 64 * 1024;

/// The longest response head looked at; a longer head passes to the client unexamined.
const RESPONSE_HEAD_LIMIT: usize = 64 * 1024;

/// The longest status line looked at.
const STATUS_LINE_LIMIT: usize = 1024;

/// What [`AuthenticatingRewriter::receive`] did with response bytes.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// The bytes are the client's, unchanged: deliver them as they are.
    Unchanged,
    /// The machine took them: deliver [`take_released`](AuthenticatingRewriter::take_released)
    /// (maybe nothing yet), and send [`write`](AuthenticatingRewriter::write)'s output
    /// while [`has_pending_output`](AuthenticatingRewriter::has_pending_output) is true.
    Taken,
}

/// What one authenticated forward request took, for diagnostics (`egress check`): the
/// schemes the proxy's 407 offered and the scheme it then accepted. Never holds a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardAuthReport {
    /// The schemes of the last answered 407, as the proxy named them.
    pub offered: Vec<String>,
    /// The scheme the proxy accepted.
    pub accepted: SchemeKind,
    /// How many 407s were answered for this request.
    pub rounds: u8,
}

impl core::fmt::Display for ForwardAuthReport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "407 offering {}; proxy accepted {} authentication",
            self.offered.join(", "),
            self.accepted.name()
        )?;
        if self.rounds > 1 {
            write!(f, " after {} rounds", self.rounds)?;
        }
        Ok(())
    }
}

/// Where the current response is.
enum Response {
    /// No request waits for an answer.
    Idle,
    /// Collecting a response head.
    Head(Vec<u8>),
    /// Skipping the body of a swallowed 407.
    Skip(u64),
    /// The rest of this response is the client's.
    Pass,
}

/// A [`ForwardRewriter`] that answers forward 407s itself; see the module doc. `Debug`
/// shows the scheme and state, never credentials or tokens.
pub struct AuthenticatingRewriter<const N: usize = HEAD_CAPACITY> {
    /// Boxed: its head buffer is `N` bytes (128 KiB in egress-sync), too big to move.
    rewriter: Box<ForwardRewriter<N>>,
    auth: ProxyAuth,
    choice: AuthChoice,
    credentials: Option<(String, String)>,
    seed: [u8; 16],
    unix_time: u64,
    rounds: u64,
    /// The request being written, as the client wrote it (`None`: too long to keep).
    replay: Option<Vec<u8>>,
    /// Bytes of `replay` already given to the rewriter again.
    resend: Option<usize>,
    /// The value answering the last challenge, for the next head.
    answer: Option<String>,
    /// The current request is `HEAD` (its responses have no body).
    head_request: bool,
    /// Method and request target (as the proxy saw it) of the current request.
    request_line: (String, String),
    response: Response,
    released: Vec<u8>,
    released_at: usize,
    problem: Option<AuthProblem>,
    /// The schemes offered by this request's answered 407s, and how many there were.
    answered: Option<(Vec<String>, u8)>,
    report: Option<ForwardAuthReport>,
    /// What the proxy asked for last time, shared with the client's other connections.
    learned: Option<Arc<LearnedScheme>>,
    /// An answered 407 that ended its connection: the request waits for a new one.
    closing_challenge: Option<Vec<u8>>,
    /// Whether a 407 can be answered at all (credentials, or a Negotiate provider): only
    /// then are requests kept and responses looked at.
    active: bool,
}

impl<const N: usize> AuthenticatingRewriter<N> {
    /// Authenticates `rewriter`'s requests with the schemes `choice` allows, as the
    /// percent-encoded `credentials` of the proxy URL. `seed.random` seeds every round's
    /// client nonce (the core has no randomness of its own); `seed.unix_time` is NTLMv2's
    /// timestamp when the proxy sends none.
    pub fn new(
        mut rewriter: Box<ForwardRewriter<N>>,
        choice: AuthChoice,
        credentials: Option<Credentials<'_>>,
        seed: Seed,
    ) -> Self {
        // Without credentials there is nothing to answer a 407 with (Negotiate aside): the
        // rewriter runs alone, nothing is kept, and responses pass untouched.
        let active = credentials.is_some();
        Self {
            rewriter: {
                if active {
                    rewriter.ask_authorization();
                }
                rewriter
            },
            auth: ProxyAuth::new(choice),
            choice,
            credentials: credentials
                .map(|c| (c.encoded_user().into(), c.encoded_password().into())),
            seed: seed.random,
            unix_time: seed.unix_time,
            rounds: 0,
            replay: active.then(Vec::new),
            resend: None,
            answer: None,
            head_request: false,
            request_line: (String::new(), String::new()),
            response: Response::Idle,
            released: Vec::new(),
            released_at: 0,
            problem: None,
            answered: None,
            report: None,
            learned: None,
            closing_challenge: None,
            active,
        }
    }

    /// Answers Negotiate challenges with `provider`'s tokens for the service
    /// `HTTP@service_host` (needs no credentials in the proxy URL). Call after
    /// [`for_proxy`](Self::for_proxy), which starts the authentication state afresh.
    #[must_use]
    pub fn with_negotiate(
        mut self,
        provider: Arc<dyn NegotiateProvider>,
        service_host: impl Into<String>,
    ) -> Self {
        self.auth = self.auth.with_negotiate(provider, service_host);
        if !self.active {
            self.rewriter.ask_authorization();
            self.replay = Some(Vec::new());
            self.active = true;
        }
        self
    }

    /// Whether the proxy's answered 407 ended the connection: the driver opens a new
    /// connection to the proxy along the same route, then calls
    /// [`reconnected`](Self::reconnected) (the request goes again there), or
    /// [`cannot_reconnect`](Self::cannot_reconnect).
    pub fn needs_new_connection(&self) -> bool {
        self.closing_challenge.is_some()
    }

    /// The driver replaced the connection: the request goes again on the new one.
    pub fn reconnected(&mut self) {
        self.closing_challenge = None;
        self.auth.next_connection();
    }

    /// The driver cannot open a new connection: the 407 goes to the client, as
    /// [`AuthProblem::CannotResend`].
    pub fn cannot_reconnect(&mut self) {
        if let Some(head) = self.closing_challenge.take() {
            self.resend = None;
            self.answer = None;
            self.answered = None;
            self.problem = Some(AuthProblem::CannotResend);
            self.response = Response::Pass;
            self.released.extend_from_slice(&head);
        }
    }

    /// For a proxy reached over TLS (`proxy_tls`) or not, sharing what it asked for with
    /// the client's other connections (see [`crate::auth::learned`]): under `Any`, nothing
    /// goes in the clear before a plain proxy has challenged.
    #[must_use]
    pub fn for_proxy(mut self, proxy_tls: bool, learned: Arc<LearnedScheme>) -> Self {
        self.auth = ProxyAuth::for_proxy(self.choice, proxy_tls, learned.get());
        self.learned = Some(learned);
        self
    }

    /// The report of the last request whose 407s were answered and then accepted, once.
    pub fn take_report(&mut self) -> Option<ForwardAuthReport> {
        self.report.take()
    }

    /// The scheme of the last `Proxy-Authorization` sent, if any.
    pub fn scheme_used(&self) -> Option<SchemeKind> {
        self.auth.used()
    }

    /// Why the last 407 reached the client instead of being answered, if one did.
    pub fn last_problem(&self) -> Option<AuthProblem> {
        self.problem
    }

    /// Whether request bytes are waiting to be written (a head being emitted, or a
    /// request being sent again): call [`write`](Self::write) until this is false.
    pub fn has_pending_output(&self) -> bool {
        self.rewriter.has_pending_output() || self.resend.is_some()
    }

    /// Between requests, nothing held in either direction: the connection may be reused.
    pub fn is_idle(&self) -> bool {
        self.rewriter.is_idle()
            && self.resend.is_none()
            && self.released_at == self.released.len()
            && matches!(self.response, Response::Idle | Response::Pass)
    }

    /// Like [`ForwardRewriter::rewrite`]: takes the client's bytes from `input`, writes
    /// bytes for the proxy to `output`. While a request is sent again it takes no input.
    pub fn write(&mut self, input: &[u8], output: &mut [u8]) -> Result<Progress, ForwardError> {
        let mut progress = Progress::default();
        loop {
            self.authorize_waiting_head()?;
            let room = &mut output[progress.written..];
            if room.is_empty() {
                return Ok(progress);
            }
            if let Some(offset) = self.resend {
                let replay = self.replay.as_deref().unwrap_or_default();
                let step = self.rewriter.rewrite(&replay[offset..], room)?;
                progress.written += step.written;
                let offset = offset + step.consumed;
                if self.rewriter.awaiting_authorization().is_some() {
                    self.resend = Some(offset);
                    continue;
                }
                if offset == replay.len() && !self.rewriter.has_pending_output() {
                    // Sent again in full; the client is waiting for its answer.
                    self.resend = None;
                    return Ok(progress);
                }
                self.resend = Some(offset);
                if step == Progress::default() {
                    return Ok(progress);
                }
                continue;
            }
            let rest = &input[progress.consumed..];
            if rest.is_empty() && !self.rewriter.has_pending_output() {
                return Ok(progress);
            }
            if self.rewriter.is_idle() && self.active {
                // A new request starts: keep it from its first byte.
                self.replay = Some(Vec::new());
                self.problem = None;
            }
            let step = self.rewriter.rewrite(rest, room)?;
            self.record(&rest[..step.consumed]);
            progress.consumed += step.consumed;
            progress.written += step.written;
            if step == Progress::default() && self.rewriter.awaiting_authorization().is_none() {
                return Ok(progress);
            }
        }
    }

    /// Looks at response bytes from the proxy; see [`Received`].
    pub fn receive(&mut self, bytes: &[u8]) -> Received {
        match &mut self.response {
            Response::Idle | Response::Pass => Received::Unchanged,
            Response::Skip(left) => {
                let skipped = (*left).min(bytes.len() as u64);
                *left -= skipped;
                if *left == 0 {
                    self.response = Response::Head(Vec::new());
                    // Anything after the 407's body before our request went again would be
                    // a proxy speaking out of turn; it is treated as the next response.
                    let rest = &bytes[skipped as usize..];
                    if !rest.is_empty() {
                        return self.receive_head(rest);
                    }
                }
                Received::Taken
            }
            Response::Head(_) => self.receive_head(bytes),
        }
    }

    /// The proxy closed the connection: response bytes held back (a head not complete
    /// yet) are released to the client, which decides what a cut-off response means.
    pub fn handle_eof(&mut self) {
        if self.closing_challenge.is_some() {
            // The close the answered 407 announced: the driver reconnects.
            return;
        }
        self.resend = None;
        self.release_rest();
    }

    /// Copies released response bytes into `out`; returns how many.
    pub fn take_released(&mut self, out: &mut [u8]) -> usize {
        let left = &self.released[self.released_at..];
        let n = left.len().min(out.len());
        out[..n].copy_from_slice(&left[..n]);
        self.released_at += n;
        if self.released_at == self.released.len() {
            self.released.clear();
            self.released_at = 0;
        }
        n
    }

    /// Whether released response bytes wait for [`take_released`](Self::take_released).
    pub fn has_released(&self) -> bool {
        self.released_at < self.released.len()
    }

    fn record(&mut self, bytes: &[u8]) {
        if let Some(replay) = self.replay.as_mut() {
            if replay.len() + bytes.len() > REPLAY_LIMIT {
                self.replay = None;
            } else {
                replay.extend_from_slice(bytes);
            }
        }
    }

    /// Gives a complete head its `Proxy-Authorization` value, and starts watching for
    /// its answer.
    fn authorize_waiting_head(&mut self) -> Result<(), ForwardError> {
        let Some(line) = self.rewriter.awaiting_authorization() else {
            return Ok(());
        };
        self.head_request = line.method == "HEAD";
        let (method, uri) = &mut self.request_line;
        method.clear();
        method.push_str(line.method);
        uri.clear();
        uri.push_str(line.prefix);
        uri.push_str(line.target);
        let value = match self.answer.take() {
            Some(answer) => Some(answer),
            None => {
                let (method, uri) = core::mem::take(&mut self.request_line);
                let input = self.round_input(&method, &uri);
                let credentials = credentials_of(&self.credentials);
                let value = self.auth.first_value(credentials.as_ref(), &input);
                self.request_line = (method, uri);
                value
            }
        };
        self.rewriter.authorize(value.as_deref())?;
        // A request sent again while the swallowed 407's body is still arriving: that body
        // is skipped first, then the answer to this request is watched.
        if matches!(self.response, Response::Idle | Response::Pass) {
            self.response = Response::Head(Vec::new());
        }
        Ok(())
    }

    fn receive_head(&mut self, bytes: &[u8]) -> Received {
        let Response::Head(head) = &mut self.response else {
            return Received::Unchanged;
        };
        let seen = head.len();
        head.extend_from_slice(bytes);
        // Only a 407 (or tinyproxy's 401) is held whole; any other answer goes to the
        // client as soon as its status line shows what it is, so a head arriving slowly
        // reaches the client's own timers byte by byte. A status line longer than
        // STATUS_LINE_LIMIT is not HTTP: it goes to the client, which refuses it.
        let probe = &head[..head.len().min(STATUS_LINE_LIMIT)];
        let status_line = probe
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|at| status_of(&head[..at]));
        let too_long = status_line.is_none() && head.len() > STATUS_LINE_LIMIT;
        if too_long || status_line.is_some_and(|s| !matches!(s, Some(100..=199 | 401 | 407))) {
            self.accept_response();
            self.release_rest();
            return Received::Taken;
        }
        // Only the new bytes (and the three before them) can complete the blank line: the
        // head is never searched twice.
        let from = seen.saturating_sub(3);
        let Some(end) = find_head_end(&head[from..]).map(|at| from + at) else {
            if head.len() > RESPONSE_HEAD_LIMIT {
                self.release_rest();
            }
            return Received::Taken;
        };
        let status = status_of(&head[..end]);
        match status {
            Some(100..=199) => {
                // An interim response: the client sees it, the final one is still to come.
                let interim: Vec<u8> = head.drain(..end).collect();
                self.released.extend_from_slice(&interim);
                let rest = core::mem::take(head);
                return if rest.is_empty() {
                    Received::Taken
                } else {
                    self.receive_head(&rest)
                };
            }
            Some(407) => {}
            Some(401) if is_tinyproxy_refusal_head(&head[..end]) => {}
            _ => {
                self.accept_response();
                self.release_rest();
                return Received::Taken;
            }
        }
        let reply = auth_reply(&head[..end], status.unwrap_or(407));
        let after_head = (head.len() - end) as u64;
        let body_left = reply
            .body_len
            .map(|len| if self.head_request { 0 } else { len });
        let replayable = self.replay.is_some() && self.rewriter.is_idle();
        let answer = if replayable {
            let (method, uri) = core::mem::take(&mut self.request_line);
            let input = self.round_input(&method, &uri);
            let credentials = credentials_of(&self.credentials);
            let answer = self
                .auth
                .respond(&reply.challenges, credentials.as_ref(), &input);
            self.request_line = (method, uri);
            answer
        } else {
            Err(AuthProblem::CannotResend)
        };
        let same_connection = body_left;
        let answer = match answer {
            // A 407 that ends its connection: a scheme bound to the connection cannot go
            // on; any other goes on over a new connection, if the driver can make one.
            Ok(_) if same_connection.is_none() && self.auth.is_connection_bound() => {
                Err(AuthProblem::ConnectionClosed)
            }
            other => other,
        };
        match answer {
            Ok(value) => {
                if let (Some(learned), Some(scheme)) = (&self.learned, self.auth.used()) {
                    learned.learn(scheme);
                }
                let rounds = self.answered.as_ref().map_or(0, |(_, r)| *r);
                self.answered = Some((reply.challenges.scheme_names(), rounds.saturating_add(1)));
                self.answer = Some(value);
                self.resend = Some(0);
                let mut out_of_turn = Vec::new();
                self.response = match same_connection {
                    Some(len) if len > after_head => Response::Skip(len - after_head),
                    Some(len) => {
                        // Bytes after the 407's body, before the request went again: the
                        // proxy speaking out of turn, taken as the next response (as when
                        // they come in a later read, see `receive`).
                        if let Response::Head(head) = &self.response {
                            let body_end = end.saturating_add(len as usize).min(head.len());
                            out_of_turn.extend_from_slice(&head[body_end..]);
                        }
                        Response::Head(Vec::new())
                    }
                    None => {
                        // Kept until the driver says whether it could reconnect.
                        let held = match core::mem::replace(&mut self.response, Response::Idle) {
                            Response::Head(bytes) => bytes,
                            _ => Vec::new(),
                        };
                        self.closing_challenge = Some(held);
                        Response::Head(Vec::new())
                    }
                };
                if !out_of_turn.is_empty() {
                    return self.receive_head(&out_of_turn);
                }
                Received::Taken
            }
            Err(problem) => {
                self.answered = None;
                self.problem = Some(problem);
                self.release_rest();
                Received::Taken
            }
        }
    }

    /// A response other than a challenge: the last value was accepted.
    fn accept_response(&mut self) {
        self.auth.succeeded();
        if let (Some((offered, rounds)), Some(accepted)) = (self.answered.take(), self.auth.used())
        {
            self.report = Some(ForwardAuthReport {
                offered,
                accepted,
                rounds,
            });
        }
    }

    /// Releases the held response bytes; the rest of the response passes unchanged.
    fn release_rest(&mut self) {
        if let Response::Head(head) = core::mem::replace(&mut self.response, Response::Pass) {
            if self.released.is_empty() {
                self.released = head;
            } else {
                self.released.extend_from_slice(&head);
            }
        }
    }

    fn round_input<'u>(&mut self, method: &'u str, uri: &'u str) -> RoundInput<'u> {
        self.rounds += 1;
        RoundInput {
            method,
            uri,
            random: round_random(&self.seed, self.rounds),
            unix_time: self.unix_time,
        }
    }
}

fn credentials_of(kept: &Option<(String, String)>) -> Option<Credentials<'_>> {
    kept.as_ref()
        .map(|(user, password)| Credentials::from_encoded(user, password))
}

/// Fresh-looking randomness for round `round` from the connection's seed: one seed from
/// the frontend serves every round, and no two rounds share a client nonce.
fn round_random(seed: &[u8; 16], round: u64) -> [u8; 16] {
    let mut hasher = Sha256::new();
    hasher.update(seed);
    hasher.update(round.to_le_bytes());
    let hash = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&hash[..16]);
    out
}

/// tinyproxy answers a forward request's missing or wrong credentials with 401 (see
/// [`crate::router`]'s refusal rule): its challenge is answered like a 407's.
fn is_tinyproxy_refusal_head(head: &[u8]) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; crate::connect::MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    if response.parse(head).is_err() {
        return false;
    }
    crate::router::is_tinyproxy_refusal(
        response
            .headers
            .iter()
            .map(|h| (h.name.as_bytes(), h.value)),
    )
}

fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// The status code of a response head, if its status line is well formed.
fn status_of(head: &[u8]) -> Option<u16> {
    let line = head.split(|&b| b == b'\r').next()?;
    let mut parts = line.split(|&b| b == b' ');
    let version = parts.next()?;
    if !version.starts_with(b"HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    core::str::from_utf8(code).ok()?.parse().ok()
}

impl<const N: usize> core::fmt::Debug for AuthenticatingRewriter<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthenticatingRewriter")
            .field("scheme", &self.auth.used())
            .field("has_credentials", &self.credentials.is_some())
            .field(
                "response",
                &match self.response {
                    Response::Idle => "idle",
                    Response::Head(_) => "head",
                    Response::Skip(_) => "skipping a 407",
                    Response::Pass => "passing",
                },
            )
            .field("resending", &self.resend.is_some())
            .finish_non_exhaustive()
    }
}
