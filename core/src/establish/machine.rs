//! [`Establish`]: the state machine of the module doc. Inputs are `handle_*`, outputs are
//! `poll_*`; failures are classified here and nowhere else.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use super::auth_round::auth_reply;
use super::{Action, Detail, Event, Options, Ready, TlsPeer};
use crate::auth::negotiate::service_host;
use crate::auth::{AuthProblem, ProxyAuth, RoundInput};
use crate::connect::{
    ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus, Explanation, first_body_line,
};
use crate::failure::{Failure, PeerError, PeerErrorKind, ProxyExplanation};
use crate::host::Host;
use crate::inline_str::InlineStr;
use crate::phase::Phase;
use crate::router::{Decision, RouteKind, RouterProxy};
use crate::target::{Scheme, Target};

/// Where the machine is. Each state but the last two is one phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Resolve(Phase),
    Connect(Phase),
    Tls(TlsPeer),
    SendConnect,
    ReadConnect,
    /// Reading past a 407's body (this many bytes left) before the next CONNECT.
    SkipBody(u64),
    Ready,
    Failed,
}

/// Establishes one connection along a decided route; see the module doc for the call
/// order. `Debug` shows the state and target, never credentials.
pub struct Establish<'a> {
    target: Target<'a>,
    kind: RouteKind,
    proxy: Option<&'a RouterProxy>,
    options: Options<'a>,
    state: State,
    deadline: Option<Duration>,
    addrs: Vec<SocketAddr>,
    next_addr: usize,
    request: Vec<u8>,
    /// The CONNECT answer's decoder; its buffer grows with the head that arrives (a usual
    /// answer takes one small allocation), so a driver holding thousands of handshakes at
    /// once does not hold 16 KiB for each.
    decoder: Option<ConnectResponse<Vec<u8>>>,
    auth: ProxyAuth,
    /// `host:port` of the CONNECT, the URI Digest hashes.
    connect_uri: String,
    /// The next round's `Proxy-Authorization` value, sent with the next CONNECT.
    authorization: Option<String>,
    events: VecDeque<Event>,
    failure: Option<Failure>,
}

/// The state, route, target, proxy and authentication state; never the request bytes or a
/// pending `Proxy-Authorization` value (a password's encoding, a Negotiate token).
impl core::fmt::Debug for Establish<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Establish")
            .field("state", &self.state)
            .field("kind", &self.kind)
            .field("target", &self.target)
            .field("proxy", &self.proxy)
            .field("auth", &self.auth)
            .field("authorization_pending", &self.authorization.is_some())
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}

impl<'a> Establish<'a> {
    /// Starts establishing a connection to `target` along `decision` at time `now`.
    ///
    /// An `https://` target whose name no certificate can carry fails here, before anything
    /// is sent anywhere.
    pub fn new(
        decision: &Decision<'a>,
        target: Target<'a>,
        options: Options<'a>,
        now: Duration,
    ) -> Self {
        let mut machine = Self {
            target,
            kind: decision.kind,
            proxy: decision.proxy,
            options,
            state: State::Failed,
            deadline: None,
            addrs: Vec::new(),
            next_addr: 0,
            request: Vec::new(),
            decoder: None,
            auth: proxy_auth(&options, decision.proxy),
            connect_uri: target.authority().to_string(),
            authorization: None,
            events: VecDeque::new(),
            failure: None,
        };
        if let Err(problem) = target.check_tls_name() {
            machine.fail(Failure::InvalidTarget {
                url: format!("{}://{}", target.scheme, target.authority()),
                problem,
            });
            return machine;
        }
        match machine.proxy.filter(|_| machine.kind != RouteKind::Direct) {
            Some(proxy) => {
                let url = proxy.url();
                machine.start_host(url.host(), url.port(), false, now);
            }
            None => {
                machine.kind = RouteKind::Direct;
                machine.start_host(target.host, target.port, true, now);
            }
        }
        machine
    }

    // ---- getters -------------------------------------------------------------------------

    /// What to do next.
    pub fn poll_action(&self) -> Action<'_> {
        match self.state {
            State::Resolve(phase) => Action::Resolve {
                name: self.resolve_name(),
                phase,
            },
            State::Connect(phase) => Action::Connect {
                addr: self.addrs[self.next_addr],
                phase,
            },
            State::Tls(peer) => Action::StartTls {
                peer,
                host: match (peer, self.proxy) {
                    (TlsPeer::Proxy, Some(proxy)) => proxy.url().host(),
                    _ => self.target.host,
                },
            },
            State::SendConnect => Action::Send(&self.request),
            State::ReadConnect | State::SkipBody(_) => Action::Read,
            State::Ready => Action::Ready(Ready {
                kind: self.kind,
                proxy_tls: self.kind != RouteKind::Direct
                    && self.proxy.is_some_and(|p| p.scheme() == Scheme::Https),
                target_tls: self.target.scheme == Scheme::Https,
                forward: self.kind == RouteKind::Forward,
                proxy_auth: self.auth.used(),
            }),
            State::Failed => Action::Failed,
        }
    }

    /// When the current phase times out, on the driver's clock; `None`: no limit (or done).
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.state {
            State::Ready | State::Failed => None,
            _ => self.deadline,
        }
    }

    /// The next phase event, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The failure, once the action is [`Action::Failed`] (then `None` again).
    pub fn take_failure(&mut self) -> Option<Failure> {
        self.failure.take()
    }

    /// The phase in progress, if any.
    pub fn phase(&self) -> Option<Phase> {
        Some(match self.state {
            State::Resolve(phase) | State::Connect(phase) => phase,
            State::Tls(TlsPeer::Proxy) => Phase::ProxyTls,
            State::Tls(TlsPeer::Target) => Phase::TargetTls,
            State::SendConnect | State::ReadConnect | State::SkipBody(_) => Phase::ProxyHandshake,
            State::Ready | State::Failed => return None,
        })
    }

    // ---- inputs --------------------------------------------------------------------------

    /// The name of [`Action::Resolve`] resolved to `addrs` (ports are ignored).
    pub fn handle_resolved(&mut self, now: Duration, addrs: impl IntoIterator<Item = IpAddr>) {
        let State::Resolve(phase) = self.state else {
            return;
        };
        if self.expired(now) {
            return;
        }
        let port = self.peer_port();
        let resolved: Vec<SocketAddr> = addrs
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect();
        let count = resolved.len();
        let direct = phase == Phase::ResolveTarget;
        let Some(allowed) = self.allowed(resolved, direct) else {
            return;
        };
        self.emit_done(
            phase,
            Detail::Resolved {
                addresses: count,
                allowed: allowed.len(),
            },
        );
        if allowed.is_empty() {
            let error = PeerError::new(PeerErrorKind::NotFound, "the name has no addresses");
            self.fail_unreachable(phase, error);
            return;
        }
        self.addrs = allowed;
        self.next_addr = 0;
        let connect = if direct {
            Phase::ConnectTarget
        } else {
            Phase::ConnectProxy
        };
        self.enter(State::Connect(connect), now);
    }

    /// Resolving the name of [`Action::Resolve`] failed.
    pub fn handle_resolve_failed(&mut self, now: Duration, error: PeerError) {
        let State::Resolve(phase) = self.state else {
            return;
        };
        if !self.expired(now) {
            self.fail_unreachable(phase, error);
        }
    }

    /// TCP to the address of [`Action::Connect`] is up.
    pub fn handle_connected(&mut self, now: Duration) {
        let State::Connect(phase) = self.state else {
            return;
        };
        if self.expired(now) {
            return;
        }
        self.emit_done(phase, Detail::Connected(self.addrs[self.next_addr]));
        let to_proxy = phase == Phase::ConnectProxy;
        if to_proxy && self.proxy.is_some_and(|p| p.scheme() == Scheme::Https) {
            self.enter(State::Tls(TlsPeer::Proxy), now);
        } else if to_proxy {
            self.after_proxy_stream(now);
        } else {
            self.after_tunnel_or_tcp(now);
        }
    }

    /// TCP to the address of [`Action::Connect`] failed; the next address is tried.
    pub fn handle_connect_failed(&mut self, now: Duration, error: PeerError) {
        let State::Connect(phase) = self.state else {
            return;
        };
        if self.expired(now) {
            return;
        }
        self.next_addr += 1;
        // The next address is tried; when none is left, the last error is the one reported.
        if self.next_addr < self.addrs.len() {
            return;
        }
        self.fail_unreachable(phase, error);
    }

    /// The TLS handshake of [`Action::StartTls`] finished, the certificate verified.
    pub fn handle_tls_done(&mut self, now: Duration) {
        let State::Tls(peer) = self.state else {
            return;
        };
        if self.expired(now) {
            return;
        }
        let phase = tls_phase(peer);
        self.emit_done(phase, Detail::TlsVerified(peer));
        match peer {
            TlsPeer::Proxy => self.after_proxy_stream(now),
            TlsPeer::Target => self.state = State::Ready,
        }
    }

    /// The TLS handshake of [`Action::StartTls`] failed.
    ///
    /// Inside a tunnel the proxy just opened, a close or reset is the proxy's doing (it or a
    /// filter behind it dropped the tunnel), not a certificate problem of the target.
    pub fn handle_tls_failed(&mut self, now: Duration, error: PeerError) {
        let State::Tls(peer) = self.state else {
            return;
        };
        if self.expired(now) {
            return;
        }
        let failure = match (peer, self.proxy) {
            (TlsPeer::Proxy, Some(proxy)) => Failure::ProxyTls {
                proxy: proxy.shown().to_string(),
                source: error,
            },
            (TlsPeer::Target, Some(proxy))
                if self.kind == RouteKind::Tunnel && error.kind().is_close() =>
            {
                Failure::ProxyClosed {
                    proxy: proxy.shown().to_string(),
                    phase: Phase::TargetTls,
                    source: error,
                }
            }
            _ => Failure::TargetTls {
                target: self.target.authority().to_string(),
                source: error,
            },
        };
        self.fail(failure);
    }

    /// All bytes of [`Action::Send`] were written.
    pub fn handle_sent(&mut self, now: Duration) {
        if self.state != State::SendConnect || self.expired(now) {
            return;
        }
        self.state = State::ReadConnect;
    }

    /// Bytes read for [`Action::Read`]. Returns how many were taken; the rest are the
    /// tunnel's first bytes and MUST be read before the stream's own.
    #[must_use = "bytes after the proxy's answer belong to the tunnel"]
    pub fn handle_bytes(&mut self, now: Duration, input: &[u8]) -> usize {
        if let State::SkipBody(left) = self.state {
            if self.expired(now) {
                return 0;
            }
            return self.skip_body(left, input, now);
        }
        if self.state != State::ReadConnect || self.expired(now) {
            return 0;
        }
        let Some(decoder) = self.decoder.as_mut() else {
            return 0;
        };
        let result = decoder.handle_bytes(input);
        let body_at = decoder.consumed();
        let outcome = match result {
            Ok(ConnectStatus::NeedMore) => return input.len(),
            Ok(ConnectStatus::Done(outcome)) => outcome,
            Err(error) => {
                let proxy = self.proxy_shown();
                self.fail(Failure::ProxyProtocol { proxy, error });
                return input.len();
            }
        };
        let proxy = self.proxy_shown();
        let failure = match outcome {
            ConnectOutcome::Established { status, leftover } => {
                let leftover_len = leftover.len();
                if let Err(problem) = self.verify_established(status) {
                    self.fail(Failure::ProxyAuthRequired {
                        proxy,
                        status,
                        schemes: Vec::new(),
                        credentials_sent: true,
                        scheme: self.auth.used().map(|s| s.name()),
                        problem,
                    });
                    return input.len();
                }
                if let Some(scheme) = self.auth.used() {
                    self.emit_done(Phase::ProxyHandshake, Detail::ProxyAuthenticated(scheme));
                }
                self.emit_done(Phase::ProxyHandshake, Detail::TunnelOpened(status));
                let taken = input.len() - leftover_len;
                // The handshake is over: its buffer goes before the TLS session's arrive.
                self.decoder = None;
                self.after_tunnel_or_tcp(now);
                return taken;
            }
            ConnectOutcome::AuthRequired { status, schemes } => {
                self.emit_done(Phase::ProxyHandshake, Detail::ProxyChallenged(schemes));
                match self.next_round(status, now) {
                    Ok(()) => {
                        if let State::SkipBody(left) = self.state {
                            return body_at + self.skip_body(left, &input[body_at..], now);
                        }
                        return input.len();
                    }
                    Err(problem) => Failure::ProxyAuthRequired {
                        proxy,
                        status,
                        schemes: schemes.iter().map(|s| s.as_str().to_string()).collect(),
                        credentials_sent: self.auth.used().is_some(),
                        scheme: self.auth.used().map(|s| s.name()),
                        problem,
                    },
                }
            }
            ConnectOutcome::Rejected {
                status,
                reason,
                explanation,
                body,
            } => Failure::ConnectRejected {
                proxy,
                target: self.target.authority().to_string(),
                status,
                reason: reason.as_str().to_string(),
                explanation: Box::new(owned_explanation(&explanation, body)),
            },
        };
        self.fail(failure);
        input.len()
    }

    /// The stream ended while [`Action::Read`] was pending.
    pub fn handle_eof(&mut self, now: Duration) {
        if let State::SkipBody(_) = self.state {
            if !self.expired(now) {
                self.reconnect_or_fail(now);
            }
            return;
        }
        if self.state != State::ReadConnect || self.expired(now) {
            return;
        }
        if let Some(Err(error)) = self.decoder.as_mut().map(|d| d.handle_eof()) {
            let proxy = self.proxy_shown();
            self.fail(Failure::ProxyProtocol { proxy, error });
        }
    }

    /// Writing ([`Action::Send`]) or reading ([`Action::Read`]) failed.
    pub fn handle_io_failed(&mut self, now: Duration, error: PeerError) {
        if !matches!(
            self.state,
            State::SendConnect | State::ReadConnect | State::SkipBody(_)
        ) || self.expired(now)
        {
            return;
        }
        let proxy = self.proxy_shown();
        self.fail(if error.kind() == PeerErrorKind::Tls {
            // The proxy's TLS refused us after its handshake (e.g. our client certificate).
            Failure::ProxyTls {
                proxy,
                source: error,
            }
        } else if error.kind().is_close() {
            Failure::ProxyClosed {
                proxy,
                phase: Phase::ProxyHandshake,
                source: error,
            }
        } else {
            Failure::ProxyUnreachable {
                proxy,
                phase: Phase::ProxyHandshake,
                source: error,
            }
        });
    }

    /// The driver's timer for [`Establish::poll_timeout`] fired (or any time passed): fails
    /// with a timeout of the current phase when `now` is at or past the deadline.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.expired(now);
    }

    // ---- transitions ---------------------------------------------------------------------

    fn start_host(&mut self, host: Host<'_>, port: u16, direct: bool, now: Duration) {
        let (resolve, connect) = if direct {
            (Phase::ResolveTarget, Phase::ConnectTarget)
        } else {
            (Phase::ResolveProxy, Phase::ConnectProxy)
        };
        match host.ip() {
            None => self.enter(State::Resolve(resolve), now),
            Some(ip) => {
                // An address literal still passes the blocklist (direct routes only).
                let Some(allowed) = self.allowed(vec![SocketAddr::new(ip, port)], direct) else {
                    return;
                };
                self.addrs = allowed;
                self.enter(State::Connect(connect), now);
            }
        }
    }

    /// The connection to the proxy (and its TLS) is up.
    fn after_proxy_stream(&mut self, now: Duration) {
        if self.kind == RouteKind::Forward {
            self.state = State::Ready;
            return;
        }
        let Some(proxy) = self.proxy else {
            self.state = State::Ready;
            return;
        };
        let url = proxy.url();
        if self.authorization.is_none() {
            let input = round_input(&self.connect_uri, &self.options);
            self.authorization = self.auth.first_value(url.credentials().as_ref(), &input);
        }
        self.send_connect(now);
    }

    /// Encodes the CONNECT (with the pending `Proxy-Authorization`) and sends it.
    fn send_connect(&mut self, now: Duration) {
        let authorization = self.authorization.take();
        let mut request = ConnectRequest::new(&self.target);
        if let Some(value) = authorization.as_deref() {
            request = request.with_authorization(value);
        }
        if let Some(agent) = self.options.user_agent {
            request = request.with_user_agent(agent);
        }
        request = request.with_proxy_headers(self.options.proxy_headers);
        let mut bytes = vec![0u8; request.encoded_len()];
        match request.encode(&mut bytes) {
            Ok(written) => bytes.truncate(written),
            Err(error) => {
                // Name the part that cannot be sent: what the caller configured.
                let part = match error {
                    crate::connect::ConnectEncodeError::InvalidUserAgent { .. } => "user agent",
                    crate::connect::ConnectEncodeError::InvalidAuthorization { .. } => {
                        "proxy authorization"
                    }
                    _ => "CONNECT request",
                };
                self.fail(Failure::InvalidConfig {
                    variable: String::from(part),
                    problem: error.to_string(),
                });
                return;
            }
        }
        self.request = bytes;
        match self.decoder.as_mut() {
            Some(decoder) => decoder.reset(),
            None => self.decoder = Some(ConnectResponse::growing()),
        }
        self.enter(State::SendConnect, now);
    }

    /// A 407 arrived: prepares the next round's value, then skips the body (or reconnects
    /// when the proxy closes), or says why there is no next round.
    fn next_round(&mut self, status: u16, now: Duration) -> Result<(), AuthProblem> {
        let head = self.decoder.as_ref().map_or(&[][..], |d| d.final_head());
        let reply = auth_reply(head, status);
        let input = round_input(&self.connect_uri, &self.options);
        let credentials = self.proxy.and_then(|p| p.url().credentials());
        let value = self
            .auth
            .respond(&reply.challenges, credentials.as_ref(), &input)?;
        if let (Some(proxy), Some(scheme)) = (self.proxy, self.auth.used()) {
            proxy.learned_scheme().learn(scheme);
        }
        self.authorization = Some(value);
        match reply.body_len {
            Some(len) => {
                self.state = State::SkipBody(len);
                Ok(())
            }
            None if self.auth.is_connection_bound() => Err(AuthProblem::ConnectionClosed),
            None => {
                self.reconnect_or_fail(now);
                Ok(())
            }
        }
    }

    /// The proxy said 2xx: lets the authentication check what came with it (a Negotiate
    /// final token, for mutual authentication).
    fn verify_established(&mut self, status: u16) -> Result<(), AuthProblem> {
        if self.auth.used().is_none() {
            return Ok(());
        }
        let head = self.decoder.as_ref().map_or(&[][..], |d| d.final_head());
        let reply = auth_reply(head, status);
        self.auth.established(&reply.challenges)
    }

    /// Skips `left` body bytes of a 407 from `input`; at the end, sends the next CONNECT.
    fn skip_body(&mut self, left: u64, input: &[u8], now: Duration) -> usize {
        let take = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
        let left = left - take as u64;
        if left > 0 {
            self.state = State::SkipBody(left);
            return take;
        }
        self.send_connect(now);
        take
    }

    /// The proxy closed after a 407: a scheme not bound to the connection goes on over a
    /// new one (to the same address); NTLM cannot.
    fn reconnect_or_fail(&mut self, now: Duration) {
        if self.auth.is_connection_bound() {
            let proxy = self.proxy_shown();
            self.fail(Failure::ProxyAuthRequired {
                proxy,
                status: 407,
                schemes: Vec::new(),
                credentials_sent: true,
                scheme: self.auth.used().map(|s| s.name()),
                problem: AuthProblem::ConnectionClosed,
            });
            return;
        }
        self.auth.next_connection();
        self.enter(State::Connect(Phase::ConnectProxy), now);
    }

    /// TCP to the target, or a tunnel to it, is up.
    fn after_tunnel_or_tcp(&mut self, now: Duration) {
        if self.target.scheme == Scheme::Https {
            self.enter(State::Tls(TlsPeer::Target), now);
        } else {
            self.state = State::Ready;
        }
    }

    fn enter(&mut self, state: State, now: Duration) {
        self.state = state;
        let Some(phase) = self.phase() else {
            return;
        };
        let timeouts = self.options.timeouts;
        let limit = match phase {
            Phase::ProxyTls | Phase::TargetTls => timeouts.tls,
            Phase::ProxyHandshake => timeouts.proxy_handshake,
            _ => timeouts.connect,
        };
        let phase_deadline = limit.map(|limit| now.saturating_add(limit));
        self.deadline = match (phase_deadline, self.options.deadline) {
            (Some(phase), Some(whole)) => Some(phase.min(whole)),
            (phase, whole) => phase.or(whole),
        };
        self.events.push_back(Event::Started(phase));
    }

    /// Fails with a timeout of the current phase if `now` is past its deadline.
    fn expired(&mut self, now: Duration) -> bool {
        if matches!(self.state, State::Ready | State::Failed) {
            return false;
        }
        match (self.deadline, self.phase()) {
            (Some(deadline), Some(phase)) if now >= deadline => {
                self.fail(Failure::Timeout { phase });
                true
            }
            _ => false,
        }
    }

    /// The addresses the blocklist allows (all of them through a proxy); `None` after
    /// failing because every one is blocked.
    fn allowed(&mut self, addrs: Vec<SocketAddr>, direct: bool) -> Option<Vec<SocketAddr>> {
        let Some(blocklist) = self.options.blocklist.filter(|_| direct) else {
            return Some(addrs);
        };
        let mut first_blocked = None;
        let kept: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|addr| match blocklist.check(addr.ip()) {
                None => true,
                Some(range) => {
                    first_blocked.get_or_insert((addr.ip(), range));
                    false
                }
            })
            .collect();
        match (kept.is_empty(), first_blocked) {
            (true, Some((addr, range))) => {
                self.fail(Failure::Blocked {
                    host: self.target.host.to_string(),
                    addr,
                    range,
                });
                None
            }
            _ => Some(kept),
        }
    }

    fn fail_unreachable(&mut self, phase: Phase, error: PeerError) {
        let failure = match phase {
            Phase::ResolveTarget | Phase::ConnectTarget => Failure::TargetUnreachable {
                target: self.target.authority().to_string(),
                phase,
                source: error,
            },
            _ => Failure::ProxyUnreachable {
                proxy: self.proxy_shown(),
                phase,
                source: error,
            },
        };
        self.fail(failure);
    }

    fn fail(&mut self, failure: Failure) {
        self.state = State::Failed;
        self.failure = Some(failure);
        self.request.clear();
    }

    fn emit_done(&mut self, phase: Phase, detail: Detail) {
        self.events.push_back(Event::Done { phase, detail });
    }

    fn resolve_name(&self) -> &str {
        let host = match (self.state, self.proxy) {
            (State::Resolve(Phase::ResolveProxy), Some(proxy)) => proxy.url().host(),
            _ => self.target.host,
        };
        match host {
            Host::Name(name) => name,
            _ => "",
        }
    }

    fn peer_port(&self) -> u16 {
        match (self.state, self.proxy) {
            (State::Resolve(Phase::ResolveProxy), Some(proxy)) => proxy.port(),
            _ => self.target.port,
        }
    }

    fn proxy_shown(&self) -> String {
        self.proxy
            .map_or_else(String::new, |proxy| proxy.shown().to_string())
    }
}

/// The proxy's explanation of a refusal, owned for the failure.
fn owned_explanation(explanation: &Explanation, body: &[u8]) -> ProxyExplanation {
    let line: InlineStr<120> = first_body_line(body);
    let owned = |text: Option<&str>| text.map(str::to_string);
    ProxyExplanation {
        squid_error: owned(explanation.squid_error()),
        proxy_status: owned(explanation.proxy_status()),
        via: owned(explanation.via()),
        body_line: owned(Some(line.as_str()).filter(|l| !l.is_empty())),
    }
}

/// The authentication state for the decided proxy, with Negotiate when a provider is given
/// (for the service `HTTP@<proxy host>`).
fn proxy_auth(options: &Options<'_>, proxy: Option<&RouterProxy>) -> ProxyAuth {
    let auth = match proxy {
        Some(proxy) => ProxyAuth::for_proxy(
            options.auth,
            proxy.scheme() == crate::Scheme::Https,
            proxy.learned_scheme().get(),
        ),
        None => ProxyAuth::new(options.auth),
    };
    match (options.negotiate, proxy) {
        (Some(provider), Some(proxy)) => {
            auth.with_negotiate(provider.clone(), service_host(proxy.url().host()))
        }
        _ => auth,
    }
}

/// What a CONNECT round is authorized for: `CONNECT host:port`, with the driver's randomness.
fn round_input<'u>(uri: &'u str, options: &Options<'_>) -> RoundInput<'u> {
    RoundInput {
        method: "CONNECT",
        uri,
        random: options.random,
        unix_time: options.unix_time,
    }
}

fn tls_phase(peer: TlsPeer) -> Phase {
    match peer {
        TlsPeer::Proxy => Phase::ProxyTls,
        TlsPeer::Target => Phase::TargetTls,
    }
}
