//! `egress route`: how each URL would be routed, and why, without connecting.

use std::io::Write;

use egress_sync::{AgentBuilder, RouteInfo};
use serde::Serialize;

use crate::cli::RouteArgs;
use crate::exit::{Exit, Failure};
use crate::{redact, setup};

/// One skipped no_proxy entry, as it appears in `--json` output.
#[derive(Debug, Serialize)]
pub(crate) struct Ignored {
    /// Position among the comma-separated pieces, from 0.
    pub(crate) index: usize,
    /// The entry as written.
    pub(crate) entry: String,
    /// Why it was skipped and what to write instead.
    pub(crate) problem: String,
}

/// One line of `--json` output; the field names are documented in `egress route --help`.
#[derive(Debug, Serialize)]
struct RouteLine<'a> {
    url: &'a str,
    target: &'a str,
    route: &'a str,
    proxy: Option<&'a str>,
    credentials: bool,
    matched: Option<&'a str>,
    reason: &'a str,
    source: Option<&'a str>,
    warning: Option<String>,
    ignored: &'a [Ignored],
}

/// The proxy as shown to people: `scheme://***@host:port` when it carries credentials.
pub(crate) fn shown_proxy(info: &RouteInfo) -> Option<String> {
    let proxy = info.proxy.as_deref()?;
    Some(if info.proxy_credentials {
        proxy.replacen("://", "://***@", 1)
    } else {
        proxy.to_owned()
    })
}

/// The route in one phrase: `direct`, `forward via P`, `tunnel via P`.
pub(crate) fn describe(info: &RouteInfo) -> String {
    match shown_proxy(info) {
        Some(proxy) => format!("{} via {proxy}", info.route),
        None => info.route.to_owned(),
    }
}

/// The no_proxy entries the configuration skips.
pub(crate) fn ignored_entries(env: &egress_core::OwnedProxyEnv) -> Result<Vec<Ignored>, Failure> {
    let config = setup::parse_config(env)?;
    Ok(config
        .no_proxy()
        .diagnostics()
        .map(|d| Ignored {
            index: d.index,
            entry: d.entry.to_owned(),
            problem: d.problem.to_string(),
        })
        .collect())
}

/// Runs `egress route`.
pub(crate) fn run(args: &RouteArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let env = setup::read_env();
    let ignored = ignored_entries(&env)?;
    let agent = AgentBuilder::from_proxy_env(&env).build()?;
    if let Some(cgi) = env.borrowed().ignored_cgi_http_proxy {
        eprintln!(
            "note: {} is ignored because REQUEST_METHOD is set (CGI, httpoxy)",
            cgi.name
        );
    }
    for diagnostic in env.diagnostics() {
        eprintln!("note: {diagnostic}");
    }
    let mut unroutable = Vec::new();
    for url in &args.urls {
        let info = match agent.route(url) {
            Ok(info) => info,
            Err(error) => {
                unroutable.push(error.to_string());
                continue;
            }
        };
        let written = if args.json {
            write_json(out, url, &info, &ignored)
        } else {
            write_text(out, url, &info)
        };
        written.map_err(|e| Failure::new(Exit::Other, format!("cannot write output: {e}")))?;
    }
    if !args.json && !ignored.is_empty() {
        let report = (|| {
            writeln!(out, "no_proxy diagnostics:")?;
            for entry in &ignored {
                writeln!(out, "  ignoring entry {:?}: {}", entry.entry, entry.problem)?;
            }
            Ok::<(), std::io::Error>(())
        })();
        report.map_err(|e| Failure::new(Exit::Other, format!("cannot write output: {e}")))?;
    }
    if unroutable.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(Exit::Usage, unroutable.join("\n")))
    }
}

fn write_text(out: &mut dyn Write, url: &str, info: &RouteInfo) -> std::io::Result<()> {
    writeln!(out, "{}", redact::url(url))?;
    writeln!(out, "  target:  {}", info.target)?;
    writeln!(out, "  route:   {}", describe(info))?;
    writeln!(out, "  reason:  {}", info.reason)?;
    if let Some(warning) = &info.warning {
        writeln!(out, "  warning: {warning}")?;
    }
    Ok(())
}

fn write_json(
    out: &mut dyn Write,
    url: &str,
    info: &RouteInfo,
    ignored: &[Ignored],
) -> std::io::Result<()> {
    let url = redact::url(url);
    let line = RouteLine {
        url: &url,
        target: &info.target,
        route: info.route,
        proxy: info.proxy.as_deref(),
        credentials: info.proxy_credentials,
        matched: info.matched.as_deref(),
        reason: &info.reason,
        source: info.source.as_deref(),
        warning: info.warning.as_ref().map(ToString::to_string),
        ignored,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
