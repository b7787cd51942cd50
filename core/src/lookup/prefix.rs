//! Networks indexed by prefix length: for each family and each prefix length present, a
//! hash index from the masked network to a value.
//!
//! A query masks the address once per length present and probes; the cost is the number of
//! distinct lengths (at most 33 for IPv4 and 129 for IPv6, a handful in practice), whatever
//! the number of networks. Both the compiled `no_proxy` set and the IP blocklist use it.

use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::index::HashIndex;
use super::mix;

/// Values of type `V` keyed by network; networks must have their host bits cleared.
#[derive(Clone, Debug)]
pub(crate) struct PrefixTable<V> {
    v4: Vec<Level<u32, V>>,
    v6: Vec<Level<u128, V>>,
}

impl<V> Default for PrefixTable<V> {
    fn default() -> Self {
        Self {
            v4: Vec::new(),
            v6: Vec::new(),
        }
    }
}

/// All networks of one prefix length in one family.
#[derive(Clone, Debug)]
struct Level<K, V> {
    mask: K,
    networks: HashIndex<(K, V)>,
}

/// The integer form of an address, and how to mask and hash it.
trait Bits: Copy + Eq + core::ops::BitAnd<Output = Self> {
    fn mask(prefix_len: u8) -> Self;
    fn hash(self, prefix_len_mask: Self) -> u64;
}

impl Bits for u32 {
    fn mask(prefix_len: u8) -> Self {
        u32::MAX
            .checked_shl(32 - u32::from(prefix_len))
            .unwrap_or(0)
    }
    fn hash(self, mask: Self) -> u64 {
        mix(u64::from(self) ^ (u64::from(mask) << 32))
    }
}

impl Bits for u128 {
    fn mask(prefix_len: u8) -> Self {
        u128::MAX
            .checked_shl(128 - u32::from(prefix_len))
            .unwrap_or(0)
    }
    fn hash(self, mask: Self) -> u64 {
        // Fold the halves with a mix in between so (a, b) and (b, a) differ; the mask is
        // folded in so equal networks of different lengths do not share probe runs.
        mix(mix((self >> 64) as u64 ^ mask.count_ones() as u64) ^ self as u64)
    }
}

impl<V> PrefixTable<V> {
    /// The value stored for `net` (host bits must be clear), inserting `make()` first if
    /// there is none.
    pub(crate) fn entry(&mut self, net: IpNet, make: impl FnOnce() -> V) -> &mut V {
        match net {
            IpNet::V4(net) => entry(
                &mut self.v4,
                net.network().to_bits(),
                net.prefix_len(),
                make,
            ),
            IpNet::V6(net) => entry(
                &mut self.v6,
                net.network().to_bits(),
                net.prefix_len(),
                make,
            ),
        }
    }

    /// Calls `found` with the value of every IPv4 network containing `addr`.
    pub(crate) fn each_v4(&self, addr: Ipv4Addr, found: impl FnMut(&V)) {
        each(&self.v4, addr.to_bits(), found);
    }

    /// Calls `found` with the value of every IPv6 network containing `addr`.
    pub(crate) fn each_v6(&self, addr: Ipv6Addr, found: impl FnMut(&V)) {
        each(&self.v6, addr.to_bits(), found);
    }
}

fn entry<K: Bits, V>(
    levels: &mut Vec<Level<K, V>>,
    network: K,
    prefix_len: u8,
    make: impl FnOnce() -> V,
) -> &mut V {
    let mask = K::mask(prefix_len);
    let at = match levels.iter().position(|level| level.mask == mask) {
        Some(at) => at,
        None => {
            levels.push(Level {
                mask,
                networks: HashIndex::default(),
            });
            levels.len() - 1
        }
    };
    let networks = &mut levels[at].networks;
    let hash = network.hash(mask);
    let position = match networks.position(hash, |(k, _)| *k == network) {
        Some(position) => position,
        None => networks.insert(hash, (network, make())),
    };
    &mut networks.get_mut(position).1
}

fn each<K: Bits, V>(levels: &[Level<K, V>], addr: K, mut found: impl FnMut(&V)) {
    for level in levels {
        let network = addr & level.mask;
        if let Some((_, value)) = level
            .networks
            .find(network.hash(level.mask), |(k, _)| *k == network)
        {
            found(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PrefixTable;
    use ipnet::IpNet;

    fn net(text: &str) -> IpNet {
        text.parse::<IpNet>()
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .trunc()
    }

    #[test]
    fn every_containing_network_is_found_once() {
        let mut table = PrefixTable::default();
        for (value, text) in ["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "10.1.2.3/32"]
            .iter()
            .enumerate()
        {
            *table.entry(net(text), || value) = value;
        }
        table.entry(net("::/0"), || 9);
        let mut seen = std::vec::Vec::new();
        table.each_v4("10.1.2.3".parse().expect("address"), |v| seen.push(*v));
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3]);
        seen.clear();
        table.each_v4("11.0.0.1".parse().expect("address"), |v| seen.push(*v));
        assert_eq!(seen, [2]);
        seen.clear();
        table.each_v6("2001:db8::1".parse().expect("address"), |v| seen.push(*v));
        assert_eq!(seen, [9]);
    }

    #[test]
    fn the_first_value_for_a_network_is_kept() {
        let mut table = PrefixTable::default();
        table.entry(net("192.168.0.0/16"), || 1);
        table.entry(net("192.168.9.9/16"), || 2);
        let mut seen = std::vec::Vec::new();
        table.each_v4("192.168.1.1".parse().expect("address"), |v| seen.push(*v));
        assert_eq!(seen, [1]);
    }
}
