//! The async driver of egress-core's connection machine: it performs each action the
//! machine asks for (a DNS lookup, a TCP connect, a TLS handshake, a write, a read) under
//! the runtime's timer set to the machine's deadline, and reports the result. What the
//! route is, which failure a result means, and when a phase times out are all decided by
//! the machine; this file only moves bytes and keeps the sockets. Dropping the future drops
//! every socket it owns.

use std::io;
use std::sync::Arc;
use std::time::Instant;

use egress_core::auth::Seed;
use egress_core::establish::{Action, Establish, Ready, TlsPeer};
use egress_core::failure::{Failure, PeerError};
use egress_core::settings::PhaseReport;
use egress_core::{Decision, Host, Phase, Target};
use futures_io::{AsyncRead, AsyncWrite};
use futures_rustls::client::TlsStream;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use rustls::ClientConfig;

use crate::connection::Stack;
use crate::runtime::Tcp;
use crate::settings::Settings;
use crate::stream::{Layer, Replay};

/// Read size while waiting for the proxy's answer to CONNECT: a usual answer is some 40
/// bytes, and a longer one (a 407 with its page) just takes more reads.
const READ_CHUNK: usize = 1024;

/// Drives the machine for `target` along `decision` until the stream is ready or failed.
pub(crate) async fn establish(
    settings: &Settings,
    decision: &Decision<'_>,
    target: Target<'_>,
    deadline: Option<Instant>,
) -> Result<(Stack, Ready), Failure> {
    let shared = &settings.shared;
    let runtime = settings.runtime;
    let epoch = Instant::now();
    let now = || epoch.elapsed();
    let seed = fresh_seed();
    let options = egress_core::establish::Options {
        deadline: deadline.map(|at| at.saturating_duration_since(epoch)),
        random: seed.random,
        unix_time: seed.unix_time,
        ..shared.establish_options()
    };
    let mut machine = Establish::new(decision, target, options, now());
    let mut report = PhaseReport::new(shared.observer(), target);
    let mut below: Option<Layer<Tcp>> = None;
    let mut top: Option<Stack> = None;
    let mut leftover = Vec::new();
    // Allocated for the proxy handshake only and freed before the target's TLS starts:
    // what a connection allocates and frees while others are being set up is what the
    // allocator keeps after a burst.
    let mut chunk = Vec::new();
    loop {
        while let Some(event) = machine.poll_event() {
            report.event(event, now());
        }
        let deadline = machine.poll_timeout();
        let left = deadline.map(|at| at.saturating_sub(now()));
        let late = deadline.unwrap_or_default();
        match machine.poll_action() {
            Action::Resolve { name, .. } => {
                report.set_host(&name);
                match runtime.timeout(left, runtime.resolve(name, 0)).await {
                    None => machine.handle_timeout(now().max(late)),
                    Some(Ok(addrs)) => {
                        machine.handle_resolved(now(), addrs.into_iter().map(|a| a.ip()));
                    }
                    Some(Err(e)) => machine.handle_resolve_failed(now(), e.into()),
                }
            }
            Action::Connect { addr, .. } => {
                match runtime.timeout(left, runtime.connect_tcp(addr)).await {
                    None => machine.handle_timeout(now().max(late)),
                    Some(Ok(tcp)) => {
                        below = Some(Layer::Plain(tcp));
                        machine.handle_connected(now());
                    }
                    Some(Err(e)) => machine.handle_connect_failed(now(), e.into()),
                }
            }
            Action::StartTls {
                peer: TlsPeer::Proxy,
                host,
            } => {
                report.set_host(&host);
                let Some(Layer::Plain(tcp)) = below.take() else {
                    return Err(missing_stream());
                };
                let handshake = tls_handshake(shared.proxy_tls(), host, tcp);
                match runtime.timeout(left, Box::pin(handshake)).await {
                    None => machine.handle_timeout(now().max(late)),
                    Some(Ok(tls)) => {
                        below = Some(Layer::Tls(Box::new(tls)));
                        machine.handle_tls_done(now());
                    }
                    Some(Err(e)) => machine.handle_tls_failed(now(), e.into()),
                }
            }
            Action::StartTls {
                peer: TlsPeer::Target,
                host,
            } => {
                report.set_host(&host);
                let stream = below.take().ok_or_else(missing_stream)?;
                chunk = Vec::new();
                let replay = Replay::new(std::mem::take(&mut leftover), stream);
                let handshake = tls_handshake(shared.target_tls(), host, replay);
                match runtime.timeout(left, Box::pin(handshake)).await {
                    None => machine.handle_timeout(now().max(late)),
                    Some(Ok(tls)) => {
                        top = Some(Layer::Tls(Box::new(tls)));
                        machine.handle_tls_done(now());
                    }
                    Some(Err(e)) => machine.handle_tls_failed(now(), e.into()),
                }
            }
            Action::Send(bytes) => {
                let stream = below.as_mut().ok_or_else(missing_stream)?;
                // One write, so the request leaves in one segment (TCP_NODELAY is on).
                let send = async {
                    stream.write_all(bytes).await?;
                    stream.flush().await
                };
                match runtime.timeout(left, send).await {
                    None => machine.handle_timeout(now().max(late)),
                    Some(Ok(())) => machine.handle_sent(now()),
                    Some(Err(e)) => machine.handle_io_failed(now(), e.into()),
                }
            }
            Action::Read => {
                let stream = below.as_mut().ok_or_else(missing_stream)?;
                if chunk.is_empty() {
                    chunk = vec![0u8; READ_CHUNK];
                }
                match runtime.timeout(left, stream.read(&mut chunk)).await {
                    None => machine.handle_timeout(now().max(late)),
                    Some(Ok(0)) => machine.handle_eof(now()),
                    Some(Ok(n)) => {
                        let taken = machine.handle_bytes(now(), &chunk[..n]);
                        leftover.extend_from_slice(&chunk[taken..n]);
                    }
                    Some(Err(e)) => machine.handle_io_failed(now(), e.into()),
                }
            }
            Action::Ready(ready) => {
                let stack = match top.take() {
                    Some(tls) => tls,
                    None => {
                        let stream = below.take().ok_or_else(missing_stream)?;
                        Layer::Plain(Replay::new(leftover, stream))
                    }
                };
                return Ok((stack, ready));
            }
            Action::Failed => {
                return Err(machine.take_failure().unwrap_or(Failure::Timeout {
                    phase: Phase::Exchange,
                }));
            }
        }
    }
}

/// The machine only asks for a step on a stream after a connect succeeded.
fn missing_stream() -> Failure {
    Failure::TargetUnreachable {
        target: String::from("(no connection)"),
        phase: Phase::ConnectTarget,
        source: PeerError::from(io::Error::other("bug: no connection for this step")),
    }
}

/// A TLS handshake with `host` over `stream`.
async fn tls_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    config: &Arc<ClientConfig>,
    host: Host<'_>,
    stream: S,
) -> io::Result<TlsStream<S>> {
    let name = egress_core::tls::server_name(&host).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the host is not a valid TLS server name",
        )
    })?;
    futures_rustls::TlsConnector::from(Arc::clone(config))
        .connect(name, stream)
        .await
}

/// What this connection's proxy authentication needs from the OS: randomness and the
/// wall-clock time (egress-core's [`Seed`] holds the fallback rule).
pub(crate) fn fresh_seed() -> Seed {
    let mut bytes = [0u8; 16];
    let random = getrandom::fill(&mut bytes).is_ok().then_some(bytes);
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Seed::new(random, since_epoch.ok())
}
