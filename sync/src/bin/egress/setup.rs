//! From the process environment and the command line to an agent: the proxy variables, the
//! extra CA files and the timeouts, shared by `route`, `get` and `check`.

use std::time::Duration;

use egress_core::{OwnedProxyEnv, ProxyConfig};
use egress_sync::AgentBuilder;

use crate::cli::ConnectArgs;
use crate::exit::{Exit, Failure};

/// The proxy variables as read once from the process environment.
pub(crate) fn read_env() -> OwnedProxyEnv {
    OwnedProxyEnv::from_process()
}

/// Parses the variables leniently (bad no_proxy entries become diagnostics); an invalid
/// proxy URL is a configuration failure naming its variable.
pub(crate) fn parse_config(env: &OwnedProxyEnv) -> Result<ProxyConfig<'_>, Failure> {
    ProxyConfig::from_env(&env.borrowed())
        .map_err(|error| Failure::new(Exit::Config, error.to_string()))
}

/// The agent builder for `get` and `check`: environment, CA files, timeouts.
pub(crate) fn builder(env: &OwnedProxyEnv, args: &ConnectArgs) -> Result<AgentBuilder, Failure> {
    let mut builder = AgentBuilder::from_proxy_env(env)
        // The tool reports statuses itself (and `--fail` decides about them).
        .http_status_as_error(false)
        .proxy_auth(args.proxy_auth);
    for path in &args.proxy_ca {
        let pem = read_file(path, "--proxy-ca")?;
        builder = builder.add_proxy_ca_pem(&pem)?;
    }
    for path in &args.ca {
        let pem = read_file(path, "--ca")?;
        builder = builder.add_ca_pem(&pem)?;
    }
    // The library logs the same warning; the tool has no logger, so it says it itself.
    if args.insecure {
        eprintln!(
            "egress: WARNING: --insecure: certificates of https:// targets are NOT verified \
             (testing only)"
        );
        builder = builder.danger_accept_invalid_target_certs_for_testing();
    }
    builder = builder
        .trust_roots(args.trust)
        .proxy_trust_roots(args.proxy_trust);
    if let (Some(cert), Some(key)) = (&args.proxy_cert, &args.proxy_key) {
        let cert = read_file(cert, "--proxy-cert")?;
        let key = read_file(key, "--proxy-key")?;
        builder = builder.proxy_client_cert_pem(&cert, &key)?;
    }
    if args.proxy_insecure {
        eprintln!(
            "egress: WARNING: --proxy-insecure: the https:// proxy's certificate is NOT \
             verified (testing only)"
        );
        builder = builder.danger_accept_invalid_proxy_certs_for_testing();
    }
    if let Some(secs) = args.timeout {
        let limit = Duration::from_secs_f64(secs);
        builder = builder
            .timeout_global(limit)
            .timeout_connect(limit)
            .timeout_proxy_handshake(limit)
            .timeout_tls(limit);
    }
    Ok(builder)
}

fn read_file(path: &std::path::Path, flag: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|error| {
        Failure::new(
            Exit::Config,
            format!("cannot read {flag} file {}: {error}", path.display()),
        )
    })
}
