//! Driving egress-core's CONNECT machine over a proxy stream: one write for the request,
//! then reads fed to the decoder until it decides. The caller bounds it with the handshake
//! timeout; dropping the future mid-way drops the stream with it.

use std::io;

use egress_core::connect::{
    ConnectError, ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus,
};
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
    let credentials = proxy.credentials();
    let mut request = ConnectRequest::new(target);
    if let Some(credentials) = credentials {
        request = request.with_credentials(credentials);
    }
    if let Some(agent) = user_agent {
        request = request.with_user_agent(agent);
    }
    let mut head = vec![0u8; request.encoded_len()];
    let written = request
        .encode(&mut head)
        .map_err(|error| Error::InvalidConfig {
            message: format!("cannot send CONNECT for {}: {error}", target.authority()),
        })?;
    let io_error = |source: io::Error| Error::ProxyUnreachable {
        proxy: proxy.to_string(),
        source,
    };
    // One write, so the request leaves in one segment (TCP_NODELAY is on).
    stream.write_all(&head[..written]).await.map_err(io_error)?;
    stream.flush().await.map_err(io_error)?;

    let protocol = |error: ConnectError| Error::ProxyProtocol {
        proxy: proxy.to_string(),
        error,
    };
    let mut decoder = Box::new(ConnectResponse::new());
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = stream.read(&mut chunk).await.map_err(io_error)?;
        if n == 0 {
            let error = decoder.handle_eof().err();
            return Err(protocol(error.unwrap_or(ConnectError::AlreadyFinished)));
        }
        let ConnectStatus::Done(outcome) = decoder.handle_bytes(&chunk[..n]).map_err(protocol)?
        else {
            continue;
        };
        return match outcome {
            ConnectOutcome::Established { status, leftover } => {
                log::debug!("egress: CONNECT {} -> {status}", target.authority());
                Ok(leftover.to_vec())
            }
            ConnectOutcome::AuthRequired { status, schemes } => Err(Error::ProxyAuthRequired {
                proxy: proxy.to_string(),
                status,
                schemes: schemes.iter().map(|s| s.as_str().to_owned()).collect(),
                credentials_sent: credentials.is_some(),
            }),
            ConnectOutcome::Rejected { status, reason } => Err(Error::ConnectRejected {
                proxy: proxy.to_string(),
                target: target.authority().to_string(),
                status,
                reason: reason.as_str().to_owned(),
            }),
        };
    }
}
