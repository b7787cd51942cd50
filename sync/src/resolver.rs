//! The agent's resolver. ureq asks it for every request's addresses because, with ureq's own
//! proxy support off, ureq thinks every connection is direct. It routes first: a proxied
//! target is never looked up here (in a DMZ only the proxy can resolve it); a direct one is
//! resolved and every address checked against the IP blocklist, so the connector only ever
//! sees addresses that passed.

use std::fmt;
use std::sync::Arc;

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
        let proxies = self.settings.proxy_config().map_err(Error::into_ureq)?;
        if self.settings.route(&proxies, &target).route != Route::Direct {
            return Ok(self.empty());
        }
        let timer = self.settings.observer.start(Phase::ResolveTarget);
        let resolved = self.dns.resolve(uri, config, timeout)?;
        timer.done(|| format!("{} address(es) for {}", resolved.len(), target.host));
        let blocklist = &self.settings.blocklist;
        if blocklist.is_empty() {
            return Ok(resolved);
        }
        let mut allowed = self.empty();
        let mut first_blocked = None;
        for &addr in resolved.iter() {
            match blocklist.check(addr.ip()) {
                None => allowed.push(addr),
                Some(range) => {
                    log::debug!("egress: {target:?} address {addr} blocked by {range}");
                    first_blocked.get_or_insert((addr.ip(), range));
                }
            }
        }
        match (allowed.is_empty(), first_blocked) {
            (true, Some((addr, range))) => Err(Error::Blocked {
                host: target.host.to_string(),
                addr,
                range,
            }
            .into_ureq()),
            _ => Ok(allowed),
        }
    }
}

impl fmt::Debug for EgressResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EgressResolver")
    }
}
