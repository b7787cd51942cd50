//! The agent's resolver. ureq asks it for every request's addresses because, with ureq's own
//! proxy support off, ureq thinks every connection is direct. It routes first: a proxied
//! target is never looked up here (in a DMZ only the proxy can resolve it); a direct one is
//! resolved and every address checked against the IP blocklist, so the connector only ever
//! sees addresses that passed.

use std::fmt;
use std::sync::Arc;

use egress_core::frontend::keep_allowed;
use egress_core::{Phase, Route};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::Error;
use crate::settings::{Settings, target_of};

/// Route-aware resolver with the IP blocklist.
pub(crate) struct EgressResolver {
    settings: Arc<Settings>,
    dns: DefaultResolver,
}

impl EgressResolver {
    pub(crate) fn new(settings: Arc<Settings>) -> Self {
        Self {
            settings,
            dns: DefaultResolver::default(),
        }
    }
}

impl Resolver for EgressResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let target = target_of(uri).map_err(Error::into_ureq)?;
        let proxies = self
            .settings
            .proxy_config()
            .map_err(|e| Error::from(e).into_ureq())?;
        if self.settings.route(&proxies, &target).route != Route::Direct {
            return Ok(self.empty());
        }
        let timer = self.settings.observer.start(Phase::ResolveTarget);
        let resolved = self.dns.resolve(uri, config, timeout)?;
        timer.done(|| format!("{} address(es) for {}", resolved.len(), target.host));
        let mut allowed = self.empty();
        keep_allowed(
            self.settings.blocklist(),
            &target,
            resolved.iter().copied(),
            |addr| allowed.push(addr),
        )
        .map_err(|blocked| Error::from(blocked).into_ureq())?;
        Ok(allowed)
    }
}

impl fmt::Debug for EgressResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EgressResolver")
    }
}
