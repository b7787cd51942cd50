//! Driving egress-core's CONNECT machine over a proxy stream: one write for the request,
//! then reads fed to the decoder until it decides, all within the handshake deadline.

use std::io::{self, Read, Write};

use egress_core::Target;
use egress_core::connect::{ConnectOutcome, ConnectRequest, ConnectResponse, ConnectStatus};
use egress_core::{Credentials, ProxyUrl};

use crate::Error;
use crate::transport::{Deadline, ProxyStream, is_timeout};

/// Read size while waiting for the proxy's answer.
const READ_CHUNK: usize = 4096;

/// The tunnel is open; `leftover` holds tunnel bytes that arrived with the answer.
#[derive(Debug)]
pub(crate) struct Established {
    pub(crate) leftover: Vec<u8>,
    pub(crate) status: u16,
}

/// Sends `CONNECT target` through `stream` and waits for the proxy's decision.
pub(crate) fn open_tunnel(
    stream: &mut ProxyStream,
    proxy: &ProxyUrl<'_>,
    target: &Target<'_>,
    user_agent: Option<&str>,
    deadline: Deadline,
) -> Result<Established, Error> {
    let credentials: Option<Credentials<'_>> = proxy.credentials();
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
    stream
        .set_timeouts(deadline.remaining()?)
        .map_err(io_error)?;
    // One write, so the request leaves in one segment (TCP_NODELAY is on).
    stream
        .write_all(&head[..written])
        .and_then(|()| stream.flush())
        .map_err(|e| {
            if is_timeout(&e) {
                deadline.expired()
            } else {
                io_error(e)
            }
        })?;

    let mut decoder = Box::new(ConnectResponse::new());
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
            let error = decoder.handle_eof().err();
            return Err(Error::ProxyProtocol {
                proxy: proxy.to_string(),
                error: error.unwrap_or(egress_core::connect::ConnectError::AlreadyFinished),
            });
        }
        let status = decoder
            .handle_bytes(&chunk[..n])
            .map_err(|error| Error::ProxyProtocol {
                proxy: proxy.to_string(),
                error,
            })?;
        let ConnectStatus::Done(outcome) = status else {
            continue;
        };
        return match outcome {
            ConnectOutcome::Established { status, leftover } => Ok(Established {
                leftover: leftover.to_vec(),
                status,
            }),
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
