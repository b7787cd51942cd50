//! A 407 on a forward route (or tinyproxy's 401) is the proxy refusing credentials, not an
//! ordinary response.
//!
//! Through a CONNECT tunnel the refusal answers the CONNECT and the connection machine
//! reports it; on a forward route (`http://` target via `http_proxy`) it comes back as the
//! response to the request itself, and egress-core's [`Decision::forward_refusal`] (which
//! holds the rule) turns it into the same
//! [`Failure::ProxyAuthRequired`](egress_core::Failure::ProxyAuthRequired).

use egress_core::Decision;
use egress_core::auth::{AuthChoice, AuthProblem};
use egress_core::failure::Failure;
use ureq_proto::http::{HeaderMap, StatusCode};

use crate::Error;

/// The error for a refusal answered by the forward proxy of the request's route, if that is
/// what it is.
///
/// `problem` is what the connection's forward writer knows of why the 407 reached the
/// client (it replaces the reason read from the response alone).
pub(super) fn proxy_refusal(
    decision: &Decision<'_>,
    choice: AuthChoice,
    problem: Option<AuthProblem>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<Error> {
    if !matches!(status.as_u16(), 401 | 407) {
        return None;
    }
    let fields: Vec<(&[u8], &[u8])> = headers
        .iter()
        .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()))
        .collect();
    let mut failure = decision.forward_refusal(choice, status.as_u16(), fields.iter().copied())?;
    if let (Failure::ProxyAuthRequired { problem: why, .. }, Some(known)) = (&mut failure, problem)
    {
        *why = known;
    }
    Some(Error::Failure(failure))
}
