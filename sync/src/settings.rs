//! What an agent was configured with, shared by its resolver and connector: egress-core's
//! frontend [`Settings`](SharedSettings) (proxy variables validated once at build time,
//! `no_proxy` compiled once, the IP blocklist, TLS, phase timeouts, `User-Agent`) plus this
//! frontend's phase observer.

use std::ops::Deref;

use egress_core::Target;
use egress_core::frontend::{Settings as SharedSettings, target_from_parts};
use ureq::http::Uri;

use crate::Error;
use crate::observe::ObserverSlot;

/// Everything the resolver and connector consult for every request.
pub(crate) struct Settings {
    pub(crate) shared: SharedSettings,
    pub(crate) observer: ObserverSlot,
}

/// The shared settings are read directly (`settings.proxy_config()`, `settings.blocklist()`).
impl Deref for Settings {
    type Target = SharedSettings;

    fn deref(&self) -> &SharedSettings {
        &self.shared
    }
}

/// A ureq URI as an egress target.
pub(crate) fn target_of(uri: &Uri) -> Result<Target<'_>, Error> {
    Ok(target_from_parts(
        uri,
        uri.scheme_str(),
        uri.host(),
        uri.port_u16(),
    )?)
}
