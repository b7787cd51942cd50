//! A server-side connection that is either plain TCP or TLS (rustls) over TCP, so the origin
//! and the proxy serve both variants with one code path.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// An accepted connection, after the optional TLS layer.
pub(crate) enum ServerStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS; the handshake runs on the first read or write.
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl ServerStream {
    /// Wraps `tcp` in TLS when a configuration is given.
    pub(crate) fn accept(tcp: TcpStream, tls: Option<&Arc<ServerConfig>>) -> io::Result<Self> {
        match tls {
            None => Ok(ServerStream::Plain(tcp)),
            Some(config) => {
                let conn = ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
                Ok(ServerStream::Tls(Box::new(StreamOwned::new(conn, tcp))))
            }
        }
    }

    /// The TCP socket underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            ServerStream::Plain(s) => s,
            ServerStream::Tls(s) => &s.sock,
        }
    }

    /// Ends the stream politely: close_notify for TLS, then a TCP write shutdown.
    pub(crate) fn finish(&mut self) {
        if let ServerStream::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.flush();
        }
        let _ = self.tcp().shutdown(std::net::Shutdown::Write);
    }
}

impl Read for ServerStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ServerStream::Plain(s) => s.read(buf),
            ServerStream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for ServerStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            ServerStream::Plain(s) => s.write(buf),
            ServerStream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            ServerStream::Plain(s) => s.flush(),
            ServerStream::Tls(s) => s.flush(),
        }
    }
}
