//! Bytes that already arrived, served before the stream's own: the tunnel's first bytes
//! that came in the same read as the proxy's answer to CONNECT. They MUST reach the reader
//! above (for TLS, the TLS session) before the socket is read again.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// A stream with some bytes put back in front of it.
#[derive(Debug)]
pub(crate) struct Replay<S> {
    pending: Vec<u8>,
    offset: usize,
    inner: S,
}

impl<S> Replay<S> {
    /// `inner`, read after `leftover` has been read.
    pub(crate) fn new(leftover: Vec<u8>, inner: S) -> Self {
        Self {
            pending: leftover,
            offset: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replay<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let waiting = &this.pending[this.offset..];
        if !waiting.is_empty() && !buf.is_empty() {
            let n = waiting.len().min(buf.len());
            buf[..n].copy_from_slice(&waiting[..n]);
            this.offset += n;
            if this.offset == this.pending.len() {
                this.pending = Vec::new();
                this.offset = 0;
            }
            return Poll::Ready(Ok(n));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replay<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use futures_util::io::{AsyncReadExt, Cursor};

    #[test]
    fn leftover_comes_first_then_the_stream_in_order() {
        let mut stream = Replay::new(b"abc".to_vec(), Cursor::new(b"defgh".to_vec()));
        let mut all = Vec::new();
        let mut small = [0u8; 2];
        loop {
            // A cursor is always ready, so every read completes on the first poll.
            let n = match stream.read(&mut small).now_or_never() {
                Some(Ok(n)) => n,
                other => panic!("read did not complete: {other:?}"),
            };
            if n == 0 {
                break;
            }
            all.extend_from_slice(&small[..n]);
        }
        assert_eq!(all, b"abcdefgh");
    }
}
