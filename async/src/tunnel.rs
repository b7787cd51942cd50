//! Driving egress-core's CONNECT handshake over a proxy stream: one write for the request,
//! then reads fed to the handshake until it decides. What the bytes mean, and which failure
//! an answer is, is egress-core's [`TunnelHandshake`]; this file only moves bytes. The
//! caller bounds it with the handshake timeout; dropping the future mid-way drops the
//! stream with it.

use std::io;

use egress_core::frontend::TunnelHandshake;
use egress_core::{ProxyUrl, Target};
use futures_io::{AsyncRead, AsyncWrite};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

use crate::Error;

/// Read size while waiting for the proxy's answer.
const READ_CHUNK: usize = 4096;

/// Sends `CONNECT target` through `stream`; on a 2xx returns the tunnel bytes that arrived
/// with the answer (to be read before the stream's).
pub(crate) async fn open_tunnel<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    proxy: &ProxyUrl<'_>,
    target: &Target<'_>,
    user_agent: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let (mut handshake, request) = TunnelHandshake::new(proxy, target, user_agent)?;
    let io_error = |source: io::Error| Error::ProxyUnreachable {
        proxy: proxy.to_string(),
        source,
    };
    // One write, so the request leaves in one segment (TCP_NODELAY is on).
    stream.write_all(&request).await.map_err(io_error)?;
    stream.flush().await.map_err(io_error)?;

    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = stream.read(&mut chunk).await.map_err(io_error)?;
        if n == 0 {
            return Err(handshake.handle_eof().into());
        }
        if let Some(established) = handshake.handle_bytes(&chunk[..n])? {
            log::debug!(
                "egress: CONNECT {} -> {}",
                target.authority(),
                established.status
            );
            return Ok(established.leftover);
        }
    }
}
