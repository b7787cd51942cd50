//! [`ProxyAuth`]: the scheme choice and the state of one authentication with one proxy,
//! round after round, with no I/O.
//!
//! ```text
//!   first_value ─► (request) ─► 407 + challenges ─► respond ─► (request again) ─► …
//!        Basic when pinned           │  wrong credentials / nothing usable ─► Err(problem)
//!        NTLM negotiate when pinned  └─ Digest stale=true ─► new nonce, same credentials
//!        Any: what the proxy asked for last time, Basic inside TLS, else nothing
//! ```
//!
//! The strongest offered scheme among the enabled ones is chosen (NTLM > Digest > Basic);
//! once a scheme has been answered, a later challenge never moves to a weaker one, and a
//! second challenge of the same scheme is a refusal (except Digest's `stale=true` and NTLM's
//! own second round).

use alloc::string::String;

use super::challenge::Challenges;
use super::digest::{Digest, hex};
use super::error::AuthProblem;
use super::ntlm::NtlmClient;
use crate::credentials::Credentials;

/// The most 407 rounds answered on one connection (NTLM needs two, a stale Digest one more).
pub const MAX_ROUNDS: u8 = 4;

/// Which schemes may be used with a proxy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthChoice {
    /// The strongest scheme the proxy offers (NTLM > Digest > Basic). Over a plain
    /// `http://` proxy the first request goes without credentials, to learn what the proxy
    /// offers: a password sent as Basic before that would reach, readable, a proxy that
    /// would have taken NTLM or Digest. What it asked for is remembered for the client's
    /// later connections ([`crate::auth::learned`]). Over an `https://` proxy, Basic goes
    /// with the first request (inside TLS).
    #[default]
    Any,
    /// Basic only, sent with the first request when the proxy URL has credentials (no
    /// round trip for the challenge).
    Basic,
    /// Digest only (nothing is sent before the proxy's challenge).
    Digest,
    /// NTLMv2 only (the negotiate message goes with the first request).
    Ntlm,
}

impl AuthChoice {
    /// Parses `any`, `basic`, `digest` or `ntlm` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        [
            ("any", Self::Any),
            ("basic", Self::Basic),
            ("digest", Self::Digest),
            ("ntlm", Self::Ntlm),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text))
        .map(|(_, c)| c)
    }

    /// Whether `scheme` may answer a challenge.
    pub fn allows(self, scheme: SchemeKind) -> bool {
        match self {
            Self::Any => true,
            Self::Basic => scheme == SchemeKind::Basic,
            Self::Digest => scheme == SchemeKind::Digest,
            Self::Ntlm => scheme == SchemeKind::Ntlm,
        }
    }
}

/// A scheme egress can answer with, strongest last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchemeKind {
    /// RFC 7617: the password in base64, readable by anyone on the path to the proxy.
    Basic,
    /// RFC 7616.
    Digest,
    /// NTLMv2 (MS-NLMP), bound to one connection.
    Ntlm,
}

impl SchemeKind {
    /// The scheme's name as sent: `Basic`, `Digest`, `NTLM`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::Digest => "Digest",
            Self::Ntlm => "NTLM",
        }
    }

    /// Every scheme, strongest first: the order of choice.
    pub const ALL_STRONGEST_FIRST: [Self; 3] = [Self::Ntlm, Self::Digest, Self::Basic];
}

/// Per-round input from the frontend: the request being authorized and fresh randomness.
#[derive(Clone, Copy, Debug)]
pub struct RoundInput<'r> {
    /// The request method, `CONNECT` or the forward request's.
    pub method: &'r str,
    /// The request target exactly as sent (`host:port`, or the absolute URL).
    pub uri: &'r str,
    /// 16 random bytes from the frontend (Digest's cnonce, NTLM's client challenge).
    pub random: [u8; 16],
    /// Seconds since the Unix epoch, from the frontend's wall clock (NTLMv2's timestamp
    /// when the proxy sends none).
    pub unix_time: u64,
}

/// The authentication state with one proxy; see the module doc. `Debug` shows the scheme
/// and round only.
#[derive(Clone, Debug, Default)]
pub struct ProxyAuth {
    choice: AuthChoice,
    sent: Option<SchemeKind>,
    digest: Option<Digest>,
    ntlm: Option<NtlmClient>,
    rounds: u8,
    /// The connection finished an NTLM handshake: later requests on it carry nothing.
    connection_authenticated: bool,
    /// Under `Any`, what may go before the proxy's first challenge (see [`Self::for_proxy`]).
    up_front: Option<SchemeKind>,
}

impl ProxyAuth {
    /// No round yet, schemes allowed by `choice`; under `Any`, Basic goes with the first
    /// request, as over an `https://` proxy (see [`Self::for_proxy`]).
    pub fn new(choice: AuthChoice) -> Self {
        Self::for_proxy(choice, true, None)
    }

    /// No round yet, for a proxy reached over TLS (`proxy_tls`) or not, which asked for
    /// `learned` last time (see [`crate::auth::learned`]). Under `Any`, a plain-TCP proxy
    /// gets no password before it has challenged, and Basic up front only once it offered
    /// nothing stronger; a proxy that asked for NTLM gets NTLM's first message up front.
    pub fn for_proxy(choice: AuthChoice, proxy_tls: bool, learned: Option<SchemeKind>) -> Self {
        let up_front = match learned {
            Some(SchemeKind::Ntlm) => Some(SchemeKind::Ntlm),
            Some(SchemeKind::Basic) => Some(SchemeKind::Basic),
            Some(SchemeKind::Digest) => None,
            None => proxy_tls.then_some(SchemeKind::Basic),
        };
        Self {
            choice,
            up_front,
            ..Self::default()
        }
    }

    /// The scheme last answered with, if any.
    pub fn used(&self) -> Option<SchemeKind> {
        self.sent
    }

    /// Whether the scheme in progress binds the authentication to the connection (NTLM), so
    /// the next round MUST go on the same connection.
    pub fn is_connection_bound(&self) -> bool {
        self.sent == Some(SchemeKind::Ntlm)
    }

    /// The `Proxy-Authorization` value for a request before (or without) a challenge on
    /// this connection: Digest with a nonce learned earlier (counting `nc`), Basic when
    /// pinned to Basic, NTLM's negotiate message when pinned to NTLM; `None` to send nothing
    /// (for [`AuthChoice::Any`], see [`Self::for_proxy`]: never Basic unasked over a plain
    /// proxy).
    pub fn first_value(
        &mut self,
        credentials: Option<&Credentials<'_>>,
        input: &RoundInput<'_>,
    ) -> Option<String> {
        let credentials = credentials?;
        if self.connection_authenticated {
            return None;
        }
        if let Some(digest) = self.digest.as_mut() {
            self.sent = Some(SchemeKind::Digest);
            return Some(digest.authorization(credentials, input.method, input.uri));
        }
        let scheme = match self.choice {
            AuthChoice::Any => self.up_front?,
            AuthChoice::Basic => SchemeKind::Basic,
            AuthChoice::Ntlm => SchemeKind::Ntlm,
            AuthChoice::Digest => return None,
        };
        match scheme {
            SchemeKind::Basic => {
                self.sent = Some(SchemeKind::Basic);
                Some(basic(credentials))
            }
            SchemeKind::Ntlm => {
                let (client, value) = NtlmClient::start(credentials);
                self.ntlm = Some(client);
                self.sent = Some(SchemeKind::Ntlm);
                Some(value)
            }
            SchemeKind::Digest => None,
        }
    }

    /// Answers a 407's challenges with the next `Proxy-Authorization` value.
    pub fn respond(
        &mut self,
        challenges: &Challenges,
        credentials: Option<&Credentials<'_>>,
        input: &RoundInput<'_>,
    ) -> Result<String, AuthProblem> {
        self.rounds = self.rounds.saturating_add(1);
        if self.rounds > MAX_ROUNDS {
            return Err(AuthProblem::TooManyRounds);
        }
        let offered = |kind: SchemeKind| challenges.find(kind.name()).is_some();
        let best = SchemeKind::ALL_STRONGEST_FIRST
            .into_iter()
            .find(|&kind| self.choice.allows(kind) && offered(kind));
        let Some(best) = best else {
            // A second challenge without the scheme just answered: that answer was refused.
            return Err(match self.sent {
                Some(sent) if offered(sent) => AuthProblem::Rejected,
                Some(_) => AuthProblem::Unsupported,
                None if credentials.is_none() => AuthProblem::NoCredentials,
                None => AuthProblem::Unsupported,
            });
        };
        let credentials = credentials.ok_or(AuthProblem::NoCredentials)?;
        match self.sent {
            Some(sent) if sent > best => return Err(AuthProblem::Rejected),
            Some(SchemeKind::Basic) if best == SchemeKind::Basic => {
                return Err(AuthProblem::Rejected);
            }
            Some(SchemeKind::Digest) if best == SchemeKind::Digest => {
                let stale = challenges
                    .iter()
                    .any(|c| c.is("Digest") && Digest::is_stale(c));
                if !stale {
                    self.digest = None;
                    return Err(AuthProblem::Rejected);
                }
            }
            Some(SchemeKind::Ntlm) if best == SchemeKind::Ntlm => {
                let token = challenges
                    .iter()
                    .filter(|c| c.is("NTLM"))
                    .find_map(|c| c.token68());
                return match (self.ntlm.as_mut(), token) {
                    (Some(client), Some(token)) => client.authenticate(token, credentials, input),
                    _ => Err(AuthProblem::Rejected),
                };
            }
            _ => {}
        }
        self.sent = Some(best);
        match best {
            SchemeKind::Basic => {
                // Basic answered once goes with every later request on this connection.
                self.up_front = Some(SchemeKind::Basic);
                Ok(basic(credentials))
            }
            SchemeKind::Digest => {
                let mut digest = best_digest(challenges, &input.random)?;
                let value = digest.authorization(credentials, input.method, input.uri);
                self.digest = Some(digest);
                Ok(value)
            }
            SchemeKind::Ntlm => {
                let (client, value) = NtlmClient::start(credentials);
                self.ntlm = Some(client);
                Ok(value)
            }
        }
    }

    /// The proxy accepted the last value (a response other than 407 came): the rounds
    /// start again from zero, so a later challenge on a long-lived connection (Digest's
    /// next `stale=true`) is answered too, and an NTLM connection is authenticated for
    /// good (its later requests carry no `Proxy-Authorization`).
    pub fn succeeded(&mut self) {
        self.rounds = 0;
        if self.sent == Some(SchemeKind::Ntlm) {
            self.connection_authenticated = true;
            self.ntlm = None;
        }
    }

    /// Goes on over a new connection to the same proxy: keeps a learned Digest nonce and
    /// the scheme answered (neither is bound to a connection), forgets any NTLM state (it
    /// is). The round count goes on too: [`MAX_ROUNDS`] limits the rounds of all
    /// connections together, so a proxy that challenges and closes again and again cannot
    /// keep the caller reconnecting forever, and a Digest answer refused again on the new
    /// connection (no `stale=true`) is [`AuthProblem::Rejected`], as on one connection.
    pub fn next_connection(&mut self) {
        self.ntlm = None;
        self.connection_authenticated = false;
        if self.sent == Some(SchemeKind::Ntlm) {
            self.sent = None;
        }
    }
}

/// The Digest challenge with the strongest supported algorithm.
fn best_digest(challenges: &Challenges, random: &[u8; 16]) -> Result<Digest, AuthProblem> {
    let mut best: Option<Digest> = None;
    let mut first_error = AuthProblem::BadChallenge;
    for (i, challenge) in challenges.iter().filter(|c| c.is("Digest")).enumerate() {
        match Digest::from_challenge(challenge, hex(random)) {
            Ok(digest) => {
                if best
                    .as_ref()
                    .is_none_or(|b| b.algorithm().strength() < digest.algorithm().strength())
                {
                    best = Some(digest);
                }
            }
            Err(error) if i == 0 => first_error = error,
            Err(_) => {}
        }
    }
    best.ok_or(first_error)
}

fn basic(credentials: &Credentials<'_>) -> String {
    let mut token = alloc::vec![0u8; credentials.basic_token_len()];
    let written = credentials.write_basic_token(&mut token).unwrap_or(0);
    token.truncate(written);
    let mut value = String::from("Basic ");
    value.push_str(core::str::from_utf8(&token).unwrap_or(""));
    value
}
