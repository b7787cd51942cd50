//! The CONNECT request encoder.
//!
//! Renders the request head into a caller's buffer in one pass:
//!
//! ```text
//! CONNECT host:port HTTP/1.1\r\n
//! Host: host:port\r\n
//! Proxy-Authorization: Basic <base64(user:password)>\r\n   (with credentials)
//! User-Agent: <agent>\r\n                                 (with a user agent)
//! Name: value\r\n ...                                     (proxy headers, validated)
//! \r\n
//! ```
//!
//! Everything that goes into the head is validated first, because [`Host::Name`] can be built
//! from any `&str` and a user agent comes from configuration: a CR, LF, space or other
//! control byte there could end the request line early or inject a header. Validation errors
//! take precedence over [`ConnectEncodeError::BufferTooSmall`], so a caller never grows a
//! buffer for a request that can never be sent.

use core::fmt::{self, Write as _};

use super::error::ConnectEncodeError;
use crate::credentials::Credentials;
use crate::host::Host;
use crate::proxy_headers::ProxyHeaderLines;
use crate::target::Target;

/// A CONNECT request head to encode; built with [`ConnectRequest::new`] and the `with_*`
/// methods, then written with [`ConnectRequest::encode`].
///
/// `Debug` shows the target only: credentials are never printed.
#[derive(Clone, Copy)]
#[must_use]
pub struct ConnectRequest<'a> {
    target: Target<'a>,
    credentials: Option<Credentials<'a>>,
    authorization: Option<&'a str>,
    user_agent: Option<&'a str>,
    proxy_headers: ProxyHeaderLines<'a>,
}

impl fmt::Debug for ConnectRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("target", &self.target)
            .field("credentials", &self.credentials.map(|_| "***"))
            .field("authorization", &self.authorization.map(|_| "***"))
            .field("user_agent", &self.user_agent)
            .field("proxy_headers", &self.proxy_headers)
            .finish()
    }
}

impl<'a> ConnectRequest<'a> {
    /// A request to open a tunnel to `target`'s host and port (the scheme is not sent).
    pub fn new(target: &Target<'a>) -> Self {
        Self {
            target: *target,
            credentials: None,
            authorization: None,
            user_agent: None,
            proxy_headers: ProxyHeaderLines::EMPTY,
        }
    }

    /// Adds `Proxy-Authorization: Basic …` with these credentials.
    pub fn with_credentials(mut self, credentials: Credentials<'a>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Adds `Proxy-Authorization: <value>` with a complete value (`Digest …`, `NTLM …`),
    /// instead of the Basic one [`ConnectRequest::with_credentials`] would add.
    pub fn with_authorization(mut self, value: &'a str) -> Self {
        self.authorization = Some(value);
        self
    }

    /// Adds a `User-Agent` header with this value (validated when encoding).
    pub fn with_user_agent(mut self, user_agent: &'a str) -> Self {
        self.user_agent = Some(user_agent);
        self
    }

    /// Adds these header lines for the proxy after the others (already validated by
    /// [`ProxyHeaderLines`]).
    pub fn with_proxy_headers(mut self, lines: ProxyHeaderLines<'a>) -> Self {
        self.proxy_headers = lines;
        self
    }

    /// Checks that the target and header values can be sent, without encoding.
    pub fn validate(&self) -> Result<(), ConnectEncodeError> {
        validate_target(&self.target)?;
        if let Some(agent) = self.user_agent {
            validate_user_agent(agent)?;
        }
        if let Some(value) = self.authorization {
            if let Some(offset) = value
                .bytes()
                .position(|b| !(b.is_ascii_graphic() || b == b' '))
            {
                return Err(ConnectEncodeError::InvalidAuthorization { offset });
            }
        }
        Ok(())
    }

    /// The exact number of bytes [`ConnectRequest::encode`] writes for a valid request.
    pub fn encoded_len(&self) -> usize {
        let mut counter = Counter(0);
        // Counting cannot fail: Counter::write_str always succeeds.
        let _ = write!(counter, "{}", self.target.authority());
        let authority = counter.0;
        let mut len = "CONNECT ".len() + authority + " HTTP/1.1\r\n".len();
        len += "Host: ".len() + authority + "\r\n".len();
        if let Some(value) = self.authorization {
            len += "Proxy-Authorization: ".len() + value.len() + 2;
        } else if let Some(credentials) = &self.credentials {
            len += "Proxy-Authorization: Basic ".len() + credentials.basic_token_len() + 2;
        }
        if let Some(agent) = self.user_agent {
            len += "User-Agent: ".len() + agent.len() + 2;
        }
        len + self.proxy_headers.len() + 2
    }

    /// Validates the request and writes its head into `out`, returning the number of bytes
    /// written (always [`ConnectRequest::encoded_len`]).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ConnectEncodeError> {
        self.validate()?;
        let needed = self.encoded_len();
        if out.len() < needed {
            return Err(ConnectEncodeError::BufferTooSmall { needed });
        }
        let too_small = |_| ConnectEncodeError::BufferTooSmall { needed };
        let mut w = SliceWriter {
            out: &mut out[..needed],
            at: 0,
        };
        let authority = self.target.authority();
        write!(w, "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").map_err(too_small)?;
        if let Some(value) = self.authorization {
            write!(w, "Proxy-Authorization: {value}\r\n").map_err(too_small)?;
        } else if let Some(credentials) = &self.credentials {
            w.write_str("Proxy-Authorization: Basic ")
                .map_err(too_small)?;
            w.at += credentials.write_basic_token(&mut w.out[w.at..])?;
            w.write_str("\r\n").map_err(too_small)?;
        }
        if let Some(agent) = self.user_agent {
            write!(w, "User-Agent: {agent}\r\n").map_err(too_small)?;
        }
        w.write_str(self.proxy_headers.as_str())
            .map_err(too_small)?;
        w.write_str("\r\n").map_err(too_small)?;
        Ok(w.at)
    }
}

fn validate_target(target: &Target<'_>) -> Result<(), ConnectEncodeError> {
    if target.port == 0 {
        return Err(ConnectEncodeError::PortZero);
    }
    match target.host {
        Host::Name(name) => {
            if name.is_empty() {
                return Err(ConnectEncodeError::EmptyHost);
            }
            // The same alphabet Host::parse accepts; anything else (space, ':', '/', '@',
            // CR, LF, NUL, non-ASCII) could change the meaning of the request line.
            match name
                .bytes()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
            {
                Some(offset) => Err(ConnectEncodeError::InvalidHostByte { offset }),
                None => Ok(()),
            }
        }
        Host::Ipv4(_) | Host::Ipv6 { zone: None, .. } => Ok(()),
        Host::Ipv6 { zone: Some(_), .. } => Err(ConnectEncodeError::ZoneIdNotSendable),
    }
}

fn validate_user_agent(agent: &str) -> Result<(), ConnectEncodeError> {
    let bytes = agent.as_bytes();
    let is_blank = |b: u8| b == b' ' || b == b'\t';
    match (bytes.first(), bytes.last()) {
        (None, _) | (_, None) => return Err(ConnectEncodeError::InvalidUserAgent { offset: 0 }),
        (Some(&first), _) if is_blank(first) => {
            return Err(ConnectEncodeError::InvalidUserAgent { offset: 0 });
        }
        (_, Some(&last)) if is_blank(last) => {
            return Err(ConnectEncodeError::InvalidUserAgent {
                offset: bytes.len() - 1,
            });
        }
        _ => {}
    }
    match bytes
        .iter()
        .position(|&b| !(b.is_ascii_graphic() || is_blank(b)))
    {
        Some(offset) => Err(ConnectEncodeError::InvalidUserAgent { offset }),
        None => Ok(()),
    }
}

/// Counts the bytes a `Display` would write.
struct Counter(usize);

impl fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Writes formatted text into a slice, failing instead of panicking when it is full.
struct SliceWriter<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.at.checked_add(s.len()).ok_or(fmt::Error)?;
        let dest = self.out.get_mut(self.at..end).ok_or(fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.at = end;
        Ok(())
    }
}
