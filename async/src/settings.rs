//! What a connector was configured with: egress-core's [`Settings`](SharedSettings) (the
//! router, the IP blocklist, TLS, phase timeouts, `User-Agent`) plus the runtime that
//! provides TCP, DNS and timers.

use egress_core::Target;
use egress_core::failure::Failure;
use egress_core::settings::Settings as SharedSettings;
use ureq_proto::http::Uri;

use crate::Runtime;

/// Everything the connector consults for every connection.
pub(crate) struct Settings {
    pub(crate) shared: SharedSettings,
    pub(crate) runtime: Runtime,
}

/// The URL without user information, for messages.
pub(crate) fn shown_url(uri: &Uri) -> String {
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    format!(
        "{}://{host_port}{}",
        uri.scheme_str().unwrap_or(""),
        uri.path_and_query().map_or("", |p| p.as_str())
    )
}

/// A URL as an egress target: scheme, host and port validated once, in egress-core.
pub(crate) fn target_of(uri: &Uri) -> Result<Target<'_>, Failure> {
    egress_core::router::url_target(
        uri.scheme_str(),
        uri.authority().map(|a| a.as_str()),
        uri.path_and_query().map(|p| p.as_str()),
    )
}
