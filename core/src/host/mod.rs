//! Hosts as egress sees them: a name, an IPv4 address or an IPv6 address (with an optional
//! zone id).
//!
//! Every component that looks at a host (the proxy URL parser, the no_proxy matcher, the
//! router, the CONNECT encoder) goes through [`Host::parse`], so that "is this an address or a
//! name?" is decided once, numerically, and the same way everywhere. Parsing borrows and never
//! allocates; names keep their original spelling so diagnostics can quote them.

mod fast;
mod ipv6;

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use fast::Fast;
/// Byte-level readers shared with the `no_proxy` entry parser: each decides exactly what
/// `Ipv4Addr::from_str` / `Ipv6Addr::from_str` decides, faster (their tests compare them).
pub(crate) use fast::ipv4 as read_ipv4;
pub(crate) use ipv6::parse as read_ipv6;

/// A parsed host: what a URL's authority or a `no_proxy` entry names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A DNS name as written (case and any single trailing dot preserved).
    Name(&'a str),
    /// An IPv4 address in dotted-quad form.
    Ipv4(Ipv4Addr),
    /// An IPv6 address, with the zone id (`fe80::1%eth0`) if one was given.
    Ipv6 {
        /// The address.
        addr: Ipv6Addr,
        /// The zone id without its `%` / `%25` prefix, if any.
        zone: Option<&'a str>,
    },
}

/// Why a host string is not a valid host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostError {
    /// The host is empty.
    Empty,
    /// The host is an IPv6 address without the brackets a URL requires.
    UnbracketedIpv6,
    /// A `[` without a matching `]`, or text after the `]`.
    UnbalancedBrackets,
    /// The text inside brackets is not an IPv6 address.
    InvalidIpv6,
    /// The name contains a byte that may not appear in a host name.
    InvalidCharacter {
        /// Offset of the offending byte in the host string.
        offset: usize,
    },
    /// A name longer than 253 bytes (or a label longer than 63).
    TooLong,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the host is empty; give a host name or an IP address"),
            Self::UnbracketedIpv6 => {
                f.write_str("an IPv6 address must be written in brackets, e.g. [2001:db8::1]:3128")
            }
            Self::UnbalancedBrackets => {
                f.write_str("unbalanced brackets; write IPv6 addresses as [2001:db8::1]")
            }
            Self::InvalidIpv6 => f.write_str("the text in brackets is not an IPv6 address"),
            Self::InvalidCharacter { offset } => write!(
                f,
                "invalid character at offset {offset} of the host; host names may contain \
                 only letters, digits, '-', '_' and '.'"
            ),
            Self::TooLong => {
                f.write_str("the host name is too long (at most 253 bytes, 63 per label)")
            }
        }
    }
}

impl core::error::Error for HostError {}

impl<'a> Host<'a> {
    /// Parses a host as it appears in a URL authority: a name, a dotted-quad IPv4 address, or
    /// a bracketed IPv6 address (`[::1]`, `[fe80::1%25eth0]`).
    ///
    /// A bare IPv6 address is rejected with [`HostError::UnbracketedIpv6`], because in a URL
    /// the port separator would be ambiguous.
    pub fn parse(text: &'a str) -> Result<Self, HostError> {
        let Some(&first) = text.as_bytes().first() else {
            return Err(HostError::Empty);
        };
        if first == b'[' {
            let inner = text[1..]
                .strip_suffix(']')
                .ok_or(HostError::UnbalancedBrackets)?;
            return parse_ipv6(inner);
        }
        // One pass decides the common cases, since this runs for every request a frontend
        // routes; the rest (errors included) is decided below. Text `ipv4` accepts is
        // exactly what the general path reads as an address, so try it first for digits.
        if first.is_ascii_digit() {
            if let Some(addr) = fast::ipv4(text.as_bytes()) {
                return Ok(Host::Ipv4(addr));
            }
        }
        match fast::classify(text.as_bytes()) {
            Fast::Name => Ok(Host::Name(text)),
            Fast::Ipv4(addr) => Ok(Host::Ipv4(addr)),
            Fast::Other => Self::parse_unbracketed(text),
        }
    }

    /// The general path of [`Host::parse`] for text without a leading `[`: finds the
    /// exact error, and decides every valid host the fast path passes on.
    fn parse_unbracketed(text: &'a str) -> Result<Self, HostError> {
        let mut colon = None;
        let mut dotted_digits = true;
        for (offset, byte) in text.bytes().enumerate() {
            match byte {
                b']' => return Err(HostError::UnbalancedBrackets),
                b':' => {
                    colon.get_or_insert(offset);
                }
                b'0'..=b'9' | b'.' => {}
                _ => dotted_digits = false,
            }
        }
        if let Some(offset) = colon {
            return match parse_ipv6(text) {
                Ok(_) => Err(HostError::UnbracketedIpv6),
                Err(_) => Err(HostError::InvalidCharacter { offset }),
            };
        }
        if dotted_digits {
            if let Ok(v4) = text.parse::<Ipv4Addr>() {
                return Ok(Host::Ipv4(v4));
            }
        }
        validate_name(text)?;
        Ok(Host::Name(text))
    }

    /// Parses a host that may also be a bare IPv6 address (`::1`, `fe80::1%eth0`), as in a
    /// `no_proxy` entry or a target given in code rather than inside a URL.
    pub fn parse_lenient(text: &'a str) -> Result<Self, HostError> {
        if !text.starts_with('[') && text.contains(':') {
            return parse_ipv6(text);
        }
        Self::parse(text)
    }

    /// The address, when this host is one. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`)
    /// are returned as the IPv4 address they carry, so they match IPv4 rules.
    pub fn ip(&self) -> Option<IpAddr> {
        match *self {
            Host::Name(_) => None,
            Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
            Host::Ipv6 { addr, .. } => Some(match addr.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(addr),
            }),
        }
    }

    /// The name without its trailing dot, when this host is a name.
    #[inline]
    pub fn name(&self) -> Option<&'a str> {
        match *self {
            Host::Name(name) => Some(name.strip_suffix('.').unwrap_or(name)),
            _ => None,
        }
    }

    /// Whether rendering this host in an authority needs brackets.
    pub fn is_ipv6(&self) -> bool {
        matches!(self, Host::Ipv6 { .. })
    }
}

/// Renders the host as it goes into an authority (`host:port`): names as written, IPv6 in
/// brackets with the zone id percent-encoded (`[fe80::1%25eth0]`).
impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => f.write_str(name),
            Host::Ipv4(addr) => write!(f, "{addr}"),
            Host::Ipv6 { addr, zone: None } => write!(f, "[{addr}]"),
            Host::Ipv6 {
                addr,
                zone: Some(zone),
            } => write!(f, "[{addr}%25{zone}]"),
        }
    }
}

impl fmt::Debug for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Host({self})")
    }
}

fn parse_ipv6(text: &str) -> Result<Host<'_>, HostError> {
    // No address text holds a `%`, so a whole text that is an address has no zone id.
    if let Some(addr) = ipv6::parse(text.as_bytes()) {
        return Ok(Host::Ipv6 { addr, zone: None });
    }
    let (addr_text, zone) = match text.bytes().position(|byte| byte == b'%') {
        Some(at) => {
            let zone = &text[at + 1..];
            let zone = zone
                .strip_prefix("25")
                .filter(|z| !z.is_empty())
                .unwrap_or(zone);
            // Zones are interface names or numbers; the cap keeps route keys exact.
            if zone.is_empty() || zone.len() > MAX_ZONE_LEN || !zone.bytes().all(is_zone_byte) {
                return Err(HostError::InvalidIpv6);
            }
            (&text[..at], Some(zone))
        }
        None => (text, None),
    };
    let addr = ipv6::parse(addr_text.as_bytes()).ok_or(HostError::InvalidIpv6)?;
    Ok(Host::Ipv6 { addr, zone })
}

/// The longest zone id accepted (Linux interface names have at most 15 bytes).
pub const MAX_ZONE_LEN: usize = 64;

fn is_zone_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn validate_name(text: &str) -> Result<(), HostError> {
    // One trailing dot (a fully qualified name) is allowed and not part of any label.
    let trimmed = text.strip_suffix('.').unwrap_or(text);
    if trimmed.is_empty() {
        return Err(HostError::Empty);
    }
    if trimmed.len() > 253 {
        return Err(HostError::TooLong);
    }
    let mut label_len = 0usize;
    for (offset, byte) in trimmed.bytes().enumerate() {
        match byte {
            b'.' if label_len == 0 => return Err(HostError::InvalidCharacter { offset }),
            b'.' => label_len = 0,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => {
                label_len += 1;
                if label_len > 63 {
                    return Err(HostError::TooLong);
                }
            }
            _ => return Err(HostError::InvalidCharacter { offset }),
        }
    }
    if label_len == 0 {
        return Err(HostError::InvalidCharacter {
            offset: trimmed.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The one-pass classifier decides exactly what the general path decides.
        #[test]
        fn fast_path_agrees_with_the_general_path(
            text in "[a-cA-C0-9._:\\] %-]{1,12}|[0-9.]{1,16}|([a-z0-9]{1,70}\\.){1,5}\\.?|[\\x00-\\x7f\\u{80}-\\u{3000}]{1,20}|[a.Z_-]{1,40}",
        ) {
            prop_assume!(!text.starts_with('['));
            prop_assert_eq!(Host::parse(&text), Host::parse_unbracketed(&text));
        }
    }

    #[test]
    fn fast_path_length_limits() {
        let label = "a".repeat(63);
        let name = [label.as_str(); 5].join(".");
        for len in 250..258 {
            for dot in ["", "."] {
                let text = std::format!("{}{dot}", &name[..len]);
                assert_eq!(
                    Host::parse(&text),
                    Host::parse_unbracketed(&text),
                    "{len}{dot}"
                );
            }
        }
    }

    #[test]
    fn names_addresses_and_brackets() {
        assert_eq!(Host::parse("Example.COM."), Ok(Host::Name("Example.COM.")));
        assert_eq!(
            Host::parse("Example.COM.").map(|h| h.name()),
            Ok(Some("Example.COM"))
        );
        assert_eq!(
            Host::parse("10.1.2.3"),
            Ok(Host::Ipv4(Ipv4Addr::new(10, 1, 2, 3)))
        );
        assert_eq!(Host::parse("1.1"), Ok(Host::Name("1.1")));
        assert_eq!(Host::parse("::1"), Err(HostError::UnbracketedIpv6));
        assert_eq!(Host::parse("[::1"), Err(HostError::UnbalancedBrackets));
        assert_eq!(Host::parse("[zz]"), Err(HostError::InvalidIpv6));
        assert_eq!(Host::parse(""), Err(HostError::Empty));
        assert_eq!(
            Host::parse("a b"),
            Err(HostError::InvalidCharacter { offset: 1 })
        );
        assert_eq!(
            Host::parse("a..b"),
            Err(HostError::InvalidCharacter { offset: 2 })
        );
        assert_eq!(Host::parse_lenient("::1").map(|h| h.is_ipv6()), Ok(true));
    }

    #[test]
    fn zone_ids_and_mapped_addresses() {
        let host = Host::parse("[1000::%25.example.com]");
        assert!(matches!(
            host,
            Ok(Host::Ipv6 {
                zone: Some(".example.com"),
                ..
            })
        ));
        let host = Host::parse("[fe80::1%eth0]");
        assert!(matches!(
            host,
            Ok(Host::Ipv6 {
                zone: Some("eth0"),
                ..
            })
        ));
        let mapped = Host::parse("[::ffff:10.0.0.1]").ok().and_then(|h| h.ip());
        assert_eq!(mapped, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
        let rendered = Host::parse("[fe80::1%25eth0]").map(|h| std::format!("{h}"));
        assert_eq!(rendered.as_deref(), Ok("[fe80::1%25eth0]"));
    }
}
