//! Blocklists the way Synapse writes them: Synapse's own default list, and lists built from
//! strings as an operator puts them in `ip_range_blacklist` / `ip_range_whitelist`, with
//! the forms Synapse's `generate_ip_set` derives for every IPv4 network (IPv4-compatible
//! `::a.b.c.d`, IPv4-mapped `::ffff:a.b.c.d`, and 6to4 `2002:` + the 32 network bits).
//!
//! ```
//! use egress_core::IpBlocklist;
//!
//! let list = IpBlocklist::synapse_default();
//! for blocked in ["127.0.0.1", "::127.0.0.1", "::ffff:127.0.0.1", "2002:7f00:1::1", "2002:a00:1::1"] {
//!     assert!(list.check(blocked.parse()?).is_some(), "{blocked}");
//! }
//! assert!(list.check("93.184.216.34".parse()?).is_none());
//!
//! let own = IpBlocklist::from_synapse(&["10.0.0.0/8", "192.168.1.10"], &["10.9.0.0/16"])?;
//! assert!(own.check("192.168.1.10".parse()?).is_some());
//! assert!(own.check("10.9.1.1".parse()?).is_none());
//! assert_eq!(
//!     IpBlocklist::from_synapse(&["10.0.0.0/8", "10.0.0.0/33"], &[]).unwrap_err().to_string(),
//!     "ip range entry 1 \"10.0.0.0/33\" is neither an IP address nor a CIDR range (e.g. \
//!      10.0.0.0/8, 192.168.1.10, 2001:db8::/32)"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::IpBlocklist;
use crate::inline_str::InlineStr;

/// Synapse's `DEFAULT_IP_RANGE_BLOCKLIST`, in Synapse's order (see
/// [`IpBlocklist::synapse_default`], which adds the derived IPv6 forms of each IPv4 range):
///
/// | ranges | what |
/// |---|---|
/// | 127.0.0.0/8, ::1/128 | localhost |
/// | 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 | private networks |
/// | 100.64.0.0/10 | carrier-grade NAT |
/// | 192.0.0.0/24 | address registry |
/// | 169.254.0.0/16, fe80::/10 | link-local |
/// | 192.88.99.0/24 | formerly 6to4 relay |
/// | 198.18.0.0/15, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 | testing |
/// | 224.0.0.0/4, ff00::/8 | multicast |
/// | fc00::/7 | unique local |
/// | fec0::/10 | site-local |
pub const SYNAPSE_DEFAULT_RANGES: &[&str] = &[
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
    "::1/128",
    "fe80::/10",
    "fc00::/7",
    "2001:db8::/32",
    "ff00::/8",
    "fec0::/10",
];

/// An entry of a Synapse-style list that is neither an address nor a CIDR range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeError {
    /// Which list: `false` for the blocked ranges, `true` for the exceptions.
    pub in_allow_list: bool,
    /// The entry's position in its list, from 0.
    pub index: usize,
    /// The entry as written (cut if long; these are not secrets).
    pub entry: InlineStr<64>,
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = if self.in_allow_list {
            "ip range exception"
        } else {
            "ip range"
        };
        write!(
            f,
            "{list} entry {} {:?} is neither an IP address nor a CIDR range (e.g. 10.0.0.0/8, \
             192.168.1.10, 2001:db8::/32)",
            self.index,
            self.entry.as_str()
        )
    }
}

impl core::error::Error for RangeError {}

impl IpBlocklist {
    /// Synapse's default blocklist exactly ([`blocklist::SYNAPSE_DEFAULT_RANGES`](crate::blocklist::SYNAPSE_DEFAULT_RANGES)) with the forms
    /// `generate_ip_set` derives for every IPv4 range: IPv4-compatible (`::a.b.c.d/96+n`),
    /// IPv4-mapped (`::ffff:a.b.c.d/96+n`) and 6to4 (`2002:<a.b.c.d>::/16+n`).
    pub fn synapse_default() -> Self {
        let mut list = Self::new();
        for range in SYNAPSE_DEFAULT_RANGES {
            if let Ok(net) = parse_range(range) {
                list = list.block_with_derived(net);
            }
        }
        list
    }

    /// A list from strings as Synapse's configuration writes them (addresses or CIDR
    /// ranges, IPv4 or IPv6), with the derived forms of every IPv4 range in both lists;
    /// exceptions (`allow`) win over blocked ranges.
    pub fn from_synapse(block: &[&str], allow: &[&str]) -> Result<Self, RangeError> {
        let parse = |entries: &[&str], in_allow_list: bool| {
            entries
                .iter()
                .enumerate()
                .map(|(index, entry)| {
                    parse_range(entry).map_err(|()| RangeError {
                        in_allow_list,
                        index,
                        entry: InlineStr::new(entry.trim()),
                    })
                })
                .collect::<Result<alloc::vec::Vec<IpNet>, RangeError>>()
        };
        let mut list = Self::new();
        for net in parse(block, false)? {
            list = list.block_with_derived(net);
        }
        for net in parse(allow, true)? {
            for form in with_derived(net) {
                list = list.allow(form);
            }
        }
        Ok(list)
    }

    /// Blocks `net` and, for an IPv4 network, its derived IPv6 forms.
    pub(super) fn block_with_derived(self, net: IpNet) -> Self {
        with_derived(net).fold(self, Self::block)
    }
}

/// An address (a /32 or /128) or a CIDR range.
fn parse_range(text: &str) -> Result<IpNet, ()> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net);
    }
    text.parse::<IpAddr>().map(IpNet::from).map_err(|_| ())
}

/// `net`, then (for IPv4) its IPv4-compatible, IPv4-mapped and 6to4 networks.
fn with_derived(net: IpNet) -> impl Iterator<Item = IpNet> {
    let derived = match net {
        IpNet::V4(v4) => Some(derived_v6(v4)),
        IpNet::V6(_) => None,
    };
    core::iter::once(net).chain(derived.into_iter().flatten())
}

fn derived_v6(v4: Ipv4Net) -> [IpNet; 3] {
    let bits = u128::from(v4.network().to_bits());
    let len = v4.prefix_len();
    let v6 = |addr: u128, prefix: u8| {
        // Prefixes stay within 128 (96 + 32, 16 + 32), so construction cannot fail.
        IpNet::V6(Ipv6Net::new(Ipv6Addr::from_bits(addr), prefix).unwrap_or_default())
    };
    let compatible = v6(bits, 96 + len);
    let mapped = v6(
        Ipv4Addr::from_bits(0).to_ipv6_mapped().to_bits() | bits,
        96 + len,
    );
    let six_to_four = v6((0x2002u128 << 112) | (bits << 80), 16 + len);
    [compatible, mapped, six_to_four]
}
