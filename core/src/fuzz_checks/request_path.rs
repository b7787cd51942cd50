//! `request_path`: CLI-style inputs (method, URL, `-H` headers, proxy headers, user agent,
//! body) to the bytes the forward rewriter (`ForwardRewriter` + `with_proxy_headers`) and
//! the CONNECT encoder (`ConnectRequest` + `with_proxy_headers`) emit.
//!
//! Properties: invalid input is an error, never a panic; every emitted head line is the
//! request line or one `name: value` header (token name, no CR, LF, NUL or other control
//! byte in the value); the request target and `Host` name the target (absolute form with
//! its `scheme://host[:port]`, CONNECT's `host:port` twice); proxy header lines come out as
//! given, once; the body passes unaltered.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::Input;
use crate::connect::ConnectRequest;
use crate::credentials::Credentials;
use crate::forward::ForwardRewriter;
use crate::proxy_headers::{ProxyHeaderLines, ProxyHeaders};
use crate::router::url_target;
use crate::target::Target;

/// Decodes a flags byte (bit 0: credentials, bit 1: user agent, bit 2: proxy headers as
/// one raw block), then fields: method, URL, header count byte and that many `Name: value`
/// fields, proxy header count byte and fields, user agent, body.
pub fn check_request_path(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let method = input.text();
    let url = input.text();
    let headers: Vec<&[u8]> = (0..input.byte() % 8).map(|_| input.field()).collect();
    let proxy_fields: Vec<&str> = (0..input.byte() % 6).map(|_| input.text()).collect();
    let agent = input.text();
    let body = input.rest();

    let (scheme, authority, path) = split_url(url);
    let Ok(target) = url_target(Some(scheme), Some(authority), Some(path)) else {
        return;
    };
    let mut built = ProxyHeaders::new();
    let mut raw = String::new();
    for field in &proxy_fields {
        let (name, value) = field.split_once(':').unwrap_or((field, ""));
        // A refused line is the caller's error; the others still go.
        let _ = built.push(name, value.trim_start_matches(' '));
        raw.push_str(field);
        raw.push_str("\r\n");
    }
    let lines = if flags & 4 != 0 {
        match ProxyHeaderLines::parse(&raw) {
            Ok(lines) => lines,
            Err(_) => return,
        }
    } else {
        built.lines()
    };
    assert_eq!(
        ProxyHeaderLines::parse(lines.as_str()),
        Ok(lines),
        "validated lines refused again"
    );
    let credentials = (flags & 1 != 0).then(|| Credentials::from_encoded("user", "p%40ss"));
    let agent = (flags & 2 != 0).then_some(agent);

    check_connect(&target, credentials, agent, lines);
    if target.scheme == crate::target::Scheme::Http {
        check_forward(&target, credentials, lines, method, path, &headers, body);
    }
}

/// `scheme://authority/path?query` into its parts, as an HTTP library splits a URL.
fn split_url(url: &str) -> (&str, &str, &str) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = path.split('#').next().unwrap_or("");
    (scheme, authority, if path.is_empty() { "/" } else { path })
}

/// `host[:port]` as a URL writes it: the port left out when it is the scheme's default.
fn host_port(target: &Target<'_>) -> String {
    if target.has_default_port() {
        format!("{}", target.host)
    } else {
        format!("{}:{}", target.host, target.port)
    }
}

fn check_connect(
    target: &Target<'_>,
    credentials: Option<Credentials<'_>>,
    agent: Option<&str>,
    lines: ProxyHeaderLines<'_>,
) {
    let mut request = ConnectRequest::new(target).with_proxy_headers(lines);
    if let Some(credentials) = credentials {
        request = request.with_credentials(credentials);
    }
    if let Some(agent) = agent {
        request = request.with_user_agent(agent);
    }
    let mut out = vec![0u8; request.encoded_len()];
    let written = match request.encode(&mut out) {
        Ok(written) => written,
        Err(error) => {
            let _ = format!("{error} {error:?}");
            return;
        }
    };
    assert_eq!(written, out.len(), "encoded_len is not what encode wrote");
    let authority = format!("{}", target.authority());
    let head = check_head(&out, "CONNECT");
    assert_eq!(head.target, authority, "CONNECT target");
    assert_eq!(head.body, b"", "bytes after the CONNECT head");
    check_fields(&head, &authority, credentials.is_some(), lines);
    if let Some(agent) = agent {
        assert!(
            head.fields
                .contains(&(String::from("User-Agent"), String::from(agent)))
        );
    }
}

fn check_forward(
    target: &Target<'_>,
    credentials: Option<Credentials<'_>>,
    lines: ProxyHeaderLines<'_>,
    method: &str,
    path: &str,
    headers: &[&[u8]],
    body: &[u8],
) {
    // The request as a CLI writes it: its own Host and framing (a user's replace nothing),
    // the user's other headers as given, the body framed by Content-Length. CR and LF in a
    // method, path or header are refused before any bytes are built (the CLI's HTTP
    // library does the same); everything else goes to the rewriter as it is.
    let breaks = |s: &[u8]| s.iter().any(|&b| b == b'\r' || b == b'\n');
    if breaks(method.as_bytes()) || breaks(path.as_bytes()) || headers.iter().any(|h| breaks(h)) {
        return;
    }
    let authority = host_port(target);
    let mut request = Vec::new();
    request
        .extend_from_slice(format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\n").as_bytes());
    for header in headers {
        let name = header.split(|&b| b == b':').next().unwrap_or(b"");
        let reserved = [
            "host",
            "content-length",
            "transfer-encoding",
            "proxy-authorization",
        ];
        if reserved
            .iter()
            .any(|r| r.as_bytes().eq_ignore_ascii_case(name.trim_ascii()))
        {
            continue;
        }
        request.extend_from_slice(header);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    request.extend_from_slice(body);

    let rewriter = match ForwardRewriter::new(target, credentials) {
        Ok(rewriter) => rewriter,
        Err(error) => {
            let _ = format!("{error} {error:?}");
            return;
        }
    };
    let mut rewriter = rewriter.with_proxy_headers(lines);
    let mut emitted = Vec::new();
    let mut out = vec![0u8; 4096];
    let mut rest = &request[..];
    while !rest.is_empty() || rewriter.has_pending_output() {
        match rewriter.rewrite(rest, &mut out) {
            Ok(progress) => {
                assert!(progress.consumed + progress.written > 0, "no progress");
                emitted.extend_from_slice(&out[..progress.written]);
                rest = &rest[progress.consumed..];
            }
            Err(error) => {
                let _ = format!("{error} {error:?}");
                return;
            }
        }
    }
    let head = check_head(&emitted, method);
    let prefix = format!("{}://{authority}", target.scheme);
    assert!(
        head.target == prefix
            || head.target.starts_with(&format!("{prefix}/"))
            || head.target.starts_with(&format!("{prefix}?"))
            || (!path.starts_with('/') && head.target == path),
        "request target {:?} for {prefix:?}",
        head.target
    );
    assert_eq!(head.body, body, "the body changed");
    check_fields(&head, &authority, credentials.is_some(), lines);
}

/// An emitted head, split into its parts.
struct Head<'e> {
    target: String,
    fields: Vec<(String, String)>,
    body: &'e [u8],
}

/// Checks that `bytes` is one request head (`method target HTTP/1.1`, header lines, blank
/// line) followed by the body, every line well-formed.
fn check_head<'e>(bytes: &'e [u8], method: &str) -> Head<'e> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {:?}", String::from_utf8_lossy(bytes)));
    // obs-text (bytes past ASCII) is allowed in values; shown as U+FFFD here.
    let text = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = text.split("\r\n");
    let line = lines.next().unwrap_or("");
    let parts: Vec<&str> = line.split(' ').collect();
    assert!(
        parts.len() == 3 && parts[0] == method && parts[2] == "HTTP/1.1",
        "request line {line:?}"
    );
    let clean = |s: &str| !s.bytes().any(|b| b.is_ascii_control() && b != b'\t');
    assert!(clean(line) && !parts[1].is_empty(), "request line {line:?}");
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    let mut fields = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("not a header line: {line:?}"));
        assert!(
            !name.is_empty() && name.bytes().all(token),
            "header name {name:?} in {line:?}"
        );
        assert!(clean(value), "control byte in {line:?}");
        fields.push((
            String::from(name),
            String::from(value.trim_matches([' ', '\t'])),
        ));
    }
    Head {
        target: String::from(parts[1]),
        fields,
        body: &bytes[end + 4..],
    }
}

/// One `Host` naming `authority`, one `Proxy-Authorization` when credentials were given,
/// every proxy header line present.
fn check_fields(head: &Head<'_>, authority: &str, credentials: bool, lines: ProxyHeaderLines<'_>) {
    let named = |name: &str| {
        head.fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .collect::<Vec<_>>()
    };
    let hosts = named("host");
    assert_eq!(hosts.len(), 1, "Host lines: {hosts:?}");
    assert_eq!(hosts[0].1, authority, "Host is not the target");
    if credentials {
        assert_eq!(
            named("proxy-authorization").len(),
            1,
            "Proxy-Authorization lines"
        );
    }
    for (name, value) in lines.iter() {
        let wanted = (
            String::from(name),
            String::from(value.trim_matches([' ', '\t'])),
        );
        assert!(head.fields.contains(&wanted), "proxy header {name} missing");
    }
}
