//! # egress-sync
//!
//! The blocking frontend of egress: a [ureq](https://docs.rs/ureq) 3 agent whose connector
//! routes every connection, and every redirect hop, through `egress-core`'s router and
//! connection machine,
//! following Synapse's forward-proxy rules:
//!
//! - `http://` targets go to `http_proxy` as absolute-form requests with
//!   `Proxy-Authorization` (no CONNECT: default squid refuses CONNECT to port 80);
//! - `https://` targets go through a `CONNECT` tunnel on `https_proxy`, then TLS to the
//!   target inside it (TLS in TLS for an `https://` proxy); the target is never resolved
//!   locally;
//! - targets matched by `no_proxy` (names, addresses, CIDR ranges, ports) and schemes without
//!   a proxy connect directly, after the optional IP blocklist checked every address.
//!
//! ureq's own proxy support is switched off and never reads the environment.
//!
//! `call()` and `send*()` return [`Error`]: `Error::Failure` for everything egress
//! classified (see [`Failure`]), `Error::Http` for ureq's own errors. `?` keeps it typed,
//! into `Box<dyn Error>` too:
//!
//! ```no_run
//! fn fetch() -> Result<String, Box<dyn std::error::Error>> {
//!     let agent = egress_sync::Agent::from_env()?;
//!     let mut response = agent.get("https://matrix.org/_matrix/key/v2/server").call()?;
//!     Ok(response.body_mut().read_to_string()?)
//! }
//!
//! if let Err(error) = fetch() {
//!     match error.downcast_ref::<egress_sync::Error>() {
//!         Some(egress) if egress.is_proxy_failure() => eprintln!("the proxy failed: {egress}"),
//!         Some(egress) => eprintln!("{} ({})", egress, egress.kind_name()),
//!         None => eprintln!("{error}"),
//!     }
//! }
//! ```
//!
//! POST a JSON body (serialize it with any JSON library; egress sends bytes):
//!
//! ```no_run
//! let agent = egress_sync::Agent::builder().https_proxy("http://proxy.corp:3128").build()?;
//! let response = agent
//!     .post("https://api.example.org/v1/items")
//!     .content_type("application/json")
//!     .send(r#"{"name":"egress"}"#)?;
//! assert!(response.status().is_success());
//! # Ok::<(), egress_sync::Error>(())
//! ```
//!
//! A large download streamed to a file, with progress. `read_to_string()` and
//! `read_to_vec()` stop at ureq's 10 MiB body limit; a reader has none:
//!
//! ```no_run
//! use std::io::{Read, Write};
//!
//! let agent = egress_sync::Agent::from_env()?;
//! let mut response = agent.get("https://example.org/big.iso").call()?;
//! let total = response.body().content_length();
//! let mut body = response.body_mut().as_reader();
//! let mut file = std::fs::File::create("big.iso")?;
//! let (mut chunk, mut done) = (vec![0u8; 64 * 1024], 0u64);
//! loop {
//!     let n = body.read(&mut chunk)?;
//!     if n == 0 {
//!         break;
//!     }
//!     file.write_all(&chunk[..n])?;
//!     done += n as u64;
//!     eprint!("\r{done} of {} bytes", total.map_or("?".to_owned(), |t| t.to_string()));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A company CA for targets (and, separately, for an `https://` proxy), and the route a
//! URL would take:
//!
//! ```no_run
//! let pem = std::fs::read("corp-ca.pem")?;
//! let agent = egress_sync::AgentBuilder::from_env()
//!     .add_ca_pem(&pem)?
//!     .add_proxy_ca_pem(&pem)?
//!     .build()?;
//! let route = agent.route("https://wiki.corp.example/")?;
//! println!("{} via {:?} because {}", route.route, route.proxy, route.reason);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod agent;
mod builder;
mod connector;
mod error;
mod establish;
mod forward_auth;
mod request;
mod settings;
mod transport;

pub use agent::Agent;
pub use builder::{
    AgentBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_READ_TIMEOUT,
    DEFAULT_PROXY_HANDSHAKE_TIMEOUT, DEFAULT_TLS_TIMEOUT,
};
pub use egress_core::auth::{AuthChoice, AuthProblem};
pub use egress_core::failure::{Failure, PeerError, PeerErrorKind};
pub use egress_core::router::RouteInfo;
pub use egress_core::settings::{PhaseEvent, PhaseObserver};
pub use egress_core::tls::TrustRoots;
pub use egress_core::{FailureKind, IpBlocklist, Phase, RouteKind};
pub use error::Error;
pub use request::Request;
pub use ureq;
