//! A byte stream to a proxy or a directly connected target: plain TCP, or TLS over TCP for
//! an `https://` proxy. One type for both, so the socket transport and the CONNECT driver
//! are written once.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use rustls::{ClientConnection, StreamOwned};

/// TCP, or TLS over TCP.
#[derive(Debug)]
pub(crate) enum SocketStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS to an `https://` proxy.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl SocketStream {
    /// The TCP socket underneath, for timeouts and probes.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            SocketStream::Plain(tcp) => tcp,
            SocketStream::Tls(tls) => &tls.sock,
        }
    }

    /// Sets the socket's read and write timeouts (`None`: block forever).
    pub(crate) fn set_timeouts(&self, limit: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(limit)?;
        self.tcp().set_write_timeout(limit)
    }
}

impl Read for SocketStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            SocketStream::Plain(tcp) => tcp.read(buf),
            SocketStream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for SocketStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            SocketStream::Plain(tcp) => tcp.write(buf),
            SocketStream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            SocketStream::Plain(tcp) => tcp.flush(),
            SocketStream::Tls(tls) => tls.flush(),
        }
    }
}
