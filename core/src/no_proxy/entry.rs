//! One `no_proxy` entry: the forms it may take and how its text is classified (the forms
//! are listed on [`Entry`]).
//!
//! Addresses are parsed into numbers here, so matching never compares address text. A name
//! entry keeps borrowing the value; case is folded when matching, not here, so nothing is
//! copied.

use core::net::{IpAddr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net};

use super::diagnostics::EntryProblem;
use super::scan;
use crate::host::{self, Host, HostError};

/// A parsed, valid `no_proxy` entry.
///
/// The shape of the text decides what an entry is, before anything is parsed:
///
/// ```text
/// "*"                              -> Wildcard (allowed only as the whole value)
/// "[" v6 "]" [":" port | "/" len]  -> Ip (bracketed IPv6, the only IPv6 form with a port)
/// addr "/" len                     -> Ip range (IPv4, or bare IPv6, before the '/')
/// two or more ':'                  -> Ip (bare IPv6 address, never host:port)
/// host ":" port                    -> Name or IPv4 Ip, for that port only
/// host                             -> Name (optional leading "." or "*.") or IPv4 Ip
/// ```
///
/// Decisions the contract leaves open:
/// - An entry with an IPv6 zone id (`fe80::1%eth0`) is invalid ([`EntryProblem::ZoneId`]):
///   whether it should restrict the match to one interface or ignore it is ambiguous. The
///   plain address matches the target whatever the target's zone.
/// - A bare IPv6 entry never has a port: `2001:db8::1:443` is the address `2001:db8::1:443`.
///   Write `[2001:db8::1]:443` for a port.
/// - A CIDR range with a port (`10.0.0.0/8:80`) is invalid ([`EntryProblem::PortOnRange`]).
/// - Ports are 1 to 65535 in decimal digits; prefix lengths are at most three decimal
///   digits (`/08` is `/8`). A leading `.` or `*.` before an address is invalid
///   ([`EntryProblem::WildcardOnAddress`]), not silently turned into a name.
/// - Names are ASCII (write internationalised names in their `xn--` form), as in URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entry<'a> {
    /// `*`: every host, names and addresses, on every port.
    Wildcard,
    /// A name and all its subdomains (on a label boundary).
    Name {
        /// The name as written, without a leading `.` or `*.` and without one trailing dot.
        /// Its case is kept; matching compares ASCII case-insensitively.
        suffix: &'a str,
        /// The only port this entry applies to, if it was written as `name:port`.
        port: Option<u16>,
    },
    /// An address (a `/32` or `/128` network) or a CIDR range.
    Ip {
        /// The range, with host bits cleared (`10.1.2.3/8` is stored as `10.0.0.0/8`).
        /// Entries inside `::ffff:0:0/96` are stored as the IPv4 range they carry, so that
        /// `::ffff:10.0.0.1` matches the target `10.0.0.1` as well.
        net: IpNet,
        /// The only port this entry applies to, if it was written as `addr:port` or
        /// `[v6]:port`.
        port: Option<u16>,
    },
}

impl<'a> Entry<'a> {
    /// Parses one entry (surrounding whitespace is trimmed).
    ///
    /// `*` parses as [`Entry::Wildcard`]; whether it is allowed is decided by the list,
    /// which accepts it only as the whole value.
    pub fn parse(text: &'a str) -> Result<Self, EntryProblem> {
        Self::parse_trimmed(scan::trim(text))
    }

    /// [`parse`](Self::parse) for text already trimmed (the list's pieces are).
    pub(super) fn parse_trimmed(text: &'a str) -> Result<Self, EntryProblem> {
        if text == "*" {
            return Ok(Entry::Wildcard);
        }
        if let Some(rest) = text.strip_prefix('[') {
            return parse_bracketed(rest);
        }
        if let Some((addr, prefix_len)) = scan::split_once(text, b'/') {
            return parse_range(addr, prefix_len);
        }
        let Some(at) = scan::find(text.as_bytes(), b':') else {
            return parse_host(text, None);
        };
        let after = &text[at + 1..];
        if scan::find(after.as_bytes(), b':').is_some() {
            // Two or more colons: an unbracketed IPv6 address, which never has a port.
            return Ok(Entry::Ip {
                net: single(IpAddr::V6(parse_ipv6(text)?)),
                port: None,
            });
        }
        // Validate the host first so messages follow the reading order.
        let entry = parse_host(&text[..at], None)?;
        let port = parse_port(after)?;
        Ok(entry.with_port(port))
    }

    /// The port this entry is restricted to, if any.
    pub fn port(&self) -> Option<u16> {
        match *self {
            Entry::Wildcard => None,
            Entry::Name { port, .. } | Entry::Ip { port, .. } => port,
        }
    }

    fn with_port(self, port: u16) -> Self {
        match self {
            Entry::Wildcard => Entry::Wildcard,
            Entry::Name { suffix, .. } => Entry::Name {
                suffix,
                port: Some(port),
            },
            Entry::Ip { net, .. } => Entry::Ip {
                net,
                port: Some(port),
            },
        }
    }
}

/// `rest` is what follows the `[`.
fn parse_bracketed(rest: &str) -> Result<Entry<'_>, EntryProblem> {
    let Some((inner, after)) = scan::split_once(rest, b']') else {
        return Err(EntryProblem::InvalidHost(HostError::UnbalancedBrackets));
    };
    let addr = parse_ipv6(inner)?;
    if after.is_empty() {
        return Ok(Entry::Ip {
            net: single(IpAddr::V6(addr)),
            port: None,
        });
    }
    if let Some(port) = after.strip_prefix(':') {
        return Ok(Entry::Ip {
            net: single(IpAddr::V6(addr)),
            port: Some(parse_port(port)?),
        });
    }
    if let Some(prefix_len) = after.strip_prefix('/') {
        return range(IpAddr::V6(addr), prefix_len);
    }
    Err(EntryProblem::InvalidHost(HostError::UnbalancedBrackets))
}

fn parse_range<'a>(addr: &str, prefix_len: &str) -> Result<Entry<'a>, EntryProblem> {
    let addr = if scan::find(addr.as_bytes(), b':').is_some() {
        match parse_ipv6(addr) {
            Ok(v6) => IpAddr::V6(v6),
            Err(EntryProblem::ZoneId) => return Err(EntryProblem::ZoneId),
            Err(_) => return Err(EntryProblem::RangeNeedsAddress),
        }
    } else {
        let v4 = host::read_ipv4(addr.as_bytes());
        IpAddr::V4(v4.ok_or(EntryProblem::RangeNeedsAddress)?)
    };
    range(addr, prefix_len)
}

fn range<'a>(addr: IpAddr, prefix_len: &str) -> Result<Entry<'a>, EntryProblem> {
    if scan::find(prefix_len.as_bytes(), b':').is_some() {
        return Err(EntryProblem::PortOnRange);
    }
    let max = match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    let invalid = EntryProblem::InvalidPrefixLength { max };
    // `u8::from_str` would accept a leading `+`; a prefix length is digits only.
    if prefix_len.is_empty() || prefix_len.len() > 3 || !all_digits(prefix_len) {
        return Err(invalid);
    }
    let len = u8::try_from(decimal(prefix_len)).map_err(|_| invalid)?;
    let net = IpNet::new(addr, len).map_err(|_| invalid)?;
    Ok(Entry::Ip {
        net: unmap(net.trunc()),
        port: None,
    })
}

/// A name or a dotted-quad address, without a port.
fn parse_host(text: &str, port: Option<u16>) -> Result<Entry<'_>, EntryProblem> {
    let (name, skipped) = if let Some(name) = text.strip_prefix("*.") {
        (name, 2)
    } else if let Some(name) = text.strip_prefix('.') {
        (name, 1)
    } else {
        (text, 0)
    };
    let host = Host::parse(name).map_err(|error| match error {
        // Point at the byte within the entry as written, not within the stripped name.
        HostError::InvalidCharacter { offset } => {
            EntryProblem::InvalidHost(HostError::InvalidCharacter {
                offset: offset + skipped,
            })
        }
        other => EntryProblem::InvalidHost(other),
    })?;
    match host {
        Host::Name(name) => Ok(Entry::Name {
            suffix: name.strip_suffix('.').unwrap_or(name),
            port,
        }),
        _ if skipped > 0 => Err(EntryProblem::WildcardOnAddress),
        Host::Ipv4(v4) => Ok(Entry::Ip {
            net: single(IpAddr::V4(v4)),
            port,
        }),
        // Host::parse only yields IPv6 for bracketed text, which `Entry::parse` routes to
        // `parse_bracketed`; handled anyway so this function stands on its own.
        Host::Ipv6 { zone: Some(_), .. } => Err(EntryProblem::ZoneId),
        Host::Ipv6 { addr, zone: None } => Ok(Entry::Ip {
            net: single(IpAddr::V6(addr)),
            port,
        }),
    }
}

/// An IPv6 address without brackets; a `%zone` suffix is reported as such.
fn parse_ipv6(text: &str) -> Result<Ipv6Addr, EntryProblem> {
    // No address text holds a `%`, so the whole text is tried first.
    if let Some(addr) = host::read_ipv6(text.as_bytes()) {
        return Ok(addr);
    }
    match scan::split_once(text, b'%') {
        Some((addr, _zone)) if host::read_ipv6(addr.as_bytes()).is_some() => {
            Err(EntryProblem::ZoneId)
        }
        _ => Err(EntryProblem::InvalidIpv6),
    }
}

fn parse_port(text: &str) -> Result<u16, EntryProblem> {
    if text.is_empty() || text.len() > 5 || !all_digits(text) {
        return Err(EntryProblem::InvalidPort);
    }
    match u16::try_from(decimal(text)) {
        Ok(0) | Err(_) => Err(EntryProblem::InvalidPort),
        Ok(port) => Ok(port),
    }
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_digit())
}

/// The value of at most 5 decimal digits (checked by the caller).
fn decimal(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
}

fn single(addr: IpAddr) -> IpNet {
    unmap(IpNet::from(addr))
}

/// Stores a range inside `::ffff:0:0/96` as the IPv4 range it carries, because targets in
/// that block are matched as IPv4 (see [`Host::ip`]).
fn unmap(net: IpNet) -> IpNet {
    let IpNet::V6(v6) = net else {
        return net;
    };
    let Some(v4) = v6.network().to_ipv4_mapped() else {
        return net;
    };
    match v6.prefix_len().checked_sub(96) {
        Some(len) => Ipv4Net::new(v4, len).map_or(net, IpNet::V4),
        None => net,
    }
}
