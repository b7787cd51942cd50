//! Driving egress-core's CONNECT handshake over a proxy stream: one write for the request,
//! then reads fed to the handshake until it decides, all within the handshake deadline.
//! What the bytes mean, and which failure an answer is, is egress-core's
//! [`TunnelHandshake`]; this file only moves bytes and keeps the deadline.

use std::io::{self, Read, Write};

use egress_core::frontend::{TunnelEstablished, TunnelHandshake};
use egress_core::{ProxyUrl, Target};

use crate::Error;
use crate::transport::{Deadline, SocketStream, is_timeout};

/// Read size while waiting for the proxy's answer.
const READ_CHUNK: usize = 4096;

/// Sends `CONNECT target` through `stream` and waits for the proxy's decision.
pub(crate) fn open_tunnel(
    stream: &mut SocketStream,
    proxy: &ProxyUrl<'_>,
    target: &Target<'_>,
    user_agent: Option<&str>,
    deadline: Deadline,
) -> Result<TunnelEstablished, Error> {
    let (mut handshake, request) = TunnelHandshake::new(proxy, target, user_agent)?;
    let io_error = |source: io::Error| Error::ProxyUnreachable {
        proxy: proxy.to_string(),
        source,
    };
    stream
        .set_timeouts(deadline.remaining()?)
        .map_err(io_error)?;
    // One write, so the request leaves in one segment (TCP_NODELAY is on).
    stream
        .write_all(&request)
        .and_then(|()| stream.flush())
        .map_err(|e| {
            if is_timeout(&e) {
                deadline.expired()
            } else {
                io_error(e)
            }
        })?;

    let mut chunk = [0u8; READ_CHUNK];
    loop {
        stream
            .set_timeouts(deadline.remaining()?)
            .map_err(io_error)?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => return Err(deadline.expired()),
            Err(e) => return Err(io_error(e)),
        };
        if n == 0 {
            return Err(handshake.handle_eof().into());
        }
        if let Some(established) = handshake.handle_bytes(&chunk[..n])? {
            return Ok(established);
        }
    }
}
