//! `egress check`: validates the proxy environment entry by entry and, given a URL, builds
//! the connection phase by phase and explains the first failure with what to do.
//!
//! ```text
//!   variables ──► each OK / problem ──► URL given? ──no──► done (exit 0 or 3)
//!                                           │ yes
//!                                           ▼
//!      route ─► resolve ─► connect ─► proxy TLS ─► CONNECT ─► target TLS ─► response
//!                  (each completed phase printed; the first failure explained)
//! ```

use std::io::{self, Read};
use std::time::Instant;

use egress_core::{EnvValue, NoProxy, OwnedProxyEnv, ProxyUrl};
use egress_sync::{Error, Phase};

use crate::cli::CheckArgs;
use crate::exit::{Exit, Failure};
use crate::{diagnose, get, phases, redact, route, setup};

/// Runs `egress check`; prints the report on stdout.
pub(crate) fn run(args: &CheckArgs) -> Result<(), Failure> {
    let env = setup::read_env();
    println!("configuration:");
    let borrowed = env.borrowed();
    let mut problems = 0;
    problems += check_proxy("http_proxy", borrowed.http_proxy, "http://");
    problems += check_proxy("https_proxy", borrowed.https_proxy, "https://");
    problems += check_no_proxy(borrowed.no_proxy);
    if let Some(cgi) = borrowed.ignored_cgi_http_proxy {
        println!(
            "  note: {} is ignored because REQUEST_METHOD is set (CGI, httpoxy)",
            cgi.name
        );
    }
    for diagnostic in env.diagnostics() {
        println!("  note: {diagnostic}");
    }
    let config_failure = || {
        Failure::new(
            Exit::Config,
            format!("{problems} configuration problem(s); see above"),
        )
    };
    let Some(url) = &args.url else {
        println!(
            "no URL given: only the configuration was checked (egress check URL tests a connection)"
        );
        return if problems == 0 {
            Ok(())
        } else {
            Err(config_failure())
        };
    };
    if setup::parse_config(&env).is_err() {
        println!(
            "not probing {}: fix the proxy variable first",
            redact::url(url)
        );
        return Err(config_failure());
    }
    probe(&env, args, url)?;
    if problems == 0 {
        Ok(())
    } else {
        Err(config_failure())
    }
}

fn check_proxy(name: &str, value: Option<EnvValue<'_>>, targets: &str) -> usize {
    let Some(value) = value else {
        println!("  {name:<12} not set: {targets} targets connect directly");
        return 0;
    };
    match ProxyUrl::parse(value.value) {
        Ok(proxy) => {
            let mut shown = proxy.to_string();
            if proxy.credentials().is_some() {
                shown = shown.replacen("://", "://***@", 1);
            }
            println!("  {:<12} OK  {shown}", value.name);
            0
        }
        Err(error) => {
            println!(
                "  {:<12} PROBLEM  {}",
                value.name,
                error.with_variable(value.name)
            );
            1
        }
    }
}

fn check_no_proxy(value: Option<EnvValue<'_>>) -> usize {
    let Some(value) = value else {
        println!("  {:<12} not set: nothing bypasses the proxies", "no_proxy");
        return 0;
    };
    let list = NoProxy::parse(value.value);
    println!("  {:<12} {:?}", value.name, value.value);
    if list.is_wildcard() {
        println!("    {:<24} OK  every host bypasses the proxies", "*");
        return 0;
    }
    let mut lines: Vec<(usize, String, Option<String>)> = list
        .entries()
        .map(|(index, text, _)| (index, text.to_owned(), None))
        .chain(
            list.diagnostics()
                .map(|d| (d.index, d.entry.to_owned(), Some(d.problem.to_string()))),
        )
        .collect();
    lines.sort_by_key(|(index, _, _)| *index);
    let mut problems = 0;
    for (_, entry, problem) in lines {
        match problem {
            None => println!("    {entry:<24} OK"),
            Some(problem) => {
                problems += 1;
                println!("    {entry:<24} PROBLEM  {problem}");
            }
        }
    }
    problems
}

fn probe(env: &OwnedProxyEnv, args: &CheckArgs, url: &str) -> Result<(), Failure> {
    println!("probe {}:", redact::url(url));
    let agent = phases::print_to_stdout(setup::builder(env, &args.connect)?).build()?;
    let info = agent.route(url).map_err(get::usage)?;
    let why = format!("{} ({})", route::describe(&info), info.reason);
    println!("{}", phases::line("route", None, &why));
    if let Some(warning) = &info.warning {
        println!("  warning: {warning}");
    }
    let started = Instant::now();
    let outcome = get::send(&agent, url).and_then(|mut response| {
        // Drain a little of the body so a broken transfer shows too; the content is unused.
        let mut sink = [0u8; 16 * 1024];
        let mut reader = response.body_mut().as_reader();
        while reader
            .read(&mut sink)
            .map_err(|e| Error::from(egress_sync::ureq::Error::from(e)))?
            > 0
        {}
        Ok(response.status())
    });
    match outcome {
        Ok(status) => {
            let detail = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            );
            println!(
                "{}",
                phases::line("response", Some(started.elapsed()), detail.trim_end())
            );
            println!(
                "OK: {} answered through the {} route",
                info.target, info.route
            );
            Ok(())
        }
        Err(error) => Err(explain(&error)),
    }
}

/// Prints which phase failed, the verifier's reason for TLS failures, and the advice.
fn explain(error: &Error) -> Failure {
    let phase = diagnose::failed_phase(error);
    println!(
        "FAILED at {}: {}",
        phase.map_or("request", Phase::as_str),
        diagnose::summary(error)
    );
    if let Some(reason) = diagnose::tls_reason(error) {
        println!("  verifier's reason: {reason}");
    }
    if let Some(advice) = diagnose::advice(error) {
        println!("  what to do: {advice}");
    }
    let _ = io::Write::flush(&mut io::stdout());
    Failure::from_error_quiet(error)
}
