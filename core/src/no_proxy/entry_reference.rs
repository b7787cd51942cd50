//! The reading of a `no_proxy` entry as it was before the byte-level reader (`entry`):
//! `str` methods and std's address parsers, in the order the forms are documented on
//! [`Entry`]. Kept only as the oracle the fast reader is compared with, by a property test
//! and by the `no_proxy` fuzz target; nothing else calls it.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net};

use super::Entry;
use super::diagnostics::EntryProblem;
use crate::host::{Host, HostError};

/// What `Entry::parse` must answer for `text`.
pub(crate) fn parse(text: &str) -> Result<Entry<'_>, EntryProblem> {
    let text = text.trim();
    if text == "*" {
        return Ok(Entry::Wildcard);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return parse_bracketed(rest);
    }
    if let Some((addr, prefix_len)) = text.split_once('/') {
        return parse_range(addr, prefix_len);
    }
    let mut colons = text.match_indices(':');
    match (colons.next(), colons.next()) {
        (None, _) => parse_host(text, None),
        (Some((at, _)), None) => {
            let host = &text[..at];
            // Validate the host first so messages follow the reading order.
            let entry = parse_host(host, None)?;
            let port = parse_port(&text[at + 1..])?;
            Ok(with_port(entry, port))
        }
        // Two or more colons: an unbracketed IPv6 address, which never has a port.
        _ => Ok(Entry::Ip {
            net: single(IpAddr::V6(parse_ipv6(text)?)),
            port: None,
        }),
    }
}

fn with_port(entry: Entry<'_>, port: u16) -> Entry<'_> {
    match entry {
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

/// `rest` is what follows the `[`.
fn parse_bracketed(rest: &str) -> Result<Entry<'_>, EntryProblem> {
    let Some((inner, after)) = rest.split_once(']') else {
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
    let addr = if addr.contains(':') {
        match parse_ipv6(addr) {
            Ok(v6) => IpAddr::V6(v6),
            Err(EntryProblem::ZoneId) => return Err(EntryProblem::ZoneId),
            Err(_) => return Err(EntryProblem::RangeNeedsAddress),
        }
    } else {
        let v4 = addr.parse::<Ipv4Addr>();
        IpAddr::V4(v4.map_err(|_| EntryProblem::RangeNeedsAddress)?)
    };
    range(addr, prefix_len)
}

fn range<'a>(addr: IpAddr, prefix_len: &str) -> Result<Entry<'a>, EntryProblem> {
    if prefix_len.contains(':') {
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
    let len = prefix_len.parse::<u8>().map_err(|_| invalid)?;
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
    match text.split_once('%') {
        Some((addr, _zone)) if addr.parse::<Ipv6Addr>().is_ok() => Err(EntryProblem::ZoneId),
        Some(_) => Err(EntryProblem::InvalidIpv6),
        None => text.parse().map_err(|_| EntryProblem::InvalidIpv6),
    }
}

fn parse_port(text: &str) -> Result<u16, EntryProblem> {
    if text.is_empty() || text.len() > 5 || !all_digits(text) {
        return Err(EntryProblem::InvalidPort);
    }
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(EntryProblem::InvalidPort),
        Ok(port) => Ok(port),
    }
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_digit())
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
