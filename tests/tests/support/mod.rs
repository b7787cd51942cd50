//! A deliberately tiny raw HTTP/1.1 client for testing the servers themselves.
#![allow(dead_code)] // each test file uses a different subset of these helpers

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rustls::{ClientConfig, ClientConnection, StreamOwned};
use rustls_pki_types::ServerName;

/// A response as read by [`read_response`].
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.set_write_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s
}

/// Reads a head (lines up to the blank line).
pub(crate) fn read_head<R: BufRead>(r: &mut R) -> Vec<u8> {
    let mut raw = Vec::new();
    loop {
        let before = raw.len();
        let n = r.read_until(b'\n', &mut raw).expect("read head");
        assert!(
            n > 0,
            "EOF inside head: {:?}",
            String::from_utf8_lossy(&raw)
        );
        if &raw[before..] == b"\r\n" {
            return raw;
        }
    }
}

/// Reads one response, decoding Content-Length, chunked or close-delimited bodies.
pub(crate) fn read_response<R: BufRead>(r: &mut R, method: &str) -> Response {
    let raw = read_head(r);
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut res = httparse::Response::new(&mut headers);
    assert!(res.parse(&raw).expect("parse response").is_complete());
    let status = res.code.expect("status");
    let headers: Vec<(String, String)> = res
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if method == "HEAD" || status == 204 || status == 304 || status < 200 {
        return response;
    }
    if response
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            let mut line = String::new();
            r.read_line(&mut line).expect("chunk size");
            let size = usize::from_str_radix(line.trim(), 16).expect("hex size");
            if size == 0 {
                let mut end = String::new();
                r.read_line(&mut end).expect("final CRLF");
                break;
            }
            let start = response.body.len();
            response.body.resize(start + size, 0);
            r.read_exact(&mut response.body[start..]).expect("chunk");
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf).expect("chunk CRLF");
        }
    } else if let Some(len) = response.header("content-length") {
        let len: usize = len.trim().parse().expect("length");
        response.body.resize(len, 0);
        r.read_exact(&mut response.body).expect("body");
    } else {
        r.read_to_end(&mut response.body)
            .expect("close-delimited body");
    }
    response
}

/// Sends `request` and reads the answer.
pub(crate) fn exchange<S: Read + Write>(s: &mut BufReader<S>, request: &str) -> Response {
    s.get_mut().write_all(request.as_bytes()).expect("write");
    let method = request.split(' ').next().unwrap_or("GET");
    read_response(s, method)
}

/// TLS client over any stream, verifying `name` against `config`'s roots.
pub(crate) fn tls<S: Read + Write>(
    config: &Arc<ClientConfig>,
    name: &str,
    sock: S,
) -> StreamOwned<ClientConnection, S> {
    let name = ServerName::try_from(name.to_owned()).expect("server name");
    let conn = ClientConnection::new(Arc::clone(config), name).expect("client connection");
    StreamOwned::new(conn, sock)
}
