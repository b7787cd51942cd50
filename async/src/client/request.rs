//! [`RequestBuilder`]: method, URL, headers and body of one request, sent with
//! [`RequestBuilder::send`].

use ureq_proto::http::{Method, Request, header};

use super::{Body, Client, Response};
use crate::{Error, HttpError};

/// A request being put together; [`send`](Self::send) routes and sends it.
#[derive(Debug)]
#[must_use = "a request does nothing until sent"]
pub struct RequestBuilder {
    client: Client,
    builder: ureq_proto::http::request::Builder,
    body: Body,
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, url: &str) -> Self {
        Self {
            client,
            builder: Request::builder().method(method).uri(url),
            body: Body::Empty,
        }
    }

    /// Adds a header (several with the same name are all sent).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// Routes the request, sends it and waits for the response head. The response body is
    /// read from [`Response::body_mut`]; the connection returns to the pool only once that
    /// body was read to its end.
    ///
    /// Cancellation: dropping this future at any point closes the connection it was using;
    /// nothing half-done is ever pooled.
    pub async fn send(self) -> Result<Response, Error> {
        let mut request = self
            .builder
            .body(())
            .map_err(|e| HttpError::InvalidRequest {
                message: e.to_string(),
            })?;
        if let Some(agent) = self.client.connector().settings().shared.user_agent() {
            if !request.headers().contains_key(header::USER_AGENT) {
                let value = header::HeaderValue::from_str(agent).map_err(|e| {
                    HttpError::InvalidRequest {
                        message: format!("User-Agent: {e}"),
                    }
                })?;
                request.headers_mut().insert(header::USER_AGENT, value);
            }
        }
        Box::pin(self.client.execute(request, self.body)).await
    }
}
