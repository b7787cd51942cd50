//! A peer-side error as the connection machine sees it: what kind of thing happened (so it
//! can be classified: a close inside a fresh tunnel is the proxy's doing, not the target's
//! TLS) and the frontend's own error value, kept whole for `source()`.

use alloc::boxed::Box;
use core::fmt;

/// The kinds of I/O outcome that change how a failure is classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeerErrorKind {
    /// The name did not resolve (or resolved to nothing).
    NotFound,
    /// The connection was refused.
    Refused,
    /// The connection was reset or aborted by the peer.
    Reset,
    /// The peer closed the connection (end of stream).
    Closed,
    /// The operation's own timer fired (the machine's deadline decides what that means).
    TimedOut,
    /// The peer does not speak TLS: it answered a TLS handshake in plain text (an
    /// `https://` URL for a port that speaks plain HTTP).
    NotTls,
    /// The peer's TLS failed after the handshake: an alert (e.g. a client certificate
    /// refused under TLS 1.3, which a server reports only then) or a TLS protocol error.
    Tls,
    /// Anything else (certificate errors, unreachable networks, ...).
    Other,
}

impl PeerErrorKind {
    /// Whether the peer ended the connection (a close or a reset).
    pub fn is_close(self) -> bool {
        matches!(self, Self::Closed | Self::Reset)
    }
}

/// A frontend's error (an `io::Error`, a rustls error, ...) with its [`PeerErrorKind`].
/// `Display` is the inner error's; `source()` is the inner error's source.
pub struct PeerError {
    kind: PeerErrorKind,
    inner: Box<dyn core::error::Error + Send + Sync + 'static>,
}

impl PeerError {
    /// Wraps `inner`, classified as `kind` by the frontend that saw it.
    pub fn new(
        kind: PeerErrorKind,
        inner: impl Into<Box<dyn core::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            kind,
            inner: inner.into(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> PeerErrorKind {
        self.kind
    }

    /// The frontend's error.
    pub fn inner(&self) -> &(dyn core::error::Error + Send + Sync + 'static) {
        &*self.inner
    }

    /// The frontend's error, for downcasting (e.g. to `std::io::Error`).
    pub fn into_inner(self) -> Box<dyn core::error::Error + Send + Sync + 'static> {
        self.inner
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for PeerError {
    /// Classifies an `io::Error` by its kind; the error itself is kept as the inner value.
    fn from(error: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        #[cfg(feature = "tls")]
        if let Some(tls) = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            let kind = match tls {
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
                    PeerErrorKind::NotTls
                }
                _ => PeerErrorKind::Tls,
            };
            return Self::new(kind, error);
        }
        let kind = match error.kind() {
            K::NotFound => PeerErrorKind::NotFound,
            K::ConnectionRefused => PeerErrorKind::Refused,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => PeerErrorKind::Reset,
            K::UnexpectedEof => PeerErrorKind::Closed,
            K::TimedOut | K::WouldBlock => PeerErrorKind::TimedOut,
            _ => PeerErrorKind::Other,
        };
        Self::new(kind, error)
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerError")
            .field("kind", &self.kind)
            .field("inner", &self.inner)
            .finish()
    }
}

impl core::error::Error for PeerError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        self.inner.source()
    }
}
