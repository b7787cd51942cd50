//! [`Client`]: HTTP/1.1 requests over [`Connector`] connections, on ureq-proto's sans-IO
//! client machine, with keep-alive pooling per route and opt-in redirects.
//!
//! ```text
//!   send ─► route key ─► pooled connection? ─no─► Connector::connect
//!                              │                        │
//!                              └──────────┬─────────────┘
//!                                         ▼
//!        exchange (ureq-proto: head, body, response head) ─► Response { body: AsyncRead }
//!                                         │
//!           body read to its end, keep-alive allowed, rewriter idle ─► back to the pool
//!           3xx and redirects on (each hop routed anew) ─► drain body, next hop
//! ```

mod body;
mod body_timer;
mod exchange;
mod forward_auth;
mod input;
mod pool;
mod request;
mod response;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egress_core::establish::ForwardWatch;
use egress_core::{Failure, Phase, RouteKey, RouteKind};
use ureq_proto::client::{Call, RecvResponseResult, RedirectAuthHeaders};
use ureq_proto::http::{Method, Request};

pub use body::Body;
pub(crate) use exchange::OUTPUT_SIZE;
pub use request::RequestBuilder;
pub use response::{Response, ResponseBody};

use crate::settings::target_of;
use crate::{Connection, Connector, Error, HttpError, RouteInfo};
use body_timer::BodyTimer;
use input::Input;
use pool::{Limits, Pool};
use response::Release;

/// Default number of idle connections kept per route key: 8.
///
/// HTTP/1.1 carries one request at a time per connection, so this is how many requests to
/// one target can start together again without a new handshake. A service that talks to
/// many hosts with a few requests each (a homeserver's federation traffic) keeps what a
/// burst to one host needs (browsers open 6 per host) without holding sockets, memory and,
/// through a proxy, one of the proxy's connections too for hosts it may not see again.
/// A client fanning out to one host raises it. (ureq keeps 3, hyper/reqwest no limit.)
pub const DEFAULT_MAX_IDLE_PER_ROUTE: usize = 8;
/// Default number of idle connections kept over all routes: 1,024. When it is reached,
/// parking another closes the connection that has been idle longest.
///
/// It bounds what the pool can hold when many routes are each below their own cap: at the
/// 15–20 KiB a pooled tunnelled TLS connection costs (BENCHMARKS.md), about 20 MiB, and
/// 1,024 file descriptors; a process that keeps the common soft limit of 1,024 open files
/// should lower it (or raise its limit, as servers usually do). (ureq keeps 10 in all,
/// hyper/reqwest no limit.)
pub const DEFAULT_MAX_IDLE_TOTAL: usize = 1024;
/// Default time an idle connection is kept: 30 s.
///
/// Peers close idle keep-alive connections on their own timers (nginx after 75 s, an AWS
/// load balancer after 60 s, squid after 2 min, Apache after 5 s); a request sent just as
/// the peer closes fails. A connection is probed for a close before reuse, which catches
/// closes that already arrived, and 30 s stays below the common timers, so the race is rare,
/// while a connection still outlives the bursts and retries that reuse it. (ureq keeps 15 s,
/// hyper/reqwest 90 s.)
pub const DEFAULT_MAX_IDLE_AGE: Duration = Duration::from_secs(30);

/// The client's pool: idle connections by route key (scheme, authority and route).
pub(crate) type ClientPool = Pool<RouteKey, Connection>;

/// An HTTP/1.1 client routing every request (and every redirect hop) through egress-core.
/// Cheap to clone: clones share the connector and the connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), egress_async::Error> {
/// let client = egress_async::Client::from_env()?;
/// let mut response = client
///     .post("https://example.com/submit")
///     .header("content-type", "application/json")
///     .body(r#"{"hello":"world"}"#)
///     .send()
///     .await?;
/// assert!(response.status().is_success());
/// let text = response.text().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    connector: Connector,
    pool: Arc<ClientPool>,
    max_redirects: u32,
    timeout_exchange: Option<Duration>,
    limits: RequestLimits,
}

/// The time limits of one request: the client's, or a request's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequestLimits {
    /// From the start of `send` to the last body byte (`None`: no limit).
    pub(crate) whole: Option<Duration>,
    /// Between two reads of the response body (`None`: no limit).
    pub(crate) read: Option<Duration>,
}

/// Configures a [`Client`] over a [`Connector`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    connector: Connector,
    max_redirects: u32,
    max_idle_per_route: usize,
    max_idle_total: usize,
    max_idle_age: Duration,
    timeout_exchange: Option<Duration>,
    limits: RequestLimits,
}

/// How many redirects a client follows unless told otherwise (the same as egress-sync's
/// agent): each hop is routed again, with the blocklist applied to its direct connections.
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// The default limit between two reads of a response body: a body that stalls this long
/// fails with `Failure::Timeout { phase: ReceiveBody }`.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

impl ClientBuilder {
    /// How many redirects to follow (default [`DEFAULT_MAX_REDIRECTS`]; each hop routed
    /// anew); 0 returns 3xx responses as they are.
    pub fn max_redirects(mut self, redirects: u32) -> Self {
        self.max_redirects = redirects;
        self
    }

    /// Idle keep-alive connections kept per route key (0 turns pooling off); when a route
    /// is full, parking another closes that route's longest idle connection. Default
    /// [`DEFAULT_MAX_IDLE_PER_ROUTE`] (8: what a burst to one host needs; its docs say why).
    /// A route key is the target's scheme and authority plus the route taken, so a tunnel
    /// is never reused for another target. A client that keeps N requests to one host in
    /// flight and wants them all to reuse connections sets N here, and at least N in
    /// [`max_idle_total`](Self::max_idle_total).
    pub fn max_idle_per_route(mut self, idle: usize) -> Self {
        self.max_idle_per_route = idle;
        self
    }

    /// Idle keep-alive connections kept over all routes (0 turns pooling off); when the
    /// pool is full, parking another closes the longest idle connection of any route.
    /// Default [`DEFAULT_MAX_IDLE_TOTAL`] (1,024: about 20 MiB and 1,024 file descriptors
    /// at most; its docs say why).
    pub fn max_idle_total(mut self, idle: usize) -> Self {
        self.max_idle_total = idle;
        self
    }

    /// How long an idle connection may wait for reuse; older ones, on any route, are closed
    /// whenever the client takes or parks a connection. Default [`DEFAULT_MAX_IDLE_AGE`]
    /// (30 s: below the idle timers of common servers, proxies and load balancers; its docs
    /// say why). Set it below the shortest idle timeout of the servers and proxies you
    /// use, if you know it.
    pub fn max_idle_age(mut self, age: Duration) -> Self {
        self.max_idle_age = age;
        self
    }

    /// Limit for sending a request and receiving its response head, per hop (`None`, the
    /// default: no limit besides [`ClientBuilder::timeout`]).
    pub fn timeout_exchange(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeout_exchange = limit.into();
        self
    }

    /// Limit for a whole request, from `send` through the last byte of the body, redirects
    /// included (`None`, the default: only the phase limits apply). A request can set its
    /// own with [`RequestBuilder::timeout`]. Cut short, it fails with
    /// `Failure::Timeout { phase }` naming the phase it was in.
    pub fn timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.limits.whole = limit.into();
        self
    }

    /// Limit between two reads of a response body (default [`DEFAULT_READ_TIMEOUT`];
    /// `None`: no limit). A request can set its own with [`RequestBuilder::read_timeout`].
    pub fn read_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.limits.read = limit.into();
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        Client {
            inner: Arc::new(Inner {
                connector: self.connector,
                pool: Arc::new(Pool::new(Limits {
                    per_key: self.max_idle_per_route,
                    total: self.max_idle_total,
                    age: self.max_idle_age,
                })),
                max_redirects: self.max_redirects,
                timeout_exchange: self.timeout_exchange,
                limits: self.limits,
            }),
        }
    }
}

impl Client {
    /// A client with default settings over `connector`.
    pub fn new(connector: Connector) -> Self {
        Self::builder(connector).build()
    }

    /// A builder over `connector`.
    pub fn builder(connector: Connector) -> ClientBuilder {
        ClientBuilder {
            connector,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_idle_per_route: DEFAULT_MAX_IDLE_PER_ROUTE,
            max_idle_total: DEFAULT_MAX_IDLE_TOTAL,
            max_idle_age: DEFAULT_MAX_IDLE_AGE,
            timeout_exchange: None,
            limits: RequestLimits {
                whole: None,
                read: Some(DEFAULT_READ_TIMEOUT),
            },
        }
    }

    /// A client configured from `http_proxy`, `https_proxy` and `no_proxy`.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self::new(Connector::from_env()?))
    }

    /// The connector the client opens connections with.
    pub fn connector(&self) -> &Connector {
        &self.inner.connector
    }

    /// How many idle connections the pool holds now.
    pub fn idle_connections(&self) -> usize {
        self.inner.pool.len()
    }

    /// A request with any method.
    pub fn request(&self, method: Method, url: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, url)
    }

    /// A GET request.
    pub fn get(&self, url: &str) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A HEAD request.
    pub fn head(&self, url: &str) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// A POST request.
    pub fn post(&self, url: &str) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A PUT request.
    pub fn put(&self, url: &str) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A PATCH request.
    pub fn patch(&self, url: &str) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// A DELETE request.
    pub fn delete(&self, url: &str) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// The client's limits, for a request that sets none of its own.
    pub(crate) fn limits(&self) -> RequestLimits {
        self.inner.limits
    }

    pub(crate) async fn execute(
        &self,
        request: Request<()>,
        mut body: Body,
        limits: RequestLimits,
    ) -> Result<Response, Error> {
        let inner = &*self.inner;
        let runtime = inner.connector.settings().runtime;
        let deadline = limits.whole.map(|limit| Instant::now() + limit);
        let left = || deadline.map(|at| at.saturating_duration_since(Instant::now()));
        let mut call = Call::new(request).map_err(HttpError::from)?;
        let mut hops = 0u32;
        loop {
            let url = call.uri().clone();
            let target = target_of(&url)?;
            // Decided once per request: its key finds a pooled connection, and a new
            // connection is established along this same decision.
            let decision = inner.connector.decide(&target);
            let key = decision.key;
            let mut connection = match inner.pool.take(&key, Instant::now()) {
                Some(connection) => connection,
                None => {
                    let connect = inner.connector.connect_decided(target, &decision, deadline);
                    Box::pin(connect).await?
                }
            };
            exchange::frame_body(&mut call, &body)?;
            let mut input = Input::new();
            let started = Instant::now();
            let send = exchange::send_request(call, &mut body, &mut connection);
            let exchange_limit = min_limit(inner.timeout_exchange, left());
            let receive = runtime
                .timeout(exchange_limit, Box::pin(send))
                .await
                .ok_or(Error::Failure(Failure::Timeout {
                    phase: Phase::Exchange,
                }))??;
            let exchange_left = min_limit(
                exchange_limit.map(|limit| limit.saturating_sub(started.elapsed())),
                left(),
            );
            let mut watch = decision
                .proxy
                .filter(|_| decision.kind == RouteKind::Forward)
                .map(|proxy| {
                    let limit = inner.connector.settings().shared.timeouts().proxy_handshake;
                    let mut watch = ForwardWatch::new(proxy.shown(), limit);
                    watch.request_sent(started.elapsed());
                    watch
                });
            let watch_left = watch
                .as_ref()
                .and_then(ForwardWatch::deadline)
                .map(|deadline| deadline.saturating_sub(started.elapsed()));
            let limit = match (exchange_left, watch_left) {
                (Some(exchange), Some(watch)) => Some(exchange.min(watch)),
                (exchange, watch) => exchange.or(watch),
            };
            let mut answered = false;
            let head = exchange::receive_head(receive, &mut connection, &mut input, &mut answered);
            let (head, next) = match runtime.timeout(limit, Box::pin(head)).await {
                None => {
                    // Whichever limit fired, a request still waiting for the forward
                    // proxy's first byte timed out on the proxy.
                    let answered = answered || connection.proxy_has_answered();
                    let phase = if watch.is_some() && !answered {
                        Phase::ProxyResponse
                    } else {
                        Phase::Exchange
                    };
                    return Err(Error::Failure(Failure::Timeout { phase }));
                }
                Some(Err(HttpError::Io(error))) if !answered => {
                    return Err(match watch.as_mut() {
                        Some(watch) => match watch.on_error(error.into()) {
                            Ok(failure) => Error::Failure(failure),
                            Err(back) => {
                                Error::Http(HttpError::Io(std::io::Error::other(back.into_inner())))
                            }
                        },
                        None => Error::Http(HttpError::Io(error)),
                    });
                }
                Some(result) => result?,
            };
            let release = Release {
                pool: Arc::clone(&inner.pool),
                key,
            };
            let (parts, ()) = head.into_parts();
            if let Some(report) = connection.take_forward_auth_report() {
                inner
                    .connector
                    .settings()
                    .shared
                    .report_forward_auth(&report, started.elapsed());
            }
            if let Some(refusal) = forward_auth::proxy_refusal(
                &decision,
                inner.connector.settings().shared.proxy_auth(),
                connection.forward_auth_problem(),
                parts.status,
                &parts.headers,
            ) {
                // The connection is dropped, not pooled: its response body was not read.
                return Err(refusal);
            }
            let mut response_body = match next {
                RecvResponseResult::RecvBody(receive) => {
                    let timer = BodyTimer::new(runtime, limits.read, deadline);
                    ResponseBody::reading(receive, connection, input, release, timer)
                }
                RecvResponseResult::Redirect(redirect) => {
                    if !redirect.must_close_connection() && input.is_empty() && connection.is_idle()
                    {
                        release.pool.put(release.key, connection, Instant::now());
                    }
                    let mut body = ResponseBody::empty();
                    body.set_redirect(redirect);
                    body
                }
                RecvResponseResult::Cleanup(cleanup) => {
                    if !cleanup.must_close_connection() && input.is_empty() && connection.is_idle()
                    {
                        release.pool.put(release.key, connection, Instant::now());
                    }
                    ResponseBody::empty()
                }
            };
            let follow = inner.max_redirects > 0 && parts.status.is_redirection();
            if follow {
                if hops == inner.max_redirects {
                    return Err(HttpError::TooManyRedirects {
                        limit: inner.max_redirects,
                    }
                    .into());
                }
                response_body.drain().await.map_err(HttpError::Io)?;
                if let Some(mut redirect) = response_body.take_redirect() {
                    if let Some(next) = redirect
                        .as_new_call(RedirectAuthHeaders::Never)
                        .map_err(HttpError::from)?
                    {
                        log::debug!("egress: following {} from {url}", parts.status);
                        hops += 1;
                        call = next;
                        body = Body::Empty;
                        continue;
                    }
                }
            }
            return Ok(Response {
                status: parts.status,
                headers: parts.headers,
                route: RouteInfo::from_decision(&target, &decision),
                url,
                body: response_body,
            });
        }
    }
}

/// The smaller of two optional limits (`None` is no limit).
fn min_limit(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("connector", &self.inner.connector)
            .field("max_redirects", &self.inner.max_redirects)
            .field("idle", &self.inner.pool.len())
            .finish_non_exhaustive()
    }
}
