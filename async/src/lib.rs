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
//! `async-std`, default), smol's async-net/async-io (feature `smol`) or tokio (feature
//! `tokio`, its `net` and `time` only); any of them can be compiled in and picked per
//! connector with [`ConnectorBuilder::runtime`]. Everything above TCP is the same code.
//!
//! | module | role |
//! |---|---|
//! | [`Connector`] | a ready stream along the route, for any protocol |
//! | [`Client`] | HTTP/1.1 over those streams on `ureq-proto`, with keep-alive pooling |
//! | [`Error`] | the same error kinds as egress-sync |
//!
//! GET, on async-std (the default runtime):
//!
//! ```no_run
//! # async fn run() -> Result<(), egress_async::Error> {
//! let client = egress_async::Client::from_env()?;
//! let mut response = client.get("https://matrix.org/_matrix/key/v2/server").send().await?;
//! let text = response.text().await?;
//! # Ok(()) }
//! async_std::task::block_on(run())?;
//! # Ok::<(), egress_async::Error>(())
//! ```
//!
//! The same code on smol (feature `smol`): pick the runtime on the connector.
//!
//! ```no_run
//! # #[cfg(feature = "smol")]
//! # fn main() -> Result<(), egress_async::Error> {
//! use egress_async::{Client, ConnectorBuilder, Runtime};
//!
//! let connector = ConnectorBuilder::from_env().runtime(Runtime::Smol).build()?;
//! let client = Client::new(connector);
//! async_io::block_on(async {
//!     let mut response = client.get("https://matrix.org/").send().await?;
//!     response.text().await
//! })?;
//! # Ok(()) }
//! # #[cfg(not(feature = "smol"))]
//! # fn main() {}
//! ```
//!
//! On tokio (feature `tokio`): the same again, inside a tokio runtime with I/O and time
//! enabled (`#[tokio::main]` does that; so does `Builder::enable_all`).
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use egress_async::{Client, ConnectorBuilder, Runtime};
//!
//! let connector = ConnectorBuilder::from_env().runtime(Runtime::Tokio).build()?;
//! let client = Client::new(connector);
//! let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let mut response = client.get("https://matrix.org/").send().await?;
//!     response.text().await
//! })?;
//! # Ok(()) }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! POST a JSON body (serialize it with any JSON library; egress sends bytes):
//!
//! ```no_run
//! # async fn run() -> Result<(), egress_async::Error> {
//! let client = egress_async::Client::from_env()?;
//! let response = client
//!     .post("https://api.example.org/v1/items")
//!     .header("content-type", "application/json")
//!     .body(r#"{"name":"egress"}"#)
//!     .send()
//!     .await?;
//! assert!(response.status().is_success());
//! # Ok(()) }
//! ```
//!
//! A large download streamed to a file with progress (the body is an `AsyncRead` with no
//! size limit), a company CA for targets and proxies, and the route a URL would take:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::io::AsyncReadExt;
//! use std::io::Write;
//!
//! let pem = std::fs::read("corp-ca.pem")?;
//! let connector = egress_async::ConnectorBuilder::from_env()
//!     .add_ca_pem(&pem)?
//!     .add_proxy_ca_pem(&pem)?
//!     .build()?;
//! let route = connector.route("https://example.org/big.iso")?;
//! println!("{} via {:?} because {}", route.route, route.proxy, route.reason);
//! let client = egress_async::Client::new(connector);
//! let mut response = client.get("https://example.org/big.iso").send().await?;
//! let total = response.header("content-length").map(str::to_owned);
//! let mut file = std::fs::File::create("big.iso")?;
//! let (mut chunk, mut done) = (vec![0u8; 64 * 1024], 0usize);
//! loop {
//!     let n = response.body_mut().read(&mut chunk).await?;
//!     if n == 0 {
//!         break;
//!     }
//!     file.write_all(&chunk[..n])?;
//!     done += n;
//!     eprint!("\r{done} of {} bytes", total.as_deref().unwrap_or("?"));
//! }
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
    DEFAULT_MAX_IDLE_TOTAL, DEFAULT_MAX_REDIRECTS, DEFAULT_READ_TIMEOUT, RequestBuilder, Response,
    ResponseBody,
};
pub use connection::Connection;
pub use connector::Connector;
pub use egress_core::auth::{AuthChoice, AuthProblem};
pub use egress_core::failure::{Failure, PeerError, PeerErrorKind};
pub use egress_core::router::RouteInfo;
pub use egress_core::settings::{PhaseEvent, PhaseObserver};
pub use egress_core::tls::TrustRoots;
pub use egress_core::{FailureKind, IpBlocklist, Phase, RouteKind, Target};
pub use error::Error;
pub use http_error::HttpError;
pub use runtime::Runtime;
pub use ureq_proto::http;
