//! [`ProxyAuth`]: the scheme choice and the state of one authentication with one proxy,
//! round after round, with no I/O.
//!
//! ```text
//!   first_value ─► (request) ─► 407 + challenges ─► respond ─► (request again) ─► …
//!        Basic when pinned           │  wrong credentials / nothing usable ─► Err(problem)
//!        NTLM negotiate when pinned  ├─ Digest stale=true ─► new nonce, same credentials
//!        Any: see `for_proxy`        └─ Negotiate: the provider's tokens (see [`negotiate`])
//!   2xx ─► established (verifies a Negotiate final token)
//! ```
//!
//! The strongest offered scheme among the enabled ones is chosen (Negotiate > NTLM > Digest >
//! Basic; Negotiate only with a [`NegotiateProvider`], the others only with credentials).
//! With [`AuthChoice::Any`], a Negotiate that cannot start for lack of a Kerberos ticket (or
//! an unknown service principal) gives way to NTLM or Digest when those are offered and the
//! URL has credentials, never to Basic;
//!
//! [`negotiate`]: super::negotiate
//! once a scheme has been answered, a later challenge never moves to a weaker one, and a
//! second challenge of the same scheme is a refusal (except Digest's `stale=true` and NTLM's
//! own second round).

use alloc::string::String;
use alloc::sync::Arc;

use super::challenge::Challenges;
use super::digest::{Digest, hex};
use super::error::AuthProblem;
use super::negotiate::{NegotiateProvider, Negotiator};
use super::ntlm::NtlmClient;
use crate::credentials::Credentials;

/// The most 407 rounds answered on one connection (NTLM needs two, a stale Digest one more).
pub const MAX_ROUNDS: u8 = 4;

/// Which schemes may be used with a proxy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthChoice {
    /// The strongest scheme the proxy offers (Negotiate > NTLM > Digest > Basic). Over a plain
    /// `http://` proxy the first request goes without credentials, to learn what the proxy
    /// offers: a password sent as Basic before that would reach, readable, a proxy that
    /// would have taken NTLM or Digest. What it asked for is remembered for the client's
    /// later connections (`egress_core::auth::learned`). Over an `https://` proxy, Basic goes
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
    /// Negotiate (SPNEGO/Kerberos) only, answered on the proxy's challenge; needs a
    /// Negotiate provider (`egress_core::auth::NegotiateProvider`).
    Negotiate,
}

impl AuthChoice {
    /// Parses `any`, `basic`, `digest`, `ntlm` or `negotiate` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        [
            ("any", Self::Any),
            ("basic", Self::Basic),
            ("digest", Self::Digest),
            ("ntlm", Self::Ntlm),
            ("negotiate", Self::Negotiate),
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
            Self::Negotiate => scheme == SchemeKind::Negotiate,
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
    /// Negotiate (RFC 4559: SPNEGO, Kerberos), the caller's ticket, no password.
    Negotiate,
}

impl SchemeKind {
    /// The scheme's name as sent: `Basic`, `Digest`, `NTLM`, `Negotiate`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::Digest => "Digest",
            Self::Ntlm => "NTLM",
            Self::Negotiate => "Negotiate",
        }
    }

    /// Every scheme, strongest first: the order of choice.
    pub const ALL_STRONGEST_FIRST: [Self; 4] =
        [Self::Negotiate, Self::Ntlm, Self::Digest, Self::Basic];
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
#[derive(Debug, Default)]
pub struct ProxyAuth {
    choice: AuthChoice,
    sent: Option<SchemeKind>,
    digest: Option<Digest>,
    ntlm: Option<NtlmClient>,
    negotiate: Option<Negotiator>,
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
            Some(SchemeKind::Digest | SchemeKind::Negotiate) => None,
            None => proxy_tls.then_some(SchemeKind::Basic),
        };
        Self {
            choice,
            up_front,
            ..Self::default()
        }
    }

    /// Enables Negotiate with this proxy: `provider` starts the contexts for the service
    /// `HTTP@service_host` (see [`super::negotiate::service_host`]).
    pub fn with_negotiate(
        mut self,
        provider: Arc<dyn NegotiateProvider>,
        service_host: impl Into<String>,
    ) -> Self {
        self.negotiate = Some(Negotiator::new(provider, service_host.into()));
        self
    }

    /// The scheme last answered with, if any.
    pub fn used(&self) -> Option<SchemeKind> {
        self.sent
    }

    /// Whether the scheme in progress binds the authentication to the connection (NTLM, a
    /// Negotiate context past its first token), so the next round MUST go on the same
    /// connection.
    pub fn is_connection_bound(&self) -> bool {
        match self.sent {
            Some(SchemeKind::Ntlm) => true,
            Some(SchemeKind::Negotiate) => self
                .negotiate
                .as_ref()
                .is_some_and(Negotiator::is_connection_bound),
            _ => false,
        }
    }

    /// The proxy accepted (a 2xx to CONNECT) with these challenges in its head: verifies a
    /// Negotiate final token when one came (mutual authentication). Other schemes: `Ok`.
    pub fn established(&mut self, challenges: &Challenges) -> Result<(), AuthProblem> {
        match (self.sent, self.negotiate.as_mut()) {
            (Some(SchemeKind::Negotiate), Some(negotiator)) => negotiator.established(challenges),
            _ => Ok(()),
        }
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
        match self.sends_first()? {
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
            SchemeKind::Digest | SchemeKind::Negotiate => None,
        }
    }

    /// The scheme [`first_value`](Self::first_value) sends before any challenge on a new
    /// connection, given credentials: Basic or NTLM's first message, or nothing.
    pub fn sends_first(&self) -> Option<SchemeKind> {
        match self.choice {
            AuthChoice::Any => self.up_front,
            AuthChoice::Basic => Some(SchemeKind::Basic),
            AuthChoice::Ntlm => Some(SchemeKind::Ntlm),
            AuthChoice::Digest | AuthChoice::Negotiate => None,
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
        let negotiate_available = self.negotiate.is_some();
        let mut candidates = SchemeKind::ALL_STRONGEST_FIRST
            .into_iter()
            .filter(|&kind| self.choice.allows(kind) && offered(kind))
            // Negotiate needs a provider; without one it is as good as not offered.
            .filter(|&kind| kind != SchemeKind::Negotiate || negotiate_available);
        let Some(best) = candidates.next() else {
            // A second challenge without the scheme just answered: that answer was refused.
            return Err(match self.sent {
                Some(SchemeKind::Negotiate) if offered(SchemeKind::Negotiate) => {
                    AuthProblem::NegotiateRejected
                }
                Some(sent) if offered(sent) => AuthProblem::Rejected,
                Some(_) => AuthProblem::Unsupported,
                None if credentials.is_none() => AuthProblem::NoCredentials,
                None => AuthProblem::Unsupported,
            });
        };
        match self.sent {
            Some(sent) if sent > best => return Err(rejected(sent)),
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
                let credentials = credentials.ok_or(AuthProblem::NoCredentials)?;
                let token = challenges
                    .iter()
                    .filter(|c| c.is("NTLM"))
                    .find_map(|c| c.token68());
                return match (self.ntlm.as_mut(), token) {
                    (Some(client), Some(token)) => client.authenticate(token, credentials, input),
                    _ => Err(AuthProblem::Rejected),
                };
            }
            Some(SchemeKind::Negotiate) if best == SchemeKind::Negotiate => {
                return match self.negotiate.as_mut() {
                    Some(negotiator) => negotiator.continue_with(challenges),
                    None => Err(AuthProblem::NegotiateRejected),
                };
            }
            _ => {}
        }
        if best == SchemeKind::Negotiate {
            let started = match self.negotiate.as_mut() {
                Some(negotiator) => negotiator.start(),
                None => Err(AuthProblem::Unsupported),
            };
            match started {
                Ok(value) => {
                    self.sent = Some(best);
                    return Ok(value);
                }
                Err(problem) => {
                    // Without a ticket (or a principal for this host name), a scheme that
                    // uses the URL's credentials may still work: the next strongest, never
                    // Basic, and only when the caller let egress choose.
                    let fallback = candidates.next().filter(|&next| {
                        self.choice == AuthChoice::Any
                            && next != SchemeKind::Basic
                            && credentials.is_some()
                            && matches!(
                                problem,
                                AuthProblem::NoKerberosTicket
                                    | AuthProblem::UnknownServicePrincipal
                            )
                    });
                    match fallback {
                        Some(next) => {
                            return self.start_scheme(next, challenges, credentials, input);
                        }
                        None => return Err(problem),
                    }
                }
            }
        }
        self.start_scheme(best, challenges, credentials, input)
    }

    /// The first value of a scheme that uses the URL's credentials.
    fn start_scheme(
        &mut self,
        scheme: SchemeKind,
        challenges: &Challenges,
        credentials: Option<&Credentials<'_>>,
        input: &RoundInput<'_>,
    ) -> Result<String, AuthProblem> {
        let credentials = credentials.ok_or(AuthProblem::NoCredentials)?;
        let value = match scheme {
            SchemeKind::Basic => {
                // Basic answered once goes with every later request on this connection.
                self.up_front = Some(SchemeKind::Basic);
                basic(credentials)
            }
            SchemeKind::Digest => {
                let mut digest = best_digest(challenges, &input.random)?;
                let value = digest.authorization(credentials, input.method, input.uri);
                self.digest = Some(digest);
                value
            }
            SchemeKind::Ntlm => {
                let (client, value) = NtlmClient::start(credentials);
                self.ntlm = Some(client);
                value
            }
            // Started by `respond`, which never passes it here.
            SchemeKind::Negotiate => return Err(AuthProblem::Unsupported),
        };
        self.sent = Some(scheme);
        Ok(value)
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
    ///
    /// A Negotiate context that only produced its first token is kept (the token goes on
    /// the new connection); one in the middle of its exchange is forgotten.
    pub fn next_connection(&mut self) {
        self.ntlm = None;
        self.connection_authenticated = false;
        if self.sent == Some(SchemeKind::Ntlm) {
            self.sent = None;
        }
        let kept = self
            .negotiate
            .as_mut()
            .is_some_and(Negotiator::next_connection);
        if self.sent == Some(SchemeKind::Negotiate) && !kept {
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

/// Why a stronger scheme answered before is not tried again with a weaker one.
fn rejected(sent: SchemeKind) -> AuthProblem {
    if sent == SchemeKind::Negotiate {
        AuthProblem::NegotiateRejected
    } else {
        AuthProblem::Rejected
    }
}

fn basic(credentials: &Credentials<'_>) -> String {
    let mut token = alloc::vec![0u8; credentials.basic_token_len()];
    let written = credentials.write_basic_token(&mut token).unwrap_or(0);
    token.truncate(written);
    let mut value = String::from("Basic ");
    value.push_str(core::str::from_utf8(&token).unwrap_or(""));
    value
}
