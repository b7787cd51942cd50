//! What an agent was configured with, shared by its connector and middleware: egress-core's
//! [`Settings`](SharedSettings) (the router, the IP blocklist, TLS, phase timeouts,
//! `User-Agent`, the phase observer).

use egress_core::Target;
use egress_core::failure::Failure;
use egress_core::settings::Settings as SharedSettings;
use ureq::http::Uri;

/// Everything the connector consults for every new connection.
pub(crate) struct Settings {
    pub(crate) shared: SharedSettings,
}

/// A URL as an egress target: scheme, host and port validated once, in egress-core.
pub(crate) fn target_of(uri: &Uri) -> Result<Target<'_>, Failure> {
    egress_core::router::url_target(
        uri.scheme_str(),
        uri.authority().map(|a| a.as_str()),
        uri.path_and_query().map(|p| p.as_str()),
    )
}
