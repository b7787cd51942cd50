//! Pieces shared by the frontends `egress-sync` and `egress-async` (feature `tls`).
//!
//! This is not sans-IO protocol code: it is the runtime-independent half of a frontend,
//! written once so both frontends behave alike. It holds the builder options with their
//! defaults ([`Options`]), the settings a built client consults per connection
//! ([`Settings`]: owned proxy variables, the `no_proxy` list compiled once, the IP
//! blocklist, rustls configurations, phase timeouts, `User-Agent`), the blocklist filter for
//! resolved addresses ([`keep_allowed`]), the CONNECT exchange without its socket
//! ([`TunnelHandshake`]), the owned route description ([`RouteInfo`]) and the messages of
//! the failures both frontends report ([`Failure`]).
//!
//! Each frontend keeps its own error type (its public API); the pieces here return small
//! owned payloads ([`InvalidConfig`], [`Blocked`], [`TunnelFailure`]) that map onto one
//! variant each, and the frontends render their variants through [`Failure`].

mod blocked;
mod failure;
mod options;
mod route_info;
mod settings;
mod tunnel;

pub use blocked::{Blocked, keep_allowed};
pub use failure::{Failure, InvalidConfig};
pub use options::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROXY_HANDSHAKE_TIMEOUT, DEFAULT_TLS_TIMEOUT,
    DEFAULT_USER_AGENT, Options,
};
pub use route_info::RouteInfo;
pub use settings::{Setting, Settings, Timeouts, target_from_parts};
pub use tunnel::{TunnelEstablished, TunnelFailure, TunnelHandshake};
