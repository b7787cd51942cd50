//! The IP blocklist for direct connections (feature `alloc`).
//!
//! Synapse refuses to connect to internal addresses unless a proxy is used: the proxy
//! resolves and filters then. egress applies the list to *direct* connections only, after
//! DNS, to every resolved address; the frontends connect only to addresses that passed.
//! Exceptions override blocked ranges. Building allocates; a check does not.
//!
//! ```
//! use egress_core::IpBlocklist;
//!
//! let list = IpBlocklist::non_public().allow("10.9.0.0/16".parse()?);
//! assert!(list.check("10.1.2.3".parse()?).is_some());
//! assert!(list.check("10.9.0.1".parse()?).is_none());
//! assert!(list.check("[::ffff:127.0.0.1]".trim_matches(['[', ']']).parse()?).is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::vec::Vec;
use core::fmt;
use core::net::IpAddr;

use ipnet::IpNet;

use crate::lookup::prefix::PrefixTable;

mod synapse;

pub use synapse::{RangeError, SYNAPSE_DEFAULT_RANGES};

/// Ranges that are not public internet addresses: egress's stricter list, Synapse's
/// [`blocklist::SYNAPSE_DEFAULT_RANGES`](crate::blocklist::SYNAPSE_DEFAULT_RANGES) plus `240.0.0.0/4` (reserved), `0.0.0.0/8` and `::/128`
/// (unspecified, "this network"), `64:ff9b::/96` (NAT64) and `100::/64` (discard);
/// [`IpBlocklist::non_public`] adds the derived IPv6 forms of each IPv4 range, as
/// [`IpBlocklist::synapse_default`] does.
pub const NON_PUBLIC_RANGES: &[&str] = &[
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "192.0.0.0/24",
    "169.254.0.0/16",
    "192.88.99.0/24",
    "198.18.0.0/15",
    "192.0.2.0/24",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "0.0.0.0/8",
    "::1/128",
    "::/128",
    "fe80::/10",
    "fc00::/7",
    "2001:db8::/32",
    "ff00::/8",
    "fec0::/10",
    "64:ff9b::/96",
    "100::/64",
];

/// Blocked ranges with exceptions. An address is blocked when a blocked range contains it
/// and no exception does. IPv4-mapped IPv6 addresses are checked as IPv4.
///
/// Ranges are indexed by prefix length (the same table as the compiled `no_proxy` set), so
/// a check probes once per distinct prefix length, however many ranges there are.
#[derive(Clone, Default)]
pub struct IpBlocklist {
    /// The blocked ranges in the order added; the table maps each to its first position.
    blocked: Vec<IpNet>,
    blocked_index: PrefixTable<usize>,
    allowed: Vec<IpNet>,
    allowed_index: PrefixTable<()>,
}

impl IpBlocklist {
    /// An empty list: nothing is blocked.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ready list of [`blocklist::NON_PUBLIC_RANGES`](crate::blocklist::NON_PUBLIC_RANGES), with the IPv4-compatible, IPv4-mapped and
    /// 6to4 forms of every IPv4 range (stricter than [`IpBlocklist::synapse_default`]).
    pub fn non_public() -> Self {
        NON_PUBLIC_RANGES
            .iter()
            .filter_map(|range| range.parse().ok())
            .fold(Self::new(), Self::block_with_derived)
    }

    /// Adds a blocked range.
    #[must_use]
    pub fn block(mut self, range: IpNet) -> Self {
        let range = range.trunc();
        let position = self.blocked.len();
        self.blocked.push(range);
        self.blocked_index.entry(range, || position);
        self
    }

    /// Adds an exception: addresses in `range` are never blocked.
    #[must_use]
    pub fn allow(mut self, range: IpNet) -> Self {
        let range = range.trunc();
        self.allowed.push(range);
        self.allowed_index.entry(range, || ());
        self
    }

    /// Whether nothing is blocked.
    pub fn is_empty(&self) -> bool {
        self.blocked.is_empty()
    }

    /// The blocked range containing `addr` (the first one added, if several do), or `None`
    /// when `addr` may be connected to.
    pub fn check(&self, addr: IpAddr) -> Option<IpNet> {
        let mut allowed = false;
        let mut first = usize::MAX;
        match canonical(addr) {
            IpAddr::V4(v4) => {
                self.allowed_index.each_v4(v4, |()| allowed = true);
                if !allowed {
                    self.blocked_index.each_v4(v4, |&at| first = first.min(at));
                }
            }
            IpAddr::V6(v6) => {
                self.allowed_index.each_v6(v6, |()| allowed = true);
                if !allowed {
                    self.blocked_index.each_v6(v6, |&at| first = first.min(at));
                }
            }
        }
        self.blocked.get(first).copied()
    }
}

/// Equal when the same ranges were added in the same order (the indexes follow from them).
impl PartialEq for IpBlocklist {
    fn eq(&self, other: &Self) -> bool {
        self.blocked == other.blocked && self.allowed == other.allowed
    }
}

impl Eq for IpBlocklist {}

impl fmt::Debug for IpBlocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpBlocklist")
            .field("blocked", &self.blocked)
            .field("allowed", &self.allowed)
            .finish()
    }
}

fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        IpAddr::V4(_) => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_ready_range_parses_and_ipv4_ranges_get_three_derived_forms() {
        let v4 = |list: &[&str]| list.iter().filter(|r| !r.contains(':')).count();
        assert_eq!(
            IpBlocklist::non_public().blocked.len(),
            NON_PUBLIC_RANGES.len() + 3 * v4(NON_PUBLIC_RANGES)
        );
        assert_eq!(
            IpBlocklist::synapse_default().blocked.len(),
            SYNAPSE_DEFAULT_RANGES.len() + 3 * v4(SYNAPSE_DEFAULT_RANGES)
        );
    }

    #[test]
    fn synapse_default_is_synapses_list_with_generate_ip_set_forms() {
        let list = IpBlocklist::synapse_default();
        // The examples of the reference page, and the derived prefixes it names.
        for blocked in [
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "2002:7f00:1::1",
            "2002:a00:1::1",
            "::ffff:10.1.2.3",
            "::10.1.2.3",
            "2002:c0a8:101::1",
        ] {
            assert!(list.check(ip(blocked)).is_some(), "{blocked}");
        }
        assert_eq!(
            list.check(ip("2002:7f00:1::1")),
            Some(ip_net("2002:7f00::/24"))
        );
        assert_eq!(
            list.check(ip("::127.0.0.1")),
            Some(ip_net("::127.0.0.0/104"))
        );
        // Synapse's list leaves what egress's stricter one adds.
        for synapse_allows in ["240.0.0.1", "0.0.0.1", "64:ff9b::1", "100::1"] {
            assert_eq!(list.check(ip(synapse_allows)), None, "{synapse_allows}");
            assert!(
                IpBlocklist::non_public()
                    .check(ip(synapse_allows))
                    .is_some()
            );
        }
        for public in ["93.184.216.34", "2002:5db8:d822::1", "2606:4700::1111"] {
            assert_eq!(list.check(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn synapse_strings_parse_addresses_and_ranges_and_name_a_bad_entry() {
        let list = IpBlocklist::from_synapse(&[" 192.168.1.10 ", "2001:db8::/32"], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(list.check(ip("192.168.1.10")).is_some());
        assert!(list.check(ip("::ffff:192.168.1.10")).is_some());
        assert!(list.check(ip("192.168.1.11")).is_none());
        assert!(list.check(ip("2001:db8:1::1")).is_some());
        let allowed = IpBlocklist::from_synapse(&["10.0.0.0/8"], &["10.9.0.0/16"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(allowed.check(ip("10.9.0.1")).is_none());
        assert!(
            allowed.check(ip("2002:a09::1")).is_none(),
            "the exception's 6to4 form too"
        );
        assert!(allowed.check(ip("2002:a01::1")).is_some());
        let error = IpBlocklist::from_synapse(&["10.0.0.0/8"], &["ten"])
            .err()
            .unwrap_or_else(|| panic!("\"ten\" is not a range"));
        assert_eq!(
            (error.in_allow_list, error.index, error.entry.as_str()),
            (true, 0, "ten")
        );
    }

    #[test]
    fn non_public_addresses_are_blocked_and_public_ones_are_not() {
        let list = IpBlocklist::non_public();
        for blocked in [
            "127.0.0.1",
            "10.0.0.1",
            "192.168.1.1",
            "::1",
            "fd00::1",
            "::ffff:10.1.1.1",
        ] {
            assert!(list.check(ip(blocked)).is_some(), "{blocked}");
        }
        for public in ["1.1.1.1", "8.8.8.8", "2606:4700::1111", "::ffff:1.1.1.1"] {
            assert_eq!(list.check(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn exceptions_win_and_empty_blocks_nothing() {
        let list = IpBlocklist::new()
            .block(ip_net("127.0.0.0/8"))
            .allow(ip_net("127.0.0.2/32"));
        assert_eq!(list.check(ip("127.0.0.1")), Some(ip_net("127.0.0.0/8")));
        assert_eq!(list.check(ip("127.0.0.2")), None);
        assert_eq!(IpBlocklist::new().check(ip("127.0.0.1")), None);
    }

    /// The definition, scanned: what the indexed check must answer.
    fn scan(blocked: &[IpNet], allowed: &[IpNet], addr: IpAddr) -> Option<IpNet> {
        let addr = canonical(addr);
        if allowed.iter().any(|net| net.contains(&addr)) {
            return None;
        }
        blocked.iter().copied().find(|net| net.contains(&addr))
    }

    proptest::proptest! {
        #[test]
        fn the_index_answers_as_a_scan(
            blocked in proptest::collection::vec((0u32..4, 0u8..=32, proptest::bool::ANY), 0..12),
            allowed in proptest::collection::vec((0u32..4, 0u8..=32, proptest::bool::ANY), 0..3),
            probes in proptest::collection::vec((0u32..4, 0u32..4, proptest::bool::ANY), 1..16),
        ) {
            // Few distinct high bits and low bits, so ranges nest and overlap often.
            let net = |&(high, len, v6): &(u32, u8, bool)| -> IpNet {
                let bits = (high << 30) | 0x0a00_0001;
                let net = if v6 {
                    IpNet::new(IpAddr::V6(core::net::Ipv6Addr::from_bits(u128::from(bits) << 96)), len * 4)
                } else {
                    IpNet::new(IpAddr::V4(core::net::Ipv4Addr::from_bits(bits)), len)
                };
                net.unwrap_or_else(|e| panic!("{e}")).trunc()
            };
            let blocked: std::vec::Vec<IpNet> = blocked.iter().map(net).collect();
            let allowed: std::vec::Vec<IpNet> = allowed.iter().map(net).collect();
            let list = blocked.iter().fold(IpBlocklist::new(), |l, n| l.block(*n));
            let list = allowed.iter().fold(list, |l, n| l.allow(*n));
            for &(high, low, v6) in &probes {
                let bits = (high << 30) | 0x0a00_0000 | low;
                let addr = if v6 {
                    IpAddr::V6(core::net::Ipv6Addr::from_bits(u128::from(bits) << 96))
                } else {
                    IpAddr::V4(core::net::Ipv4Addr::from_bits(bits))
                };
                proptest::prop_assert_eq!(list.check(addr), scan(&blocked, &allowed, addr), "{}", addr);
                let mapped = IpAddr::V6(core::net::Ipv4Addr::from_bits(bits).to_ipv6_mapped());
                proptest::prop_assert_eq!(list.check(mapped), scan(&blocked, &allowed, mapped));
            }
        }
    }

    fn ip_net(text: &str) -> IpNet {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }
}
