//! From `egress get`'s flags to the request: method, headers and body source, with the
//! usage errors that keep a request from going out wrong (framing headers given by hand, a
//! `Proxy-*` header that would reach the origin).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use egress_sync::ureq::http;
use egress_sync::ureq::{AsSendBody as _, Body, SendBody};
use egress_sync::{Agent, Error, RouteInfo, RouteKind};

use crate::exit::{Exit, Failure};
use crate::get_args::GetArgs;

/// Where the body comes from.
#[derive(Debug)]
pub(crate) enum BodySource {
    /// No body.
    None,
    /// Bytes read up front (`-d`, `--data-binary`, `--json`).
    Bytes(Vec<u8>),
    /// A file streamed with its length (`-T FILE`), opened again for each attempt.
    File(PathBuf),
    /// Standard input streamed (`-T -`): sent once, never retried.
    Stdin,
}

/// The request to send, attempt after attempt.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The method as sent.
    pub(crate) method: String,
    /// The headers, the user's last so they win.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: BodySource,
}

impl Plan {
    /// Whether the body can be sent again for a retry.
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self.body, BodySource::Stdin)
    }

    /// Sends one attempt to `url`.
    pub(crate) fn send(&self, agent: &Agent, url: &str) -> Result<http::Response<Body>, Error> {
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(url);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let http_error = |e: http::Error| Error::from(egress_sync::ureq::Error::from(e));
        let run = |body: SendBody<'_>| {
            let request = builder.body(body).map_err(http_error)?;
            agent.ureq().run(request).map_err(Error::from)
        };
        match &self.body {
            BodySource::None => run(SendBody::none()),
            BodySource::Bytes(bytes) => run(bytes.as_slice().as_body()),
            BodySource::File(path) => {
                let mut file =
                    File::open(path).map_err(|e| Error::from(egress_sync::ureq::Error::Io(e)))?;
                run(file.as_body())
            }
            BodySource::Stdin => run(SendBody::from_reader(&mut io::stdin().lock())),
        }
    }
}

/// Builds the plan from the flags; `info` is the first hop's route.
pub(crate) fn plan(args: &GetArgs, info: &RouteInfo) -> Result<Plan, Failure> {
    check_headers(args, info)?;
    let mut defaults: Vec<(&str, &str)> = Vec::new();
    let body = if !args.data.is_empty() {
        defaults.push(("Content-Type", "application/x-www-form-urlencoded"));
        BodySource::Bytes(join(&args.data, true, b"&")?)
    } else if !args.data_binary.is_empty() {
        defaults.push(("Content-Type", "application/x-www-form-urlencoded"));
        BodySource::Bytes(join(&args.data_binary, false, b"&")?)
    } else if !args.json.is_empty() {
        defaults.push(("Content-Type", "application/json"));
        defaults.push(("Accept", "application/json"));
        BodySource::Bytes(join(&args.json, false, b"")?)
    } else {
        match &args.upload {
            Some(path) if path.as_os_str() == "-" => BodySource::Stdin,
            Some(path) => {
                File::open(path).map_err(|e| unreadable(path, &e))?;
                BodySource::File(path.clone())
            }
            None => BodySource::None,
        }
    };
    let method = match (&args.method, &body) {
        (Some(method), _) => method.clone(),
        (None, BodySource::None) => String::from("GET"),
        (None, BodySource::File(_) | BodySource::Stdin) => String::from("PUT"),
        (None, BodySource::Bytes(_)) => String::from("POST"),
    };
    let given = |name: &str| {
        args.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut headers: Vec<(String, String)> = defaults
        .into_iter()
        .filter(|(name, _)| !given(name))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    headers.extend(args.headers.iter().cloned());
    Ok(Plan {
        method,
        headers,
        body,
    })
}

/// Refuses framing headers given by hand and `Proxy-*` headers that could reach an origin.
fn check_headers(args: &GetArgs, info: &RouteInfo) -> Result<(), Failure> {
    for (name, _) in &args.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "content-length" || lower == "transfer-encoding" {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "-H '{name}: …' is refused: egress frames the body itself (Content-Length \
                     from -d/--json/-T); remove the header"
                ),
            ));
        }
        if lower.starts_with("proxy-") {
            let forward = info.kind == RouteKind::Forward;
            if !forward || args.location {
                let why = if forward {
                    "with -L a redirect may lead through a tunnel, where it would reach the origin"
                } else {
                    "on this route it would reach the origin"
                };
                return Err(Failure::new(
                    Exit::Usage,
                    format!(
                        "-H '{name}: …' is meant for a proxy, but {why} ({} route); send it \
                         with --proxy-header '{name}: …' instead",
                        info.route
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The pieces of `-d`/`--data-binary`/`--json`, each DATA, @FILE or @-, joined.
fn join(pieces: &[String], strip_newlines: bool, separator: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(separator);
        }
        let bytes = match piece.strip_prefix('@') {
            Some("-") => read_all(&mut io::stdin().lock(), Path::new("stdin"))?,
            Some(file) => {
                let path = Path::new(file);
                let mut opened = File::open(path).map_err(|e| unreadable(path, &e))?;
                read_all(&mut opened, path)?
            }
            None => piece.as_bytes().to_vec(),
        };
        if strip_newlines && piece.starts_with('@') {
            out.extend(bytes.into_iter().filter(|b| *b != b'\r' && *b != b'\n'));
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    Ok(out)
}

fn read_all(reader: &mut dyn Read, path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e))?;
    Ok(bytes)
}

fn unreadable(path: &Path, error: &io::Error) -> Failure {
    Failure::new(
        Exit::Usage,
        format!("cannot read {}: {error}", path.display()),
    )
}
