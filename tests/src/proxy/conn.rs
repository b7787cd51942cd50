//! One client connection of the proxy: the request loop, authentication, CONNECT and
//! absolute-form forwarding.

use std::io::{self, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::dial::{dial, split_authority};
use super::fault::{self, prelude, slow_head, trickle};
use super::{Config, Fault, REALM};
use crate::http::{self, Head};
use crate::server::{IO_TIMEOUT, Lifecycle, Tracked, lock};
use crate::splice;
use crate::stream::ServerStream;

/// A kept-alive connection to a forward target, reused while the authority stays the same.
struct Upstream<'a> {
    authority: String,
    reader: BufReader<TcpStream>,
    _tracked: Tracked<'a>,
}

pub(super) fn serve(tcp: TcpStream, id: usize, config: &Config, lc: &Lifecycle) {
    let Ok(stream) = ServerStream::accept(tcp, config.options.tls.as_ref()) else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut upstream: Option<Upstream<'_>> = None;
    while !lc.is_stopping() {
        let head = match http::read_head(&mut reader)
            .and_then(|raw| raw.map(http::parse_request).transpose())
        {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(_) => {
                let _ = answer(reader.get_mut(), 400, "Bad Request", &[], "bad request\n");
                return;
            }
        };
        lock(&config.records.requests).push(head.record(id));
        if !authorized(config, &head) {
            let (status, reason, header) = if config.options.auth_answers_401 {
                (401, "Unauthorized", "WWW-Authenticate")
            } else {
                (407, "Proxy Authentication Required", "Proxy-Authenticate")
            };
            let challenge = format!("Basic realm=\"{REALM}\"");
            let body = "test proxy: authentication required\n";
            if answer(
                reader.get_mut(),
                status,
                reason,
                &[(header, &challenge)],
                body,
            )
            .is_err()
                || skip_body(&mut reader, &head).is_err()
                || head.wants_close()
            {
                return;
            }
            continue;
        }
        let fault = config.options.fault.as_ref();
        if let Some(f) = fault {
            match fault::play(f, reader.get_mut(), lc) {
                Ok(true) => {}
                _ => return,
            }
        }
        if prelude(fault, reader.get_mut()).is_err() {
            return;
        }
        if head.method.eq_ignore_ascii_case("CONNECT") {
            connect(reader, &head, config, lc);
            return;
        }
        match forward(&mut reader, &head, &mut upstream, config, lc) {
            Ok(true) => {}
            _ => {
                let _ = reader.get_mut().tcp().shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    }
}

fn authorized(config: &Config, head: &Head) -> bool {
    let Some(expected) = &config.expected_auth else {
        return true;
    };
    let Some(given) = head.header("proxy-authorization") else {
        return false;
    };
    // The scheme name is case-insensitive; the token is compared exactly.
    match (given.trim().split_once(' '), expected.split_once(' ')) {
        (Some((gs, gt)), Some((es, et))) => gs.eq_ignore_ascii_case(es) && gt.trim() == et,
        _ => false,
    }
}

fn skip_body(reader: &mut BufReader<ServerStream>, head: &Head) -> io::Result<u64> {
    let framing = http::request_framing(head)?;
    http::copy_body(reader, framing, &mut io::sink(), &mut io::sink())
}

fn answer(
    out: &mut ServerStream,
    status: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> io::Result<()> {
    let mut text = format!("HTTP/1.1 {status} {reason}\r\n");
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    text.push_str(&format!(
        "Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn cut_after(config: &Config) -> Option<u64> {
    match config.options.fault {
        Some(Fault::CutAfter { bytes }) => Some(bytes),
        _ => None,
    }
}

fn connect(mut reader: BufReader<ServerStream>, head: &Head, config: &Config, lc: &Lifecycle) {
    lock(&config.records.connect_targets).push(head.target.clone());
    let target = split_authority(&head.target, 443);
    let upstream = match target.map(|(host, port)| dial(&host, port, config)) {
        Some(Ok(upstream)) => upstream,
        _ => {
            let body = "test proxy: cannot connect to the CONNECT target\n";
            let _ = answer(
                reader.get_mut(),
                502,
                "Bad Gateway",
                &[("Connection", "close")],
                body,
            );
            return;
        }
    };
    let established = b"HTTP/1.1 200 Connection established\r\n\r\n";
    let out = reader.get_mut();
    let sent = match &config.options.fault {
        Some(Fault::Slowloris { delay }) => trickle(&slow_head(), *delay, out, lc),
        Some(Fault::CoalesceTunnelBytes) => {
            let mut first = vec![0u8; 16 * 1024];
            let _ = upstream.set_read_timeout(Some(Duration::from_secs(1)));
            let n = io::Read::read(&mut &upstream, &mut first).unwrap_or(0);
            let _ = upstream.set_read_timeout(Some(IO_TIMEOUT));
            let mut all = established.to_vec();
            all.extend_from_slice(&first[..n]);
            out.write_all(&all)
        }
        _ => out.write_all(established),
    };
    if sent.and_then(|()| out.flush()).is_err() {
        return;
    }
    let leftover = reader.buffer().to_vec();
    splice::tunnel(
        reader.into_inner(),
        leftover,
        upstream,
        cut_after(config),
        lc,
    );
}

/// Forwards one absolute-form request; returns whether the client connection stays open.
fn forward<'lc>(
    reader: &mut BufReader<ServerStream>,
    head: &Head,
    upstream: &mut Option<Upstream<'lc>>,
    config: &Config,
    lc: &'lc Lifecycle,
) -> io::Result<bool> {
    let Some(rest) = head.target.strip_prefix("http://") else {
        answer(
            reader.get_mut(),
            400,
            "Bad Request",
            &[],
            "test proxy: expected absolute-form http://\n",
        )?;
        return Ok(false);
    };
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    if upstream.as_ref().is_none_or(|u| u.authority != authority) {
        *upstream = None;
        let dialed = split_authority(authority, 80).map(|(h, p)| dial(&h, p, config));
        let Some(Ok(tcp)) = dialed else {
            answer(
                reader.get_mut(),
                502,
                "Bad Gateway",
                &[],
                "test proxy: cannot reach target\n",
            )?;
            return Ok(false);
        };
        // The tracker needs a lifetime tied to the lifecycle, not the loop iteration.
        let tracked = lc.track(&tcp);
        *upstream = Some(Upstream {
            authority: authority.to_owned(),
            reader: BufReader::new(tcp),
            _tracked: tracked,
        });
    }
    let Some(up) = upstream.as_mut() else {
        return Ok(false);
    };
    let hop_by_hop = [
        "proxy-authorization",
        "proxy-connection",
        "connection",
        "keep-alive",
    ];
    let mut out = format!("{} {path} HTTP/1.1\r\n", head.method);
    for (n, v) in &head.headers {
        if !hop_by_hop.iter().any(|h| n.eq_ignore_ascii_case(h)) {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
    }
    out.push_str("\r\n");
    up.reader.get_mut().write_all(out.as_bytes())?;
    let framing = http::request_framing(head)?;
    http::copy_body(reader, framing, up.reader.get_mut(), &mut io::sink())?;
    let response = loop {
        let raw = http::read_head(&mut up.reader)?.ok_or(io::ErrorKind::UnexpectedEof)?;
        let response = http::parse_response(raw)?;
        if (100..200).contains(&response.status) && response.status != 101 {
            reader.get_mut().write_all(&response.raw)?;
            continue;
        }
        break response;
    };
    let client = reader.get_mut();
    match &config.options.fault {
        Some(Fault::Slowloris { delay }) => trickle(&response.raw, *delay, client, lc)?,
        _ => client.write_all(&response.raw)?,
    }
    let mut capped = Capped {
        inner: client,
        left: cut_after(config).unwrap_or(u64::MAX),
    };
    let framing = http::response_framing(&response, &head.method)?;
    http::copy_body(&mut up.reader, framing, &mut capped, &mut io::sink())?;
    capped.flush()?;
    let until_close = framing == http::Framing::UntilClose;
    if until_close || response.wants_close() {
        *upstream = None;
    }
    if until_close || head.wants_close() {
        reader.get_mut().finish();
        return Ok(false);
    }
    Ok(true)
}

/// A writer that fails once `left` bytes went through (for [`Fault::CutAfter`]).
struct Capped<'a> {
    inner: &'a mut ServerStream,
    left: u64,
}

impl Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::ErrorKind::ConnectionAborted.into());
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.write(&buf[..n])?;
        self.left -= n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
