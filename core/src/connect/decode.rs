//! The CONNECT response decoder: a machine fed the proxy's bytes in chunks of any size.
//!
//! Bytes are copied into the decoder's [`HeadBuffer`] (a fixed 16 KiB array, the header-block
//! limit, or a vector growing up to it) and searched for the empty line that ends a head only
//! from where the previous search stopped (two bytes back, for a line ending split across
//! chunks), so each byte is looked at a bounded number of times and `httparse` runs once per
//! complete head plus once on the first line: a proxy trickling one byte at a time costs
//! linear work, and can never grow memory past the limit.

use super::challenge::collect_schemes;
use super::error::{ConnectError, MalformedPart};
use super::explanation::Explanation;
use super::outcome::{AuthSchemes, ConnectOutcome, ConnectStatus, Reason};
use super::storage::HeadBuffer;

/// The largest response head (status line and headers, with line endings) accepted.
pub const MAX_HEAD_LEN: usize = 16 * 1024;
/// The most headers a response head may have.
pub const MAX_HEADERS: usize = 64;
/// The most interim (1xx) responses skipped before the final one.
pub const MAX_INTERIM_RESPONSES: usize = 4;

/// Every response head starts with this; checked byte by byte as bytes arrive, so a peer that
/// is not an HTTP proxy is caught at once rather than after 16 KiB or a timeout.
const PREFIX: &[u8] = b"HTTP/1.";

#[cfg(test)]
std::thread_local! {
    /// How many times httparse ran on this thread; lets tests prove re-parsing is bounded.
    pub(super) static HTTPARSE_RUNS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

fn note_httparse_run() {
    #[cfg(test)]
    HTTPARSE_RUNS.with(|runs| runs.set(runs.get() + 1));
}

#[derive(Clone, Copy, Debug)]
enum State {
    Reading,
    Finished,
    Failed(ConnectError),
}

/// A final head's classification, before the leftover slice is attached.
// The refusal's explanation is held inline: the decoder allocates nothing, and a head is
// decided once per handshake.
#[allow(clippy::large_enum_variant)]
enum Head {
    Interim,
    Established(u16),
    AuthRequired(u16, AuthSchemes),
    Rejected(u16, Reason, Explanation),
}

/// Decodes a proxy's response to CONNECT.
///
/// Call order: after writing the request, feed every byte read from the proxy to
/// [`ConnectResponse::handle_bytes`] until it returns [`ConnectStatus::Done`] or an error; on
/// end of stream call [`ConnectResponse::handle_eof`]. On `Done`, the caller MUST stop feeding:
/// the rest of the connection (starting with `leftover`) belongs to the tunnel. After an error
/// the machine stays failed and returns the same error.
///
/// `B` is where the head's bytes are kept until its end arrives. The default,
/// [`ConnectResponse::new`], holds a 16 KiB array inline (about 16.5 KiB in all): the limit
/// is a protocol constant, so a fixed array keeps memory bounded by construction without any
/// allocation; a frontend that minds its stack can box it. With the `alloc` feature,
/// [`ConnectResponse::growing`] keeps them in a vector that grows only as far as the bytes
/// that arrive (one 256-byte allocation for a usual answer), never past the same limit:
/// for frontends holding many handshakes at once. Both decode every input identically.
#[derive(Clone)]
pub struct ConnectResponse<B: HeadBuffer = [u8; MAX_HEAD_LEN]> {
    buf: B,
    /// Bytes of the current head held in `buf`.
    len: usize,
    /// Bytes of `buf` already searched for the empty line.
    scanned: usize,
    /// Whether a line feed has been seen in the current head (the status line is complete).
    saw_lf: bool,
    /// Whether the first line of the current head has been checked with httparse.
    status_line_checked: bool,
    /// Offset in the whole response stream where the current head starts.
    head_offset: usize,
    interim: usize,
    /// End of the final head in `buf` and bytes of the last input it took (once `Done`).
    final_end: usize,
    consumed: usize,
    state: State,
}

impl Default for ConnectResponse {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: HeadBuffer> core::fmt::Debug for ConnectResponse<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectResponse")
            .field("buffered", &self.len)
            .field("head_offset", &self.head_offset)
            .field("interim", &self.interim)
            .field("state", &self.state)
            .finish()
    }
}

impl ConnectResponse {
    /// A decoder waiting for the first byte of the response, its buffer inline; it never
    /// allocates.
    pub const fn new() -> Self {
        Self::with_buffer([0; MAX_HEAD_LEN])
    }
}

#[cfg(feature = "alloc")]
impl ConnectResponse<alloc::vec::Vec<u8>> {
    /// A decoder waiting for the first byte of the response, whose buffer grows with what
    /// arrives, up to [`MAX_HEAD_LEN`]; nothing is allocated before the first byte.
    pub const fn growing() -> Self {
        Self::with_buffer(alloc::vec::Vec::new())
    }

    /// Bytes the buffer has allocated, for the checks of its growth.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }
}

impl<B: HeadBuffer> ConnectResponse<B> {
    const fn with_buffer(buf: B) -> Self {
        Self {
            buf,
            len: 0,
            scanned: 0,
            saw_lf: false,
            status_line_checked: false,
            head_offset: 0,
            interim: 0,
            final_end: 0,
            consumed: 0,
            state: State::Reading,
        }
    }

    /// Makes this decoder ready for a new response, as a new one would be, without clearing
    /// or freeing its buffer (only bytes written since are ever read), so a frontend can
    /// reuse one decoder per connection cheaply.
    pub fn reset(&mut self) {
        self.len = 0;
        self.scanned = 0;
        self.saw_lf = false;
        self.status_line_checked = false;
        self.head_offset = 0;
        self.interim = 0;
        self.final_end = 0;
        self.consumed = 0;
        self.state = State::Reading;
    }

    /// The final response head (status line and headers) once the outcome is `Done`, e.g.
    /// to read a 407's challenges and body framing; empty before.
    pub fn final_head(&self) -> &[u8] {
        match self.state {
            State::Finished => self.buf.held(self.final_end),
            _ => &[],
        }
    }

    /// How many bytes of the last input belonged to response heads; after a non-2xx outcome
    /// the rest is that response's body.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// Whether a final outcome has been returned.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// Feeds the next bytes read from the proxy.
    ///
    /// Returns [`ConnectStatus::NeedMore`] when the head is incomplete (all of `input` was
    /// taken), or [`ConnectStatus::Done`] with the outcome; for a 2xx, the input bytes after
    /// the head are returned as `leftover`.
    pub fn handle_bytes<'i>(&mut self, input: &'i [u8]) -> Result<ConnectStatus<'i>, ConnectError> {
        match self.state {
            State::Reading => {}
            State::Finished => return Err(ConnectError::AlreadyFinished),
            State::Failed(error) => return Err(error),
        }
        let result = self.advance(input);
        match result {
            Ok(ConnectStatus::NeedMore) => {}
            Ok(ConnectStatus::Done(_)) => self.state = State::Finished,
            Err(error) => self.state = State::Failed(error),
        }
        result
    }

    /// Reports that the proxy closed the connection. An error unless the outcome was final.
    pub fn handle_eof(&mut self) -> Result<(), ConnectError> {
        match self.state {
            State::Finished => Ok(()),
            State::Failed(error) => Err(error),
            State::Reading => {
                let error = ConnectError::ClosedEarly {
                    received: self.head_offset + self.len,
                };
                self.state = State::Failed(error);
                Err(error)
            }
        }
    }

    fn advance<'i>(&mut self, input: &'i [u8]) -> Result<ConnectStatus<'i>, ConnectError> {
        let mut pos = 0;
        loop {
            let old_len = self.len;
            self.len += self.buf.append(old_len, &input[pos..]);
            self.check_prefix(old_len)?;
            let Some(end) = self.find_head_end() else {
                self.check_status_line()?;
                if self.len == MAX_HEAD_LEN {
                    return Err(ConnectError::HeaderBlockTooLarge {
                        limit: MAX_HEAD_LEN,
                    });
                }
                return Ok(ConnectStatus::NeedMore);
            };
            // An empty line found now ends in the bytes just added (an earlier one would have
            // been found by an earlier call), so `end > old_len`.
            pos += end - old_len;
            self.final_end = end;
            self.consumed = pos;
            let outcome = match self.parse_head(end)? {
                Head::Interim => {
                    self.interim += 1;
                    if self.interim > MAX_INTERIM_RESPONSES {
                        return Err(ConnectError::TooManyInterimResponses {
                            limit: MAX_INTERIM_RESPONSES,
                        });
                    }
                    self.head_offset += end;
                    self.len = 0;
                    self.scanned = 0;
                    self.saw_lf = false;
                    self.status_line_checked = false;
                    continue;
                }
                Head::Established(status) => ConnectOutcome::Established {
                    status,
                    leftover: &input[pos..],
                },
                Head::AuthRequired(status, schemes) => {
                    ConnectOutcome::AuthRequired { status, schemes }
                }
                Head::Rejected(status, reason, explanation) => ConnectOutcome::Rejected {
                    status,
                    reason,
                    explanation,
                    body: &input[pos..],
                },
            };
            return Ok(ConnectStatus::Done(outcome));
        }
    }

    fn check_prefix(&self, from: usize) -> Result<(), ConnectError> {
        let held = self.buf.held(self.len);
        let upto = self.len.min(PREFIX.len());
        match (from..upto).find(|&i| held[i] != PREFIX[i]) {
            // A TLS record's content type: alert (21) or handshake (22), then version 3.x.
            Some(0) if self.head_offset == 0 && matches!(held[0], 0x15 | 0x16) => {
                Err(ConnectError::TlsAnswer)
            }
            Some(i) => Err(ConnectError::NotHttp {
                offset: self.head_offset + i,
            }),
            None => Ok(()),
        }
    }

    /// The end of the first empty line (`\n\n` or `\n\r\n`, so CRLF and bare-LF heads alike)
    /// in the buffered head, searching only bytes not searched before.
    fn find_head_end(&mut self) -> Option<usize> {
        let buf = self.buf.held(self.len);
        let start = self.scanned.saturating_sub(2);
        // Only the last two bytes can be the start of an undecided line ending.
        self.scanned = self.len;
        let mut i = start;
        while let Some(offset) = buf[i..].iter().position(|&b| b == b'\n') {
            let lf = i + offset;
            self.saw_lf = true;
            match (buf.get(lf + 1), buf.get(lf + 2)) {
                (Some(b'\n'), _) => return Some(lf + 2),
                (Some(b'\r'), Some(b'\n')) => return Some(lf + 3),
                _ => i = lf + 1,
            }
        }
        None
    }

    /// Checks the status line as soon as it is complete, so a bad one fails fast.
    fn check_status_line(&mut self) -> Result<(), ConnectError> {
        if self.status_line_checked || !self.saw_lf {
            return Ok(());
        }
        self.status_line_checked = true;
        note_httparse_run();
        // Only the status line, up to its LF: it is complete whichever chunk brought the LF,
        // so the verdict cannot depend on how the response was split. Header lines after
        // it may still be partial; they are judged when the head is complete.
        let held = self.buf.held(self.len);
        let line_end = held
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.len, |lf| lf + 1);
        let mut headers = [httparse::EMPTY_HEADER; 1];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&held[..line_end]) {
            Ok(_) => Ok(()),
            // The first line is fine; the error is about headers, which will be judged when
            // the head is complete (with the full header array).
            Err(httparse::Error::TooManyHeaders) => Ok(()),
            Err(error) => Err(self.malformed(MalformedPart::from_httparse(error))),
        }
    }

    fn parse_head(&self, end: usize) -> Result<Head, ConnectError> {
        note_httparse_run();
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(self.buf.held(end)) {
            Ok(httparse::Status::Complete(n)) if n == end => {}
            // The buffer ends with the first empty line and starts with "HTTP/1.", so httparse
            // agreeing on anything else means a line ending it does not accept.
            Ok(_) => return Err(self.malformed(MalformedPart::LineEnding)),
            Err(httparse::Error::TooManyHeaders) => {
                return Err(ConnectError::TooManyHeaders { limit: MAX_HEADERS });
            }
            Err(error) => return Err(self.malformed(MalformedPart::from_httparse(error))),
        }
        let status = match response.code {
            Some(code @ 100..) => code,
            _ => return Err(self.malformed(MalformedPart::Status)),
        };
        let challenge_header = match status {
            // 101 switches protocols, which makes no sense for CONNECT: not a tunnel.
            101 => {
                return Ok(Head::Rejected(
                    status,
                    Reason::new(response.reason.unwrap_or("")),
                    explain(response.headers),
                ));
            }
            100..=199 => return Ok(Head::Interim),
            200..=299 => return Ok(Head::Established(status)),
            407 => "proxy-authenticate",
            // tinyproxy (1.11) answers CONNECT with 401 and WWW-Authenticate.
            401 => "www-authenticate",
            _ => {
                return Ok(Head::Rejected(
                    status,
                    Reason::new(response.reason.unwrap_or("")),
                    explain(response.headers),
                ));
            }
        };
        let mut schemes = AuthSchemes::EMPTY;
        for header in response.headers.iter() {
            if header.name.eq_ignore_ascii_case(challenge_header) {
                collect_schemes(header.value, &mut schemes);
            }
        }
        Ok(Head::AuthRequired(status, schemes))
    }

    fn malformed(&self, part: MalformedPart) -> ConnectError {
        ConnectError::Malformed {
            head_offset: self.head_offset,
            part,
        }
    }
}

/// The explanation headers of a refusal.
fn explain(headers: &[httparse::Header<'_>]) -> Explanation {
    let mut explanation = Explanation::default();
    for header in headers {
        explanation.note(header.name, header.value);
    }
    explanation
}
