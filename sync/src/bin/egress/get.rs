//! `egress get`: one request (any method, any body) through the route the environment
//! implies, retried when that is safe, with the response head, body and a `-w json` report
//! written where the flags say.
//!
//! ```text
//!   flags ─► agent (proxies, CAs, timeouts, blocklist, proxy headers, redirects)
//!         ─► route ─► plan (method, headers, body) ─► attempt ◄─┐
//!                                                      │ transient and allowed: wait
//!                                                      ├────────────────────────────┘
//!                                                      ▼
//!                      head (-i, -D) ─► body (stdout, -o; none with -f on >= 400)
//!                                    ─► -w json ─► exit code
//! ```

use std::time::{Duration, Instant};

use egress_sync::ureq::Body;
use egress_sync::ureq::http::Response;
use egress_sync::{Agent, AgentBuilder, Error, IpBlocklist};

use crate::exit::{Exit, Failure};
use crate::get_args::GetArgs;
use crate::parse::WriteOutFormat;
use crate::phases::Recorder;
use crate::request::Plan;
use crate::retry::{Outcome, Policy};
use crate::write_out::Report;
use crate::{output, phases, request, route, setup};

/// Runs `egress get`; with `-w json` the report is printed whatever happens.
pub(crate) fn run(args: &GetArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let mut report = Report::new(&args.url);
    let result = fetch(args, &mut report);
    report.time_total = started.elapsed().as_secs_f64();
    report.exit_code = result.as_ref().err().map_or(0, |f| f.exit as u8);
    report.error = result.as_ref().err().map(|f| f.message.clone());
    if args.write_out == Some(WriteOutFormat::Json) {
        output::write_stdout(report.to_line().as_bytes())?;
    }
    match result {
        Err(mut failure) if args.silent && !args.show_error => {
            failure.message.clear();
            Err(failure)
        }
        other => other,
    }
}

fn fetch(args: &GetArgs, report: &mut Report) -> Result<(), Failure> {
    let env = setup::read_env();
    let recorder = Recorder::default();
    let verbose = args.verbose > 0;
    let agent = phases::record(builder(args, &env)?, &recorder, verbose).build()?;
    if verbose {
        for entry in route::ignored_entries(&env)? {
            let text = format!("ignoring entry {:?}: {}", entry.entry, entry.problem);
            eprintln!("{}", phases::line("no_proxy", None, &text));
        }
        for diagnostic in env.diagnostics() {
            eprintln!("{}", phases::line("warning", None, &diagnostic.to_string()));
        }
    }
    let info = agent.route(&args.url).map_err(usage)?;
    report.set_route(&info);
    if verbose {
        let why = format!("{} ({})", route::describe(&info), info.reason);
        eprintln!("{}", phases::line("route", None, &why));
        if let Some(warning) = &info.warning {
            eprintln!("{}", phases::line("warning", None, &warning.to_string()));
        }
    }
    let plan = request::plan(args, &info)?;
    let policy = Policy {
        retries: args.retry,
        delay: args.retry_delay.map(Duration::from_secs_f64),
        max_time: args.retry_max_time.map(Duration::from_secs_f64),
        all_errors: args.retry_all_errors,
        replayable: plan.replayable(),
    };
    let mut response = attempts(&agent, args, &plan, &policy, &recorder, report)?;
    deliver(args, &mut response, report, &info.target)
}

/// The agent for these flags.
fn builder(args: &GetArgs, env: &egress_core::OwnedProxyEnv) -> Result<AgentBuilder, Failure> {
    let mut builder = setup::builder(env, &args.connect)?.max_redirects(if args.location {
        args.max_redirs
    } else {
        0
    });
    for (name, value) in &args.proxy_headers {
        builder = builder.proxy_header(name, value).map_err(|error| {
            Failure::new(Exit::Usage, format!("--proxy-header '{name}: …': {error}"))
        })?;
    }
    if args.block_non_public {
        let list = args
            .block_allow
            .iter()
            .fold(IpBlocklist::non_public(), |list, range| list.allow(*range));
        builder = builder.ip_blocklist(list);
    }
    Ok(builder)
}

/// Sends the plan until a response or failure is final; retries are counted in `report`.
fn attempts(
    agent: &Agent,
    args: &GetArgs,
    plan: &Plan,
    policy: &Policy,
    recorder: &Recorder,
    report: &mut Report,
) -> Result<Response<Body>, Failure> {
    let first = Instant::now();
    loop {
        recorder.clear();
        let attempt = Instant::now();
        let result = plan.send(agent, &args.url);
        report.set_phases(&recorder.take());
        let wait = match &result {
            Ok(response) => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok());
                let outcome = Outcome::Status(response.status().as_u16(), retry_after);
                policy.next_wait(&plan.method, &outcome, report.retries, first.elapsed())
            }
            Err(error) => policy.next_wait(
                &plan.method,
                &Outcome::Failed(error),
                report.retries,
                first.elapsed(),
            ),
        };
        let Some(wait) = wait else {
            let response = result.map_err(Failure::from)?;
            report.status = Some(response.status().as_u16());
            report.time_response = Some(attempt.elapsed().as_secs_f64());
            return Ok(response);
        };
        if !args.silent {
            let what = match &result {
                Ok(response) => format!("HTTP {}", response.status().as_u16()),
                Err(error) => error.kind_name().to_owned(),
            };
            eprintln!(
                "egress: {what}; retry {} of {} in {:.1} s",
                report.retries + 1,
                policy.retries,
                wait.as_secs_f64()
            );
        }
        drop(result);
        std::thread::sleep(wait);
        report.retries += 1;
    }
}

/// Writes the head and body where the flags say; HTTP >= 400 fails with `-f` (no body) or
/// `--fail-with-body` (after it).
fn deliver(
    args: &GetArgs,
    response: &mut Response<Body>,
    report: &mut Report,
    target: &str,
) -> Result<(), Failure> {
    let status = response.status();
    if args.verbose > 0 {
        let detail = format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        let elapsed = report.time_response.map(Duration::from_secs_f64);
        eprintln!("{}", phases::line("response", elapsed, detail.trim_end()));
    }
    let head = output::head_text(response);
    if args.include {
        output::write_stdout(head.as_bytes())?;
    }
    if let Some(path) = &args.dump_header {
        output::dump_head(path, &head)?;
    }
    let failed = status.as_u16() >= 400;
    let http_failure = || {
        let flag = if args.fail { "-f" } else { "--fail-with-body" };
        Failure::new(Exit::Target, format!("{target} answered {status} ({flag})"))
    };
    if failed && args.fail {
        return Err(http_failure());
    }
    let written = output::body(response, args.output.as_deref(), args.silent)?;
    report.size_download = written.bytes;
    report.open_line = written.open_line;
    if failed && args.fail_with_body {
        return Err(http_failure());
    }
    Ok(())
}

/// An unroutable URL is the caller's mistake: usage, not configuration.
pub(crate) fn usage(error: Error) -> Failure {
    let usage = matches!(error.kind(), Some(egress_sync::FailureKind::InvalidTarget));
    let mut failure = Failure::from(error);
    if usage {
        failure.exit = Exit::Usage;
    }
    failure
}

/// Sends a plain GET (for `check`); errors become egress errors.
pub(crate) fn send(agent: &Agent, url: &str) -> Result<Response<Body>, Error> {
    agent.get(url).call()
}
