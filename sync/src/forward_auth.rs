//! A 407 on a forward route (or tinyproxy's 401) is the proxy refusing credentials, not an
//! ordinary response.
//!
//! Through a CONNECT tunnel the refusal answers the CONNECT and egress-core's handshake
//! machine reports it. On a forward route (`http://` target via `http_proxy`) it comes back
//! as the response to the request itself, so this ureq middleware hands the status and
//! headers to egress-core's `Decision::forward_refusal` (which holds the rule) and turns a
//! refusal into the same [`Error::ProxyAuthRequired`] with the offered schemes. It also applies the agent's
//! "4xx/5xx are errors" setting, which ureq would otherwise apply before any middleware
//! could see the response's headers.

use std::fmt;
use std::sync::Arc;

use ureq::Body;
use ureq::http::{Request, Response};
use ureq::middleware::{Middleware, MiddlewareNext};

use crate::Error;
use crate::settings::{Settings, target_of};

/// Classifies forward-route 407s and applies `http_status_as_error`.
pub(crate) struct ForwardAuthCheck {
    settings: Arc<Settings>,
    status_as_error: bool,
}

impl ForwardAuthCheck {
    pub(crate) fn new(settings: Arc<Settings>, status_as_error: bool) -> Self {
        Self {
            settings,
            status_as_error,
        }
    }

    /// The error for a refusal answered by the forward proxy of `uri`, if that is what it
    /// is. Only a 407 or 401 is routed again here (a rare path), to learn the route.
    fn proxy_refusal(&self, uri: &ureq::http::Uri, response: &Response<Body>) -> Option<Error> {
        let status = response.status().as_u16();
        if status != 407 && status != 401 {
            return None;
        }
        let target = target_of(uri).ok()?;
        let decision = self.settings.shared.router().route(&target);
        let fields: Vec<(&[u8], &[u8])> = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()))
            .collect();
        decision
            .forward_refusal(
                self.settings.shared.proxy_auth(),
                status,
                fields.iter().copied(),
            )
            .map(Error::Failure)
    }
}

impl Middleware for ForwardAuthCheck {
    fn handle(
        &self,
        request: Request<ureq::SendBody>,
        next: MiddlewareNext,
    ) -> Result<Response<Body>, ureq::Error> {
        let uri = request.uri().clone();
        let response = next.handle(request)?;
        if let Some(error) = self.proxy_refusal(&uri, &response) {
            return Err(error.into_ureq());
        }
        let status = response.status();
        if self.status_as_error && (status.is_client_error() || status.is_server_error()) {
            return Err(ureq::Error::StatusCode(status.as_u16()));
        }
        Ok(response)
    }
}

impl fmt::Debug for ForwardAuthCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardAuthCheck")
            .field("status_as_error", &self.status_as_error)
            .finish()
    }
}
