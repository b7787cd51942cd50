//! Parsing proxy URLs of the form `[scheme://][user[:password]@]host[:port][/]`.
//!
//! This is the grammar of Synapse's `http_proxy` / `https_proxy` values: `http` or `https`
//! (default `http`), a default port of 1080, optional percent-encoded credentials split at
//! the last `@`, bracketed IPv6 hosts, and nothing after the authority but one `/`. The
//! parsed [`ProxyUrl`] borrows from the input; parsing never allocates.
//!
//! ```
//! use egress_core::{ProxyUrl, Scheme};
//!
//! let proxy = ProxyUrl::parse(" https://alice:p%40ss@[2001:db8::1]/ ")?;
//! assert_eq!(proxy.scheme(), Scheme::Https);
//! assert_eq!(proxy.port(), 1080);
//! assert_eq!(proxy.to_string(), "https://[2001:db8::1]:1080"); // no credentials
//! # Ok::<(), egress_core::ProxyUrlError>(())
//! ```

mod error;

pub use error::{ProxyUrlError, ProxyUrlErrorKind};

use core::fmt;

use crate::credentials::Credentials;
use crate::host::{Host, HostError};
use crate::inline_str::InlineStr;
use crate::target::Scheme;

/// The port used when a proxy URL names none, as Synapse documents.
pub const DEFAULT_PROXY_PORT: u16 = 1080;

/// A parsed proxy URL, borrowing from the text it was parsed from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ProxyUrl<'a> {
    scheme: Scheme,
    host: Host<'a>,
    port: u16,
    credentials: Option<Credentials<'a>>,
}

impl<'a> ProxyUrl<'a> {
    /// Parses a proxy URL. Surrounding whitespace is ignored.
    ///
    /// Errors carry no variable name; add one with [`ProxyUrlError::with_variable`].
    pub fn parse(text: &'a str) -> Result<Self, ProxyUrlError> {
        parse(text).map_err(ProxyUrlError::new)
    }

    /// A proxy from already-parsed parts.
    pub fn new(
        scheme: Scheme,
        host: Host<'a>,
        port: u16,
        credentials: Option<Credentials<'a>>,
    ) -> Self {
        Self {
            scheme,
            host,
            port,
            credentials,
        }
    }

    /// `http` (plain TCP to the proxy) or `https` (TLS to the proxy, certificate verified).
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The proxy's host.
    pub fn host(&self) -> Host<'a> {
        self.host
    }

    /// The proxy's port (1080 when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The credentials for `Proxy-Authorization: Basic`, if the URL has any.
    pub fn credentials(&self) -> Option<Credentials<'a>> {
        self.credentials
    }

    /// Renders the URL *with* its percent-encoded credentials, so that it parses back to an
    /// equal value. Never log or display this: use the `Display` impl, which omits them.
    pub fn render_with_credentials(&self) -> impl fmt::Display + 'a {
        WithCredentials(*self)
    }
}

/// `scheme://host:port`, always with the port and never with credentials: safe to log.
impl fmt::Display for ProxyUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

impl fmt::Debug for ProxyUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyUrl")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("credentials", &self.credentials)
            .finish()
    }
}

struct WithCredentials<'a>(ProxyUrl<'a>);

impl fmt::Display for WithCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.0;
        write!(f, "{}://", url.scheme)?;
        if let Some(credentials) = url.credentials {
            write!(
                f,
                "{}:{}@",
                credentials.encoded_user(),
                credentials.encoded_password()
            )?;
        }
        write!(f, "{}:{}", url.host, url.port)
    }
}

fn parse(text: &str) -> Result<ProxyUrl<'_>, ProxyUrlErrorKind> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(ProxyUrlErrorKind::Empty);
    }
    if let Some(offset) = text.bytes().position(|b| b.is_ascii_control()) {
        return Err(ProxyUrlErrorKind::ControlCharacter { offset });
    }
    let (scheme, rest) = split_scheme(text)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (credentials, host_port) = match rest.rfind('@') {
        Some(at) => (Some(parse_credentials(&rest[..at])?), &rest[at + 1..]),
        None => (None, rest),
    };
    if host_port.contains(['/', '?', '#']) {
        return Err(ProxyUrlErrorKind::PathNotAllowed);
    }
    let (host, port) = split_host_port(host_port)?;
    Ok(ProxyUrl {
        scheme,
        host,
        port,
        credentials,
    })
}

fn split_scheme(text: &str) -> Result<(Scheme, &str), ProxyUrlErrorKind> {
    let Some(at) = text.find("://") else {
        return Ok((Scheme::Http, text));
    };
    let name = &text[..at];
    // Only a leading RFC 3986 scheme counts; "://" inside a password is not one.
    let looks_like_scheme = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !looks_like_scheme {
        return Ok((Scheme::Http, text));
    }
    match Scheme::parse(name) {
        Some(scheme) => Ok((scheme, &text[at + 3..])),
        None => Err(ProxyUrlErrorKind::UnsupportedScheme {
            scheme: InlineStr::new(name),
        }),
    }
}

fn parse_credentials(userinfo: &str) -> Result<Credentials<'_>, ProxyUrlErrorKind> {
    if userinfo.is_empty() {
        return Err(ProxyUrlErrorKind::EmptyCredentials);
    }
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let credentials = Credentials::from_encoded(user, password);
    if credentials.user_has_colon() {
        return Err(ProxyUrlErrorKind::UserContainsColon);
    }
    if credentials.basic_token_len() > crate::credentials::MAX_BASIC_TOKEN_LEN {
        return Err(ProxyUrlErrorKind::CredentialsTooLong {
            max: crate::credentials::MAX_BASIC_TOKEN_LEN,
        });
    }
    Ok(credentials)
}

fn split_host_port(host_port: &str) -> Result<(Host<'_>, u16), ProxyUrlErrorKind> {
    let (host_text, port_text) = if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(close) => {
                let after = &host_port[close + 1..];
                let port = match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None if after.is_empty() => None,
                    None => return Err(HostError::UnbalancedBrackets.into()),
                };
                (&host_port[..=close], port)
            }
            None => return Err(HostError::UnbalancedBrackets.into()),
        }
    } else if host_port.bytes().filter(|&b| b == b':').count() > 1 {
        return Err(Host::parse(host_port)
            .err()
            .unwrap_or(HostError::UnbracketedIpv6)
            .into());
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let host = Host::parse(host_text)?;
    let port = match port_text {
        None => DEFAULT_PROXY_PORT,
        Some(text) => parse_port(text)?,
    };
    Ok((host, port))
}

fn parse_port(text: &str) -> Result<u16, ProxyUrlErrorKind> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProxyUrlErrorKind::InvalidPort);
    }
    match text.parse::<u16>() {
        Ok(port) if port != 0 => Ok(port),
        _ => Err(ProxyUrlErrorKind::InvalidPort),
    }
}

impl From<HostError> for ProxyUrlErrorKind {
    fn from(error: HostError) -> Self {
        Self::InvalidHost(error)
    }
}

#[cfg(test)]
mod tests;
