//! [`RequestBuilder`]: method, URL, headers and body of one request, sent with
//! [`RequestBuilder::send`].

use ureq_proto::http::{Method, Request, header};

use std::time::Duration;

use super::{Body, Client, RequestLimits, Response};
use crate::{Error, HttpError};

/// A request being put together; [`send`](Self::send) routes and sends it.
#[must_use = "a request does nothing until sent"]
pub struct RequestBuilder {
    client: Client,
    builder: ureq_proto::http::request::Builder,
    url: String,
    query: String,
    body: Body,
    limits: RequestLimits,
}

/// `text` as `application/x-www-form-urlencoded` (also right for query strings).
fn form_urlencoded(text: &str) -> impl Iterator<Item = &str> {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED)
}

/// `url` with `query` appended to its query string (before any fragment).
fn with_query(url: &str, query: &str) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let (base, fragment) = url
        .split_once('#')
        .map_or((url, None), |(b, f)| (b, Some(f)));
    let separator = if base.contains('?') { '&' } else { '?' };
    match fragment {
        Some(fragment) => format!("{base}{separator}{query}#{fragment}"),
        None => format!("{base}{separator}{query}"),
    }
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, url: &str) -> Self {
        Self {
            limits: client.limits(),
            client,
            builder: Request::builder().method(method),
            url: url.to_owned(),
            query: String::new(),
            body: Body::Empty,
        }
    }

    /// Adds a header (several with the same name are all sent).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// This request's own whole-request limit, instead of the client's
    /// ([`ClientBuilder::timeout`](super::ClientBuilder::timeout); `None`: no limit).
    pub fn timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.limits.whole = limit.into();
        self
    }

    /// This request's own limit between two body reads, instead of the client's
    /// ([`ClientBuilder::read_timeout`](super::ClientBuilder::read_timeout)).
    pub fn read_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.limits.read = limit.into();
        self
    }

    /// Adds a query parameter, percent-encoded (after any query the URL already has).
    pub fn query(mut self, key: &str, value: &str) -> Self {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.extend(form_urlencoded(key));
        self.query.push('=');
        self.query.extend(form_urlencoded(value));
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from `pairs`.
    pub fn form<'p>(mut self, pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> Self {
        let mut encoded = String::new();
        for (key, value) in pairs {
            if !encoded.is_empty() {
                encoded.push('&');
            }
            encoded.extend(form_urlencoded(key));
            encoded.push('=');
            encoded.extend(form_urlencoded(value));
        }
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.body = Body::Bytes(encoded.into_bytes());
        self
    }

    /// `Authorization: Basic` for the target (never sent to a proxy: proxy credentials go
    /// in the proxy URL). `Debug` of the builder never shows it.
    pub fn basic_auth(self, user: &str, password: Option<&str>) -> Self {
        use base64::Engine as _;
        let pair = format!("{user}:{}", password.unwrap_or(""));
        let token = base64::engine::general_purpose::STANDARD.encode(pair);
        self.header("authorization", &format!("Basic {token}"))
    }

    /// `Authorization: Bearer` for the target.
    pub fn bearer_auth(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// A JSON body from `value`, with `Content-Type: application/json` (feature `json`).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| HttpError::InvalidRequest {
            message: format!("the JSON body cannot be serialized: {e}"),
        })?;
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/json");
        self.body = Body::Bytes(bytes);
        Ok(self)
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
        let url = with_query(&self.url, &self.query);
        let mut request =
            self.builder
                .uri(url)
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
        Box::pin(self.client.execute(request, self.body, self.limits)).await
    }
}

/// Shows the method only: URLs and headers may hold credentials.
impl std::fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.builder.method_ref())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_encoded_and_appended_before_the_fragment() {
        let encoded: String = form_urlencoded("a b&c=d/é").collect();
        assert_eq!(encoded, "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(with_query("http://h/p", "x=1"), "http://h/p?x=1");
        assert_eq!(with_query("http://h/p?a=b", "x=1"), "http://h/p?a=b&x=1");
        assert_eq!(with_query("http://h/p#top", "x=1"), "http://h/p?x=1#top");
        assert_eq!(with_query("http://h/p", ""), "http://h/p");
    }
}
