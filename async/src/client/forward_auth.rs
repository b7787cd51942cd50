//! A 407 on a forward route is the proxy refusing credentials, not an ordinary response.
//!
//! Through a CONNECT tunnel a 407 answers the CONNECT and the connection machine reports it;
//! on a forward route (`http://` target via `http_proxy`) it comes back as the response to
//! the request itself, and egress-core's [`Decision::forward_refusal`] turns it into the same
//! [`Failure::ProxyAuthRequired`](egress_core::Failure::ProxyAuthRequired).

use egress_core::Decision;
use ureq_proto::http::{HeaderMap, StatusCode, header};

use crate::Error;

/// The error for a 407 answered by the forward proxy of the request's route, if that is
/// what it is.
pub(super) fn proxy_refusal(
    decision: &Decision<'_>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<Error> {
    let challenges = headers.get_all(header::PROXY_AUTHENTICATE);
    decision
        .forward_refusal(status.as_u16(), challenges.iter().map(|v| v.as_bytes()))
        .map(Error::Failure)
}
