//! Address entries by family and prefix length: for each length present, the networks of
//! that length, found by hashing the masked target address, or by a scan when a length
//! has only a few (the common case for short lists, where a scan beats hashing).
//!
//! A query costs one probe (or a short scan) per prefix length present in its family, at
//! most 33 for IPv4 and 129 for IPv6 and a handful in practice, whatever the number of
//! networks.

use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::keyed::{Groups, NONE};
use super::table::Table;

/// Up to this many networks of one length are scanned rather than hashed.
const SCAN: usize = 8;

/// An address as bits: IPv4 as `u32`, IPv6 as two `u64` halves (8-byte aligned, so a
/// stored network takes 24 bytes, not the 32 a `u128` would).
trait Bits: Copy + Eq {
    fn and(self, mask: Self) -> Self;
    fn hash(self) -> u64;
}

impl Bits for u32 {
    #[inline]
    fn and(self, mask: Self) -> Self {
        self & mask
    }
    #[inline]
    fn hash(self) -> u64 {
        mum(
            u64::from(self) ^ 0xa076_1d64_78bd_642f,
            0xe703_7ed1_a0b4_28db,
        )
    }
}

impl Bits for (u64, u64) {
    #[inline]
    fn and(self, mask: Self) -> Self {
        (self.0 & mask.0, self.1 & mask.1)
    }
    #[inline]
    fn hash(self) -> u64 {
        mum(
            self.0 ^ 0xa076_1d64_78bd_642f,
            self.1 ^ 0xe703_7ed1_a0b4_28db,
        )
    }
}

#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    product as u64 ^ (product >> 64) as u64
}

fn halves(bits: u128) -> (u64, u64) {
    ((bits >> 64) as u64, bits as u64)
}

/// All networks of one prefix length in one family.
#[derive(Clone, Debug)]
struct Level<K> {
    mask: K,
    /// Each network with its entries (a packed `keyed` value).
    networks: Vec<(K, u32)>,
    /// Empty for a level of at most [`SCAN`] networks once built.
    table: Table,
    /// Each network's hash, while building (empty afterwards).
    hashes: Vec<u64>,
}

impl<K: Bits> Level<K> {
    fn new(mask: K) -> Self {
        Self {
            mask,
            networks: Vec::new(),
            table: Table::with_room(SCAN),
            hashes: Vec::new(),
        }
    }

    fn entries_of(&mut self, network: K) -> &mut u32 {
        let hash = network.hash();
        let networks = &self.networks;
        let id = match self.table.find(hash, |id| networks[id].0 == network) {
            Some(id) => id,
            None => {
                self.networks.push((network, NONE));
                self.hashes.push(hash);
                let id = self.networks.len() - 1;
                if !self.table.has_room() {
                    self.table = Table::build(&self.hashes[..id], 2 * self.networks.len());
                }
                self.table.place(hash, id);
                id
            }
        };
        &mut self.networks[id].1
    }

    fn finish(&mut self) {
        if self.networks.len() <= SCAN {
            self.table = Table::default();
        } else if !self.table.fits(self.networks.len()) {
            self.table = Table::build(&self.hashes, 0);
        }
        self.hashes = Vec::new();
        self.networks.shrink_to_fit();
    }

    /// The packed entries of the network of this length containing `addr`, or [`NONE`].
    #[inline]
    fn find(&self, addr: K) -> u32 {
        let network = addr.and(self.mask);
        if self.networks.len() <= SCAN {
            return self
                .networks
                .iter()
                .find(|(k, _)| *k == network)
                .map_or(NONE, |&(_, entries)| entries);
        }
        self.table
            .find(network.hash(), |id| self.networks[id].0 == network)
            .map_or(NONE, |id| self.networks[id].1)
    }
}

/// Address entries of both families.
#[derive(Clone, Debug, Default)]
pub(super) struct AddressSet {
    v4: Vec<Level<u32>>,
    v6: Vec<Level<(u64, u64)>>,
}

impl AddressSet {
    /// Records that entry `position` covers `net` (host bits clear) on `port` (or every
    /// port).
    pub(super) fn add(
        &mut self,
        net: IpNet,
        port: Option<u16>,
        position: u32,
        groups: &mut Groups,
    ) {
        let entries = match net {
            IpNet::V4(net) => {
                level(&mut self.v4, net.netmask().to_bits()).entries_of(net.network().to_bits())
            }
            IpNet::V6(net) => level(&mut self.v6, halves(net.netmask().to_bits()))
                .entries_of(halves(net.network().to_bits())),
        };
        groups.add(entries, port, position);
    }

    /// Packs every level once every entry is added.
    pub(super) fn finish(&mut self) {
        self.v4.iter_mut().for_each(Level::finish);
        self.v6.iter_mut().for_each(Level::finish);
        self.v4.shrink_to_fit();
        self.v6.shrink_to_fit();
    }

    /// The earliest entry covering the IPv4 address `addr` on `port`, or [`NONE`].
    #[inline]
    pub(super) fn earliest_v4(&self, addr: Ipv4Addr, port: u16, groups: &Groups) -> u32 {
        earliest(&self.v4, addr.to_bits(), port, groups)
    }

    /// The earliest entry covering the IPv6 address `addr` on `port`, or [`NONE`].
    #[inline]
    pub(super) fn earliest_v6(&self, addr: Ipv6Addr, port: u16, groups: &Groups) -> u32 {
        earliest(&self.v6, halves(addr.to_bits()), port, groups)
    }
}

fn level<K: Bits>(levels: &mut Vec<Level<K>>, mask: K) -> &mut Level<K> {
    let at = match levels.iter().position(|level| level.mask == mask) {
        Some(at) => at,
        None => {
            levels.push(Level::new(mask));
            levels.len() - 1
        }
    };
    &mut levels[at]
}

#[inline]
fn earliest<K: Bits>(levels: &[Level<K>], addr: K, port: u16, groups: &Groups) -> u32 {
    levels
        .iter()
        .map(|level| groups.earliest(level.find(addr), port))
        .min()
        .unwrap_or(NONE)
}

#[cfg(test)]
mod tests {
    use super::{AddressSet, Groups, NONE};
    use ipnet::IpNet;

    fn net(text: &str) -> IpNet {
        text.parse::<IpNet>()
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .trunc()
    }

    #[test]
    fn the_earliest_containing_network_wins_in_scans_and_tables() {
        let mut set = AddressSet::default();
        let mut groups = Groups::default();
        let mut position = 0;
        for text in [
            "10.1.0.0/16",
            "10.0.0.0/8",
            "10.1.2.3/32",
            "0.0.0.0/0",
            "::/0",
        ] {
            set.add(net(text), None, position, &mut groups);
            position += 1;
        }
        // Enough /24 networks that their level is hashed.
        for third in 0..20u32 {
            set.add(
                net(&std::format!("192.168.{third}.0/24")),
                None,
                position,
                &mut groups,
            );
            position += 1;
        }
        set.add(net("192.168.7.0/24"), Some(443), position, &mut groups);
        set.finish();
        let v4 = |text: &str, port| set.earliest_v4(text.parse().expect("v4"), port, &groups);
        assert_eq!(v4("10.1.2.3", 80), 0);
        assert_eq!(v4("10.9.9.9", 80), 1);
        assert_eq!(v4("11.0.0.1", 80), 3);
        assert_eq!(v4("192.168.7.1", 443), 3);
        let v6 = set.earliest_v6("2001:db8::1".parse().expect("v6"), 80, &groups);
        assert_eq!(v6, 4);
        assert_eq!(
            AddressSet::default().earliest_v4([1, 2, 3, 4].into(), 80, &groups),
            NONE
        );
    }
}
