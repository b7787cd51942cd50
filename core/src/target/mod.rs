//! The destination of a request: scheme, host and effective port.
//!
//! Routing, no_proxy port rules, the CONNECT authority and absolute-form request lines all
//! need the same three facts about where a request is going, so they are parsed once into a
//! [`Target`] and passed around by reference.

mod authority;

pub use authority::{TargetError, parse_port};

use core::fmt;

use crate::host::{Host, HostError};

/// The scheme of a target or of a proxy URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// Parses `http` or `https`, case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("http") {
            Some(Self::Http)
        } else if text.eq_ignore_ascii_case("https") {
            Some(Self::Https)
        } else {
            None
        }
    }

    /// The lowercase name, as used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// The port a target of this scheme uses when its URL names none (80 or 443).
    pub fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a request goes: scheme, host and the effective port (explicit, or the scheme's
/// default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target<'a> {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// The host, as parsed from the URL.
    pub host: Host<'a>,
    /// The explicit port, or the scheme's default port.
    pub port: u16,
}

impl<'a> Target<'a> {
    /// A target from its parts; `port: None` means the scheme's default port.
    pub fn new(scheme: Scheme, host: Host<'a>, port: Option<u16>) -> Self {
        Self {
            scheme,
            host,
            port: port.unwrap_or(scheme.default_port()),
        }
    }

    /// A target from a URL's host text (`example.com`, `10.0.0.1`, `[::1]`) and port.
    pub fn from_url_parts(
        scheme: Scheme,
        host: &'a str,
        port: Option<u16>,
    ) -> Result<Self, HostError> {
        Ok(Self::new(scheme, Host::parse(host)?, port))
    }

    /// Whether the port is the scheme's default, so an authority may omit it.
    pub fn has_default_port(&self) -> bool {
        self.port == self.scheme.default_port()
    }

    /// The `host:port` authority, always with the port (as CONNECT requires).
    pub fn authority(&self) -> Authority<'_> {
        Authority {
            host: &self.host,
            port: self.port,
        }
    }
}

/// `host:port` with IPv6 hosts in brackets; see [`Target::authority`].
#[derive(Clone, Copy, Debug)]
pub struct Authority<'t> {
    host: &'t Host<'t>,
    port: u16,
}

impl fmt::Display for Authority<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_and_authority() {
        let target = Target::from_url_parts(Scheme::Https, "[2001:db8::1]", None);
        let target = target.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(target.port, 443);
        assert!(target.has_default_port());
        assert_eq!(std::format!("{}", target.authority()), "[2001:db8::1]:443");
        assert_eq!(Scheme::parse("HTTPS"), Some(Scheme::Https));
        assert_eq!(Scheme::parse("socks5"), None);
    }
}
