//! The agent users call like ureq's: `agent.get(url).call()`, bodies in and out as streams.

use std::sync::Arc;

use egress_core::failure::Failure;
use egress_core::router::RouteInfo;
use ureq::http;
use ureq::http::Uri;
use ureq::typestate::{WithBody, WithoutBody};

use crate::Error;
use crate::builder::AgentBuilder;
use crate::connector::{EgressConnector, NoResolver};
use crate::request::Request;
use crate::settings::{Settings, target_of};

/// A ureq agent whose every connection (and every redirect hop) is routed by egress.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Agent {
    ureq: ureq::Agent,
    settings: Arc<Settings>,
}

macro_rules! request_methods {
    ($($(#[$doc:meta])* $name:ident -> $body:ty;)*) => {$(
        $(#[$doc])*
        pub fn $name<T>(&self, uri: T) -> Request<$body>
        where
            Uri: TryFrom<T>,
            <Uri as TryFrom<T>>::Error: Into<http::Error>,
        {
            Request::new(self.ureq.$name(uri))
        }
    )*};
}

impl Agent {
    /// An agent configured from the process environment (`http_proxy`, `https_proxy`,
    /// `no_proxy`). Fails when a proxy variable is invalid: never a silent direct connection.
    pub fn from_env() -> Result<Self, Error> {
        AgentBuilder::from_env().build()
    }

    /// A builder starting with no proxy (configure proxies in code, or start from
    /// [`AgentBuilder::from_env`]).
    pub fn builder() -> AgentBuilder {
        AgentBuilder::without_proxy()
    }

    /// An agent that never uses a proxy; the IP blocklist still applies if configured via
    /// [`AgentBuilder::without_proxy`].
    pub fn without_proxy() -> Result<Self, Error> {
        AgentBuilder::without_proxy().build()
    }

    pub(crate) fn from_parts(config: ureq::config::Config, settings: Arc<Settings>) -> Self {
        let ureq = ureq::Agent::with_parts(
            config,
            EgressConnector::new(Arc::clone(&settings)),
            NoResolver,
        );
        Self { ureq, settings }
    }

    request_methods! {
        /// A GET request.
        get -> WithoutBody;
        /// A HEAD request.
        head -> WithoutBody;
        /// A DELETE request.
        delete -> WithoutBody;
        /// A POST request.
        post -> WithBody;
        /// A PUT request.
        put -> WithBody;
        /// A PATCH request.
        patch -> WithBody;
    }

    /// The underlying ureq agent, for anything not mirrored here.
    pub fn ureq(&self) -> &ureq::Agent {
        &self.ureq
    }

    /// How a request to `url` would be routed, without connecting.
    pub fn route(&self, url: &str) -> Result<RouteInfo, Error> {
        let uri: Uri = url.parse().map_err(|_| Failure::InvalidTarget {
            url: String::from("the URL"),
            problem: egress_core::TargetError::NotAUrl,
        })?;
        let target = target_of(&uri)?;
        let decision = self.settings.shared.router().route(&target);
        Ok(RouteInfo::from_decision(&target, &decision))
    }

    /// How many route decisions this agent has made: one per new connection (pooled
    /// connections are reused without deciding again), plus one per [`Agent::route`] call.
    pub fn route_decisions(&self) -> usize {
        self.settings.shared.router().decisions_made()
    }
}

impl From<Agent> for ureq::Agent {
    fn from(agent: Agent) -> Self {
        agent.ureq
    }
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").finish_non_exhaustive()
    }
}
