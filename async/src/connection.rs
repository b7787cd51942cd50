//! [`Connection`]: the ready stream [`Connector::connect`](crate::Connector::connect)
//! returns, for any protocol a service speaks over it.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::future::Future;
use std::sync::Arc;

use egress_core::establish::Ready;
use egress_core::failure::Failure;
use egress_core::{RouteKind, Target};
use futures_io::{AsyncRead, AsyncWrite};

use crate::establish::establish;
use crate::runtime::Tcp;
use crate::settings::Settings;
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
    /// How to reach the forward proxy again after an answered 407 that closed the
    /// connection: the settings and the target's authority.
    again: Option<(Arc<Settings>, String)>,
    reconnecting: Option<Reconnect>,
}

/// A new connection to the forward proxy on its way.
type Reconnect = Pin<Box<dyn Future<Output = Result<Stack, Failure>> + Send>>;

impl Connection {
    pub(crate) fn new(stream: Stack, rewriting: Option<Rewriting>, ready: Ready) -> Self {
        Self {
            stream,
            rewriting,
            ready,
            again: None,
            reconnecting: None,
        }
    }

    /// Lets a forward connection reach its proxy again (see [`Self::poll_reconnect`]).
    pub(crate) fn reaching_again(mut self, settings: Arc<Settings>, authority: String) -> Self {
        self.again = Some((settings, authority));
        self
    }

    /// After an answered 407 that closed the connection: opens a new one to the forward
    /// proxy along the same route, for the request to go again.
    fn poll_reconnect(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(rewriting) = self.rewriting.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        if !rewriting.needs_new_connection() {
            return Poll::Ready(Ok(()));
        }
        if self.reconnecting.is_none() {
            let Some((settings, authority)) = self.again.clone() else {
                rewriting.cannot_reconnect();
                return Poll::Ready(Ok(()));
            };
            self.reconnecting = Some(Box::pin(async move {
                let target = Target::from_authority("http", &authority).map_err(|problem| {
                    Failure::InvalidTarget {
                        url: authority.clone(),
                        problem,
                    }
                })?;
                let decision = settings.shared.router().route(&target);
                let (stack, _) = establish(&settings, &decision, target, None).await?;
                Ok(stack)
            }));
        }
        let Some(future) = self.reconnecting.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let result = std::task::ready!(future.as_mut().poll(cx));
        self.reconnecting = None;
        match result {
            Ok(stack) => {
                self.stream = stack;
                rewriting.reconnected();
                Poll::Ready(Ok(()))
            }
            Err(failure) => Poll::Ready(Err(io::Error::other(crate::Error::Failure(failure)))),
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

    /// Whether a forward proxy sent any byte for the last request (held back by the forward
    /// writer or not): the proxy answered, so a timeout after it is the exchange's.
    pub(crate) fn proxy_has_answered(&self) -> bool {
        self.rewriting.as_ref().is_some_and(Rewriting::has_answered)
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
        loop {
            std::task::ready!(this.poll_reconnect(cx))?;
            let Some(rewriting) = this.rewriting.as_mut() else {
                return Pin::new(&mut this.stream).poll_read(cx, buf);
            };
            let read = std::task::ready!(rewriting.poll_read(&mut this.stream, cx, buf))?;
            if read > 0 || !rewriting.needs_new_connection() {
                return Poll::Ready(Ok(read));
            }
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
