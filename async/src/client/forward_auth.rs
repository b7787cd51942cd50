//! A 407 on a forward route is the proxy refusing credentials, not an ordinary response.
//!
//! Through a CONNECT tunnel a 407 answers the CONNECT and the handshake reports it; on a
//! forward route (`http://` target via `http_proxy`) it comes back as the response to the
//! request itself. Both reach the caller as the same [`Error::ProxyAuthRequired`].

use egress_core::Route;
use egress_core::connect::AuthSchemes;
use ureq_proto::http::{HeaderMap, StatusCode, Uri, header};

use crate::Error;
use crate::connector::Connector;
use crate::settings::target_of;

/// The error for a 407 answered by the forward proxy of `uri`, if that is what it is.
pub(super) fn proxy_refusal(
    connector: &Connector,
    uri: &Uri,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<Error> {
    if status != StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        return None;
    }
    let target = target_of(uri).ok()?;
    let settings = connector.settings();
    let config = settings.proxy_config().ok()?;
    let Route::Forward(proxy) = settings.route(&config, &target).route else {
        return None;
    };
    let challenges = headers.get_all(header::PROXY_AUTHENTICATE);
    let schemes = AuthSchemes::from_challenges(challenges.iter().map(|v| v.as_bytes()));
    Some(Error::ProxyAuthRequired {
        proxy: proxy.to_string(),
        status: 407,
        schemes: schemes.iter().map(|s| s.as_str().to_owned()).collect(),
        credentials_sent: proxy.credentials().is_some(),
    })
}
