//! The transport over the stream egress established: to a proxy (plain or TLS), through a
//! tunnel, or directly to a target, with TLS to an `https://` target on top. For a forward
//! route it runs egress-core's forward rewriter on everything ureq writes, so requests leave
//! in absolute form with `Proxy-Authorization`, and egress-core's [`ForwardWatch`] on what
//! comes back, so a forward proxy that closes or stays silent before its response head is a
//! proxy failure within the handshake timeout.

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use egress_core::establish::ForwardWatch;
use egress_core::failure::PeerError;
use egress_core::forward::{AuthenticatingRewriter, Received};
use ureq::http::Uri;
use ureq::unversioned::transport::{Buffers, LazyBuffers, NextTimeout, Transport};

use super::{Clock, SocketStream, is_timeout};
use crate::Error;
use crate::establish::establish;
use crate::settings::{Settings, target_of};

/// The forward rewriter's head buffer: ureq's output buffer (128 KiB, the agent never changes
/// it), so any request head ureq can send on a direct route is accepted on a forward route.
pub(crate) const FORWARD_HEAD_CAPACITY: usize = 128 * 1024;

/// The request writer of forward routes (rewriting, and answering the proxy's 407s).
pub(crate) type Rewriter = AuthenticatingRewriter<FORWARD_HEAD_CAPACITY>;

/// Bytes handed to the socket per rewriter call; a request head nearly always fits once.
const REWRITE_CHUNK: usize = 16 * 1024;

/// A value that is `Send` but maybe not `Sync` (a Negotiate context), made `Sync` by
/// never being shared: it is only reached through `&mut`, so the lock is never contended
/// (ureq's transports must be `Sync`).
pub(crate) struct OnlyMut<T>(std::sync::Mutex<T>);

impl<T> OnlyMut<T> {
    fn get(&mut self) -> &mut T {
        self.0
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A ureq transport over a [`SocketStream`].
pub(crate) struct SocketTransport {
    stream: SocketStream,
    buffers: LazyBuffers,
    rewriter: Option<OnlyMut<Box<Rewriter>>>,
    /// The forward proxy's answer to each request, watched (forward routes only).
    watch: Option<(ForwardWatch, Clock)>,
    /// Where answered forward 407s are reported, and when the current one arrived.
    settings: Option<Arc<Settings>>,
    /// The target of a forward connection, to reach the proxy again after a 407 that
    /// closed the connection.
    uri: Option<Uri>,
    auth_started: Option<Duration>,
    scratch: Vec<u8>,
    /// TLS to the target is the outermost layer.
    target_tls: bool,
    /// The socket timeouts last set, so unchanged ones cost no system call per read/write.
    read_timeout: Option<Option<Duration>>,
    write_timeout: Option<Option<Duration>>,
}

/// Which socket timeout to set.
#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

impl SocketTransport {
    /// A transport over `stream` with ureq's buffer sizes.
    pub(crate) fn new(
        stream: SocketStream,
        target_tls: bool,
        config: &ureq::config::Config,
    ) -> Self {
        Self {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            rewriter: None,
            watch: None,
            settings: None,
            uri: None,
            auth_started: None,
            scratch: Vec::new(),
            target_tls,
            read_timeout: None,
            write_timeout: None,
        }
    }

    /// Rewrites every request for a forward proxy and watches the proxy's answers.
    pub(crate) fn forwarding(
        mut self,
        rewriter: Box<Rewriter>,
        watch: ForwardWatch,
        clock: Clock,
        settings: Arc<Settings>,
        uri: Uri,
    ) -> Self {
        self.rewriter = Some(OnlyMut(std::sync::Mutex::new(rewriter)));
        self.settings = Some(settings);
        self.uri = Some(uri);
        self.watch = Some((watch, clock));
        self.scratch = vec![0; REWRITE_CHUNK];
        self
    }

    /// ureq's read timeout, shortened to the forward proxy's response deadline.
    fn read_timeout(&self, timeout: NextTimeout) -> NextTimeout {
        let Some(left) = self
            .watch
            .as_ref()
            .and_then(|(watch, clock)| clock.left(watch.deadline()))
        else {
            return timeout;
        };
        match timeout.not_zero() {
            Some(ureq_left) if *ureq_left <= left => timeout,
            _ => NextTimeout {
                after: left.into(),
                ..timeout
            },
        }
    }

    /// A read or write error or end of stream, as the forward proxy's failure when a
    /// request waits for its answer; `None` otherwise.
    fn forward_failure(&mut self, error: io::Error) -> Result<io::Error, ureq::Error> {
        let Some((watch, _)) = self.watch.as_mut() else {
            return Ok(error);
        };
        match watch.on_error(PeerError::from(error)) {
            Ok(failure) => Err(Error::Failure(failure).into_ureq()),
            Err(back) => Ok(back
                .into_inner()
                .downcast::<io::Error>()
                .map_or_else(io::Error::other, |io| *io)),
        }
    }

    fn apply_timeout(
        &mut self,
        timeout: NextTimeout,
        direction: Direction,
    ) -> Result<(), ureq::Error> {
        if timeout.after.is_zero() {
            return Err(ureq::Error::Timeout(timeout.reason));
        }
        let wanted = timeout.not_zero().map(|d| *d);
        let (current, tcp) = match direction {
            Direction::Read => (&mut self.read_timeout, self.stream.tcp()),
            Direction::Write => (&mut self.write_timeout, self.stream.tcp()),
        };
        if *current == Some(wanted) {
            return Ok(());
        }
        match direction {
            Direction::Read => tcp.set_read_timeout(wanted),
            Direction::Write => tcp.set_write_timeout(wanted),
        }
        .map_err(ureq::Error::Io)?;
        *current = Some(wanted);
        Ok(())
    }

    /// Writes `amount` output bytes, through the rewriter on forward routes. A request the
    /// rewriter refuses is the caller's (`Err(Ok(..))`), never the proxy's; a socket error
    /// is `Err(Err(..))`.
    fn write_rewritten(&mut self, amount: usize) -> Result<(), Result<ureq::Error, io::Error>> {
        let Some(rewriter) = self.rewriter.as_mut().map(OnlyMut::get) else {
            return self
                .stream
                .write_all(&self.buffers.output()[..amount])
                .map_err(Err);
        };
        let mut consumed_total = 0;
        loop {
            let input = &self.buffers.output()[consumed_total..amount];
            if input.is_empty() && !rewriter.has_pending_output() {
                return Ok(());
            }
            let progress = rewriter.write(input, &mut self.scratch).map_err(|error| {
                Ok(ureq::Error::Io(io::Error::new(
                    io::ErrorKind::InvalidData,
                    error,
                )))
            })?;
            self.stream
                .write_all(&self.scratch[..progress.written])
                .map_err(Err)?;
            consumed_total += progress.consumed;
        }
    }
    /// Reads what the socket has into ureq's input buffer (not yet marked appended); 0 at
    /// the end of the stream. Failures while a forward request waits are the proxy's.
    fn read_socket(&mut self, timeout: NextTimeout) -> Result<usize, ureq::Error> {
        let room = self.buffers.input_append_buf();
        let read = loop {
            match self.stream.read(room) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A peer that closes without close_notify ends the stream like a plain close
                // would; ureq decides from its framing whether the body was complete.
                Err(e) if self.target_tls && e.kind() == io::ErrorKind::UnexpectedEof => {
                    break Ok(0);
                }
                other => break other,
            }
        };
        let n = match read {
            Ok(0) => {
                let closed = io::Error::new(io::ErrorKind::UnexpectedEof, "end of stream");
                self.forward_failure(closed)?;
                0
            }
            Ok(n) => n,
            // Whichever limit fired, a request still waiting for the forward proxy's first
            // byte timed out on the proxy.
            Err(e)
                if is_timeout(&e) && self.watch.as_ref().is_some_and(|(w, _)| w.is_waiting()) =>
            {
                let failure = self.watch.as_mut().and_then(|(watch, clock)| {
                    watch.on_timeout(clock.now().max(watch.deadline().unwrap_or_default()))
                });
                return Err(match failure {
                    Some(failure) => Error::Failure(failure).into_ureq(),
                    None => ureq::Error::Timeout(timeout.reason),
                });
            }
            Err(e) if is_timeout(&e) => return Err(ureq::Error::Timeout(timeout.reason)),
            Err(e) => return Err(map_io(self.forward_failure(e)?, timeout)),
        };
        if let Some((watch, _)) = self.watch.as_mut() {
            watch.response_bytes(n);
        }
        Ok(n)
    }

    /// Marks when a 407 was answered, and reports the accepted answer to the observer.
    fn note_auth_progress(&mut self) {
        let (Some(rewriter), Some((_, clock))) = (
            self.rewriter.as_mut().map(OnlyMut::get),
            self.watch.as_ref(),
        ) else {
            return;
        };
        let now = clock.now();
        if rewriter.has_pending_output() && self.auth_started.is_none() {
            self.auth_started = Some(now);
        }
        if let Some(report) = rewriter.take_report() {
            let started = self.auth_started.take().unwrap_or(now);
            if let Some(settings) = &self.settings {
                settings
                    .shared
                    .report_forward_auth(&report, now.saturating_sub(started));
            }
        }
    }

    /// Opens a new connection to the forward proxy along the same route, after an answered
    /// 407 that closed the old one.
    fn reconnect(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let (Some(settings), Some(uri)) = (self.settings.clone(), self.uri.clone()) else {
            if let Some(rewriter) = self.rewriter.as_mut().map(OnlyMut::get) {
                rewriter.cannot_reconnect();
            }
            return Ok(());
        };
        let target = target_of(&uri).map_err(|f| Error::Failure(f).into_ureq())?;
        let decision = settings.shared.router().route(&target);
        let within = timeout.not_zero().map(|left| *left);
        let established = establish(&settings, &decision, target, within)
            .map_err(|f| Error::Failure(f).into_ureq())?;
        self.stream = established.stream;
        // A new socket: its timeouts are not set yet.
        self.read_timeout = None;
        self.write_timeout = None;
        if let Some(rewriter) = self.rewriter.as_mut().map(OnlyMut::get) {
            rewriter.reconnected();
        }
        Ok(())
    }

    /// Sends the request again after the forward proxy's answered 407.
    fn resend(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        self.apply_timeout(timeout, Direction::Write)?;
        if let Some((watch, clock)) = self.watch.as_mut() {
            watch.request_sent(clock.now());
        }
        match self
            .write_rewritten(0)
            .and_then(|()| self.stream.flush().map_err(Err))
        {
            Ok(()) => Ok(()),
            Err(Ok(refused)) => Err(refused),
            Err(Err(e)) if is_timeout(&e) => Err(ureq::Error::Timeout(timeout.reason)),
            Err(Err(e)) => Err(map_io(self.forward_failure(e)?, timeout)),
        }
    }
}

/// `timeout` less the time since `started` (zero when spent; unbounded stays unbounded).
fn remaining(timeout: NextTimeout, started: std::time::Instant) -> NextTimeout {
    match timeout.not_zero().map(|limit| *limit) {
        Some(limit) => NextTimeout {
            after: limit.saturating_sub(started.elapsed()).into(),
            ..timeout
        },
        None => timeout,
    }
}

fn map_io(error: io::Error, timeout: NextTimeout) -> ureq::Error {
    if is_timeout(&error) {
        ureq::Error::Timeout(timeout.reason)
    } else {
        ureq::Error::Io(error)
    }
}

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        self.apply_timeout(timeout, Direction::Write)?;
        if let Some((watch, clock)) = self.watch.as_mut() {
            watch.request_sent(clock.now());
        }
        match self
            .write_rewritten(amount)
            .and_then(|()| self.stream.flush().map_err(Err))
        {
            Ok(()) => Ok(()),
            Err(Ok(refused)) => Err(refused),
            Err(Err(e)) if is_timeout(&e) => Err(ureq::Error::Timeout(timeout.reason)),
            Err(Err(e)) => Err(map_io(self.forward_failure(e)?, timeout)),
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let whole = self.read_timeout(timeout.for_read());
        let started = std::time::Instant::now();
        loop {
            // One ureq call may read several times here (a 407 answered and its request
            // sent again, a challenge arriving slowly): each read gets what is left.
            let timeout = remaining(whole, started);
            self.apply_timeout(timeout, Direction::Read)?;
            if let Some(rewriter) = self.rewriter.as_mut().map(OnlyMut::get) {
                if rewriter.has_released() {
                    let n = rewriter.take_released(self.buffers.input_append_buf());
                    self.buffers.input_appended(n);
                    return Ok(n > 0);
                }
                if rewriter.needs_new_connection() {
                    self.reconnect(timeout)?;
                }
                if self
                    .rewriter
                    .as_mut()
                    .map(OnlyMut::get)
                    .is_some_and(|r| r.has_pending_output())
                {
                    // The proxy's 407 was answered: the request goes again, and its
                    // answer is what ureq reads.
                    self.resend(timeout)?;
                }
            }
            let n = self.read_socket(timeout)?;
            let Some(rewriter) = self.rewriter.as_mut().map(OnlyMut::get) else {
                self.buffers.input_appended(n);
                return Ok(n > 0);
            };
            if n == 0 {
                rewriter.handle_eof();
                if rewriter.has_released() || rewriter.needs_new_connection() {
                    continue;
                }
                return Ok(false);
            }
            let read = &self.buffers.input_append_buf()[..n];
            match rewriter.receive(read) {
                Received::Unchanged => {
                    self.buffers.input_appended(n);
                    return Ok(true);
                }
                Received::Taken => self.note_auth_progress(),
            }
        }
    }

    fn is_tls(&self) -> bool {
        self.target_tls
    }

    fn is_open(&mut self) -> bool {
        // A rewriter stopped mid-request (e.g. a body ureq skipped) has lost the request
        // framing: the connection must not carry another request.
        if self
            .rewriter
            .as_mut()
            .map(OnlyMut::get)
            .is_some_and(|r| !r.is_idle())
            || self.stream.has_buffered()
        {
            return false;
        }
        let tcp = self.stream.tcp();
        if tcp.set_nonblocking(true).is_err() {
            return false;
        }
        let mut probe = [0u8; 1];
        // Any byte waiting on an idle connection (data or a close) means it cannot be reused.
        let open = matches!(tcp.peek(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        tcp.set_nonblocking(false).is_ok() && open
    }
}

impl fmt::Debug for SocketTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketTransport")
            .field("peer", &self.stream.tcp().peer_addr().ok())
            .field("tls_to_target", &self.target_tls)
            .field("forward_rewriting", &self.rewriter.is_some())
            .finish()
    }
}
