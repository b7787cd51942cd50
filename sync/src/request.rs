//! Requests as ureq builds them, with egress's [`Error`] on the way out: `call()` and the
//! `send*()` methods return `Result<_, egress_sync::Error>`, so `?` carries the typed error
//! (into `Box<dyn Error>` too, where it can be downcast) instead of ureq's wrapper.
//!
//! The common builder methods are mirrored; anything else is one [`Request::into_ureq`]
//! away (its errors convert with [`Error::from`]).

use std::fmt;

use ureq::http::header::{HeaderName, HeaderValue};
use ureq::http::{self, Response};
use ureq::typestate::{WithBody, WithoutBody};
use ureq::{AsSendBody, Body, RequestBuilder};

use crate::Error;

/// A request being built; see the module doc. `B` is ureq's typestate: `WithoutBody`
/// (GET, HEAD, DELETE, ...) or `WithBody` (POST, PUT, PATCH).
#[must_use = "a request does nothing until it is called or sent"]
pub struct Request<B> {
    inner: RequestBuilder<B>,
}

impl<B> Request<B> {
    pub(crate) fn new(inner: RequestBuilder<B>) -> Self {
        Self { inner }
    }

    /// Adds a header.
    pub fn header<K, V>(self, key: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        Self::new(self.inner.header(key, value))
    }

    /// Adds a query parameter (percent-encoded).
    pub fn query<K: AsRef<str>, V: AsRef<str>>(self, key: K, value: V) -> Self {
        Self::new(self.inner.query(key, value))
    }

    /// Adds query parameters (percent-encoded).
    pub fn query_pairs<I, K, V>(self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        Self::new(self.inner.query_pairs(pairs))
    }

    /// ureq's own builder, for what is not mirrored here (per-request configuration,
    /// extensions, ...).
    pub fn into_ureq(self) -> RequestBuilder<B> {
        self.inner
    }
}

impl Request<WithoutBody> {
    /// Sends the request.
    pub fn call(self) -> Result<Response<Body>, Error> {
        self.inner.call().map_err(Error::from)
    }

    /// Sends a body with a method that normally has none.
    pub fn force_send_body(self) -> Request<WithBody> {
        Request::new(self.inner.force_send_body())
    }
}

impl Request<WithBody> {
    /// Sets `Content-Type`.
    pub fn content_type<V>(self, content_type: V) -> Self
    where
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        Self::new(self.inner.content_type(content_type))
    }

    /// Sends the request with `data` as its body (bytes, a string, a file, a reader).
    pub fn send(self, data: impl AsSendBody) -> Result<Response<Body>, Error> {
        self.inner.send(data).map_err(Error::from)
    }

    /// Sends the request with an empty body.
    pub fn send_empty(self) -> Result<Response<Body>, Error> {
        self.inner.send_empty().map_err(Error::from)
    }

    /// Sends `pairs` as an `application/x-www-form-urlencoded` body.
    pub fn send_form<I, K, V>(self, pairs: I) -> Result<Response<Body>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.inner.send_form(pairs).map_err(Error::from)
    }
}

impl<B> fmt::Debug for Request<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.inner.method_ref())
            .finish_non_exhaustive()
    }
}
