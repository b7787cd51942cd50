//! The command line, as clap parses it. Help texts here are the tool's documentation:
//! exit codes and the `--json` fields are listed in them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::get_args::GET_HELP;
pub(crate) use crate::get_args::GetArgs;
use crate::parse;

/// Exit codes, shown at the end of `egress --help` and `egress get --help`.
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0  success
  1  other failure (e.g. cannot write the output file)
  2  usage error (bad arguments, unusable URL)
  3  configuration error (invalid http_proxy/https_proxy/no_proxy, unreadable CA file)
  4  proxy failure (unreachable, TLS, 407 or tinyproxy's 401, CONNECT refused, bad answer,
     proxy timeout)
  5  target failure (unreachable, TLS, blocked address, timeout, HTTP >= 400 with -f)

Environment: http_proxy, https_proxy, no_proxy (any case; lowercase wins).
Credentials in proxy and target URLs are never printed (shown as ***)."
    };
}
pub(crate) use exit_codes;

/// Exit codes, shown at the end of `egress --help`.
const EXIT_CODES: &str = exit_codes!();

/// See and test how egress routes HTTP(S) through forward proxies.
#[derive(Debug, Parser)]
#[command(name = "egress", version, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show how each URL would be routed (direct, forward or tunnel) and why.
    #[command(after_help = ROUTE_HELP)]
    Route(RouteArgs),
    /// Fetch a URL (any method, with a body) through the route the environment implies.
    #[command(after_help = GET_HELP)]
    Get(Box<GetArgs>),
    /// Validate the proxy environment; given a URL, connect phase by phase and diagnose.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
}

const ROUTE_HELP: &str = "\
JSON output (--json): one object per line per URL, with these stable fields:
  url          the URL as given
  target       scheme://host:port
  route        \"direct\" | \"forward\" | \"tunnel\"
  proxy        \"scheme://host:port\" (port always present, IPv6 bracketed, never
               credentials) or null
  credentials  true when the proxy URL carries credentials (never shown)
  matched      the no_proxy entry that matched, as written, or null
  reason       the reason in words
  source       the variable the proxy came from (e.g. \"HTTPS_PROXY\") or null
  warning      a warning about the route (a loopback target sent to a proxy) or null
  ignored      no_proxy entries that were skipped: [{\"index\", \"entry\", \"problem\"}]

Exit codes:
  0  every URL routed
  2  usage error, or a URL that cannot be routed
  3  configuration error (invalid http_proxy/https_proxy)";

const CHECK_HELP: &str = "\
Without a URL only the configuration is validated: egress contacts no host unless asked.
Each proxy variable and each no_proxy entry is printed with OK or its problem. With a URL,
the connection is built phase by phase (resolve, connect, proxy TLS, CONNECT, target TLS,
response) and the first failure is explained with what to do.

Exit codes:
  0  configuration valid and (with a URL) the target answered
  3  configuration error: an invalid proxy variable, or an ignored no_proxy entry
  4  proxy failure
  5  target failure
  1  other failure";

/// Arguments of `egress route`.
#[derive(Debug, Args)]
pub(crate) struct RouteArgs {
    /// The URLs to route (http:// or https://).
    #[arg(required = true, value_name = "URL")]
    pub(crate) urls: Vec<String>,
    /// Print one JSON object per URL (fields below).
    #[arg(long)]
    pub(crate) json: bool,
}

/// Connection options shared by `get` and `check`.
#[derive(Debug, Args)]
pub(crate) struct ConnectArgs {
    /// Also trust the CA certificates in this PEM file for https:// proxies.
    #[arg(long, value_name = "PEM")]
    pub(crate) proxy_ca: Vec<PathBuf>,
    /// Also trust the CA certificates in this PEM file for https:// targets.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca: Vec<PathBuf>,
    /// Give up after this many seconds: the whole transfer, and each phase too.
    #[arg(short = 'm', long, visible_alias = "max-time", value_name = "SECS", value_parser = parse::seconds)]
    pub(crate) timeout: Option<f64>,
    /// TESTING ONLY: accept any certificate from https:// targets (no verification).
    #[arg(short = 'k', long)]
    pub(crate) insecure: bool,
    /// TESTING ONLY: accept any certificate from an https:// proxy (no verification).
    #[arg(long)]
    pub(crate) proxy_insecure: bool,
    /// Proxy authentication: any (the strongest the proxy offers; no password in the clear before a plain http:// proxy asks), basic (sent with the first request), digest, ntlm or negotiate (Kerberos, with the `negotiate` feature: your kinit ticket, no password in the proxy URL).
    #[arg(long, value_name = "SCHEME", default_value = "any", value_parser = parse_proxy_auth)]
    pub(crate) proxy_auth: egress_core::auth::AuthChoice,
    /// Roots that verify https:// targets: both (default), webpki or system (SSL_CERT_FILE, SSL_CERT_DIR, the system bundle).
    #[arg(long, value_name = "ROOTS", default_value = "both", value_parser = parse_trust)]
    pub(crate) trust: egress_sync::TrustRoots,
    /// Roots that verify an https:// proxy: both (default), webpki or system.
    #[arg(long, value_name = "ROOTS", default_value = "both", value_parser = parse_trust)]
    pub(crate) proxy_trust: egress_sync::TrustRoots,
    /// Client certificate (PEM chain) for an https:// proxy that requires one; with --proxy-key.
    #[arg(long, value_name = "PEM", requires = "proxy_key")]
    pub(crate) proxy_cert: Option<PathBuf>,
    /// Private key (PEM) of --proxy-cert.
    #[arg(long, value_name = "PEM", requires = "proxy_cert")]
    pub(crate) proxy_key: Option<PathBuf>,
}

fn parse_trust(text: &str) -> Result<egress_sync::TrustRoots, String> {
    egress_sync::TrustRoots::parse(text)
        .ok_or_else(|| format!("unknown roots {text:?}: use both, webpki or system"))
}

fn parse_proxy_auth(text: &str) -> Result<egress_core::auth::AuthChoice, String> {
    egress_core::auth::AuthChoice::parse(text).ok_or_else(|| {
        format!("unknown scheme {text:?}: use any, basic, digest, ntlm or negotiate")
    })
}

/// Arguments of `egress check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// A URL to test connecting to; without one, only the configuration is checked.
    #[arg(value_name = "URL")]
    pub(crate) url: Option<String>,
    /// Connection options.
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
}
