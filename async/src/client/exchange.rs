//! Driving ureq-proto's client machine over a [`Connection`] up to the response head:
//!
//! ```text
//!   Prepare ─► SendRequest ─► [Await100 ─►] SendBody ─► RecvResponse ─► (RecvBody | Redirect | Cleanup)
//!   (headers)  (write head)   (not waited)   (stream)   (read head)       handed to the caller
//! ```
//!
//! ureq-proto writes origin-form requests; for a forward route the connection's rewriter
//! turns them into absolute form on the way out. `Expect: 100-continue` is not waited for:
//! the body follows the head at once, which servers must accept.

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use ureq_proto::client::state::{Prepare, RecvResponse};
use ureq_proto::client::{
    Await100Result, Call, RecvResponseResult, SendRequestResult, state::SendBody,
};
use ureq_proto::http::{Response, header};

use super::Body;
use super::input::Input;
use crate::{Connection, HttpError};

/// The largest output buffer: the longest request head line accepted, and the most body
/// bytes written at once.
pub(crate) const OUTPUT_SIZE: usize = 16 * 1024;

/// The smallest output buffer: room for a usual request head.
const MIN_OUTPUT: usize = 512;

/// Declares the body's framing on `call`, unless the caller set it.
pub(crate) fn frame_body(call: &mut Call<Prepare>, body: &Body) -> Result<(), HttpError> {
    let headers = call.headers();
    if headers.contains_key(header::CONTENT_LENGTH)
        || headers.contains_key(header::TRANSFER_ENCODING)
    {
        return Ok(());
    }
    let needs_body = matches!(call.method().as_str(), "POST" | "PUT" | "PATCH");
    let has_body = match body {
        Body::Empty => false,
        Body::Bytes(bytes) => !bytes.is_empty(),
        Body::Reader { .. } => true,
    };
    if has_body && !needs_body {
        call.force_send_body();
    }
    if let (Some(len), true) = (body.len(), has_body || needs_body) {
        call.header(header::CONTENT_LENGTH, len)?;
    }
    Ok(())
}

/// Sends the request in `call` with `body` over `connection`; the response head follows
/// with [`receive_head`].
pub(crate) async fn send_request(
    call: Call<Prepare>,
    body: &mut Body,
    connection: &mut Connection,
) -> Result<Call<RecvResponse>, HttpError> {
    // Sized to the head, so thousands of requests in flight do not each hold 16 KiB; the
    // head goes out in one write (one TLS record) whenever it fits the largest buffer.
    let mut out = vec![0u8; head_estimate(&call)];
    let mut call = call.proceed();
    let mut filled = 0;
    while !call.can_proceed() {
        match call.write(&mut out[filled..]) {
            Ok(n) => filled += n,
            // The next line does not fit the room left: grow, or send what is there.
            Err(ureq_proto::Error::OutputOverflow) if out.len() < OUTPUT_SIZE => {
                out.resize((out.len() * 2).min(OUTPUT_SIZE), 0);
            }
            Err(ureq_proto::Error::OutputOverflow) if filled > 0 => {
                connection.write_all(&out[..filled]).await?;
                filled = 0;
            }
            Err(error) => return Err(error.into()),
        }
    }
    connection.write_all(&out[..filled]).await?;
    let receive = match call.proceed()? {
        Some(SendRequestResult::RecvResponse(receive)) => receive,
        Some(SendRequestResult::SendBody(send)) => {
            send_body(send, body, connection, &mut out).await?
        }
        Some(SendRequestResult::Await100(wait)) => match wait.proceed()? {
            Await100Result::SendBody(send) => send_body(send, body, connection, &mut out).await?,
            Await100Result::RecvResponse(receive) => receive,
        },
        None => {
            return Err(HttpError::InvalidRequest {
                message: "request head incomplete".to_owned(),
            });
        }
    };
    connection.flush().await?;
    Ok(receive)
}

/// Bytes to allocate for the head of `call`: its request line and headers as given, plus
/// room for the few ureq-proto adds (`Host`, framing), within the buffer's bounds.
fn head_estimate(call: &Call<Prepare>) -> usize {
    const ADDED: usize = 128;
    let uri = call.uri();
    let path = uri.path_and_query().map_or(1, |path| path.as_str().len());
    let host = uri
        .authority()
        .map_or(0, |authority| authority.as_str().len());
    // `METHOD path HTTP/1.1\r\n` and `Host: authority\r\n`.
    let line = call.method().as_str().len() + path + 12 + host + 8;
    let headers: usize = call
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (line + headers + ADDED).clamp(MIN_OUTPUT, OUTPUT_SIZE)
}

/// Reads the response head. `answered` becomes true once any response byte arrived, so a
/// forward route can tell a proxy that never answered from a response cut short.
pub(crate) async fn receive_head(
    mut receive: Call<RecvResponse>,
    connection: &mut Connection,
    input: &mut Input,
    answered: &mut bool,
) -> Result<(Response<()>, RecvResponseResult), HttpError> {
    let response = loop {
        if !input.is_empty() {
            let (used, response) = receive.try_response(input.filled(), false)?;
            input.consume(used);
            if let Some(response) = response {
                break response;
            }
            if used > 0 {
                // An interim 1xx was skipped; the rest may already hold the final head.
                continue;
            }
        }
        if input.fill(connection).await? == 0 {
            return Err(HttpError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection before the response head was complete",
            )));
        }
        *answered = true;
    };
    let next = receive.proceed().ok_or_else(|| HttpError::InvalidRequest {
        message: "response head incomplete".to_owned(),
    })?;
    Ok((response, next))
}

/// Writes `body`; `out` is grown to what the body needs (its length plus chunk framing,
/// at most [`OUTPUT_SIZE`]).
async fn send_body(
    mut call: Call<SendBody>,
    body: &mut Body,
    connection: &mut Connection,
    out: &mut Vec<u8>,
) -> Result<Call<RecvResponse>, HttpError> {
    /// Chunk-size line and CRLFs of one chunk, and the last chunk.
    const FRAMING: usize = 32;
    let wanted = match body {
        Body::Empty => 0,
        Body::Bytes(bytes) => bytes.len() + FRAMING,
        Body::Reader { .. } => OUTPUT_SIZE,
    };
    if out.len() < wanted {
        out.resize(wanted.min(OUTPUT_SIZE), 0);
    }
    let out = &mut out[..];
    match body {
        Body::Empty => {}
        Body::Bytes(bytes) => {
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let (used, n) = call.write(rest, out)?;
                connection.write_all(&out[..n]).await?;
                rest = &rest[used..];
            }
        }
        Body::Reader { reader, .. } => {
            let mut chunk = vec![0u8; call.calculate_max_input(out.len())];
            loop {
                let got = reader.read(&mut chunk).await?;
                if got == 0 {
                    break;
                }
                let mut rest = &chunk[..got];
                while !rest.is_empty() {
                    let (used, n) = call.write(rest, out)?;
                    connection.write_all(&out[..n]).await?;
                    rest = &rest[used..];
                }
            }
        }
    }
    // An empty write ends a chunked body; for Content-Length it checks nothing is missing.
    let (_, n) = call.write(&[], out)?;
    connection.write_all(&out[..n]).await?;
    if !call.can_proceed() {
        return Err(HttpError::InvalidRequest {
            message: "the request body ended before its Content-Length".to_owned(),
        });
    }
    call.proceed().ok_or_else(|| HttpError::InvalidRequest {
        message: "request body incomplete".to_owned(),
    })
}
