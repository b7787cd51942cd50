//! `egress get`: fetch a URL through the route the environment implies; the body goes to
//! stdout or a file, with a progress bar only for a file on a terminal.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::time::Instant;

use egress_sync::{Agent, Error};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::GetArgs;
use crate::exit::{Exit, Failure};
use crate::{phases, route, setup};

/// Bodies above this size (or of unknown length) get a progress bar.
const PROGRESS_THRESHOLD: u64 = 1024 * 1024;

/// Runs `egress get`.
pub(crate) fn run(args: &GetArgs) -> Result<(), Failure> {
    let env = setup::read_env();
    let mut builder = setup::builder(&env, &args.connect)?;
    if args.verbose {
        builder = phases::print_to_stderr(builder);
    }
    let agent = builder.build()?;
    let info = agent.route(&args.url).map_err(usage)?;
    if args.verbose {
        let why = format!("{} ({})", route::describe(&info), info.reason);
        eprintln!("{}", phases::line("route", None, &why));
    }
    let started = Instant::now();
    let mut response = send(&agent, &args.url, &args.headers)?;
    let status = response.status();
    if args.verbose {
        let detail = format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        eprintln!(
            "{}",
            phases::line("response", Some(started.elapsed()), detail.trim_end())
        );
    }
    let length = response.body().content_length();
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    let copied = match &args.output {
        None => {
            // `egress get URL > file` gets a bar too; a pipe never does.
            let bar = (stdout_is_file() && wants_progress(length)).then(|| progress_bar(length));
            let result = copy(&mut reader, &mut io::stdout().lock(), bar.as_ref());
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            result
        }
        Some(path) => {
            let file = File::create(path).map_err(|e| {
                Failure::new(
                    Exit::Other,
                    format!("cannot create {}: {e}", path.display()),
                )
            })?;
            let bar = wants_progress(length).then(|| progress_bar(length));
            let result = copy(&mut reader, &mut io::BufWriter::new(file), bar.as_ref());
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            result
        }
    };
    copied?;
    if args.fail && status.as_u16() >= 400 {
        return Err(Failure::new(
            Exit::Target,
            format!("{} answered {status} (--fail)", info.target),
        ));
    }
    Ok(())
}

/// Sends the GET with the extra headers; errors become egress errors.
pub(crate) fn send(
    agent: &Agent,
    url: &str,
    headers: &[(String, String)],
) -> Result<egress_sync::ureq::http::Response<egress_sync::ureq::Body>, Error> {
    let mut request = agent.get(url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request.call()
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

fn wants_progress(length: Option<u64>) -> bool {
    io::stderr().is_terminal() && length.is_none_or(|n| n > PROGRESS_THRESHOLD)
}

/// Whether stdout is redirected to a regular file (not a terminal, not a pipe).
#[cfg(unix)]
fn stdout_is_file() -> bool {
    use std::os::fd::AsFd;
    io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(File::from)
        .and_then(|file| file.metadata())
        .is_ok_and(|meta| meta.file_type().is_file())
}

/// Elsewhere only `-o FILE` gets a progress bar.
#[cfg(not(unix))]
fn stdout_is_file() -> bool {
    false
}

fn progress_bar(length: Option<u64>) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::stderr());
    let template = if length.is_some() {
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
    } else {
        "{spinner} {bytes} {bytes_per_sec}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Copies the body, counting progress; read errors are the transfer's, write errors ours.
fn copy(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    bar: Option<&ProgressBar>,
) -> Result<(), Failure> {
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let error = Error::from(egress_sync::ureq::Error::from(e));
                return Err(Failure::new(
                    Exit::Target,
                    format!("reading the body failed: {error}"),
                ));
            }
        };
        out.write_all(&chunk[..n])
            .map_err(|e| Failure::new(Exit::Other, format!("cannot write the body: {e}")))?;
        if let Some(bar) = bar {
            bar.inc(n as u64);
        }
    }
    out.flush()
        .map_err(|e| Failure::new(Exit::Other, format!("cannot write the body: {e}")))
}
