//! `establish`: the connection machine driven end to end by a scripted peer (the model is
//! `core/src/establish/tests.rs`): a route, the driver's results (addresses or a lookup
//! failure, connect ok/refused/timeout, TLS ok/failure, the proxy's answer in arbitrary
//! chunks per connection, EOF, I/O errors), authentication choices and clock jumps.
//!
//! Properties: no panic; exactly one outcome (`Ready`, or `Failed` with one failure, both
//! sticky) within a bounded number of steps; a result reported at or past the deadline the
//! machine gave makes it fail with a timeout; no deadline past the whole-request one; a
//! proxied target's name is never resolved; nothing is sent after a failure; `handle_bytes`
//! takes at most what it was fed and never leaves bytes while still reading; at most
//! `MAX_ROUNDS + 1` connections to a proxy; the same peer bytes whole or split give the same
//! outcome; the proxy URL's password is in no failure, event or `Debug`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

use super::Input;
use crate::auth::{AuthChoice, MAX_ROUNDS};
use crate::blocklist::IpBlocklist;
use crate::establish::{Action, Establish, Options, Ready, Timeouts};
use crate::failure::{Failure, FailureKind, PeerError, PeerErrorKind};
use crate::host::Host;
use crate::phase::Phase;
use crate::proxy_headers::ProxyHeaderLines;
use crate::router::{RouteKind, Router, Setting};
use crate::target::Target;

/// The proxy URLs' password, looked for in everything the machine shows.
const MARKER: &str = "Pw0rdMarker";
const PROXIES: [&str; 5] = [
    "http://u:Pw0rdMarker@proxy.corp:3128",
    "http://dom%5Cu:Pw0rdMarker@192.0.2.7:3128",
    "https://u:Pw0rdMarker@proxy.corp:3129",
    "https://u:Pw0rdMarker@[2001:db8::7]",
    "http://proxy.corp:8080",
];
const ADDRS: [IpAddr; 6] = [
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)),
    IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
];
const KINDS: [PeerErrorKind; 8] = [
    PeerErrorKind::Refused,
    PeerErrorKind::Reset,
    PeerErrorKind::Closed,
    PeerErrorKind::TimedOut,
    PeerErrorKind::NotFound,
    PeerErrorKind::NotTls,
    PeerErrorKind::Tls,
    PeerErrorKind::Other,
];
/// Clock advances an action may take, picked by the top three bits of a script byte.
const ADVANCE_MS: [u64; 8] = [1, 1, 5, 50, 500, 5_000, 60_000, 3_600_000];
/// The machine's clock when it starts.
const START: Duration = Duration::from_secs(100);

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Ready, with the bytes the driver holds for the tunnel (untaken, then unread).
    Ready(Ready, Vec<u8>),
    Failed(FailureKind),
}

/// Decodes a flags byte (bits 0-1: router, bit 2: https target, bit 3: blocklist, bit 4:
/// user agent, bit 5: whole-request deadline), a proxy selector, an auth choice, a random
/// byte, the Unix time (two bytes), three timeout bytes (0: none, else 50 ms units), a
/// deadline byte, the target authority, the proxy header block, the user agent, a
/// connection count with that many fields (the peer's bytes on each connection), up to 8
/// chunk sizes, then the driver's script.
pub fn check_establish(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let proxy = PROXIES[usize::from(input.byte()) % PROXIES.len()];
    let auth = [
        AuthChoice::Any,
        AuthChoice::Basic,
        AuthChoice::Digest,
        AuthChoice::Ntlm,
    ][usize::from(input.byte() % 4)];
    let random = [input.byte(); 16];
    let unix_time = u64::from(input.u16()) * 1000;
    let mut limit = || match input.byte() {
        0 => None,
        n => Some(Duration::from_millis(u64::from(n) * 50)),
    };
    let timeouts = Timeouts {
        connect: limit(),
        proxy_handshake: limit(),
        tls: limit(),
    };
    let deadline = match input.byte() {
        0 => None,
        n => Some(START + Duration::from_millis(u64::from(n) * 200)),
    };
    let authority = input.text();
    let headers = ProxyHeaderLines::parse(input.text()).unwrap_or(ProxyHeaderLines::EMPTY);
    let agent = input.text();
    let segments: Vec<&[u8]> = (0..input.byte() % 7).map(|_| input.field()).collect();
    let chunks: Vec<usize> = (0..input.byte() % 9)
        .map(|_| usize::from(input.byte()).max(1))
        .collect();
    let script = input.rest();

    let setting = |name: &str| Some(Setting::new(name, proxy));
    // A router per drive: a router remembers what its proxies asked for (the learned
    // scheme), which rightly changes the next connection's first CONNECT.
    let fresh_router = || {
        match flags & 3 {
            0 => Router::new(None, None, None, false),
            1 => Router::new(setting("http_proxy"), None, None, false),
            2 => Router::new(None, setting("https_proxy"), None, false),
            _ => Router::new(setting("http_proxy"), setting("https_proxy"), None, false),
        }
        .unwrap_or_else(|error| panic!("fixed proxy {proxy}: {error}"))
    };
    let router = fresh_router();
    let scheme = if flags & 4 != 0 { "https" } else { "http" };
    let Ok(target) = Target::from_authority(scheme, authority) else {
        return;
    };
    let blocklist = IpBlocklist::non_public();
    let options = Options {
        timeouts,
        blocklist: (flags & 8 != 0).then_some(&blocklist),
        user_agent: (flags & 16 != 0).then_some(agent),
        auth,
        random,
        unix_time,
        deadline: deadline.filter(|_| flags & 32 != 0),
        proxy_headers: headers,
        negotiate: None,
    };

    let scripted = drive(&router, target, options, &segments, Some(script), &[]);
    // The same peer bytes fed whole and in chunks, every other result a success, no clock
    // limits: the outcome must not depend on how reads cut the bytes.
    if !segments.is_empty() {
        let free = Options {
            timeouts: Timeouts {
                connect: None,
                proxy_handshake: None,
                tls: None,
            },
            deadline: None,
            ..options
        };
        let whole = drive(&fresh_router(), target, free, &segments, None, &[]);
        if !chunks.is_empty() {
            let split = drive(&fresh_router(), target, free, &segments, None, &chunks);
            assert_eq!(whole, split, "chunks {chunks:?} change the outcome");
        }
        let bytes = drive(&fresh_router(), target, free, &segments, None, &[1]);
        assert_eq!(whole, bytes, "byte-by-byte reads change the outcome");
    }
    let _ = scripted;
}

/// The scripted peer: a script of results (or all successes), and the bytes of each
/// connection, read whole (`chunks` empty) or in pieces of these sizes in turn.
struct Peer<'s> {
    script: Option<Input<'s>>,
    segments: &'s [&'s [u8]],
    /// Connections made so far; the current one reads `segments[connections - 1]`.
    connections: usize,
    at: usize,
    chunks: &'s [usize],
    turn: usize,
    now: Duration,
}

impl<'s> Peer<'s> {
    /// The next script byte, `None` when the script is over (then everything succeeds).
    fn op(&mut self) -> Option<u8> {
        let script = self.script.as_mut()?;
        if script.is_empty() {
            return None;
        }
        let op = script.byte();
        self.now += Duration::from_millis(ADVANCE_MS[usize::from(op >> 5)]);
        Some(op & 0x1f)
    }

    fn kind(&mut self) -> PeerErrorKind {
        let byte = self.script.as_mut().map_or(0, Input::byte);
        KINDS[usize::from(byte) % KINDS.len()]
    }

    fn error(&mut self) -> PeerError {
        PeerError::new(self.kind(), "scripted failure")
    }

    /// The unread bytes of the current connection.
    fn stream(&self) -> &'s [u8] {
        let segment = self
            .connections
            .checked_sub(1)
            .and_then(|i| self.segments.get(i))
            .copied()
            .unwrap_or(&[]);
        segment.get(self.at..).unwrap_or(&[])
    }

    /// The bytes of the next read (empty: the stream is over).
    fn read(&mut self, size: Option<usize>) -> &'s [u8] {
        let stream = self.stream();
        let size = size.unwrap_or_else(|| {
            if self.chunks.is_empty() {
                stream.len()
            } else {
                self.turn += 1;
                self.chunks[(self.turn - 1) % self.chunks.len()]
            }
        });
        &stream[..size.min(stream.len())]
    }
}

fn drive(
    router: &Router,
    target: Target<'_>,
    options: Options<'_>,
    segments: &[&[u8]],
    script: Option<&[u8]>,
    chunks: &[usize],
) -> End {
    let decision = router.route(&target);
    let proxied = decision.kind != RouteKind::Direct && decision.proxy.is_some();
    let proxy_url = decision.proxy.filter(|_| proxied).map(|p| p.url());
    let mut peer = Peer {
        script: script.map(Input::new),
        segments,
        connections: 0,
        at: 0,
        chunks,
        turn: 0,
        now: START,
    };
    let mut machine = Establish::new(&decision, target, options, peer.now);
    let peer_bytes: usize = segments.iter().map(|s| s.len()).sum();
    let max_steps = 64 + 2 * script.map_or(0, <[u8]>::len) + 2 * peer_bytes;
    let mut shown = String::new();
    let mut must_time_out = false;
    let mut steps = 0;
    let end = loop {
        while let Some(event) = machine.poll_event() {
            shown.push_str(&format!("{event:?}"));
        }
        steps += 1;
        assert!(steps <= max_steps, "no outcome after {steps} steps");
        let deadline = machine.poll_timeout();
        if let (Some(given), Some(whole)) = (deadline, options.deadline) {
            assert!(
                given <= whole,
                "deadline {given:?} past the whole one {whole:?}"
            );
        }
        shown.push_str(&format!("{machine:?}"));
        let op = peer.op();
        // A silent peer: the driver's timer fires at the deadline (none: the peer closes).
        let silence = |machine: &mut Establish<'_>, peer: &mut Peer<'_>| match deadline {
            Some(at) => {
                peer.now = peer.now.max(at);
                machine.handle_timeout(peer.now);
                true
            }
            None => false,
        };
        if op.is_none() {
            peer.now += Duration::from_millis(1);
        }
        let late = deadline.is_some_and(|at| peer.now >= at);
        match machine.poll_action() {
            Action::Resolve { name, phase } => {
                if let Some(url) = proxy_url {
                    assert_eq!(phase, Phase::ResolveProxy, "a proxied target resolved");
                    assert_eq!(
                        Host::Name(name),
                        url.host(),
                        "resolving {name}, not the proxy"
                    );
                } else {
                    assert_eq!(phase, Phase::ResolveTarget);
                }
                match op.map(|op| op % 4) {
                    None | Some(0) => machine.handle_resolved(peer.now, [ADDRS[0]]),
                    Some(1) => {
                        let count = peer.script.as_mut().map_or(1, Input::byte) % 5;
                        let mut addrs = Vec::new();
                        for _ in 0..count {
                            let i = peer.script.as_mut().map_or(0, Input::byte);
                            addrs.push(ADDRS[usize::from(i) % ADDRS.len()]);
                        }
                        machine.handle_resolved(peer.now, addrs);
                    }
                    Some(2) => {
                        let error = peer.error();
                        machine.handle_resolve_failed(peer.now, error);
                    }
                    Some(_) => {
                        if !silence(&mut machine, &mut peer) {
                            machine.handle_resolved(peer.now, [ADDRS[3]]);
                        }
                    }
                }
            }
            Action::Connect { addr, phase } => {
                if let Some(url) = proxy_url {
                    assert_eq!(phase, Phase::ConnectProxy, "connecting to the target");
                    assert_eq!(addr.port(), url.port());
                }
                match op.map(|op| op % 4) {
                    None | Some(0) => {
                        machine.handle_connected(peer.now);
                        if !late {
                            peer.connections += 1;
                            peer.at = 0;
                        }
                    }
                    Some(1) | Some(2) => {
                        let error = peer.error();
                        machine.handle_connect_failed(peer.now, error);
                    }
                    Some(_) => {
                        if !silence(&mut machine, &mut peer) {
                            let error = PeerError::new(PeerErrorKind::TimedOut, "no answer");
                            machine.handle_connect_failed(peer.now, error);
                        }
                    }
                }
                if proxied {
                    assert!(
                        // The first, then one more after each answered round at most.
                        peer.connections <= usize::from(MAX_ROUNDS) + 1,
                        "{} connections to the proxy",
                        peer.connections
                    );
                }
            }
            Action::StartTls { .. } => match op.map(|op| op % 4) {
                None | Some(0) | Some(1) => machine.handle_tls_done(peer.now),
                Some(2) => {
                    let error = peer.error();
                    machine.handle_tls_failed(peer.now, error);
                }
                Some(_) => {
                    if !silence(&mut machine, &mut peer) {
                        let error = peer.error();
                        machine.handle_tls_failed(peer.now, error);
                    }
                }
            },
            Action::Send(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                assert!(!text.contains(MARKER), "password sent in clear: {text}");
                match op.map(|op| op % 8) {
                    Some(7) => {
                        let error = peer.error();
                        machine.handle_io_failed(peer.now, error);
                    }
                    _ => machine.handle_sent(peer.now),
                }
            }
            Action::Read => {
                let choice = op.map(|op| op % 8);
                let size = match choice {
                    Some(0..=3) => {
                        Some(usize::from(peer.script.as_mut().map_or(1, Input::byte)).max(1))
                    }
                    _ => None,
                };
                match choice {
                    None | Some(0..=4) => {
                        let bytes = peer.read(size);
                        if bytes.is_empty() {
                            machine.handle_eof(peer.now);
                        } else {
                            let taken = machine.handle_bytes(peer.now, bytes);
                            assert!(
                                taken <= bytes.len(),
                                "took {taken} of {} bytes",
                                bytes.len()
                            );
                            if taken < bytes.len() {
                                assert_ne!(
                                    machine.poll_action(),
                                    Action::Read,
                                    "bytes left over while still reading"
                                );
                            }
                            if !late {
                                peer.at += taken;
                            }
                        }
                    }
                    Some(5) => machine.handle_eof(peer.now),
                    Some(6) => {
                        let error = peer.error();
                        machine.handle_io_failed(peer.now, error);
                    }
                    Some(_) => {
                        if !silence(&mut machine, &mut peer) {
                            machine.handle_eof(peer.now);
                        }
                    }
                }
            }
            Action::Ready(ready) => {
                assert!(!must_time_out, "ready after its deadline");
                let mut tunnel = peer.stream().to_vec();
                if ready.forward || !proxied {
                    tunnel.clear();
                }
                break End::Ready(ready, tunnel);
            }
            Action::Failed => {
                let failure = machine
                    .take_failure()
                    .unwrap_or_else(|| panic!("Failed without a failure"));
                if must_time_out {
                    assert!(
                        matches!(failure, Failure::Timeout { .. }),
                        "a late result gave {failure:?}, not a timeout"
                    );
                }
                shown.push_str(&format!("{failure} {failure:?}"));
                break End::Failed(failure.kind());
            }
        }
        // A result at or past the deadline (or the timer firing there) is a timeout.
        if deadline.is_some_and(|at| peer.now >= at) {
            must_time_out = true;
        }
    };
    while let Some(event) = machine.poll_event() {
        shown.push_str(&format!("{event:?}"));
    }
    check_sticky(&mut machine, &end, peer.now);
    shown.push_str(&format!("{machine:?}"));
    assert!(!shown.contains(MARKER), "password shown: {shown}");
    end
}

/// After the outcome, every input is ignored: no second outcome, nothing to send or wait for.
fn check_sticky(machine: &mut Establish<'_>, end: &End, now: Duration) {
    let before = format!("{:?}", machine.poll_action());
    let later = now + Duration::from_secs(3600);
    machine.handle_resolved(later, [ADDRS[0]]);
    machine.handle_connected(later);
    machine.handle_tls_done(later);
    machine.handle_sent(later);
    assert_eq!(
        machine.handle_bytes(later, b"HTTP/1.1 200 OK\r\n\r\n"),
        0,
        "bytes taken after the outcome"
    );
    machine.handle_eof(later);
    machine.handle_timeout(later);
    machine.handle_io_failed(later, PeerError::new(PeerErrorKind::Reset, "late"));
    assert_eq!(
        format!("{:?}", machine.poll_action()),
        before,
        "outcome changed"
    );
    assert!(
        machine.poll_timeout().is_none(),
        "a deadline after the outcome"
    );
    assert!(machine.take_failure().is_none(), "a second failure");
    match end {
        End::Ready(..) => assert!(matches!(machine.poll_action(), Action::Ready(_))),
        End::Failed(_) => assert_eq!(machine.poll_action(), Action::Failed),
    }
}
