//! A byte stream along a route, layer by layer: TCP, TLS to an `https://` proxy, the bytes
//! that arrived with the proxy's answer to CONNECT (read first, never cut), and TLS to an
//! `https://` target on top. One recursive type, so TLS in TLS needs nothing special.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use rustls::{ClientConnection, StreamOwned};

/// One layer of a connection; see the module doc.
#[derive(Debug)]
pub(crate) enum SocketStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over the layer below (to a proxy, or to the target).
    Tls(Box<StreamOwned<ClientConnection, SocketStream>>),
    /// Tunnel bytes already received, then the layer below.
    Replay(Box<Replay>),
}

/// Bytes to read before the layer below; all of them, however many there are.
#[derive(Debug)]
pub(crate) struct Replay {
    bytes: Vec<u8>,
    at: usize,
    inner: SocketStream,
}

impl SocketStream {
    /// `inner`, with `bytes` read before anything of its own (nothing added when empty).
    pub(crate) fn with_replay(inner: SocketStream, bytes: Vec<u8>) -> Self {
        if bytes.is_empty() {
            return inner;
        }
        SocketStream::Replay(Box::new(Replay {
            bytes,
            at: 0,
            inner,
        }))
    }

    /// The TCP socket underneath, for timeouts and probes.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            SocketStream::Plain(tcp) => tcp,
            SocketStream::Tls(tls) => tls.sock.tcp(),
            SocketStream::Replay(replay) => replay.inner.tcp(),
        }
    }

    /// Whether unread replay bytes are waiting anywhere in the stack (then a read cannot
    /// block, and an idle probe must not call the connection closed).
    pub(crate) fn has_buffered(&self) -> bool {
        match self {
            SocketStream::Plain(_) => false,
            SocketStream::Tls(tls) => tls.sock.has_buffered(),
            SocketStream::Replay(replay) => {
                replay.at < replay.bytes.len() || replay.inner.has_buffered()
            }
        }
    }
}

impl Read for SocketStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            SocketStream::Plain(tcp) => tcp.read(buf),
            SocketStream::Tls(tls) => tls.read(buf),
            SocketStream::Replay(replay) => {
                let rest = &replay.bytes[replay.at..];
                if rest.is_empty() {
                    return replay.inner.read(buf);
                }
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                replay.at += n;
                if replay.at == replay.bytes.len() {
                    replay.bytes = Vec::new();
                    replay.at = 0;
                }
                Ok(n)
            }
        }
    }
}

impl Write for SocketStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            SocketStream::Plain(tcp) => tcp.write(buf),
            SocketStream::Tls(tls) => tls.write(buf),
            SocketStream::Replay(replay) => replay.inner.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            SocketStream::Plain(tcp) => tcp.flush(),
            SocketStream::Tls(tls) => tls.flush(),
            SocketStream::Replay(replay) => replay.inner.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn replayed_bytes_come_first_and_whole_however_large() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let client = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{e}"));
        let (mut server, _) = listener.accept().unwrap_or_else(|e| panic!("{e}"));
        server.write_all(b"after").unwrap_or_else(|e| panic!("{e}"));
        drop(server);
        // Larger than any ureq input buffer, so a preload into it would have been cut.
        let leftover: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut stream = SocketStream::with_replay(SocketStream::Plain(client), leftover.clone());
        assert!(stream.has_buffered());
        let mut all = Vec::new();
        stream
            .read_to_end(&mut all)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&all[..leftover.len()], &leftover[..]);
        assert_eq!(&all[leftover.len()..], b"after");
        assert!(!stream.has_buffered());
    }
}
