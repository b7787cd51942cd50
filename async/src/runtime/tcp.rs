//! The TCP stream of whichever runtime opened it, as one `futures-io` stream type.
//!
//! async-std's and async-net's streams implement `futures-io` themselves; tokio's is adapted
//! call for call in `tokio_rt.rs`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// A connected TCP socket from async-std, async-net or tokio.
#[derive(Debug)]
pub(crate) enum Tcp {
    #[cfg(feature = "async-std")]
    AsyncStd(async_std::net::TcpStream),
    #[cfg(feature = "smol")]
    Smol(async_net::TcpStream),
    #[cfg(feature = "tokio")]
    Tokio(super::tokio_rt::TokioTcp),
}

macro_rules! each {
    ($self:expr, $s:ident => $body:expr) => {
        match $self.get_mut() {
            #[cfg(feature = "async-std")]
            Tcp::AsyncStd($s) => $body,
            #[cfg(feature = "smol")]
            Tcp::Smol($s) => $body,
            #[cfg(feature = "tokio")]
            Tcp::Tokio($s) => $body,
        }
    };
}

impl AsyncRead for Tcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        each!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Tcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_close(cx))
    }
}
