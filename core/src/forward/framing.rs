//! Request body framing (RFC 9112 §6 and §7.1): where a request's body ends, so the next
//! request head on a keep-alive connection is found exactly and body bytes are never
//! mistaken for a head.
//!
//! The tracker only looks at body bytes; it never changes or buffers them. A chunked body
//! is followed through its size lines (with extensions), data, delimiters and trailer
//! section one state at a time, so input split anywhere gives the same result.
//!
//! ```text
//!  Size --digit--> Size --";"/SP--> Ext --CR--> SizeLf --LF--> Data(n) ... DataCr DataLf -> Size
//!                                                 |  (size 0)
//!                                                 v
//!                      TrailerStart --field--> Trailer --CR--> TrailerLf --LF--> TrailerStart
//!                           |
//!                           +--CR--> EndLf --LF--> done
//! ```

use super::ForwardError;

/// How a request's body is delimited, decided from its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length: n` (0 or no framing header: no body).
    Length(u64),
    /// `Transfer-Encoding: ..., chunked`.
    Chunked,
}

/// Progress through one request body.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Body {
    /// Bytes left in a `Content-Length` body.
    Length(u64),
    /// Position in a chunked body.
    Chunked(Chunked),
}

impl Body {
    /// The tracker for a body framed as `framing`, or `None` when there is no body.
    pub(crate) fn start(framing: Framing) -> Option<Self> {
        match framing {
            Framing::Length(0) => None,
            Framing::Length(n) => Some(Self::Length(n)),
            Framing::Chunked => Some(Self::Chunked(Chunked::new())),
        }
    }

    /// Looks at `bytes`, the next bytes of the stream; returns how many of them belong to
    /// this body and whether the body ends with the last of those.
    pub(crate) fn scan(&mut self, bytes: &[u8]) -> Result<(usize, bool), ForwardError> {
        match self {
            Self::Length(remaining) => {
                let take = usize::try_from(*remaining).map_or(bytes.len(), |r| r.min(bytes.len()));
                // `take` fits in u64: it is at most `remaining`.
                *remaining -= take as u64;
                Ok((take, *remaining == 0))
            }
            Self::Chunked(chunked) => chunked.scan(bytes),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// In the chunk-size digits; `digits` says whether one was seen yet.
    Size { digits: bool },
    /// Whitespace after the size, which must lead to `;`.
    SizeSpace,
    /// In the chunk extensions, up to CR.
    Ext,
    /// After the CR that ends a size line.
    SizeLf,
    /// In chunk data; the count is in `Chunked::size`.
    Data,
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// At the start of a trailer line (or the final CRLF).
    TrailerStart,
    /// In a trailer field line, up to CR.
    Trailer,
    /// After the CR that ends a trailer field line.
    TrailerLf,
    /// After the CR of the final empty line.
    EndLf,
}

/// State of a chunked body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunked {
    state: State,
    /// The chunk size being read, then the data bytes left in the current chunk.
    size: u64,
    /// Body bytes seen so far, for error offsets.
    offset: u64,
}

/// Bytes allowed in chunk extensions and trailer fields: HTAB, visible ASCII, space and
/// obs-text; never NUL, CR, LF or other controls.
fn is_field_byte(b: u8) -> bool {
    b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80
}

impl Chunked {
    fn new() -> Self {
        Self {
            state: State::Size { digits: false },
            size: 0,
            offset: 0,
        }
    }

    fn scan(&mut self, bytes: &[u8]) -> Result<(usize, bool), ForwardError> {
        let mut at = 0;
        while at < bytes.len() {
            if self.state == State::Data {
                // Data bytes are taken in bulk: this is where nearly all body bytes go.
                let left = bytes.len() - at;
                let take = usize::try_from(self.size).map_or(left, |s| s.min(left));
                self.size -= take as u64;
                self.offset += take as u64;
                at += take;
                if self.size == 0 {
                    self.state = State::DataCr;
                }
                continue;
            }
            let done = self.step(bytes[at])?;
            self.offset += 1;
            at += 1;
            if done {
                return Ok((at, true));
            }
        }
        Ok((at, false))
    }

    /// Advances over one framing byte; returns whether the body ended with it.
    fn step(&mut self, b: u8) -> Result<bool, ForwardError> {
        let malformed = ForwardError::MalformedChunkedBody {
            offset: self.offset,
        };
        self.state = match (self.state, b) {
            (State::Size { .. }, _) if b.is_ascii_hexdigit() => {
                let digit = u64::from((b as char).to_digit(16).unwrap_or(0));
                self.size = self
                    .size
                    .checked_mul(16)
                    .and_then(|s| s.checked_add(digit))
                    .ok_or(ForwardError::ChunkSizeOverflow {
                        offset: self.offset,
                    })?;
                State::Size { digits: true }
            }
            (State::Size { digits: true }, b';') | (State::SizeSpace, b';') => State::Ext,
            (State::Size { digits: true }, b' ' | b'\t') | (State::SizeSpace, b' ' | b'\t') => {
                State::SizeSpace
            }
            (State::Size { digits: true } | State::Ext, b'\r') => State::SizeLf,
            (State::Ext, _) if is_field_byte(b) => State::Ext,
            (State::SizeLf, b'\n') if self.size == 0 => State::TrailerStart,
            (State::SizeLf, b'\n') => State::Data,
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataLf, b'\n') => State::Size { digits: false },
            (State::TrailerStart, b'\r') => State::EndLf,
            (State::TrailerStart | State::Trailer, _) if is_field_byte(b) => State::Trailer,
            (State::Trailer, b'\r') => State::TrailerLf,
            (State::TrailerLf, b'\n') => State::TrailerStart,
            (State::EndLf, b'\n') => return Ok(true),
            _ => return Err(malformed),
        };
        Ok(false)
    }
}
