//! # egress-core
//!
//! The sans-IO heart of egress: everything that decides where an outbound HTTP(S) request
//! goes and the protocol bytes exchanged with a forward proxy, with no I/O, no clock and no
//! allocation in any decision.
//!
//! | piece | module |
//! |---|---|
//! | hosts (names, IPv4, IPv6 with zone ids) | [`host`] |
//! | rustls client configuration for the frontends (`tls`) | `tls` |
//! | the frontends' builder options and built settings, no I/O, no logging (`tls`) | `settings` |
//! | the one failure type, classified once (`alloc`) | `failure` |
//! | the router owning the parsed configuration, route keys (`alloc`) | `router` |
//! | proxy authentication: Basic, Digest, NTLMv2 rounds (`alloc`) | `auth` |
//! | the connection machine: route decided ─► stream ready (`alloc`) | `establish` |
//! | IP blocklist for direct connections (`alloc`) | `blocklist` |
//! | targets and schemes | [`target`] |
//! | proxy credentials and `Basic` tokens | [`credentials`] |
//! | proxy URLs `[scheme://][user:pass@]host[:port]` | [`proxy_url`] |
//! | choosing variables from the environment | [`env`](mod@env) |
//! | names of connection phases (timeouts, errors) | [`phase`] |
//! | `no_proxy` lists: matching targets, diagnostics | [`no_proxy`] |
//! | compiled `no_proxy` set, flat cost at any length (`alloc`) | `no_proxy::CompiledNoProxy` |
//! | the router: direct, forward or tunnel, and why | [`route`] |
//! | the CONNECT handshake (request encoder, response decoder) | [`connect`] |
//! | forward-proxy request rewriting (absolute form, `Proxy-Authorization`) | [`forward`] |
//! | fuzz target bodies, replayed by `cargo test` (`fuzzing`) | `fuzz_checks` |
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

#[cfg(feature = "alloc")]
pub mod auth;
#[cfg(feature = "alloc")]
pub mod blocklist;
pub mod connect;
pub mod credentials;
pub mod env;
#[cfg(feature = "alloc")]
pub mod establish;
#[cfg(feature = "alloc")]
pub mod failure;
pub mod forward;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_checks;
pub mod host;
pub mod inline_str;
#[cfg(feature = "alloc")]
mod lookup;
pub mod no_proxy;
pub mod phase;
pub mod proxy_headers;
pub mod proxy_url;
pub mod route;
#[cfg(feature = "alloc")]
pub mod router;
#[cfg(feature = "tls")]
pub mod settings;
pub mod target;
#[cfg(feature = "tls")]
pub mod tls;

#[cfg(feature = "alloc")]
pub use blocklist::IpBlocklist;
pub use connect::{ConnectError, ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus};
pub use credentials::Credentials;
#[cfg(feature = "alloc")]
pub use env::OwnedProxyEnv;
pub use env::{EnvValue, ProxyEnv};
#[cfg(feature = "alloc")]
pub use failure::{Failure, FailureKind};
pub use forward::{ForwardError, ForwardRewriter};
pub use host::{Host, HostError};
pub use inline_str::InlineStr;
#[cfg(feature = "alloc")]
pub use no_proxy::CompiledNoProxy;
pub use no_proxy::{NoProxy, NoProxyError, NoProxyMatch};
pub use phase::Phase;
#[cfg(feature = "alloc")]
pub use proxy_headers::ProxyHeaders;
pub use proxy_headers::{ProxyHeaderError, ProxyHeaderLines};
pub use proxy_url::{DEFAULT_PROXY_PORT, ProxyUrl, ProxyUrlError, ProxyUrlErrorKind};
pub use route::{ConfigError, ProxyConfig, Route, RouteDecision, RouteReason};
#[cfg(feature = "alloc")]
pub use router::{Decision, RouteKey, RouteKind, Router};
pub use target::{Authority, Scheme, Target, TargetError};

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
