//! The little HTTP/1.1 the servers speak: reading a head (capped), parsing it with httparse,
//! body framing, and relaying or collecting a body. Also the [`RecordedRequest`] that servers
//! keep for assertions.

use std::io::{self, BufRead, Read, Write};

/// Largest request or response head the servers read (the proxy's fault modes send bigger).
pub const MAX_HEAD: usize = 128 * 1024;

const MAX_HEADERS: usize = 256;

/// A request head as a server received it, for assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Which accepted connection carried it (0 for the server's first connection).
    pub connection: usize,
    /// The method, e.g. `GET` or `CONNECT`.
    pub method: String,
    /// The request target exactly as sent: origin-form `/path`, absolute-form
    /// `http://host:port/path`, or authority-form `host:port` for CONNECT.
    pub target: String,
    /// Header names and values in order, as sent (names keep their case).
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request line as it appeared on the wire, without CRLF (version assumed HTTP/1.1).
    pub fn request_line(&self) -> String {
        format!("{} {} HTTP/1.1", self.method, self.target)
    }
}

/// A parsed head plus its raw bytes (the proxy relays those verbatim).
pub(crate) struct Head {
    pub(crate) raw: Vec<u8>,
    /// Status code for responses; 0 for requests.
    pub(crate) status: u16,
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) minor_version: u8,
    pub(crate) headers: Vec<(String, String)>,
}

impl Head {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the peer asked to close after this message (or spoke HTTP/1.0 without keep-alive).
    pub(crate) fn wants_close(&self) -> bool {
        match self.header("connection") {
            Some(v) if v.to_ascii_lowercase().contains("close") => true,
            Some(v) if v.to_ascii_lowercase().contains("keep-alive") => false,
            _ => self.minor_version == 0,
        }
    }

    pub(crate) fn record(&self, connection: usize) -> RecordedRequest {
        RecordedRequest {
            connection,
            method: self.method.clone(),
            target: self.target.clone(),
            headers: self.headers.clone(),
        }
    }
}

/// Reads one head up to and including the blank line. `Ok(None)` on a clean EOF before any byte.
pub(crate) fn read_head<R: BufRead>(r: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    loop {
        let room = (MAX_HEAD - raw.len()) as u64;
        if room == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
        let before = raw.len();
        let n = r.by_ref().take(room).read_until(b'\n', &mut raw)?;
        if n == 0 {
            return if raw.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        let line = &raw[before..];
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                // Tolerate stray CRLFs between messages (RFC 9112 section 2.2).
                raw.clear();
                continue;
            }
            return Ok(Some(raw));
        }
    }
}

fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).into_owned();
            (h.name.to_owned(), value)
        })
        .collect()
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Parses a complete request head.
pub(crate) fn parse_request(raw: Vec<u8>) -> io::Result<Head> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    if !req.parse(&raw).map_err(invalid)?.is_complete() {
        return Err(invalid("incomplete request head"));
    }
    let head = Head {
        status: 0,
        method: req.method.unwrap_or_default().to_owned(),
        target: req.path.unwrap_or_default().to_owned(),
        minor_version: req.version.unwrap_or(1),
        headers: owned_headers(req.headers),
        raw: Vec::new(),
    };
    Ok(Head { raw, ..head })
}

/// Parses a complete response head.
pub(crate) fn parse_response(raw: Vec<u8>) -> io::Result<Head> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut res = httparse::Response::new(&mut headers);
    if !res.parse(&raw).map_err(invalid)?.is_complete() {
        return Err(invalid("incomplete response head"));
    }
    let head = Head {
        status: res.code.unwrap_or_default(),
        method: String::new(),
        target: String::new(),
        minor_version: res.version.unwrap_or(1),
        headers: owned_headers(res.headers),
        raw: Vec::new(),
    };
    Ok(Head { raw, ..head })
}

/// How a message body ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

fn length_or_chunked(head: &Head) -> io::Result<Option<Framing>> {
    if let Some(te) = head.header("transfer-encoding") {
        if te.to_ascii_lowercase().contains("chunked") {
            return Ok(Some(Framing::Chunked));
        }
    }
    match head.header("content-length") {
        Some(v) => v
            .trim()
            .parse()
            .map(|n| Some(Framing::Length(n)))
            .map_err(invalid),
        None => Ok(None),
    }
}

/// Body framing of a request.
pub(crate) fn request_framing(head: &Head) -> io::Result<Framing> {
    Ok(length_or_chunked(head)?.unwrap_or(Framing::None))
}

/// Body framing of a response to a request with method `method`.
pub(crate) fn response_framing(head: &Head, method: &str) -> io::Result<Framing> {
    if method.eq_ignore_ascii_case("HEAD") || matches!(head.status, 100..=199 | 204 | 304) {
        return Ok(Framing::None);
    }
    Ok(length_or_chunked(head)?.unwrap_or(Framing::UntilClose))
}

/// Reads a body, sending the raw wire bytes to `raw` (for relaying) and the decoded bytes to
/// `decoded` (for echoing). Returns the decoded length.
pub(crate) fn copy_body<R: BufRead>(
    r: &mut R,
    framing: Framing,
    raw: &mut dyn Write,
    decoded: &mut dyn Write,
) -> io::Result<u64> {
    match framing {
        Framing::None => Ok(0),
        Framing::Length(n) => copy_exact(r, n, raw, decoded),
        Framing::UntilClose => copy_exact(r, u64::MAX, raw, decoded),
        Framing::Chunked => {
            let mut total = 0;
            loop {
                let mut line = Vec::new();
                r.by_ref().take(4096).read_until(b'\n', &mut line)?;
                raw.write_all(&line)?;
                let text = String::from_utf8_lossy(&line);
                let size_text = text.trim().split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(size_text, 16).map_err(invalid)?;
                if size == 0 {
                    // Trailers (usually none) up to the final blank line.
                    while let Some(trailer) = read_line(r)? {
                        raw.write_all(&trailer)?;
                        if trailer == b"\r\n" || trailer == b"\n" {
                            return Ok(total);
                        }
                    }
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                total += copy_exact(r, size, raw, decoded)?;
                let crlf = read_line(r)?.ok_or(io::ErrorKind::UnexpectedEof)?;
                raw.write_all(&crlf)?;
            }
        }
    }
}

fn read_line<R: BufRead>(r: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let n = r.by_ref().take(4096).read_until(b'\n', &mut line)?;
    Ok((n > 0).then_some(line))
}

/// Copies `n` bytes (or until EOF when `n == u64::MAX`) to both writers.
fn copy_exact<R: Read>(
    r: &mut R,
    n: u64,
    raw: &mut dyn Write,
    decoded: &mut dyn Write,
) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = n;
    let mut total = 0;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let got = r.read(&mut buf[..want])?;
        if got == 0 {
            if n == u64::MAX {
                break;
            }
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        raw.write_all(&buf[..got])?;
        decoded.write_all(&buf[..got])?;
        if n != u64::MAX {
            left -= got as u64;
        }
        total += got as u64;
    }
    Ok(total)
}
