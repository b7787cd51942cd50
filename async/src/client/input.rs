//! The receive buffer of one exchange: bytes read from the connection that ureq-proto has
//! not consumed yet. Bounded, so a peer can never grow it past [`INPUT_SIZE`]; a response
//! head must fit.
//!
//! It is sized to what arrives, because a client may have thousands of exchanges waiting
//! at once and memory the allocator hands out during such a burst stays with the process
//! afterwards:
//!
//! ```text
//!   waiting for the first bytes ─► nothing allocated (read into a stack scratch)
//!   first bytes arrived         ─► a buffer just large enough for them (at least 1 KiB)
//!   a read filled all the room  ─► doubled for the next read (a long head, a large body)
//!                                  ... up to INPUT_SIZE, never beyond
//! ```

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::AsyncRead;

/// The largest the buffer grows to; also the largest response head accepted.
pub(crate) const INPUT_SIZE: usize = 16 * 1024;

/// The first read's stack scratch, and the smallest buffer allocated.
const FIRST_READ: usize = 2 * 1024;

/// Bytes read but not consumed yet: `buf[start..end]`; `buf` is empty until bytes arrive.
pub(crate) struct Input {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Input {
    /// An empty buffer; nothing is allocated until bytes arrive.
    pub(crate) fn new() -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            end: 0,
        }
    }

    /// The unconsumed bytes.
    pub(crate) fn filled(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Bytes allocated for the buffer (0 before any arrived).
    #[cfg(test)]
    pub(crate) fn allocated(&self) -> usize {
        self.buf.len()
    }

    /// Drops `n` bytes from the front.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads more from `stream` after the unconsumed bytes; `Ok(0)` at end of stream.
    /// Fails when the buffer is at its limit and full of unconsumed bytes (a head larger
    /// than [`INPUT_SIZE`]).
    pub(crate) fn poll_fill<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<usize>> {
        if self.buf.is_empty() {
            return self.poll_first(stream, cx);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() == INPUT_SIZE {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "response head larger than 16 KiB",
                )));
            }
            self.grow(self.buf.len() * 2);
        }
        let room = self.buf.len() - self.end;
        let n = ready!(Pin::new(stream).poll_read(cx, &mut self.buf[self.end..]))?;
        self.end += n;
        if n == room && self.buf.len() < INPUT_SIZE {
            // The read took all the room: more is probably waiting (a large body), so the
            // next read gets twice as much.
            self.grow(self.buf.len() * 2);
        }
        Poll::Ready(Ok(n))
    }

    /// The first read, into a stack scratch: a buffer is allocated only once bytes came,
    /// as large as they need.
    fn poll_first<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<usize>> {
        let mut scratch = [0u8; FIRST_READ];
        let n = ready!(Pin::new(stream).poll_read(cx, &mut scratch))?;
        if n > 0 {
            // A full scratch means more is probably waiting: leave room for it.
            let size = if n == FIRST_READ {
                2 * FIRST_READ
            } else {
                FIRST_READ / 2
            };
            self.grow(size.max(n));
            self.buf[..n].copy_from_slice(&scratch[..n]);
            self.start = 0;
            self.end = n;
        }
        Poll::Ready(Ok(n))
    }

    /// Resizes the buffer to `size` (capped at [`INPUT_SIZE`]), keeping its bytes.
    fn grow(&mut self, size: usize) {
        let size = size.min(INPUT_SIZE);
        // Exactly `size`: the zeroed tail is the room the next read writes into.
        self.buf.reserve_exact(size - self.buf.len());
        self.buf.resize(size, 0);
    }

    /// [`Input::poll_fill`] as a future.
    pub(crate) async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.poll_fill(stream, cx)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::io::Cursor;

    /// A stream that hands out `data` at most `per_read` bytes at a time.
    struct Trickle {
        data: Cursor<Vec<u8>>,
        per_read: usize,
    }

    impl AsyncRead for Trickle {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let len = buf.len().min(this.per_read);
            Pin::new(&mut this.data).poll_read(cx, &mut buf[..len])
        }
    }

    fn fill(input: &mut Input, stream: &mut Trickle) -> io::Result<usize> {
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        match input.poll_fill(stream, &mut cx) {
            Poll::Ready(result) => result,
            Poll::Pending => panic!("a cursor never blocks"),
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn a_small_answer_costs_a_small_buffer_and_nothing_before_it() {
        let mut input = Input::new();
        assert_eq!(input.allocated(), 0);
        let answer = pattern(300);
        let mut stream = Trickle {
            data: Cursor::new(answer.clone()),
            per_read: usize::MAX,
        };
        assert_eq!(fill(&mut input, &mut stream).ok(), Some(300));
        assert_eq!(input.filled(), &answer[..]);
        assert_eq!(input.allocated(), 1024);
    }

    #[test]
    fn bytes_come_out_in_order_whatever_the_growth_and_consumption() {
        for (len, per_read, take) in [(100_000, usize::MAX, 5000), (20_000, 700, 3), (9_000, 1, 1)]
        {
            let data = pattern(len);
            let mut stream = Trickle {
                data: Cursor::new(data.clone()),
                per_read,
            };
            let mut input = Input::new();
            let mut out = Vec::new();
            loop {
                // Consume a little at a time, so bytes stay unconsumed across reads.
                let chunk = input.filled().len().min(take);
                out.extend_from_slice(&input.filled()[..chunk]);
                input.consume(chunk);
                if !input.is_empty() {
                    continue;
                }
                let n = fill(&mut input, &mut stream).unwrap_or_else(|e| panic!("{e}"));
                assert!(input.allocated() <= INPUT_SIZE);
                if n == 0 {
                    break;
                }
            }
            assert!(out == data, "{len} in reads of {per_read}");
        }
    }

    #[test]
    fn a_bulk_body_grows_the_buffer_to_the_limit_and_no_further() {
        let mut stream = Trickle {
            data: Cursor::new(pattern(200_000)),
            per_read: usize::MAX,
        };
        let mut input = Input::new();
        let mut sizes = Vec::new();
        while fill(&mut input, &mut stream).unwrap_or_else(|e| panic!("{e}")) > 0 {
            sizes.push(input.allocated());
            let all = input.filled().len();
            input.consume(all);
        }
        assert_eq!(sizes[..4], [4096, 8192, 16384, 16384]);
        assert!(sizes.iter().all(|&size| size <= INPUT_SIZE));
    }

    #[test]
    fn a_head_larger_than_the_limit_is_refused() {
        let mut stream = Trickle {
            data: Cursor::new(pattern(INPUT_SIZE + 1)),
            per_read: 1000,
        };
        let mut input = Input::new();
        let error = loop {
            // Never consumed, as a head that has not ended yet.
            match fill(&mut input, &mut stream) {
                Ok(n) => assert!(n > 0, "the stream ended first"),
                Err(error) => break error,
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(input.filled().len(), INPUT_SIZE);
    }
}
