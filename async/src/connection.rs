//! [`Connection`]: the ready stream [`Connector::connect`](crate::Connector::connect)
//! returns, for any protocol a service speaks over it.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use egress_core::RouteKind;
use egress_core::establish::Ready;
use futures_io::{AsyncRead, AsyncWrite};

use crate::runtime::Tcp;
use crate::stream::{Layer, Replay, Rewriting};

/// The layers under a connection; see [`crate::stream`].
pub(crate) type Stack = Layer<Replay<Layer<Tcp>>>;

/// A ready byte stream to a target along its route: TCP directly, a CONNECT tunnel through
/// a proxy (itself over TLS for an `https://` proxy), with TLS to the target on top for an
/// `https://` target; or, for an `http://` target routed to a forward proxy, the proxy
/// connection with egress-core's forward rewriter on the write path.
///
/// It implements `futures-io`'s
/// [`AsyncRead`](https://docs.rs/futures-io/0.3/futures_io/trait.AsyncRead.html) and
/// [`AsyncWrite`](https://docs.rs/futures-io/0.3/futures_io/trait.AsyncWrite.html) and is
/// `Unpin + Send`.
/// Dropping it closes the connection.
pub struct Connection {
    stream: Stack,
    rewriting: Option<Rewriting>,
    ready: Ready,
}

impl Connection {
    pub(crate) fn new(stream: Stack, rewriting: Option<Rewriting>, ready: Ready) -> Self {
        Self {
            stream,
            rewriting,
            ready,
        }
    }

    /// The route it took: direct, forward or tunnel.
    pub fn route(&self) -> RouteKind {
        self.ready.kind
    }

    /// Whether there is TLS between egress and the proxy (an `https://` proxy).
    pub fn is_tls_to_proxy(&self) -> bool {
        self.ready.proxy_tls
    }

    /// Whether there is TLS between egress and the target (an `https://` target).
    pub fn is_tls_to_target(&self) -> bool {
        self.ready.target_tls
    }

    /// Whether requests written are rewritten for a forward proxy (absolute form and
    /// `Proxy-Authorization`): `http://` targets routed to `http_proxy`.
    pub fn is_forward_rewriting(&self) -> bool {
        self.rewriting.is_some()
    }

    /// The report of the last forward request whose 407s were answered and accepted.
    pub(crate) fn take_forward_auth_report(
        &mut self,
    ) -> Option<egress_core::forward::ForwardAuthReport> {
        self.rewriting.as_mut().and_then(Rewriting::take_report)
    }

    /// Why the forward writer let the last 407 through instead of answering it.
    pub(crate) fn forward_auth_problem(&self) -> Option<egress_core::auth::AuthProblem> {
        self.rewriting.as_ref().and_then(Rewriting::last_problem)
    }

    /// Between requests: no request bytes held back by the forward rewriter.
    pub(crate) fn is_idle(&self) -> bool {
        self.rewriting.as_ref().is_none_or(Rewriting::is_idle)
    }

    /// Whether an idle connection still looks usable: reading would block (no data, no close
    /// from the peer). Polled once with a no-op waker, so it never waits.
    pub(crate) fn is_still_open(&mut self) -> bool {
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        let mut probe = [0u8; 1];
        matches!(
            Pin::new(&mut self.stream).poll_read(&mut cx, &mut probe),
            Poll::Pending
        )
    }
}

impl AsyncRead for Connection {
    /// Reads bytes from the target (through the tunnel, TLS and any replayed bytes).
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match &mut this.rewriting {
            Some(rewriting) => rewriting.poll_read(&mut this.stream, cx, buf),
            None => Pin::new(&mut this.stream).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    /// Writes bytes to the target (through the forward rewriter on forward routes).
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match &mut this.rewriting {
            Some(rewriting) => rewriting.poll_write(&mut this.stream, cx, buf),
            None => Pin::new(&mut this.stream).poll_write(cx, buf),
        }
    }

    /// Flushes buffered bytes (and a rewritten request head) to the socket.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match &mut this.rewriting {
            Some(rewriting) => rewriting.poll_flush(&mut this.stream, cx),
            None => Pin::new(&mut this.stream).poll_flush(cx),
        }
    }

    /// Flushes, then closes the connection.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(rewriting) = &mut this.rewriting {
            std::task::ready!(rewriting.poll_flush(&mut this.stream, cx))?;
        }
        Pin::new(&mut this.stream).poll_close(cx)
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("route", &self.ready.kind)
            .field("tls_to_proxy", &self.is_tls_to_proxy())
            .field("tls_to_target", &self.is_tls_to_target())
            .field("forward_rewriting", &self.is_forward_rewriting())
            .finish()
    }
}
