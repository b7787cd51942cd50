//! The blocking driver of egress-core's connection machine: it performs each action the
//! machine asks for (a bounded DNS lookup, a TCP connect, a TLS handshake, a write, a read)
//! with socket timeouts set to the machine's deadline, and reports the result. What the
//! route is, which failure a result means, and when a phase times out are all decided by
//! the machine; this file only moves bytes and keeps the sockets.

use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use egress_core::auth::Seed;
use egress_core::establish::{Action, Establish, Ready, TlsPeer};
use egress_core::failure::{Failure, PeerError};
use egress_core::settings::PhaseReport;
use egress_core::{Decision, Host, Phase, Target};
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::settings::Settings;
use crate::transport::{Clock, SocketStream, is_timeout};

/// Read size while waiting for the proxy's answer to CONNECT.
const READ_CHUNK: usize = 4096;

/// A stream along the route, ready for HTTP.
pub(crate) struct Established {
    pub(crate) stream: SocketStream,
    pub(crate) ready: Ready,
    pub(crate) clock: Clock,
}

/// Drives the machine for `target` along `decision` until the stream is ready or failed.
/// `within` is what is left of the call's own limit (ureq's global timeout), if any: no
/// phase runs past it.
pub(crate) fn establish(
    settings: &Settings,
    decision: &Decision<'_>,
    target: Target<'_>,
    within: Option<Duration>,
) -> Result<Established, Failure> {
    let shared = &settings.shared;
    let clock = Clock::start();
    let seed = fresh_seed();
    let options = egress_core::establish::Options {
        deadline: within.map(|left| clock.now() + left),
        random: seed.random,
        unix_time: seed.unix_time,
        ..shared.establish_options()
    };
    let mut machine = Establish::new(decision, target, options, clock.now());
    let mut report = PhaseReport::new(shared.observer(), target);
    let mut stream: Option<SocketStream> = None;
    let mut leftover = Vec::new();
    loop {
        while let Some(event) = machine.poll_event() {
            report.event(event, clock.now());
        }
        let deadline = machine.poll_timeout();
        let left = clock.left(deadline);
        let timed_out = |machine: &mut Establish<'_>| {
            machine.handle_timeout(clock.now().max(deadline.unwrap_or_default()));
        };
        match machine.poll_action() {
            Action::Resolve { name, .. } => {
                report.set_host(&name);
                match lookup(name, left) {
                    Ok(addrs) => machine.handle_resolved(clock.now(), addrs),
                    Err(e) if is_timeout(&e) => timed_out(&mut machine),
                    Err(e) => machine.handle_resolve_failed(clock.now(), e.into()),
                }
            }
            Action::Connect { addr, .. } => {
                let attempt = match left {
                    Some(left) => TcpStream::connect_timeout(&addr, left),
                    None => TcpStream::connect(addr),
                };
                match attempt.and_then(|tcp| tcp.set_nodelay(true).map(|()| tcp)) {
                    Ok(tcp) => {
                        stream = Some(SocketStream::Plain(tcp));
                        machine.handle_connected(clock.now());
                    }
                    Err(e) => machine.handle_connect_failed(clock.now(), e.into()),
                }
            }
            Action::StartTls { peer, host } => {
                report.set_host(&host);
                let config = match peer {
                    TlsPeer::Proxy => shared.proxy_tls(),
                    TlsPeer::Target => shared.target_tls(),
                };
                let below = take(&mut stream)?;
                let below = SocketStream::with_replay(below, std::mem::take(&mut leftover));
                match tls_handshake(config, host, below, &clock, deadline) {
                    Ok(tls) => {
                        stream = Some(tls);
                        machine.handle_tls_done(clock.now());
                    }
                    Err(e) if is_timeout(&e) => timed_out(&mut machine),
                    Err(e) => machine.handle_tls_failed(clock.now(), e.into()),
                }
            }
            Action::Send(bytes) => {
                let socket = borrow(&mut stream)?;
                // One write, so the request leaves in one segment (TCP_NODELAY is on).
                let sent = set_timeouts(socket, left)
                    .and_then(|()| socket.write_all(bytes))
                    .and_then(|()| socket.flush());
                match sent {
                    Ok(()) => machine.handle_sent(clock.now()),
                    Err(e) if is_timeout(&e) => timed_out(&mut machine),
                    Err(e) => machine.handle_io_failed(clock.now(), e.into()),
                }
            }
            Action::Read => {
                let socket = borrow(&mut stream)?;
                let mut chunk = [0u8; READ_CHUNK];
                match set_timeouts(socket, left).and_then(|()| read_once(socket, &mut chunk)) {
                    Ok(0) => machine.handle_eof(clock.now()),
                    Ok(n) => {
                        let taken = machine.handle_bytes(clock.now(), &chunk[..n]);
                        leftover.extend_from_slice(&chunk[taken..n]);
                    }
                    Err(e) if is_timeout(&e) => timed_out(&mut machine),
                    Err(e) => machine.handle_io_failed(clock.now(), e.into()),
                }
            }
            Action::Ready(ready) => {
                let below = take(&mut stream)?;
                return Ok(Established {
                    stream: SocketStream::with_replay(below, leftover),
                    ready,
                    clock,
                });
            }
            Action::Failed => {
                return Err(machine.take_failure().unwrap_or(Failure::Timeout {
                    phase: Phase::Exchange,
                }));
            }
        }
    }
}

/// The stream the machine's current action works on; it exists once a connect succeeded,
/// which the machine guarantees before any action that needs one.
fn borrow(stream: &mut Option<SocketStream>) -> Result<&mut SocketStream, Failure> {
    stream.as_mut().ok_or_else(missing_stream)
}

fn take(stream: &mut Option<SocketStream>) -> Result<SocketStream, Failure> {
    stream.take().ok_or_else(missing_stream)
}

fn missing_stream() -> Failure {
    Failure::TargetUnreachable {
        target: String::from("(no connection)"),
        phase: Phase::ConnectTarget,
        source: PeerError::from(io::Error::other("bug: no connection for this step")),
    }
}

fn set_timeouts(stream: &SocketStream, left: Option<Duration>) -> io::Result<()> {
    stream.tcp().set_read_timeout(left)?;
    stream.tcp().set_write_timeout(left)
}

fn read_once(stream: &mut SocketStream, chunk: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(chunk) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Resolves `name` within `left`: the system resolver blocks, so it runs on a helper thread
/// that is abandoned (and finishes on its own) when the limit passes.
fn lookup(name: &str, left: Option<Duration>) -> io::Result<Vec<IpAddr>> {
    let resolve = |name: &str| -> io::Result<Vec<IpAddr>> {
        Ok((name, 0).to_socket_addrs()?.map(|addr| addr.ip()).collect())
    };
    let Some(left) = left else {
        return resolve(name);
    };
    let (send, receive) = mpsc::channel();
    let owned = name.to_owned();
    std::thread::Builder::new()
        .name(String::from("egress-dns"))
        .spawn(move || {
            // The receiver may be gone after a timeout; nothing else to do then.
            let _ = send.send(resolve(&owned));
        })?;
    receive
        .recv_timeout(left)
        .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "lookup timed out")))
}

/// A TLS handshake with `host` over `below`, within `deadline`.
fn tls_handshake(
    config: &Arc<ClientConfig>,
    host: Host<'_>,
    below: SocketStream,
    clock: &Clock,
    deadline: Option<Duration>,
) -> io::Result<SocketStream> {
    let name = egress_core::tls::server_name(&host).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the host is not a valid TLS server name",
        )
    })?;
    let connection = ClientConnection::new(Arc::clone(config), name).map_err(io::Error::other)?;
    let mut tls = StreamOwned::new(connection, below);
    while tls.conn.is_handshaking() {
        set_timeouts(&tls.sock, clock.left(deadline))?;
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(SocketStream::Tls(Box::new(tls)))
}

/// What this connection's proxy authentication needs from the OS: randomness and the
/// wall-clock time (egress-core's [`Seed`] holds the fallback rule).
pub(crate) fn fresh_seed() -> Seed {
    let mut bytes = [0u8; 16];
    let random = getrandom::fill(&mut bytes).is_ok().then_some(bytes);
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Seed::new(random, since_epoch.ok())
}
