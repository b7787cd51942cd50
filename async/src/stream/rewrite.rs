//! Both directions of a forward-proxy connection through egress-core's
//! [`AuthenticatingRewriter`]: everything written is rewritten, so origin-form requests
//! leave in absolute form with `Proxy-Authorization`; everything read is looked at, so a
//! 407 the machine can answer is swallowed and the request written again before the reader
//! sees the final response.
//!
//! Bytes the rewriter produced but the socket did not take yet wait in a fixed buffer and
//! are sent before anything else (on the next write or flush), so a write that returns
//! `Pending` never loses or reorders output.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use egress_core::forward::{AuthenticatingRewriter, Received};
use futures_io::{AsyncRead, AsyncWrite};

/// Size of the rewritten-output buffer; a request head nearly always fits at once.
const OUT_CHUNK: usize = 16 * 1024;

/// A forward request writer and its output not yet written to the proxy.
pub(crate) struct Rewriting {
    rewriter: Box<AuthenticatingRewriter>,
    /// Whether any byte came from the proxy since the last request was written (the
    /// machine may hold a head back from the reader).
    answered: bool,
    out: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Rewriting {
    /// Rewrites with `rewriter`.
    pub(crate) fn new(rewriter: AuthenticatingRewriter) -> Self {
        Self {
            rewriter: Box::new(rewriter),
            answered: false,
            out: vec![0; OUT_CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// The report of the last request whose 407s were answered and accepted, once.
    pub(crate) fn take_report(&mut self) -> Option<egress_core::forward::ForwardAuthReport> {
        self.rewriter.take_report()
    }

    /// Whether an answered 407 closed the connection (see
    /// `AuthenticatingRewriter::needs_new_connection`).
    pub(crate) fn needs_new_connection(&self) -> bool {
        self.rewriter.needs_new_connection()
    }

    /// The connection was replaced: the request goes again on the new one.
    pub(crate) fn reconnected(&mut self) {
        self.start = 0;
        self.end = 0;
        self.rewriter.reconnected();
    }

    /// No new connection can be made: the 407 goes to the reader.
    pub(crate) fn cannot_reconnect(&mut self) {
        self.rewriter.cannot_reconnect();
    }

    /// Whether the proxy sent any byte since the last request was written, even one the
    /// reader has not seen yet.
    pub(crate) fn has_answered(&self) -> bool {
        self.answered
    }

    /// Why the last 407 reached the reader unanswered, if one did.
    pub(crate) fn last_problem(&self) -> Option<egress_core::auth::AuthProblem> {
        self.rewriter.last_problem()
    }

    /// Between requests with nothing buffered: the connection may be reused.
    pub(crate) fn is_idle(&self) -> bool {
        self.start == self.end && self.rewriter.is_idle()
    }

    /// Sends buffered output to `inner` until none is left.
    fn poll_drain<W: AsyncWrite + Unpin>(
        &mut self,
        inner: &mut W,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        while self.start < self.end {
            let n = ready!(Pin::new(&mut *inner).poll_write(cx, &self.out[self.start..self.end]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.start += n;
        }
        self.start = 0;
        self.end = 0;
        Poll::Ready(Ok(()))
    }

    fn rewrite(&mut self, input: &[u8]) -> io::Result<usize> {
        let progress = self
            .rewriter
            .write(input, &mut self.out)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        if progress.consumed > 0 && self.rewriter.is_idle() {
            // A whole request went out: what the proxy sends next answers it.
            self.answered = false;
        }
        self.start = 0;
        self.end = progress.written;
        Ok(progress.consumed)
    }

    /// Takes bytes from `buf` through the rewriter; see the module doc for buffering.
    pub(crate) fn poll_write<W: AsyncWrite + Unpin>(
        &mut self,
        inner: &mut W,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_drain(inner, cx))?;
        loop {
            let consumed = self.rewrite(buf)?;
            if consumed > 0 {
                // The bytes are ours now; what the socket does not take yet is sent on the
                // next write or flush (a Pending here has registered the waker anyway).
                if let Poll::Ready(Err(error)) = self.poll_drain(inner, cx) {
                    return Poll::Ready(Err(error));
                }
                return Poll::Ready(Ok(consumed));
            }
            if self.start == self.end {
                // Nothing taken, nothing produced: `buf` was empty.
                return Poll::Ready(Ok(0));
            }
            // The rewriter emitted a held head without taking input: send it, then go on.
            ready!(self.poll_drain(inner, cx))?;
        }
    }

    /// Reads the proxy's response bytes into `buf`, as the machine lets them through: an
    /// answered 407 never reaches the reader, the request goes again first.
    pub(crate) fn poll_read<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        inner: &mut S,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            if self.rewriter.has_released() {
                return Poll::Ready(Ok(self.rewriter.take_released(buf)));
            }
            if self.rewriter.needs_new_connection() {
                // The connection is over: the caller reconnects, then reads again.
                return Poll::Ready(Ok(0));
            }
            if self.rewriter.has_pending_output() || self.start < self.end {
                ready!(self.poll_flush(inner, cx))?;
            }
            let n = ready!(Pin::new(&mut *inner).poll_read(cx, buf))?;
            if n == 0 {
                self.rewriter.handle_eof();
                if self.rewriter.has_released() {
                    continue;
                }
                return Poll::Ready(Ok(0));
            }
            self.answered = true;
            match self.rewriter.receive(&buf[..n]) {
                Received::Unchanged => return Poll::Ready(Ok(n)),
                Received::Taken => {}
            }
        }
    }

    /// Sends everything the rewriter holds that it may release, then flushes `inner`.
    pub(crate) fn poll_flush<W: AsyncWrite + Unpin>(
        &mut self,
        inner: &mut W,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_drain(inner, cx))?;
            if !self.rewriter.has_pending_output() {
                break;
            }
            self.rewrite(&[])?;
        }
        Pin::new(inner).poll_flush(cx)
    }
}
