//! Shared support for egress's cross-crate integration tests: loopback servers and helpers.
//!
//! The servers here use none of egress: they are the independent peer the frontends are tested
//! against. Everything listens on loopback (127.0.0.1, or `[::1]` where asked) on ports the OS
//! assigns, serves each connection on its own thread (bounded by [`MAX_CONNECTIONS`]), uses
//! socket timeouts of [`IO_TIMEOUT`] so nothing can hang a test for long, and stops on `Drop`:
//! the listening port is released and every thread it started is joined.
//!
//! | module | role |
//! |---|---|
//! | [`tls`] | throwaway CAs ([`TestCa`]) and server certificates ([`ServerCert`]) |
//! | [`origin`] | the HTTP/1.1 origin ([`Origin`]), plain or TLS, with fixed routes |
//! | [`proxy`] | the forward proxy ([`TestProxy`]): absolute-form, CONNECT, auth, faults |
//! | [`content`] | the deterministic bytes the origin serves ([`pattern_bytes`]) |
//! | [`http`] | the recorded request heads ([`RecordedRequest`]) and HTTP/1.1 reading |
//! | [`CountingRelay`] | a TCP relay that counts client connections (keep-alive proofs) |
//! | [`real_proxy`] | real squid and tinyproxy started from generated configs, stopped by PID |

pub mod content;
pub mod http;
pub mod origin;
pub mod proxy;
pub mod real_proxy;
mod relay;
mod server;
mod splice;
mod stream;
pub mod tls;

pub use content::{check_pattern, fill_pattern, pattern_byte, pattern_bytes};
pub use http::RecordedRequest;
pub use origin::{HELLO_BODY, Origin};
pub use proxy::{Fault, ProxyOptions, TestProxy};
pub use relay::CountingRelay;
pub use server::{CONNECT_TIMEOUT, IO_TIMEOUT, MAX_CONNECTIONS};
pub use tls::{LOCAL_NAMES, ServerCert, TestCa, provider};

/// The README's code examples, compiled (and run where they need no network) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
