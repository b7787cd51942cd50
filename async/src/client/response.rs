//! [`Response`] and its streamed [`ResponseBody`].
//!
//! The body is an `AsyncRead` over ureq-proto's body decoder (Content-Length, chunked or
//! close-delimited). Reading it to its end is what releases the connection: then, and only
//! then, it goes back to the pool, if ureq-proto allows keep-alive, no extra bytes followed
//! the body and the forward rewriter is idle. A body dropped before its end closes the
//! connection.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_io::AsyncRead;
use futures_util::io::AsyncReadExt;
use ureq_proto::BodyMode;
use ureq_proto::client::state::{RecvBody, Redirect};
use ureq_proto::client::{Call, RecvBodyResult};
use ureq_proto::http::{HeaderMap, StatusCode, Uri};

use super::ClientPool;
use super::body_timer::{BodyTimer, body_error};
use super::input::Input;
use crate::{Connection, Error, HttpError, RouteInfo};

/// Where a connection goes when its body has been read.
pub(crate) struct Release {
    pub(crate) pool: Arc<ClientPool>,
    pub(crate) key: egress_core::RouteKey,
}

struct Reading {
    call: Call<RecvBody>,
    connection: Connection,
    input: Input,
    release: Release,
    timer: BodyTimer,
}

enum State {
    Reading(Box<Reading>),
    Done,
}

/// The body of a [`Response`], read as a `futures-io`
/// [`AsyncRead`](https://docs.rs/futures-io/0.3/futures_io/trait.AsyncRead.html).
pub struct ResponseBody {
    state: State,
    /// Boxed: the state is some 500 bytes, needed only for a 3xx, and a response sits in
    /// every caller's future while its body is read.
    redirect: Option<Box<Call<Redirect>>>,
}

impl ResponseBody {
    pub(crate) fn reading(
        call: Call<RecvBody>,
        connection: Connection,
        input: Input,
        release: Release,
        timer: BodyTimer,
    ) -> Self {
        Self {
            state: State::Reading(Box::new(Reading {
                call,
                connection,
                input,
                release,
                timer,
            })),
            redirect: None,
        }
    }

    pub(crate) fn empty() -> Self {
        Self {
            state: State::Done,
            redirect: None,
        }
    }

    /// Marks a bodiless 3xx response as a redirect to follow.
    pub(crate) fn set_redirect(&mut self, redirect: Call<Redirect>) {
        self.redirect = Some(Box::new(redirect));
    }

    /// Whether the body has been read to its end.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The redirect state once the body of a 3xx response was read to its end.
    pub(crate) fn take_redirect(&mut self) -> Option<Call<Redirect>> {
        self.redirect.take().map(|redirect| *redirect)
    }

    /// Reads and discards the rest of the body.
    pub(crate) async fn drain(&mut self) -> io::Result<()> {
        let mut sink = vec![0u8; 8 * 1024];
        while self.read(&mut sink).await? > 0 {}
        Ok(())
    }

    /// The body ended: pool the connection if it may be reused, remember a redirect.
    fn finish(&mut self, clean_end: bool) {
        let State::Reading(reading) = std::mem::replace(&mut self.state, State::Done) else {
            return;
        };
        let Reading {
            call,
            mut connection,
            input,
            release,
            ..
        } = *reading;
        let must_close = match call.proceed() {
            Some(RecvBodyResult::Cleanup(cleanup)) => cleanup.must_close_connection(),
            Some(RecvBodyResult::Redirect(redirect)) => {
                let close = redirect.must_close_connection();
                self.redirect = Some(Box::new(redirect));
                close
            }
            None => true,
        };
        let reusable = clean_end && !must_close && input.is_empty() && connection.is_idle();
        if reusable && connection.is_still_open() {
            release.pool.put(release.key, connection, Instant::now());
        }
    }
}

impl AsyncRead for ResponseBody {
    /// Reads body bytes (chunked and content-length framing removed); 0 at the end.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            let State::Reading(reading) = &mut this.state else {
                return Poll::Ready(Ok(0));
            };
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if !reading.input.is_empty() {
                let (used, n) = reading
                    .call
                    .read(reading.input.filled(), buf)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                reading.input.consume(used);
                if n > 0 {
                    return Poll::Ready(Ok(n));
                }
                if used > 0 {
                    // Framing consumed (a chunk header): decode again before reading more.
                    continue;
                }
            }
            let close_delimited = reading.call.body_mode() == BodyMode::CloseDelimited;
            if reading.call.can_proceed() && !close_delimited {
                this.finish(true);
                return Poll::Ready(Ok(0));
            }
            let Reading {
                input,
                connection,
                timer,
                ..
            } = reading.as_mut();
            let filled = match input.poll_fill(connection, cx) {
                Poll::Ready(filled) => filled?,
                Poll::Pending => return timer.poll_expired(cx).map(Err),
            };
            timer.progress();
            if filled == 0 {
                if close_delimited {
                    // The close is the end of this body; the connection cannot be reused.
                    this.finish(false);
                    return Poll::Ready(Ok(0));
                }
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection before the response body was complete",
                )));
            }
        }
    }
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("done", &self.is_done())
            .finish()
    }
}

/// A response: status, headers and the body still to be read.
#[derive(Debug)]
pub struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) url: Uri,
    pub(crate) body: ResponseBody,
    pub(crate) route: RouteInfo,
}

impl Response {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The URL this response came from (after redirects).
    pub fn url(&self) -> &Uri {
        &self.url
    }

    /// The route the (last hop of the) request took: direct, forward or tunnel, the proxy
    /// (without credentials), and the `no_proxy` entry that matched, if one did.
    pub fn route(&self) -> &RouteInfo {
        &self.route
    }

    /// The `Content-Length` the server declared, if any.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }

    /// The response itself for a status below 400; an [`HttpError::Status`] otherwise (the
    /// body is dropped, and with it the connection).
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.status.is_client_error() || self.status.is_server_error() {
            return Err(Error::Http(HttpError::Status {
                status: self.status.as_u16(),
                url: crate::settings::shown_url(&self.url),
            }));
        }
        Ok(self)
    }

    /// Reads the whole body and parses it as JSON (feature `json`).
    #[cfg(feature = "json")]
    pub async fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, Error> {
        let bytes = self.bytes().await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Http(HttpError::Io(io::Error::new(io::ErrorKind::InvalidData, e))))
    }

    /// The body, to read as an `AsyncRead`.
    pub fn body_mut(&mut self) -> &mut ResponseBody {
        &mut self.body
    }

    /// The body, owned.
    pub fn into_body(self) -> ResponseBody {
        self.body
    }

    /// Reads the whole body into memory. There is no size limit: for a large or untrusted
    /// body read [`Response::body_mut`] (an `AsyncRead`) with a bound of your own.
    pub async fn bytes(&mut self) -> Result<Vec<u8>, Error> {
        let mut all = Vec::new();
        self.body.read_to_end(&mut all).await.map_err(body_error)?;
        Ok(all)
    }

    /// Reads the whole body as UTF-8 text.
    pub async fn text(&mut self) -> Result<String, Error> {
        let bytes = self.bytes().await?;
        String::from_utf8(bytes)
            .map_err(|e| Error::Http(HttpError::Io(io::Error::new(io::ErrorKind::InvalidData, e))))
    }
}
