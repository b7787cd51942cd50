//! Does one parsed entry cover a target host and port?
//!
//! Names are compared as names and addresses as numbers; the two never meet: a name entry
//! never matches an address target (even `1.1` against `192.168.1.1`) and an address entry
//! never matches a name target (no DNS is ever consulted). A target with a zone id is an
//! address; its zone is not compared, since entries carry none (see the `entry` module).

use ipnet::IpNet;

use super::entry::Entry;
use crate::host::Host;

impl Entry<'_> {
    /// Whether this entry covers `host` when the request goes to `port` (the target's
    /// explicit port, or its scheme's default).
    ///
    /// [`Entry::Wildcard`] covers everything; use it only for a value that is `*` alone,
    /// as [`NoProxy`](super::NoProxy) does.
    pub fn matches(&self, host: &Host<'_>, port: u16) -> bool {
        match *self {
            Entry::Wildcard => true,
            Entry::Name { suffix, port: only } => {
                port_allowed(only, port) && host.name().is_some_and(|name| covers(suffix, name))
            }
            Entry::Ip { net, port: only } => port_allowed(only, port) && contains(net, host),
        }
    }
}

fn port_allowed(only: Option<u16>, port: u16) -> bool {
    only.is_none_or(|only| only == port)
}

/// `name` is `suffix` or ends in `.suffix`, ignoring ASCII case. Both come without a
/// trailing dot.
fn covers(suffix: &str, name: &str) -> bool {
    let (suffix, name) = (suffix.as_bytes(), name.as_bytes());
    let Some(split) = name.len().checked_sub(suffix.len()) else {
        return false;
    };
    name[split..].eq_ignore_ascii_case(suffix) && (split == 0 || name[split - 1] == b'.')
}

/// Whether `net` covers the address `host`. An IPv4-mapped IPv6 target (`::ffff:a.b.c.d`)
/// is checked as `a.b.c.d` against IPv4 ranges only, so both spellings of one address always
/// get the same answer.
fn contains(net: IpNet, host: &Host<'_>) -> bool {
    let mapped_target = matches!(*host, Host::Ipv6 { addr, .. } if addr.to_ipv4_mapped().is_some());
    if mapped_target && matches!(net, IpNet::V6(_)) {
        return false;
    }
    match (net, *host) {
        (IpNet::V4(net), Host::Ipv4(addr)) => net.contains(&addr),
        (IpNet::V4(net), Host::Ipv6 { addr, .. }) => {
            addr.to_ipv4_mapped().is_some_and(|v4| net.contains(&v4))
        }
        (IpNet::V6(net), Host::Ipv6 { addr, .. }) => net.contains(&addr),
        (_, Host::Name(_)) | (IpNet::V6(_), Host::Ipv4(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{contains, covers};
    use crate::host::Host;

    #[test]
    fn mapped_targets_match_as_ipv4_only() {
        // Found by the no_proxy fuzz target: `::/0` matched `::ffff:8.8.8.8` but not
        // `8.8.8.8`, although the mapped form is matched as the IPv4 address.
        let mapped = Host::parse("[::ffff:8.8.8.8]").unwrap_or_else(|e| panic!("{e}"));
        let all_v6 = "::/0".parse().unwrap_or_else(|e| panic!("{e}"));
        let all_v4 = "0.0.0.0/0".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(!contains(all_v6, &mapped));
        assert!(contains(all_v4, &mapped));
        let plain = Host::parse("[2001:db8::1]").unwrap_or_else(|e| panic!("{e}"));
        assert!(contains(all_v6, &plain));
    }

    #[test]
    fn label_boundaries() {
        assert!(covers("example.com", "example.com"));
        assert!(covers("example.com", "a.b.example.com"));
        assert!(covers("EXAMPLE.com", "www.Example.COM"));
        assert!(!covers("example.com", "notexample.com"));
        assert!(!covers("example.com", "example.co"));
        assert!(!covers("www.example.com", "example.com"));
        assert!(!covers("example.com", "example.com.evil"));
    }
}
