//! [`Client`]: requests on a built client of either frontend, each ending in a [`Fetched`],
//! plus what the scenarios observe of the client itself (routes, decisions, idle pool).

use std::future::Future;
use std::io::Read as _;

use egress_core::router::RouteInfo;
use egress_tests::check_pattern;
use futures_util::io::AsyncReadExt as _;

use super::{Fetched, Response};

/// A built client of one frontend.
pub enum Client {
    Sync(egress_sync::Agent),
    Async(egress_async::Client, Executor),
}

/// The executor an async client's requests run on: its runtime's own. tokio's is one
/// current-thread runtime per client, kept for the client's life, so pooled sockets stay
/// registered with the reactor that opened them.
pub enum Executor {
    AsyncStd,
    #[cfg(feature = "smol")]
    Smol,
    #[cfg(feature = "tokio")]
    Tokio(tokio::runtime::Runtime),
}

impl Executor {
    /// The executor of `runtime`.
    pub fn new(runtime: egress_async::Runtime) -> Self {
        match runtime {
            egress_async::Runtime::AsyncStd => Executor::AsyncStd,
            #[cfg(feature = "smol")]
            egress_async::Runtime::Smol => Executor::Smol,
            #[cfg(feature = "tokio")]
            egress_async::Runtime::Tokio => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                Executor::Tokio(runtime.unwrap_or_else(|e| panic!("tokio runtime: {e}")))
            }
            #[allow(unreachable_patterns)]
            other => panic!("runtime {other:?} not compiled in"),
        }
    }

    /// Runs `future` to completion.
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self {
            Executor::AsyncStd => async_std::task::block_on(future),
            #[cfg(feature = "smol")]
            Executor::Smol => async_io::block_on(future),
            #[cfg(feature = "tokio")]
            Executor::Tokio(runtime) => runtime.block_on(future),
        }
    }
}

/// A request the harness can send.
enum Method<'a> {
    Get,
    Head,
    Post(&'a [u8]),
}

impl Client {
    /// GETs `url` and reads the whole body.
    pub fn fetch(&self, url: &str) -> Fetched {
        self.send(Method::Get, url)
    }

    /// HEADs `url`.
    pub fn head(&self, url: &str) -> Fetched {
        self.send(Method::Head, url)
    }

    /// POSTs `body` to `url` and reads the whole response body.
    pub fn post(&self, url: &str, body: &[u8]) -> Fetched {
        self.send(Method::Post(body), url)
    }

    fn send(&self, method: Method<'_>, url: &str) -> Fetched {
        match self {
            Client::Sync(agent) => {
                use egress_sync::ureq::ResponseExt as _;
                let sent = match method {
                    Method::Get => agent.get(url).call(),
                    Method::Head => agent.head(url).call(),
                    Method::Post(body) => agent.post(url).send(body),
                };
                let read = sent.and_then(|mut response| {
                    let body = response.body_mut().with_config().limit(u64::MAX);
                    let body = body.read_to_vec()?;
                    Ok(Response {
                        status: response.status().as_u16(),
                        headers: headers(response.headers()),
                        body,
                        url: response.get_uri().to_string(),
                    })
                });
                read.map_or_else(Fetched::from_sync, Fetched::Response)
            }
            Client::Async(client, executor) => {
                let request = match method {
                    Method::Get => client.get(url),
                    Method::Head => client.head(url),
                    Method::Post(body) => client.post(url).body(body),
                };
                let read = executor.block_on(async {
                    let mut response = request.send().await?;
                    Ok(Response {
                        body: response.bytes().await?,
                        status: response.status().as_u16(),
                        headers: headers(response.headers()),
                        url: response.url().to_string(),
                    })
                });
                read.map_or_else(Fetched::from_async, Fetched::Response)
            }
        }
    }

    /// GETs `url`, reads a few bytes of its body and drops the response half-read; returns
    /// how many bytes were read.
    pub fn read_some_then_drop(&self, url: &str) -> usize {
        let mut some = [0u8; 10];
        match self {
            Client::Sync(agent) => {
                let mut response = agent.get(url).call().unwrap_or_else(|e| panic!("{e}"));
                let mut reader = response.body_mut().as_reader();
                reader.read(&mut some).unwrap_or_else(|e| panic!("{e}"))
            }
            Client::Async(client, executor) => executor.block_on(async {
                let response = client.get(url).send().await;
                let mut response = response.unwrap_or_else(|e| panic!("{e}"));
                let read = response.body_mut().read(&mut some).await;
                read.unwrap_or_else(|e| panic!("{e}"))
            }),
        }
    }

    /// Streams a 200's body from `url`, checking every byte against the origin's pattern
    /// (a panic at the first that differs); returns its length.
    pub fn download_checked(&self, url: &str) -> Result<u64, Fetched> {
        let mut at = 0u64;
        let mut check = |chunk: &[u8]| {
            if let Err(i) = check_pattern(at, chunk) {
                panic!("{url}: byte {} differs", at + i as u64);
            }
            at += chunk.len() as u64;
        };
        let mut buf = vec![0u8; 64 * 1024];
        match self {
            Client::Sync(agent) => {
                let mut response = agent.get(url).call().map_err(Fetched::from_sync)?;
                assert_eq!(response.status().as_u16(), 200, "{url}");
                let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => check(&buf[..n]),
                        Err(e) => {
                            return Err(Fetched::from_sync(egress_sync::ureq::Error::Io(e).into()));
                        }
                    }
                }
            }
            Client::Async(client, executor) => executor.block_on(async {
                let response = client.get(url).send().await;
                let mut response = response.map_err(Fetched::from_async)?;
                assert_eq!(response.status().as_u16(), 200, "{url}");
                loop {
                    match response.body_mut().read(&mut buf).await {
                        Ok(0) => return Ok(()),
                        Ok(n) => check(&buf[..n]),
                        Err(e) => {
                            let error = egress_async::Error::Http(egress_async::HttpError::Io(e));
                            return Err(Fetched::from_async(error));
                        }
                    }
                }
            })?,
        }
        Ok(at)
    }

    /// How `url` would be routed.
    pub fn route(&self, url: &str) -> RouteInfo {
        let route = match self {
            Client::Sync(agent) => agent.route(url).map_err(|e| e.to_string()),
            Client::Async(client, _) => client.connector().route(url).map_err(|e| e.to_string()),
        };
        route.unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    /// How many route decisions the client has made.
    pub fn route_decisions(&self) -> usize {
        match self {
            Client::Sync(agent) => agent.route_decisions(),
            Client::Async(client, _) => client.connector().route_decisions(),
        }
    }

    /// Idle pooled connections, where the frontend tells (ureq keeps its pool to itself;
    /// scenarios prove pooling there by connection counts at the servers).
    pub fn idle_connections(&self) -> Option<usize> {
        match self {
            Client::Sync(_) => None,
            Client::Async(client, _) => Some(client.idle_connections()),
        }
    }

    /// Asserts [`Client::idle_connections`] is `expected` where the frontend tells.
    pub fn assert_idle(&self, expected: usize, why: &str) {
        if let Some(idle) = self.idle_connections() {
            assert_eq!(idle, expected, "{why}");
        }
    }

    /// Whether this is the blocking frontend.
    pub fn is_sync(&self) -> bool {
        matches!(self, Client::Sync(_))
    }
}

fn headers(map: &egress_async::http::HeaderMap) -> Vec<(String, String)> {
    let text = |v: &egress_async::http::HeaderValue| String::from_utf8_lossy(v.as_bytes()).into();
    map.iter()
        .map(|(n, v)| (n.as_str().to_owned(), text(v)))
        .collect()
}
