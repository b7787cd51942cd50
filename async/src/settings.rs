//! What a connector was configured with: egress-core's frontend
//! [`Settings`](SharedSettings) (proxy variables validated once at build time, `no_proxy`
//! compiled once, the IP blocklist, TLS, phase timeouts, `User-Agent`) plus the runtime
//! that provides TCP, DNS and timers.

use std::ops::Deref;

use egress_core::Target;
use egress_core::frontend::{Settings as SharedSettings, target_from_parts};
use ureq_proto::http::Uri;

use crate::{Error, Runtime};

/// Everything the connector consults for every connection.
pub(crate) struct Settings {
    pub(crate) shared: SharedSettings,
    pub(crate) runtime: Runtime,
}

/// The shared settings are read directly (`settings.proxy_config()`, `settings.blocklist()`).
impl Deref for Settings {
    type Target = SharedSettings;

    fn deref(&self) -> &SharedSettings {
        &self.shared
    }
}

/// A parsed URL as an egress target.
pub(crate) fn target_of(uri: &Uri) -> Result<Target<'_>, Error> {
    Ok(target_from_parts(
        uri,
        uri.scheme_str(),
        uri.host(),
        uri.port_u16(),
    )?)
}
