//! Route decisions worth a warning: a loopback or link-local target sent to a proxy, which
//! resolves and connects to *its own* loopback, not the caller's.

use alloc::string::{String, ToString};
use core::fmt;
use core::net::IpAddr;

use super::{Decision, RouteKind};
use crate::host::Host;
use crate::target::Target;

/// A decision that is probably not what was meant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteWarning {
    /// A loopback (`localhost`, 127.0.0.0/8, ::1) or link-local target goes to a proxy.
    LocalTargetProxied {
        /// The target host as written.
        host: String,
    },
}

impl fmt::Display for RouteWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LocalTargetProxied { host } => write!(
                f,
                "{host} is a loopback or link-local address but goes through the proxy, which \
                 will reach its own {host}, not this machine's; add it to no_proxy"
            ),
        }
    }
}

impl Decision<'_> {
    /// A warning about this decision for `target`, if one applies.
    ///
    /// ```
    /// use egress_core::router::{RouteWarning, Router, Setting};
    /// use egress_core::Target;
    ///
    /// let router = Router::new(None, Some(Setting::new("https_proxy", "http://p:3128")), None, false)?;
    /// let local = Target::from_authority("https", "localhost:8448")?;
    /// assert!(matches!(router.route(&local).warning(&local), Some(RouteWarning::LocalTargetProxied { .. })));
    /// let remote = Target::from_authority("https", "matrix.org")?;
    /// assert_eq!(router.route(&remote).warning(&remote), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn warning(&self, target: &Target<'_>) -> Option<RouteWarning> {
        if self.kind == RouteKind::Direct {
            return None;
        }
        let local = match target.host {
            Host::Name(_) => target
                .host
                .name()
                .is_some_and(|name| name.eq_ignore_ascii_case("localhost")),
            host => host.ip().is_some_and(is_local),
        };
        local.then(|| RouteWarning::LocalTargetProxied {
            host: target.host.to_string(),
        })
    }
}

fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unicast_link_local(),
    }
}
