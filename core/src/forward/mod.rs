//! Forward-proxy request rewriting: turns the request stream an HTTP/1.1 client writes for
//! an origin into the stream a forward proxy expects (`Route::Forward`, `http://` targets).
//!
//! The client engine (ureq-proto) writes origin-form request lines, `GET /p?q HTTP/1.1`.
//! A proxy needs absolute form, `GET http://host:port/p?q HTTP/1.1` (port left out when it
//! is the scheme's default, IPv6 hosts in brackets), and `Proxy-Authorization` on every
//! request. [`ForwardRewriter`] sits between the engine and the proxy socket, one per
//! connection (one connection = one target), and rewrites exactly that:
//!
//! - **Request target.** Origin form (`/...`) gets the `scheme://host[:port]` prefix.
//!   `OPTIONS *` becomes `OPTIONS http://host[:port]` (RFC 9112 §3.2.4). A target already
//!   in absolute form (`http://` or `https://`, any case) passes unchanged: the caller chose
//!   that URL. Authority form (CONNECT) and anything else is an error: CONNECT belongs to
//!   the tunnel, not here.
//! - **`Proxy-Authorization`.** With credentials, `Proxy-Authorization: Basic <token>` is
//!   added as the *last* header field, just before the blank line that ends the head, so
//!   the caller's fields keep their order. If the head already has a `Proxy-Authorization`
//!   field, the caller's is kept and none is added (never two).
//! - **Proxy headers.** Lines given with [`ForwardRewriter::with_proxy_headers`] (validated
//!   by [`ProxyHeaderLines`]) follow, on every request, just before the blank line.
//! - **Everything else** (other fields, their order and spelling, the version, every body
//!   byte) passes byte for byte. Nothing is stripped.
//!
//! To find each next request on a keep-alive connection, the rewriter follows request
//! framing itself (RFC 9112 §6): `Content-Length`, `Transfer-Encoding: chunked` with chunk
//! extensions and trailers, or no body. Ambiguous framing (`Content-Length` with
//! `Transfer-Encoding`, differing lengths, a `Transfer-Encoding` not ending in `chunked`)
//! is an error rather than a guess, because a guess that differs from the proxy's is
//! request smuggling.
//!
//! Memory is bounded: a head is collected in a fixed buffer of `N` bytes
//! ([`HEAD_CAPACITY`] by default) and a longer head is an error; body bytes stream through
//! without being buffered. Nothing allocates, nothing does I/O.
//!
//! ```text
//!              head bytes (buffered)       CRLF CRLF: parse, plan
//!   +------> Head -----------------------------------> Emit (rewritten head -> output,
//!   |                                                   |    as much as fits per call)
//!   |        no body / Content-Length: 0                |
//!   +---------------------------------------------------+
//!   |                                                   | Content-Length n / chunked
//!   +------------ body ends ------- Body <--------------+    (bytes copied unchanged)
//!
//!   any error except EmptyOutput --> Failed (every later call returns the same error)
//! ```
//!
//! ```
//! use egress_core::forward::ForwardRewriter;
//! use egress_core::{Credentials, Scheme, Target};
//!
//! let target = Target::from_url_parts(Scheme::Http, "example.com", Some(8080))?;
//! let creds = Credentials::from_encoded("user", "pass");
//! let mut rewriter = ForwardRewriter::new(&target, Some(creds))?;
//!
//! let stream = b"POST /p?q HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 5\r\n\r\nhello\
//!                GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n";
//! let mut sent = Vec::new(); // stands in for the proxy socket
//! let mut input = &stream[..];
//! let mut out = [0u8; 64]; // any non-empty size works
//! while !input.is_empty() || rewriter.has_pending_output() {
//!     let progress = rewriter.rewrite(input, &mut out)?;
//!     sent.extend_from_slice(&out[..progress.written]);
//!     input = &input[progress.consumed..];
//! }
//! assert!(rewriter.is_idle());
//! assert_eq!(
//!     sent,
//!     b"POST http://example.com:8080/p?q HTTP/1.1\r\nHost: example.com:8080\r\n\
//!       Content-Length: 5\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\nhello\
//!       GET http://example.com:8080/ HTTP/1.1\r\nHost: example.com:8080\r\n\
//!       Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "alloc")]
mod authenticating;
mod error;
mod framing;
mod head;
mod render;
#[cfg(test)]
mod tests;

#[cfg(feature = "alloc")]
pub use authenticating::{AuthenticatingRewriter, ForwardAuthReport, REPLAY_LIMIT, Received};
pub use error::{ForwardError, HeadPart, TargetForm};
pub use head::MAX_HEADERS;

use framing::Body;
use head::{HeadBuffer, Plan};
use render::{AUTH_CAPACITY, Fixed, MAX_PROXY_HEADER_BYTES, PREFIX_CAPACITY};

use crate::proxy_headers::ProxyHeaderLines;
use crate::{Credentials, Target};

/// Default size of the head buffer: the longest request head the rewriter accepts.
pub const HEAD_CAPACITY: usize = 16 * 1024;

/// What one [`ForwardRewriter::rewrite`] call did.
#[must_use]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes taken from the front of `input`; pass the rest in the next call.
    pub consumed: usize,
    /// Bytes written to the front of `output`; send them to the proxy, in order.
    pub written: usize,
}

enum Phase {
    /// Collecting a head.
    Head,
    /// Writing out the rewritten head: `segment` of [`ForwardRewriter::segment`], `offset`
    /// bytes into it.
    Emit {
        plan: Plan,
        segment: usize,
        offset: usize,
    },
    /// A head is complete and waits for [`ForwardRewriter::authorize`] (rewriters made
    /// with [`ForwardRewriter::asking_authorization`] only).
    Authorize(Plan),
    /// Passing a body through.
    Body(Body),
    /// A fatal error happened; the stream position is lost.
    Failed(ForwardError),
}

/// Rewrites a client's HTTP/1.x request stream for a forward proxy; see the
/// [module docs](self) for what changes and what does not.
///
/// `N` is the head buffer size ([`HEAD_CAPACITY`] unless built with
/// [`ForwardRewriter::with_head_capacity`]). The value holds that buffer inline (about
/// `N` + 5.4 KiB); box it if it must move often.
///
/// # Call order
///
/// Call [`rewrite`](Self::rewrite) with the next bytes the client wrote and an output
/// buffer; send `output[..written]` to the proxy and drop `consumed` bytes from the input.
/// The caller MUST keep calling until all of its input is consumed *and*
/// [`has_pending_output`](Self::has_pending_output) is false, and MUST pass a non-empty
/// output buffer (any size makes progress; a few KiB makes few calls). Bytes of a head
/// that is not complete yet are held back (consumed, not written) until its final CRLF
/// arrives; a client always finishes a head before it waits for a response, so this never
/// stalls a request. [`is_idle`](Self::is_idle) tells when the stream is between requests.
pub struct ForwardRewriter<const N: usize = HEAD_CAPACITY> {
    head: HeadBuffer<N>,
    prefix: Fixed<PREFIX_CAPACITY>,
    auth: Option<Fixed<AUTH_CAPACITY>>,
    extra: Option<Fixed<MAX_PROXY_HEADER_BYTES>>,
    /// `Some` when every head's `Proxy-Authorization` is given per request: the line for
    /// the head being written (empty for none).
    per_request_auth: Option<alloc::vec::Vec<u8>>,
    phase: Phase,
    requests: u64,
}

/// The request line of a head waiting for [`ForwardRewriter::authorize`], as it will be
/// sent: what a `Proxy-Authorization` value that signs the request (Digest) covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLine<'h> {
    /// The method, `GET`.
    pub method: &'h str,
    /// The `scheme://host[:port]` put before the target, empty when the caller already
    /// wrote an absolute target.
    pub prefix: &'h str,
    /// The rest of the request target as sent: `/p?q`, empty for `OPTIONS *`.
    pub target: &'h str,
}

impl ForwardRewriter<HEAD_CAPACITY> {
    /// A rewriter for requests to `target`, adding `Proxy-Authorization: Basic` when
    /// `credentials` are given, with a head buffer of [`HEAD_CAPACITY`] bytes.
    ///
    /// Fails when the target renders to bytes not allowed in a request target or to more
    /// than 320 bytes, or when the credentials' header line exceeds 1 KiB.
    pub fn new(
        target: &Target<'_>,
        credentials: Option<Credentials<'_>>,
    ) -> Result<Self, ForwardError> {
        Self::with_head_capacity(target, credentials)
    }
}

impl<const N: usize> ForwardRewriter<N> {
    /// Like [`ForwardRewriter::new`], with a head buffer of `N` bytes.
    pub fn with_head_capacity(
        target: &Target<'_>,
        credentials: Option<Credentials<'_>>,
    ) -> Result<Self, ForwardError> {
        Ok(Self {
            head: HeadBuffer::new(),
            prefix: render::prefix(target)?,
            auth: credentials.as_ref().map(render::auth_line).transpose()?,
            extra: None,
            per_request_auth: None,
            phase: Phase::Head,
            requests: 0,
        })
    }

    /// Adds these header lines, for the proxy, to every request head, after
    /// `Proxy-Authorization` (replacing lines given before).
    #[must_use]
    pub fn with_proxy_headers(mut self, lines: ProxyHeaderLines<'_>) -> Self {
        self.extra = (!lines.is_empty()).then(|| render::extra_lines(lines));
        self
    }

    /// Stops at every complete head until [`authorize`](Self::authorize) gives its
    /// `Proxy-Authorization` value, instead of adding the same Basic line to every request:
    /// for schemes whose value changes per request (Digest's `nc`) or per round (NTLM).
    #[must_use]
    pub fn asking_authorization(mut self) -> Self {
        self.ask_authorization();
        self
    }

    /// [`asking_authorization`](Self::asking_authorization) in place, for a rewriter that
    /// is too big to move.
    pub fn ask_authorization(&mut self) {
        self.per_request_auth = Some(alloc::vec::Vec::new());
    }

    /// The request line of the head that waits for [`authorize`](Self::authorize), if one
    /// does; `rewrite` makes no progress until it is answered.
    pub fn awaiting_authorization(&self) -> Option<RequestLine<'_>> {
        let Phase::Authorize(plan) = &self.phase else {
            return None;
        };
        let head = self.head.bytes();
        // httparse accepted the method and target as visible ASCII, and the prefix is too.
        fn text(bytes: &[u8]) -> &str {
            core::str::from_utf8(bytes).unwrap_or("")
        }
        let target_end = plan.target_at + plan.target_len;
        Some(RequestLine {
            method: text(&head[..plan.target_at - 1]),
            prefix: if plan.prefix {
                text(self.prefix.as_bytes())
            } else {
                ""
            },
            target: text(&head[plan.target_at + plan.skip..target_end]),
        })
    }

    /// Answers [`awaiting_authorization`](Self::awaiting_authorization): `value` becomes
    /// this head's `Proxy-Authorization` (none when `None`, or when the caller's head has
    /// its own). A value with a control character is refused
    /// ([`ForwardError::InvalidAuthorization`]) and the rewriter stays waiting.
    pub fn authorize(&mut self, value: Option<&str>) -> Result<(), ForwardError> {
        let Phase::Authorize(plan) = self.phase else {
            return Ok(());
        };
        if value.is_some_and(|v| v.bytes().any(|b| b.is_ascii_control() && b != b'\t')) {
            return Err(ForwardError::InvalidAuthorization);
        }
        let line = self
            .per_request_auth
            .get_or_insert_with(alloc::vec::Vec::new);
        line.clear();
        if let Some(value) = value {
            line.extend_from_slice(b"Proxy-Authorization: ");
            line.extend_from_slice(value.as_bytes());
            line.extend_from_slice(b"\r\n");
        }
        self.phase = Phase::Emit {
            plan,
            segment: 0,
            offset: 0,
        };
        Ok(())
    }

    /// Takes bytes from `input`, writes rewritten bytes to `output`; see the type's call
    /// order. Stops when `input` is used up or `output` is full.
    ///
    /// Returns [`ForwardError::EmptyOutput`] (not fatal) when `output` is empty and nothing
    /// could be done; any other error is fatal and returned again by every later call.
    pub fn rewrite(&mut self, input: &[u8], output: &mut [u8]) -> Result<Progress, ForwardError> {
        let mut progress = Progress::default();
        if let Err(error) = self.run(input, output, &mut progress) {
            self.phase = Phase::Failed(error);
            return Err(error);
        }
        let stuck = progress == Progress::default()
            && (!input.is_empty() || self.has_pending_output())
            && !matches!(self.phase, Phase::Authorize(_));
        if stuck && output.is_empty() {
            return Err(ForwardError::EmptyOutput);
        }
        Ok(progress)
    }

    /// Whether part of a rewritten head is still waiting to be written; keep calling
    /// [`rewrite`](Self::rewrite) (with empty input if need be) until it is false.
    pub fn has_pending_output(&self) -> bool {
        matches!(self.phase, Phase::Emit { .. })
    }

    /// Whether the stream is between requests: no head bytes held, nothing pending, no body
    /// in progress. A connection may be reused or closed cleanly only then.
    pub fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Head) && self.head.is_empty()
    }

    /// How many request heads have been rewritten so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    fn run(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        progress: &mut Progress,
    ) -> Result<(), ForwardError> {
        loop {
            match &mut self.phase {
                Phase::Failed(error) => return Err(*error),
                Phase::Head => {
                    if progress.consumed == input.len() {
                        return Ok(());
                    }
                    let (used, complete) = self.head.push(&input[progress.consumed..])?;
                    progress.consumed += used;
                    if !complete {
                        return Ok(());
                    }
                    let plan = head::plan(self.head.bytes())?;
                    self.requests += 1;
                    if self.per_request_auth.is_some() {
                        self.phase = Phase::Authorize(plan);
                        return Ok(());
                    }
                    self.phase = Phase::Emit {
                        plan,
                        segment: 0,
                        offset: 0,
                    };
                }
                Phase::Authorize(_) => return Ok(()),
                Phase::Emit { .. } => {
                    if !self.emit(output, &mut progress.written) {
                        return Ok(());
                    }
                }
                Phase::Body(body) => {
                    let rest = &input[progress.consumed..];
                    let window = rest.len().min(output.len() - progress.written);
                    if window == 0 {
                        return Ok(());
                    }
                    let (n, done) = body.scan(&rest[..window])?;
                    output[progress.written..progress.written + n].copy_from_slice(&rest[..n]);
                    progress.consumed += n;
                    progress.written += n;
                    if done {
                        self.phase = Phase::Head;
                    }
                }
            }
        }
    }

    /// The rewritten head is six segments: head up to the target, the prefix, the rest of
    /// the head up to its final CRLF, the `Proxy-Authorization` line, the proxy header
    /// lines, the final CRLF.
    fn segment(&self, plan: &Plan, index: usize) -> &[u8] {
        let head = self.head.bytes();
        let end = head.len() - 2;
        match index {
            0 => &head[..plan.target_at],
            1 if plan.prefix => self.prefix.as_bytes(),
            2 => &head[plan.target_at + plan.skip..end],
            3 if plan.has_proxy_auth => &[],
            3 => match &self.per_request_auth {
                Some(line) => line,
                None => self.auth.as_ref().map_or(&[], |a| a.as_bytes()),
            },
            4 => self.extra.as_ref().map_or(&[], |e| e.as_bytes()),
            5 => &head[end..],
            _ => &[],
        }
    }

    /// Writes as much of the pending head as fits; returns whether all of it was written
    /// (and the phase moved on).
    fn emit(&mut self, output: &mut [u8], written: &mut usize) -> bool {
        let Phase::Emit {
            plan,
            mut segment,
            mut offset,
        } = self.phase
        else {
            return true;
        };
        while segment < 6 {
            let bytes = &self.segment(&plan, segment)[offset..];
            let n = bytes.len().min(output.len() - *written);
            output[*written..*written + n].copy_from_slice(&bytes[..n]);
            *written += n;
            if n < bytes.len() {
                self.phase = Phase::Emit {
                    plan,
                    segment,
                    offset: offset + n,
                };
                return false;
            }
            segment += 1;
            offset = 0;
        }
        self.head.clear();
        self.phase = Body::start(plan.framing).map_or(Phase::Head, Phase::Body);
        true
    }
}

impl<const N: usize> core::fmt::Debug for ForwardRewriter<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The auth line holds the credentials' token: never print it.
        f.debug_struct("ForwardRewriter")
            .field("head_capacity", &N)
            .field("buffered_head", &self.head.bytes().len())
            .field("has_credentials", &self.auth.is_some())
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}
