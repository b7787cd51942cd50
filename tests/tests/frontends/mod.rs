//! One scenario, every frontend: a `Setup` describes the client (proxies, `no_proxy`, CAs,
//! timeouts), [`Frontend::fetch`] runs a GET through egress-sync or egress-async (on each
//! compiled-in runtime) and reports the body or egress-core's [`Failure`], which both
//! frontends share, so one assertion covers all of them.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use egress_core::Failure;

/// The frontends a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frontend {
    /// egress-sync's ureq agent.
    Sync,
    /// egress-async's client on async-std.
    AsyncStd,
    /// egress-async's client on smol.
    Smol,
}

/// How a fetch ended.
#[derive(Debug)]
pub enum Fetched {
    /// The body, for a 2xx.
    Body(Vec<u8>),
    /// A failure egress classified.
    Failure(Failure),
    /// The HTTP engine's own error, shown.
    Http(String),
}

impl Fetched {
    /// The failure, or a panic naming what came instead.
    pub fn failure(self) -> Failure {
        match self {
            Fetched::Failure(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    /// The body, or a panic naming what came instead.
    pub fn body(self) -> Vec<u8> {
        match self {
            Fetched::Body(body) => body,
            other => panic!("expected a body, got {other:?}"),
        }
    }
}

/// What the client is configured with; short timeouts by default.
#[derive(Clone, Debug)]
pub struct Setup {
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    pub ca_pem: Option<String>,
    pub connect: Duration,
    pub handshake: Duration,
    pub tls: Duration,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            http_proxy: None,
            https_proxy: None,
            ca_pem: None,
            connect: Duration::from_secs(2),
            handshake: Duration::from_millis(500),
            tls: Duration::from_secs(2),
        }
    }
}

/// A built client of one frontend.
pub enum Client {
    Sync(egress_sync::Agent),
    Async(egress_async::Client, egress_async::Runtime),
}

impl Frontend {
    /// The frontends compiled into this test binary.
    pub fn all() -> Vec<Frontend> {
        let mut all = vec![Frontend::Sync, Frontend::AsyncStd];
        if cfg!(feature = "smol") {
            all.push(Frontend::Smol);
        }
        all
    }

    /// Builds a client of this frontend from `setup`.
    pub fn client(self, setup: &Setup) -> Client {
        match self {
            Frontend::Sync => {
                let mut builder = egress_sync::Agent::builder()
                    .timeout_connect(setup.connect)
                    .timeout_proxy_handshake(setup.handshake)
                    .timeout_tls(setup.tls)
                    .timeout_global(Duration::from_secs(10));
                if let Some(url) = &setup.http_proxy {
                    builder = builder.http_proxy(url);
                }
                if let Some(url) = &setup.https_proxy {
                    builder = builder.https_proxy(url);
                }
                if let Some(pem) = &setup.ca_pem {
                    builder = builder
                        .add_ca_pem(pem.as_bytes())
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                Client::Sync(builder.build().unwrap_or_else(|e| panic!("{e}")))
            }
            Frontend::AsyncStd | Frontend::Smol => {
                let runtime = match self {
                    Frontend::AsyncStd => egress_async::Runtime::AsyncStd,
                    #[cfg(feature = "smol")]
                    _ => egress_async::Runtime::Smol,
                    #[cfg(not(feature = "smol"))]
                    _ => panic!("smol is not compiled in"),
                };
                let mut builder = egress_async::Connector::builder()
                    .runtime(runtime)
                    .timeout_connect(setup.connect)
                    .timeout_proxy_handshake(setup.handshake)
                    .timeout_tls(setup.tls);
                if let Some(url) = &setup.http_proxy {
                    builder = builder.http_proxy(url);
                }
                if let Some(url) = &setup.https_proxy {
                    builder = builder.https_proxy(url);
                }
                if let Some(pem) = &setup.ca_pem {
                    builder = builder
                        .add_ca_pem(pem.as_bytes())
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                let connector = builder.build().unwrap_or_else(|e| panic!("{e}"));
                let client = egress_async::Client::builder(connector)
                    .timeout_exchange(Duration::from_secs(10))
                    .build();
                Client::Async(client, runtime)
            }
        }
    }
}

impl Client {
    /// GETs `url` and reads the body.
    pub fn fetch(&self, url: &str) -> Fetched {
        match self {
            Client::Sync(agent) => {
                let result = agent.get(url).call().and_then(|mut response| {
                    let body = response.body_mut().read_to_vec();
                    body.map_err(egress_sync::Error::from)
                });
                match result {
                    Ok(body) => Fetched::Body(body),
                    Err(egress_sync::Error::Failure(failure)) => Fetched::Failure(failure),
                    Err(other) => Fetched::Http(other.to_string()),
                }
            }
            Client::Async(client, runtime) => {
                let fetch = async { client.get(url).send().await?.bytes().await };
                let result = match runtime {
                    egress_async::Runtime::AsyncStd => async_std::task::block_on(fetch),
                    #[cfg(feature = "smol")]
                    egress_async::Runtime::Smol => async_io::block_on(fetch),
                    #[allow(unreachable_patterns)]
                    _ => panic!("runtime not compiled in"),
                };
                match result {
                    Ok(body) => Fetched::Body(body),
                    Err(egress_async::Error::Failure(failure)) => Fetched::Failure(failure),
                    Err(other) => Fetched::Http(other.to_string()),
                }
            }
        }
    }

    /// How many route decisions the client has made.
    pub fn route_decisions(&self) -> usize {
        match self {
            Client::Sync(agent) => agent.route_decisions(),
            Client::Async(client, _) => client.connector().route_decisions(),
        }
    }

    /// Whether this is the blocking frontend.
    pub fn is_sync(&self) -> bool {
        matches!(self, Client::Sync(_))
    }
}

/// Declares one `#[test]` per scenario and frontend: `sync::name`, `async_std::name`, and
/// `smol::name` with the `smol` feature. A scenario is `fn(Frontend)`.
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
    };
}
