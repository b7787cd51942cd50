//! The transport over a socket egress opened itself: to a proxy (plain or TLS) or directly to
//! a target. For a forward route it runs egress-core's forward rewriter on everything ureq
//! writes, so requests leave in absolute form with `Proxy-Authorization`.

use std::fmt;
use std::io::{self, Read, Write};
use std::time::Duration;

use egress_core::forward::ForwardRewriter;
use ureq::unversioned::transport::{Buffers, LazyBuffers, NextTimeout, Transport};

use super::SocketStream;
use super::is_timeout;

/// Bytes handed to the socket per rewriter call; a request head nearly always fits once.
const REWRITE_CHUNK: usize = 16 * 1024;

/// A ureq transport over a [`SocketStream`].
pub(crate) struct SocketTransport {
    stream: SocketStream,
    buffers: LazyBuffers,
    rewriter: Option<Box<ForwardRewriter>>,
    scratch: Vec<u8>,
    /// Tunnel bytes that arrived with the proxy's answer to CONNECT and wait in the input
    /// buffer: the first `await_input` must report them instead of blocking on the socket.
    preloaded: bool,
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
    pub(crate) fn new(stream: SocketStream, config: &ureq::config::Config) -> Self {
        Self {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            rewriter: None,
            scratch: Vec::new(),
            preloaded: false,
            read_timeout: None,
            write_timeout: None,
        }
    }

    /// Rewrites every request for a forward proxy.
    pub(crate) fn with_rewriter(mut self, rewriter: ForwardRewriter) -> Self {
        self.rewriter = Some(Box::new(rewriter));
        self.scratch = vec![0; REWRITE_CHUNK];
        self
    }

    /// Puts bytes that already arrived (the tunnel's leftover) in front of the socket's.
    pub(crate) fn preload(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let room = self.buffers.input_append_buf();
        let n = bytes.len().min(room.len());
        room[..n].copy_from_slice(&bytes[..n]);
        self.buffers.input_appended(n);
        self.preloaded = true;
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

    fn write_rewritten(&mut self, amount: usize) -> io::Result<()> {
        let Some(rewriter) = self.rewriter.as_mut() else {
            return self.stream.write_all(&self.buffers.output()[..amount]);
        };
        let mut consumed_total = 0;
        loop {
            let input = &self.buffers.output()[consumed_total..amount];
            if input.is_empty() && !rewriter.has_pending_output() {
                return Ok(());
            }
            let progress = rewriter
                .rewrite(input, &mut self.scratch)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
            self.stream.write_all(&self.scratch[..progress.written])?;
            consumed_total += progress.consumed;
        }
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
        self.write_rewritten(amount)
            .and_then(|()| self.stream.flush())
            .map_err(|e| map_io(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if std::mem::take(&mut self.preloaded) && !self.buffers.input().is_empty() {
            return Ok(true);
        }
        let timeout = timeout.for_read();
        self.apply_timeout(timeout, Direction::Read)?;
        let room = self.buffers.input_append_buf();
        let n = loop {
            match self.stream.read(room) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| map_io(e, timeout))?,
            }
        };
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        // A rewriter stopped mid-request (e.g. a body ureq skipped) has lost the request
        // framing: the connection must not carry another request.
        if self.rewriter.as_ref().is_some_and(|r| !r.is_idle()) {
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
            .field("tls_to_proxy", &matches!(self.stream, SocketStream::Tls(_)))
            .field("forward_rewriting", &self.rewriter.is_some())
            .finish()
    }
}
