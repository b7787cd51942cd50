//! Where a [`ConnectResponse`](super::ConnectResponse) keeps the bytes of a head whose end
//! has not arrived yet: inline, as a fixed array of the header-block limit (no allocation
//! ever, the default), or, with the `alloc` feature, in a vector that grows only as far as
//! the bytes that arrive need, never past that limit.
//!
//! The choice is a memory trade-off for frontends that hold many handshakes at once: a
//! proxy's `200 Connection established` is some 40 bytes, so a growing buffer costs one
//! small allocation per handshake instead of 16 KiB held for its whole duration, while a
//! proxy that sends a long head still gets the full limit.

use super::decode::MAX_HEAD_LEN;

/// Storage for a CONNECT response head being decoded; implemented by
/// `[u8; MAX_HEAD_LEN]` (inline, never allocates) and, with `alloc`, by `Vec<u8>` (grows
/// with what arrives, up to [`MAX_HEAD_LEN`]). Sealed: the decoder relies on both keeping
/// exactly the bytes appended.
pub trait HeadBuffer: sealed::Store {}

impl HeadBuffer for [u8; MAX_HEAD_LEN] {}

#[cfg(feature = "alloc")]
impl HeadBuffer for alloc::vec::Vec<u8> {}

pub(super) mod sealed {
    use super::MAX_HEAD_LEN;

    /// The operations the decoder needs; not nameable outside the crate, so only the two
    /// storages above exist.
    pub trait Store {
        /// Appends as much of `bytes` as fits below [`MAX_HEAD_LEN`] after the first `len`
        /// bytes held (dropping any held beyond them); returns how many were taken.
        fn append(&mut self, len: usize, bytes: &[u8]) -> usize;

        /// The first `len` bytes held (`len` never exceeds what was appended).
        fn held(&self, len: usize) -> &[u8];
    }

    impl Store for [u8; MAX_HEAD_LEN] {
        fn append(&mut self, len: usize, bytes: &[u8]) -> usize {
            let take = (MAX_HEAD_LEN - len).min(bytes.len());
            self[len..len + take].copy_from_slice(&bytes[..take]);
            take
        }

        fn held(&self, len: usize) -> &[u8] {
            &self[..len]
        }
    }

    #[cfg(feature = "alloc")]
    impl Store for alloc::vec::Vec<u8> {
        fn append(&mut self, len: usize, bytes: &[u8]) -> usize {
            /// The first allocation: room for any usual proxy answer to CONNECT.
            const FIRST: usize = 256;
            self.truncate(len);
            let take = (MAX_HEAD_LEN - len).min(bytes.len());
            let needed = len + take;
            if needed > self.capacity() {
                // Doubling keeps a trickled head linear; capping it keeps the limit a
                // limit on memory too (`reserve` alone could double past it).
                let grown = needed.max(self.capacity() * 2).clamp(FIRST, MAX_HEAD_LEN);
                self.reserve_exact(grown - len);
            }
            self.extend_from_slice(&bytes[..take]);
            take
        }

        fn held(&self, len: usize) -> &[u8] {
            &self[..len]
        }
    }
}
