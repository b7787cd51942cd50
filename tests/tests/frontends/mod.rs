//! One scenario, every frontend: a [`Setup`] describes the client (proxies, `no_proxy`,
//! blocklist, CAs, timeouts, redirects), [`Frontend::client`] builds it on egress-sync or
//! egress-async (on each compiled-in runtime), and [`Client`] runs requests and reports a
//! [`Fetched`]: the whole response, egress-core's [`Failure`] (which both frontends share),
//! or the exchange failure by kind, so one assertion covers all of them.
//!
//! Both frontends are configured alike: ureq's `http_status_as_error` is off, so a 4xx/5xx
//! is a response on both (egress-sync's default is covered in `sync_only.rs`).

#![allow(dead_code, unreachable_pub)]

mod client;
mod fetched;

use std::time::Duration;

pub use client::{Client, Executor};
use egress_core::Failure;
#[allow(unused_imports)]
pub use fetched::{Fetched, HttpFailure, Response};

/// The frontends a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frontend {
    /// egress-sync's ureq agent.
    Sync,
    /// egress-async's client on async-std.
    AsyncStd,
    /// egress-async's client on smol.
    Smol,
    /// egress-async's client on tokio (a current-thread runtime per client).
    Tokio,
}

/// What the client is configured with; short timeouts by default.
#[derive(Clone, Debug)]
pub struct Setup {
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    pub no_proxy: Option<String>,
    /// `IpBlocklist::non_public()` for direct connections.
    pub block_non_public: bool,
    /// Extra CA for targets.
    pub ca_pem: Option<String>,
    /// Extra CA for `https://` proxies.
    pub proxy_ca_pem: Option<String>,
    pub connect: Duration,
    pub handshake: Duration,
    pub tls: Duration,
    /// egress-sync: ureq's global limit (the whole call, body included); egress-async: the
    /// exchange limit (request and response head, per hop).
    pub exchange: Duration,
    /// Redirects to follow; `None`: the frontend's default.
    pub max_redirects: Option<u32>,
    /// Which proxy authentication schemes may be used; `None`: the builder's default.
    pub proxy_auth: Option<egress_core::auth::AuthChoice>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            http_proxy: None,
            https_proxy: None,
            no_proxy: None,
            block_non_public: false,
            ca_pem: None,
            proxy_ca_pem: None,
            connect: Duration::from_secs(2),
            handshake: Duration::from_millis(500),
            tls: Duration::from_secs(2),
            exchange: Duration::from_secs(10),
            max_redirects: None,
            proxy_auth: None,
        }
    }
}

impl Setup {
    /// Both schemes through `proxy`.
    pub fn through(proxy: &str) -> Self {
        Self {
            http_proxy: Some(proxy.to_owned()),
            https_proxy: Some(proxy.to_owned()),
            ..Self::default()
        }
    }

    /// Trusting `pem` for targets.
    pub fn trusting(self, pem: &str) -> Self {
        Self {
            ca_pem: Some(pem.to_owned()),
            ..self
        }
    }
}

/// Applies the [`Setup`] fields both builders share (egress-core's option methods).
macro_rules! shared_options {
    ($builder:expr, $setup:expr) => {{
        let setup: &Setup = $setup;
        let mut builder = $builder
            .timeout_connect(setup.connect)
            .timeout_proxy_handshake(setup.handshake)
            .timeout_tls(setup.tls);
        if let Some(url) = &setup.http_proxy {
            builder = builder.http_proxy(url);
        }
        if let Some(url) = &setup.https_proxy {
            builder = builder.https_proxy(url);
        }
        if let Some(list) = &setup.no_proxy {
            builder = builder.no_proxy(list);
        }
        if let Some(choice) = setup.proxy_auth {
            builder = builder.proxy_auth(choice);
        }
        if setup.block_non_public {
            builder = builder.ip_blocklist(egress_core::IpBlocklist::non_public());
        }
        if let Some(pem) = &setup.ca_pem {
            builder = builder
                .add_ca_pem(pem.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        if let Some(pem) = &setup.proxy_ca_pem {
            builder = builder
                .add_proxy_ca_pem(pem.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        builder
    }};
}

impl Frontend {
    /// The frontends compiled into this test binary.
    pub fn all() -> Vec<Frontend> {
        let mut all = vec![Frontend::Sync, Frontend::AsyncStd];
        if cfg!(feature = "smol") {
            all.push(Frontend::Smol);
        }
        if cfg!(feature = "tokio") {
            all.push(Frontend::Tokio);
        }
        all
    }

    /// Builds a client of this frontend from `setup`.
    pub fn client(self, setup: &Setup) -> Client {
        self.try_client(setup)
            .unwrap_or_else(|failure| panic!("{failure}"))
    }

    /// Builds a client of this frontend from `setup`, or the build's failure.
    pub fn try_client(self, setup: &Setup) -> Result<Client, Failure> {
        match self {
            Frontend::Sync => {
                let mut builder = shared_options!(egress_sync::Agent::builder(), setup)
                    .timeout_global(setup.exchange)
                    .http_status_as_error(false);
                if let Some(redirects) = setup.max_redirects {
                    builder = builder.max_redirects(redirects);
                }
                match builder.build() {
                    Ok(agent) => Ok(Client::Sync(agent)),
                    Err(egress_sync::Error::Failure(failure)) => Err(failure),
                    Err(other) => panic!("{other}"),
                }
            }
            Frontend::AsyncStd | Frontend::Smol | Frontend::Tokio => {
                let runtime = self.runtime();
                let builder = egress_async::Connector::builder().runtime(runtime);
                let connector = match shared_options!(builder, setup).build() {
                    Ok(connector) => connector,
                    Err(egress_async::Error::Failure(failure)) => return Err(failure),
                    Err(other) => panic!("{other}"),
                };
                let mut builder =
                    egress_async::Client::builder(connector).timeout_exchange(setup.exchange);
                if let Some(redirects) = setup.max_redirects {
                    builder = builder.max_redirects(redirects);
                }
                Ok(Client::Async(builder.build(), Executor::new(runtime)))
            }
        }
    }

    /// egress-async's runtime of this frontend (a panic for [`Frontend::Sync`]).
    pub fn runtime(self) -> egress_async::Runtime {
        match self {
            Frontend::AsyncStd => egress_async::Runtime::AsyncStd,
            #[cfg(feature = "smol")]
            Frontend::Smol => egress_async::Runtime::Smol,
            #[cfg(feature = "tokio")]
            Frontend::Tokio => egress_async::Runtime::Tokio,
            other => panic!("{other:?} has no egress-async runtime compiled in"),
        }
    }

    /// The longest forwarded response head the frontend reads: ureq's 64 KiB, egress-async's
    /// own 16 KiB.
    pub fn response_head_limit(self) -> usize {
        match self {
            Frontend::Sync => 64 * 1024,
            Frontend::AsyncStd | Frontend::Smol | Frontend::Tokio => 16 * 1024,
        }
    }
}

/// Declares one `#[test]` per scenario and frontend: `sync::name`, `async_std::name`,
/// `smol::name` with the `smol` feature and `tokio::name` with the `tokio` feature. A
/// scenario is `fn(Frontend)`.
#[macro_export]
macro_rules! on_every_frontend {
    ($($name:ident),* $(,)?) => {
        mod sync {
            $(#[test] fn $name() { super::$name($crate::frontends::Frontend::Sync); })*
        }
        mod async_std {
            $(#[test] fn $name() { super::$name($crate::frontends::Frontend::AsyncStd); })*
        }
        #[cfg(feature = "smol")]
        mod smol {
            $(#[test] fn $name() { super::$name($crate::frontends::Frontend::Smol); })*
        }
        #[cfg(feature = "tokio")]
        mod tokio {
            $(#[test] fn $name() { super::$name($crate::frontends::Frontend::Tokio); })*
        }
    };
}
