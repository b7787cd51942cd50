//! The no_proxy workload of issue 17, generated from a fixed seed so that every run (and the
//! heap test, which includes this file) sees the same lists and hosts.
//!
//! Entries: 80% names (`word-K.tld`, some written `.word-K.tld`; `.corp-K.internal`;
//! `svc-K.cluster.local`), 20% addresses (IPv4 and IPv6 single addresses and CIDR ranges at
//! several prefix lengths, inside private / documentation space). About a third of the
//! entries are written after ", ", the rest after ",".
//!
//! Hosts: half hits (exact names, subdomains, mixed case, addresses inside ranges), half
//! misses (random names, label-boundary near misses, random public IPv4 and IPv6), shuffled.

use std::net::{Ipv4Addr, Ipv6Addr};

/// splitmix64: a fixed-seed generator.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// A lowercase label of 4 to 11 letters.
    fn label(&mut self) -> String {
        let len = 4 + self.below(8);
        (0..len)
            .map(|_| char::from(b'a' + self.below(26) as u8))
            .collect()
    }
}

const WORDS: &[&str] = &[
    "example", "billing", "matrix", "identity", "media", "search", "cdn", "auth", "api", "status",
    "metrics", "registry", "mail", "files",
];
const TLDS: &[&str] = &["com", "net", "org", "io", "de"];
const SUBDOMAINS: &[&str] = &["www", "api", "db", "eu", "cache-01", "node7", "login"];

/// What an entry covers, to derive hits and near misses from it.
#[derive(Clone, Debug)]
pub(crate) enum Covered {
    /// A name and its subdomains.
    Name(String),
    /// An IPv4 network and its prefix length.
    V4(u32, u8),
    /// An IPv6 network and its prefix length.
    V6(u128, u8),
}

fn mask4(len: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0)
}

fn mask6(len: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0)
}

/// Entry `k` of a list: its text and what it covers.
fn entry(rng: &mut Rng, k: usize) -> (String, Covered) {
    // The kind follows `k`, so every N has the same mix (N = 10: 8 names, 2 addresses).
    match k % 10 {
        0 | 1 | 8 | 9 => {
            let name = format!("{}-{k}.{}", rng.pick(WORDS), rng.pick(TLDS));
            let text = if rng.below(3) == 0 {
                format!(".{name}")
            } else {
                name.clone()
            };
            (text, Covered::Name(name))
        }
        2 | 4 => {
            let name = format!("corp-{k}.internal");
            (format!(".{name}"), Covered::Name(name))
        }
        5 | 6 => {
            let name = format!("svc-{k}.cluster.local");
            (name.clone(), Covered::Name(name))
        }
        3 => {
            let len = [32u8, 32, 28, 24, 20, 16][rng.below(6) as usize];
            let base: u32 = match rng.below(3) {
                0 => 0x0a00_0000 | (rng.next() as u32 & 0x00ff_ffff),
                1 => 0xac10_0000 | (rng.next() as u32 & 0x000f_ffff),
                _ => 0xc0a8_0000 | (rng.next() as u32 & 0x0000_ffff),
            };
            let net = base & mask4(len);
            let addr = Ipv4Addr::from_bits(net);
            let text = if len == 32 {
                addr.to_string()
            } else {
                format!("{addr}/{len}")
            };
            (text, Covered::V4(net, len))
        }
        _ => {
            let len = [128u8, 128, 64, 56, 48][rng.below(5) as usize];
            let prefix = if rng.below(2) == 0 {
                0xfd00u128 << 112
            } else {
                0x2001_0db8u128 << 96
            };
            let random = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            let bits = prefix | (random & (u128::MAX >> 32));
            let net = bits & mask6(len);
            let addr = Ipv6Addr::from_bits(net);
            let text = if len == 128 {
                addr.to_string()
            } else {
                format!("{addr}/{len}")
            };
            (text, Covered::V6(net, len))
        }
    }
}

fn mixed_case(rng: &mut Rng, name: &str) -> String {
    name.chars()
        .map(|c| {
            if rng.below(2) == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// A host (as in a URL: IPv6 in brackets) that `covered` matches.
fn hit(rng: &mut Rng, covered: &Covered) -> String {
    match covered {
        Covered::Name(name) => match rng.below(4) {
            0 => name.clone(),
            1 => format!("{}.{name}", rng.pick(SUBDOMAINS)),
            2 => format!("{}.{}.{name}", rng.label(), rng.pick(SUBDOMAINS)),
            _ => {
                let host = format!("{}.{name}", rng.pick(SUBDOMAINS));
                mixed_case(rng, &host)
            }
        },
        Covered::V4(net, len) => {
            Ipv4Addr::from_bits(net | (rng.next() as u32 & !mask4(*len))).to_string()
        }
        Covered::V6(net, len) => {
            let random = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            format!("[{}]", Ipv6Addr::from_bits(net | (random & !mask6(*len))))
        }
    }
}

/// A host near `covered` or random; the caller keeps it only if no entry matches it.
fn miss(rng: &mut Rng, covered: &Covered) -> String {
    match covered {
        Covered::Name(name) => match rng.below(5) {
            0 => format!("x{name}"),
            1 => format!("{}.{name}.evil.net", rng.pick(SUBDOMAINS)),
            2 => format!("{}{name}", rng.pick(SUBDOMAINS)),
            _ => format!(
                "{}.{}.{}",
                rng.pick(SUBDOMAINS),
                rng.label(),
                rng.pick(TLDS)
            ),
        },
        Covered::V4(..) => {
            // Public space: not in 10/8, 172.16/12 or 192.168/16.
            let bits = (rng.next() as u32 % 0xdf00_0000).max(0x0100_0000);
            Ipv4Addr::from_bits(bits).to_string()
        }
        Covered::V6(..) => {
            let random = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            let bits = (0x2a00u128 << 112) | (random >> 16);
            format!("[{}]", Ipv6Addr::from_bits(bits))
        }
    }
}

/// One list of `n` entries and its queries.
pub(crate) struct Workload {
    /// The `no_proxy` value.
    pub(crate) value: String,
    /// Hosts as text, hits and misses shuffled.
    pub(crate) hosts: Vec<String>,
    /// Whether each host should bypass the proxy.
    pub(crate) expected: Vec<bool>,
}

/// Hosts per workload (a power of two, half hits).
pub(crate) const QUERIES: usize = 2048;

/// The workload for `n` entries; `reference(value)` gives the reference decision
/// (`host -> covered?`) used to check hits and keep only true misses.
pub(crate) fn workload<C: Fn(&str) -> bool>(
    n: usize,
    reference: impl FnOnce(&str) -> C,
) -> Workload {
    let mut rng = Rng(0x5eed_0017 + n as u64);
    let entries: Vec<(String, Covered)> = (0..n).map(|k| entry(&mut rng, k)).collect();
    let mut value = String::new();
    for (k, (text, _)) in entries.iter().enumerate() {
        if k > 0 {
            value.push_str(if rng.below(3) == 0 { ", " } else { "," });
        }
        value.push_str(text);
    }
    let covers = reference(&value);
    let mut queries = Vec::with_capacity(QUERIES);
    while queries.len() < QUERIES / 2 {
        let (_, covered) = &entries[rng.below(n as u64) as usize];
        let host = hit(&mut rng, covered);
        assert!(covers(&host), "generated hit {host} is not covered");
        queries.push((host, true));
    }
    while queries.len() < QUERIES {
        let (_, covered) = &entries[rng.below(n as u64) as usize];
        let host = miss(&mut rng, covered);
        if !covers(&host) {
            queries.push((host, false));
        }
    }
    for i in (1..queries.len()).rev() {
        queries.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let (hosts, expected) = queries.into_iter().unzip();
    Workload {
        value,
        hosts,
        expected,
    }
}
