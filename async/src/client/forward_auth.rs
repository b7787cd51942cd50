//! A 407 on a forward route is the proxy refusing credentials, not an ordinary response.
//!
//! Through a CONNECT tunnel a 407 answers the CONNECT and the connection machine reports it;
//! on a forward route (`http://` target via `http_proxy`) it comes back as the response to
//! the request itself. Both reach the caller as the same
//! [`Failure::ProxyAuthRequired`](egress_core::Failure::ProxyAuthRequired).

use egress_core::connect::AuthSchemes;
use egress_core::{Decision, Failure, RouteKind};
use ureq_proto::http::{HeaderMap, StatusCode, header};

use crate::Error;

/// The error for a 407 answered by the forward proxy of the request's route, if that is
/// what it is.
pub(super) fn proxy_refusal(
    decision: &Decision<'_>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<Error> {
    if status != StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        return None;
    }
    let proxy = decision
        .proxy
        .filter(|_| decision.kind == RouteKind::Forward)?;
    let challenges = headers.get_all(header::PROXY_AUTHENTICATE);
    let schemes = AuthSchemes::from_challenges(challenges.iter().map(|v| v.as_bytes()));
    Some(Error::Failure(Failure::ProxyAuthRequired {
        proxy: proxy.shown().to_owned(),
        status: 407,
        schemes: schemes.iter().map(|s| s.as_str().to_owned()).collect(),
        credentials_sent: proxy.has_credentials(),
    }))
}
