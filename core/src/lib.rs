//! # egress-core
//!
//! The sans-IO heart of egress: everything that decides where an outbound HTTP(S) request
//! goes and the protocol bytes exchanged with a forward proxy, with no I/O, no clock and no
//! allocation in any decision.
//!
//! | piece | module |
//! |---|---|
//! | hosts (names, IPv4, IPv6 with zone ids) | [`host`] |
//! | targets and schemes | [`target`] |
//! | proxy credentials and `Basic` tokens | [`credentials`] |
//! | forward-proxy request rewriting (absolute form, `Proxy-Authorization`) | [`forward`] |
//!
//! The crate is `#![no_std]`. The `alloc` feature adds owned forms (compiled sets, owned
//! environment); `std` adds reading the process environment and `std::error::Error` glue.
//! Frontends (`egress-sync`, `egress-async`) own sockets, clocks and TLS and drive the
//! machines here by feeding bytes in and draining bytes out.
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod credentials;
pub mod forward;
pub mod host;
pub mod target;

pub use credentials::Credentials;
pub use forward::{ForwardError, ForwardRewriter};
pub use host::{Host, HostError};
pub use target::{Authority, Scheme, Target};

use core::fmt;

/// A caller-provided output buffer was too small; `needed` is the size that would succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferTooSmall {
    /// The buffer size, in bytes, that the operation needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "output buffer too small: pass a buffer of at least {} bytes",
            self.needed
        )
    }
}

impl core::error::Error for BufferTooSmall {}
