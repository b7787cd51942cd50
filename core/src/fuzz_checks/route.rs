//! `route`: arbitrary environment-style configuration and target; the router never panics,
//! proxies `http` targets only by forwarding and `https` targets only by tunnelling, each
//! through its own variable, and goes direct exactly when no proxy is set for the scheme or
//! a `no_proxy` entry matches.

use super::Input;
use crate::env::{EnvValue, ProxyEnv};
use crate::host::Host;
use crate::route::{ConfigError, ProxyConfig, Route, RouteReason};
use crate::target::{Scheme, Target};

/// Decodes a flags byte (bit 0: https target, bit 1: explicit port, bits 2-3: which
/// variables use uppercase names), a port (two bytes), then fields: `http_proxy`,
/// `https_proxy`, `no_proxy` values and the target host (read leniently).
pub fn check_route(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let port = input.u16();
    let (http, https, no_proxy) = (input.text(), input.text(), input.text());
    let http_name = if flags & 4 == 0 {
        "http_proxy"
    } else {
        "HTTP_PROXY"
    };
    let https_name = if flags & 8 == 0 {
        "https_proxy"
    } else {
        "HTTPS_PROXY"
    };
    let pairs = [
        (http_name, http),
        (https_name, https),
        ("no_proxy", no_proxy),
    ];
    let env = ProxyEnv::from_pairs(pairs);
    let Ok(host) = Host::parse_lenient(input.text()) else {
        return;
    };
    let scheme = if flags & 1 == 0 {
        Scheme::Http
    } else {
        Scheme::Https
    };
    let explicit = (flags & 2 != 0 && port != 0).then_some(port);
    let target = Target::new(scheme, host, explicit);

    let strict = ProxyConfig::from_env_strict(&env);
    let config = match ProxyConfig::from_env(&env) {
        Ok(config) => config,
        Err(error) => {
            assert!(
                matches!(error, ConfigError::ProxyUrl(_)),
                "lenient: {error:?}"
            );
            assert!(strict.is_err(), "strict accepted what lenient rejected");
            return;
        }
    };
    match strict {
        Ok(strict) => assert_eq!(strict, config, "strict config differs"),
        Err(error) => {
            assert!(
                matches!(error, ConfigError::NoProxy(_)),
                "strict: {error:?}"
            );
            assert!(config.no_proxy().diagnostics().next().is_some());
        }
    }
    check_decision(&config, &env, &target);
}

fn check_decision(config: &ProxyConfig<'_>, env: &ProxyEnv<'_>, target: &Target<'_>) {
    let decision = config.route(target);
    let (proxy, variable) = match target.scheme {
        Scheme::Http => (config.http_proxy(), env.http_proxy),
        Scheme::Https => (config.https_proxy(), env.https_proxy),
    };
    let bypass = config.no_proxy().matches(&target.host, target.port);
    match (decision.route, decision.reason) {
        (Route::Direct, RouteReason::NoProxyForScheme(scheme)) => {
            assert_eq!(scheme, target.scheme);
            assert!(proxy.is_none(), "direct although a proxy is set");
        }
        (Route::Direct, RouteReason::Bypassed(matched)) => {
            assert!(proxy.is_some(), "bypass reported without a proxy");
            assert_eq!(Some(matched), bypass, "bypass entry is not the first match");
        }
        (Route::Forward(used), RouteReason::Proxied { source }) => {
            assert_eq!(target.scheme, Scheme::Http, "forwarding a non-http target");
            assert_eq!(Some(used), proxy, "forwarded through the wrong proxy");
            assert!(bypass.is_none(), "proxied although no_proxy matched");
            assert_eq!(Some(source), variable.map(|EnvValue { name, .. }| name));
        }
        (Route::Tunnel(used), RouteReason::Proxied { source }) => {
            assert_eq!(
                target.scheme,
                Scheme::Https,
                "tunnelling a non-https target"
            );
            assert_eq!(Some(used), proxy, "tunnelled through the wrong proxy");
            assert!(bypass.is_none(), "proxied although no_proxy matched");
            assert_eq!(Some(source), variable.map(|EnvValue { name, .. }| name));
        }
        (route, reason) => panic!("route {route:?} with reason {reason:?}"),
    }
    if config.no_proxy().is_wildcard() {
        assert_eq!(decision.route, Route::Direct, "`*` did not bypass");
    }
}
