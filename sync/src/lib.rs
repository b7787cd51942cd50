//! # egress-sync
//!
//! The blocking frontend of egress: a [ureq](https://docs.rs/ureq) 3 agent whose connector
//! and resolver route every connection, and every redirect hop, through `egress-core`,
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
//! ```no_run
//! let agent = egress_sync::Agent::from_env()?;
//! let body = agent
//!     .get("https://matrix.org/_matrix/key/v2/server")
//!     .call()
//!     .map_err(egress_sync::Error::from)?
//!     .body_mut()
//!     .read_to_string()
//!     .map_err(egress_sync::Error::from)?;
//! # Ok::<(), egress_sync::Error>(())
//! ```
//!
//! Errors from calls are `ureq::Error`s; convert them with [`Error::from`] to match on
//! egress's kinds (proxy unreachable, proxy TLS, 407, CONNECT rejected, blocked, timeout).
#![forbid(unsafe_code)]

mod agent;
mod builder;
mod connector;
mod error;
mod establish;
mod forward_auth;
mod observe;
mod settings;
mod transport;

pub use agent::Agent;
pub use builder::{
    AgentBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROXY_HANDSHAKE_TIMEOUT, DEFAULT_TLS_TIMEOUT,
};
pub use egress_core::failure::{Failure, PeerError, PeerErrorKind};
pub use egress_core::router::RouteInfo;
pub use egress_core::{FailureKind, IpBlocklist, Phase, RouteKind};
pub use error::Error;
pub use observe::{PhaseEvent, PhaseObserver};
pub use ureq;
