//! Turning a URL's scheme and authority text into a [`Target`], validated once.
//!
//! HTTP libraries disagree on what an unusable port means (`http`'s `Uri::port_u16()` is
//! `None` both for "no port" and for "not a u16"), and a silent fallback to the default port
//! sends a request somewhere the user never asked for. So egress reads the port text itself:
//! absent means the scheme's default, anything but a number from 1 to 65535 is an error.
//! A name that TLS cannot verify (`127.1`, a numeric last label) is rejected for `https://`
//! targets here, before any proxy is asked to open a tunnel to it.

use core::fmt;

use super::{Scheme, Target};
use crate::host::{Host, HostError};

/// Why a URL's authority is not a usable target. Never quotes credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetError {
    /// The text is not an absolute URL at all.
    NotAUrl,
    /// The URL's scheme is neither `http` nor `https`.
    UnsupportedScheme,
    /// The URL has no host.
    MissingHost,
    /// The host is not a name, an IPv4 address or a bracketed IPv6 address.
    Host(HostError),
    /// The port is not a number from 1 to 65535 (an empty port after `:` included).
    InvalidPort,
    /// An `https://` target whose name cannot be a TLS server name (e.g. `127.1`, a last
    /// label made of digits), so certificate verification could never succeed.
    NotTlsServerName,
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUrl => f.write_str("not an absolute URL; write scheme://host[:port]/path"),
            Self::UnsupportedScheme => f.write_str("only http:// and https:// URLs are supported"),
            Self::MissingHost => f.write_str("the URL has no host"),
            Self::Host(error) => write!(f, "invalid host: {error}"),
            Self::InvalidPort => f.write_str(
                "invalid port: give a number from 1 to 65535 after the host, or no port for \
                 the scheme's default",
            ),
            Self::NotTlsServerName => f.write_str(
                "the host is not a valid TLS server name (a name's last label cannot be all \
                 digits); write an IPv4 address in full dotted-quad form, e.g. 127.0.0.1",
            ),
        }
    }
}

impl core::error::Error for TargetError {}

impl From<HostError> for TargetError {
    fn from(error: HostError) -> Self {
        Self::Host(error)
    }
}

/// Parses a port as written in a URL: decimal digits only, 1 to 65535.
///
/// ```
/// use egress_core::target::parse_port;
///
/// assert_eq!(parse_port("8443"), Some(8443));
/// for bad in ["", "0", "65536", "99999", "-1", "+80", "abc", "８０"] {
///     assert_eq!(parse_port(bad), None, "{bad}");
/// }
/// ```
pub fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u16>().ok().filter(|&port| port != 0)
}

impl<'a> Target<'a> {
    /// A target from a URL's scheme and authority (`[user[:password]@]host[:port]`); any
    /// user information is ignored (it is never the proxy's business and never shown).
    ///
    /// ```
    /// use egress_core::target::TargetError;
    /// use egress_core::{Scheme, Target};
    ///
    /// let target = Target::from_authority("HTTPS", "bob:pw@[::1]:8443")?;
    /// assert_eq!((target.scheme, target.port), (Scheme::Https, 8443));
    /// assert_eq!(Target::from_authority("http", "example.com")?.port, 80);
    /// assert_eq!(Target::from_authority("http", "example.com:99999"), Err(TargetError::InvalidPort));
    /// assert_eq!(Target::from_authority("https", "127.1"), Err(TargetError::NotTlsServerName));
    /// assert!(Target::from_authority("http", "127.1").is_ok());
    /// # Ok::<(), TargetError>(())
    /// ```
    pub fn from_authority(scheme: &str, authority: &'a str) -> Result<Self, TargetError> {
        let scheme = Scheme::parse(scheme).ok_or(TargetError::UnsupportedScheme)?;
        let host_port = match authority.rfind('@') {
            Some(at) => &authority[at + 1..],
            None => authority,
        };
        let (host_text, port_text) = split_host_port(host_port)?;
        if host_text.is_empty() {
            return Err(TargetError::MissingHost);
        }
        let host = Host::parse(host_text)?;
        let port = match port_text {
            None => scheme.default_port(),
            Some(text) => parse_port(text).ok_or(TargetError::InvalidPort)?,
        };
        let target = Self { scheme, host, port };
        target.check_tls_name()?;
        Ok(target)
    }

    /// Fails for an `https://` target whose host no certificate can name.
    pub fn check_tls_name(&self) -> Result<(), TargetError> {
        match (self.scheme, self.host) {
            (Scheme::Https, Host::Name(name)) if !is_tls_server_name(name) => {
                Err(TargetError::NotTlsServerName)
            }
            _ => Ok(()),
        }
    }
}

/// `host` and the port text after it, if any. IPv6 hosts keep their brackets.
fn split_host_port(text: &str) -> Result<(&str, Option<&str>), TargetError> {
    if text.starts_with('[') {
        let close = text
            .find(']')
            .ok_or(TargetError::Host(HostError::UnbalancedBrackets))?;
        let rest = &text[close + 1..];
        return match rest.strip_prefix(':') {
            Some(port) => Ok((&text[..=close], Some(port))),
            None if rest.is_empty() => Ok((text, None)),
            None => Err(TargetError::Host(HostError::UnbalancedBrackets)),
        };
    }
    Ok(match text.rfind(':') {
        Some(colon) => (&text[..colon], Some(&text[colon + 1..])),
        None => (text, None),
    })
}

/// What rustls accepts as a DNS server name, for a name `Host::parse` already validated:
/// the last label (after an optional trailing dot) must not be all digits.
fn is_tls_server_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let last = name.rsplit('.').next().unwrap_or(name);
    !last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_validated_never_defaulted() {
        let cases: &[(&str, &str, Result<u16, TargetError>)] = &[
            ("http", "h", Ok(80)),
            ("https", "h", Ok(443)),
            ("http", "h:8080", Ok(8080)),
            ("http", "h:65535", Ok(65535)),
            ("http", "h:1", Ok(1)),
            ("http", "h:99999", Err(TargetError::InvalidPort)),
            ("http", "h:65536", Err(TargetError::InvalidPort)),
            ("http", "h:0", Err(TargetError::InvalidPort)),
            ("http", "h:-1", Err(TargetError::InvalidPort)),
            ("http", "h:abc", Err(TargetError::InvalidPort)),
            ("http", "h:", Err(TargetError::InvalidPort)),
            ("https", "[::1]:99999", Err(TargetError::InvalidPort)),
            ("https", "[::1]", Ok(443)),
            ("http", "u:p@h:81", Ok(81)),
            ("http", "u:p:x@h", Ok(80)),
        ];
        for (scheme, authority, expected) in cases {
            let got = Target::from_authority(scheme, authority).map(|t| t.port);
            assert_eq!(&got, expected, "{scheme}://{authority}");
        }
    }

    #[test]
    fn hosts_schemes_and_tls_names() {
        assert_eq!(
            Target::from_authority("ftp", "h"),
            Err(TargetError::UnsupportedScheme)
        );
        assert_eq!(
            Target::from_authority("http", ":80"),
            Err(TargetError::MissingHost)
        );
        assert_eq!(
            Target::from_authority("http", "user@"),
            Err(TargetError::MissingHost)
        );
        assert!(matches!(
            Target::from_authority("http", "[::1]x"),
            Err(TargetError::Host(_))
        ));
        let zoned = Target::from_authority("http", "[::1%25lo]:8080");
        assert!(matches!(
            zoned.map(|t| t.host),
            Ok(Host::Ipv6 {
                zone: Some("lo"),
                ..
            })
        ));
        for bad in ["127.1", "10.0.0.300", "example.123", "1.2.3."] {
            assert_eq!(
                Target::from_authority("https", bad),
                Err(TargetError::NotTlsServerName),
                "{bad}"
            );
        }
        for good in ["127.0.0.1", "example.com", "a1.b2c", "localhost."] {
            assert!(Target::from_authority("https", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn user_information_never_reaches_the_error() {
        let error = Target::from_authority("http", "bob:s3cret@h:bad");
        let message = std::format!("{}", error.err().unwrap_or(TargetError::MissingHost));
        assert!(!message.contains("s3cret") && !message.contains("bob"));
    }
}
