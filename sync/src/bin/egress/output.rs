//! Where the response goes: its head (`-i`, `-D`), its body (stdout or `-o FILE`), and the
//! progress bar, shown on a terminal for a body over 1 MB or of unknown length going to a
//! file (`-o` or `> file`), never into a pipe and never with `-s`.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;

use egress_sync::Error;
use egress_sync::ureq::Body;
use egress_sync::ureq::http::Response;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exit::{Exit, Failure};

/// Bodies above this size (or of unknown length) get a progress bar.
const PROGRESS_THRESHOLD: u64 = 1024 * 1024;

/// The status line and header fields as received, ending with the blank line.
pub(crate) fn head_text(response: &Response<Body>) -> String {
    let status = response.status();
    let mut text = format!(
        "{:?} {} {}\r\n",
        response.version(),
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        text.push_str(name.as_str());
        text.push_str(": ");
        text.push_str(&String::from_utf8_lossy(value.as_bytes()));
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text
}

/// Writes the head to `path` (`-` is stdout).
pub(crate) fn dump_head(path: &Path, head: &str) -> Result<(), Failure> {
    if path.as_os_str() == "-" {
        return write_stdout(head.as_bytes());
    }
    std::fs::write(path, head)
        .map_err(|e| Failure::new(Exit::Other, format!("cannot write {}: {e}", path.display())))
}

/// Writes to stdout, flushed.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::new(Exit::Other, format!("cannot write to stdout: {e}")))
}

/// What [`body`] wrote.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Written {
    /// Body bytes.
    pub(crate) bytes: u64,
    /// Whether stdout was left in the middle of a line (a body without a final newline).
    pub(crate) open_line: bool,
}

/// Copies the body to `path` or stdout.
pub(crate) fn body(
    response: &mut Response<Body>,
    path: Option<&Path>,
    silent: bool,
) -> Result<Written, Failure> {
    let length = response.body().content_length();
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    let show = !silent && wants_progress(length);
    match path {
        None => {
            // `egress get URL > file` gets a bar too; a pipe never does.
            let bar = (show && stdout_is_file()).then(|| progress_bar(length));
            let result = copy(&mut reader, &mut io::stdout().lock(), bar.as_ref());
            bar.inspect(ProgressBar::finish_and_clear);
            result
        }
        Some(path) => {
            let file = File::create(path).map_err(|e| {
                Failure::new(
                    Exit::Other,
                    format!("cannot create {}: {e}", path.display()),
                )
            })?;
            let bar = show.then(|| progress_bar(length));
            let result = copy(&mut reader, &mut io::BufWriter::new(file), bar.as_ref());
            bar.inspect(ProgressBar::finish_and_clear);
            result.map(|written| Written {
                open_line: false,
                ..written
            })
        }
    }
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
) -> Result<Written, Failure> {
    let mut chunk = vec![0u8; 64 * 1024];
    let mut written = Written::default();
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let error = Error::from(egress_sync::ureq::Error::from(e));
                let mut failure = Failure::from(error);
                failure.message = format!("reading the body failed: {}", failure.message);
                return Err(failure);
            }
        };
        out.write_all(&chunk[..n])
            .map_err(|e| Failure::new(Exit::Other, format!("cannot write the body: {e}")))?;
        written.bytes += n as u64;
        written.open_line = chunk[n - 1] != b'\n';
        if let Some(bar) = bar {
            bar.inc(n as u64);
        }
    }
    out.flush()
        .map_err(|e| Failure::new(Exit::Other, format!("cannot write the body: {e}")))?;
    Ok(written)
}
