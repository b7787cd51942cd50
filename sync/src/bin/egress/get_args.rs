//! The flags of `egress get`, named after curl's wherever curl has the feature, so a script
//! can switch by changing the command name. One line of help each; the details, the `-w
//! json` fields and the retry rules are in [`GET_HELP`].

use std::path::PathBuf;

use clap::Args;
use ipnet::IpNet;

use crate::cli::{ConnectArgs, exit_codes};
use crate::parse::{self, WriteOutFormat};

/// After the flags in `egress get --help`.
pub(crate) const GET_HELP: &str = concat!(
    "\
Bodies: -d/--data, --data-binary and --json take DATA, @FILE or @- (stdin); -d strips CR/LF
from files as curl does and repeated -d join with '&'; -d and --data-binary send
Content-Type: application/x-www-form-urlencoded, --json sends Content-Type and Accept:
application/json (an explicit -H wins). -T FILE (or -T - for stdin) streams a file with PUT.
A body makes the method POST (PUT for -T) unless -X says otherwise. Content-Length and
Transfer-Encoding come from the body: giving them with -H is a usage error.

Redirects are not followed unless -L (at most --max-redirs, default 10); every hop is routed
again (proxy or no_proxy), so the cap bounds how far a redirect chain can lead.

Retries (--retry N): only what is transient: connection failures, timeouts, HTTP 408, 429,
500, 502, 503, 504 (a CONNECT refused with one of those too); Retry-After (seconds) is
honoured, otherwise the delay starts at 1 s (or --retry-delay) and doubles. Only GET, HEAD,
PUT, DELETE, OPTIONS and TRACE are retried; --retry-all-errors also retries every other
method and every failure or status >= 400. --retry-max-time bounds the time spent retrying.
A body read from stdin with -T - is sent once.

-w json prints one JSON object on a line of its own on stdout, after the body:
  status          the final HTTP status, or null when there was none
  url             the URL as given, credentials shown as ***
  route           \"direct\" | \"forward\" | \"tunnel\"
  proxy           \"scheme://host:port\" (***@ when it has credentials) or null
  no_proxy_entry  the no_proxy entry that matched, or null
  phases          {phase: seconds} of the last attempt (resolve-proxy, connect-proxy,
                  proxy-tls, proxy-handshake, target-tls, ...)
  time_response   seconds from the last attempt's start to its response head, or null
  time_total      seconds from start to finish, retries included
  size_download   body bytes received in the final response
  retries         how many retries were made
  exit_code       the exit code egress returns
  error           the failure message, or null

Proxy headers: --proxy-header goes to the proxy only (on CONNECT and on forward requests).
A Proxy-* header given with -H is refused unless the route is forward and -L is off: through
a tunnel it would reach the origin.

Timeouts: connect, proxy handshake / forward response head and TLS default to 30 s each, and
each wait for response bytes (idle read) to 30 s; --timeout/-m/--max-time bounds the whole
transfer (and each phase).

",
    exit_codes!()
);

/// Arguments of `egress get`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The URL to fetch.
    #[arg(value_name = "URL")]
    pub(crate) url: String,
    /// The request method (default GET; POST with a body, PUT with -T).
    #[arg(short = 'X', long = "request", value_name = "METHOD", value_parser = parse::method)]
    pub(crate) method: Option<String>,
    /// Send DATA (or @FILE, @- for stdin) as a form body, CR/LF stripped; repeatable.
    #[arg(short = 'd', long = "data", value_name = "DATA", conflicts_with_all = ["data_binary", "json", "upload"])]
    pub(crate) data: Vec<String>,
    /// Send DATA (or @FILE, @-) exactly as given; repeatable.
    #[arg(long = "data-binary", value_name = "DATA", conflicts_with_all = ["json", "upload"])]
    pub(crate) data_binary: Vec<String>,
    /// Send DATA (or @FILE, @-) as JSON with JSON Content-Type and Accept; repeatable.
    #[arg(long, value_name = "DATA", conflicts_with = "upload")]
    pub(crate) json: Vec<String>,
    /// Upload FILE (- for stdin) with PUT.
    #[arg(short = 'T', long = "upload-file", value_name = "FILE")]
    pub(crate) upload: Option<PathBuf>,
    /// Add a request header; repeatable.
    #[arg(short = 'H', long = "header", value_name = "Name: value", value_parser = parse::header)]
    pub(crate) headers: Vec<(String, String)>,
    /// Add a header for the proxy only (CONNECT and forward requests); repeatable.
    #[arg(long = "proxy-header", value_name = "Name: value", value_parser = parse::header)]
    pub(crate) proxy_headers: Vec<(String, String)>,
    /// Write the response headers to stdout before the body.
    #[arg(short = 'i', long)]
    pub(crate) include: bool,
    /// Write the response headers to FILE (- for stdout).
    #[arg(short = 'D', long = "dump-header", value_name = "FILE")]
    pub(crate) dump_header: Option<PathBuf>,
    /// Write the body to FILE instead of stdout (a progress bar on a terminal).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Follow redirects, each hop routed again.
    #[arg(short = 'L', long)]
    pub(crate) location: bool,
    /// With -L, follow at most N redirects.
    #[arg(long = "max-redirs", value_name = "N", default_value_t = 10)]
    pub(crate) max_redirs: u32,
    /// On HTTP >= 400 write no body and exit 5.
    #[arg(short = 'f', long, conflicts_with = "fail_with_body")]
    pub(crate) fail: bool,
    /// On HTTP >= 400 write the body, then exit 5.
    #[arg(long = "fail-with-body")]
    pub(crate) fail_with_body: bool,
    /// No progress bar and no error messages.
    #[arg(short = 's', long)]
    pub(crate) silent: bool,
    /// With -s, still print error messages.
    #[arg(short = 'S', long = "show-error")]
    pub(crate) show_error: bool,
    /// Print the route, no_proxy diagnostics and each phase (-vv: the library's log too).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Print a result object after the body: only `json` (fields below).
    #[arg(short = 'w', long = "write-out", value_name = "FORMAT", value_parser = parse::write_out)]
    pub(crate) write_out: Option<WriteOutFormat>,
    /// Retry transient failures up to N times (rules below).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) retry: u32,
    /// Wait SECS between retries instead of 1 s doubling.
    #[arg(long = "retry-delay", value_name = "SECS", value_parser = parse::delay)]
    pub(crate) retry_delay: Option<f64>,
    /// Start no retry after SECS from the first attempt.
    #[arg(long = "retry-max-time", value_name = "SECS", value_parser = parse::seconds)]
    pub(crate) retry_max_time: Option<f64>,
    /// Retry any failure and any status >= 400, for any method.
    #[arg(long = "retry-all-errors")]
    pub(crate) retry_all_errors: bool,
    /// Refuse direct connections to non-public addresses (the library's list).
    #[arg(long = "block-non-public")]
    pub(crate) block_non_public: bool,
    /// With --block-non-public, allow this address or CIDR range; repeatable.
    #[arg(long = "block-allow", value_name = "CIDR", requires = "block_non_public", value_parser = parse::cidr)]
    pub(crate) block_allow: Vec<IpNet>,
    /// Connection options.
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
}
