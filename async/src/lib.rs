//! # egress-async
//!
//! The async frontend of egress: connections and HTTP/1.1 requests routed through
//! `egress-core` by Synapse's forward-proxy rules, without blocking threads.
//!
//! - `http://` targets go to `http_proxy` as absolute-form requests with
//!   `Proxy-Authorization` (egress-core's forward rewriter on the write path);
//! - `https://` targets go through a `CONNECT` tunnel on `https_proxy` (driven by
//!   egress-core's handshake machine), then TLS to the target inside it (TLS in TLS for an
//!   `https://` proxy); the target's name is never resolved locally;
//! - targets matched by `no_proxy` and schemes without a proxy connect directly, after the
//!   optional IP blocklist checked every resolved address.
//!
//! Streams are `futures-io` `AsyncRead + AsyncWrite`; TLS is futures-rustls on the
//! workspace's rustls (ring provider). TCP, DNS and timers come from async-std (feature
//! `async-std`, default) or smol's async-net/async-io (feature `smol`); both can be compiled
//! in and picked per connector with [`ConnectorBuilder::runtime`].
//!
//! | module | role |
//! |---|---|
//! | [`Connector`] | a ready stream along the route, for any protocol |
//! | [`Client`] | HTTP/1.1 over those streams on `ureq-proto`, with keep-alive pooling |
//! | [`Error`] | the same error kinds as egress-sync |
//!
//! ```no_run
//! # async fn run() -> Result<(), egress_async::Error> {
//! let client = egress_async::Client::from_env()?;
//! let mut response = client.get("https://matrix.org/_matrix/key/v2/server").send().await?;
//! let text = response.text().await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod builder;
mod client;
mod connection;
mod connector;
mod error;
mod establish;
mod http_error;
mod runtime;
mod settings;
mod stream;

pub use builder::{
    ConnectorBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROXY_HANDSHAKE_TIMEOUT, DEFAULT_TLS_TIMEOUT,
};
pub use client::{
    Body, Client, ClientBuilder, DEFAULT_MAX_IDLE_AGE, DEFAULT_MAX_IDLE_PER_ROUTE,
    DEFAULT_MAX_IDLE_TOTAL, RequestBuilder, Response, ResponseBody,
};
pub use connection::Connection;
pub use connector::Connector;
pub use egress_core::failure::{Failure, PeerError, PeerErrorKind};
pub use egress_core::router::RouteInfo;
pub use egress_core::{FailureKind, IpBlocklist, Phase, RouteKind, Target};
pub use error::Error;
pub use http_error::HttpError;
pub use runtime::Runtime;
pub use ureq_proto::http;
