//! Cost of one no_proxy decision: egress-core's compiled set, its linear matcher and
//! hyper-util's `Matcher` (what reqwest uses) on the same generated workload, at N = 10,
//! 100, 1,000 and 10,000 entries; plus building the compiled set from 10,000 entries.
//!
//! Run: `cargo bench -p egress-core --features alloc --bench no_proxy -- --warm-up-time 1
//! --measurement-time 2`. Each iteration is one decision from the target's host text
//! (egress parses it into a `Host` inside the measured code; hyper-util gets a parsed
//! `Uri`, and parses the host itself). The workload uses only forms both libraries read
//! the same way (names, `.names`, addresses, CIDR ranges; no ports, no `*.`), and the
//! setup counts any disagreement.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egress_core::no_proxy::CompiledNoProxy;
use egress_core::{Host, NoProxy};
use hyper_util::client::proxy::matcher::Matcher;

/// splitmix64: a fixed-seed generator, so every run measures the same workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn label(&mut self) -> String {
        let len = 3 + self.below(8);
        (0..len)
            .map(|_| char::from(b'a' + self.below(26) as u8))
            .collect()
    }
}

/// What an entry covers, to derive hits and near misses from it.
enum Covered {
    Name(String),
    V4(u32, u8),
    V6(u128, u8),
}

const TLDS: &[&str] = &["com", "net", "org", "io", "internal"];

fn entry(rng: &mut Rng) -> (String, Covered) {
    match rng.below(10) {
        0..8 => {
            let labels = 1 + rng.below(2);
            let mut name: Vec<String> = (0..labels).map(|_| rng.label()).collect();
            name.push(String::from(TLDS[rng.below(TLDS.len() as u64) as usize]));
            let name = name.join(".");
            let text = if rng.below(3) == 0 {
                format!(".{name}")
            } else {
                name.clone()
            };
            (text, Covered::Name(name))
        }
        8 => {
            let len = [32u8, 32, 24, 16][rng.below(4) as usize];
            let net = (rng.next() as u32) & u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            let addr = std::net::Ipv4Addr::from_bits(net);
            let text = if len == 32 {
                addr.to_string()
            } else {
                format!("{addr}/{len}")
            };
            (text, Covered::V4(net, len))
        }
        _ => {
            let len = [128u8, 64, 48][rng.below(3) as usize];
            let bits = (0x2001_0db8u128 << 96) | (u128::from(rng.next()) << 32);
            let net = bits & u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            let addr = std::net::Ipv6Addr::from_bits(net);
            let text = if len == 128 {
                addr.to_string()
            } else {
                format!("{addr}/{len}")
            };
            (text, Covered::V6(net, len))
        }
    }
}

/// A host the entry covers (a hit), or a near miss of it (label boundary, other suffix,
/// address just outside); the caller checks misses against the whole list.
fn query(rng: &mut Rng, covered: &Covered, hit: bool) -> String {
    match (covered, hit) {
        (Covered::Name(name), true) => match rng.below(3) {
            0 => name.clone(),
            1 => format!("{}.{name}", rng.label()),
            _ => format!("{}.{}.{}", rng.label(), rng.label(), name.to_uppercase()),
        },
        (Covered::Name(name), false) => match rng.below(3) {
            0 => format!("x{name}"),
            1 => format!("{}.{name}x", rng.label()),
            _ => format!("{name}.evil.example"),
        },
        (Covered::V4(net, len), true) => {
            let host_bits = rng.next() as u32 & u32::MAX.checked_shr(u32::from(*len)).unwrap_or(0);
            std::net::Ipv4Addr::from_bits(net | host_bits).to_string()
        }
        (Covered::V6(net, len), true) => {
            let host_bits =
                u128::from(rng.next()) & u128::MAX.checked_shr(u32::from(*len)).unwrap_or(0);
            format!("[{}]", std::net::Ipv6Addr::from_bits(net | host_bits))
        }
        (Covered::V4(..), false) => std::net::Ipv4Addr::from_bits(rng.next() as u32).to_string(),
        (Covered::V6(..), false) => {
            let bits = (0x2001_0db8u128 << 96) | (u128::from(rng.next()) << 16);
            format!("[{}]", std::net::Ipv6Addr::from_bits(bits))
        }
    }
}

struct Workload {
    value: String,
    hits: Vec<String>,
    misses: Vec<String>,
}

const QUERIES: usize = 1024;

fn workload(n: usize) -> Workload {
    let mut rng = Rng(0x5eed_0000 + n as u64);
    let entries: Vec<(String, Covered)> = (0..n).map(|_| entry(&mut rng)).collect();
    let value = entries
        .iter()
        .map(|(text, _)| text.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let set = CompiledNoProxy::parse(&value);
    let decide = |host: &str| {
        let host = Host::parse(host).unwrap_or_else(|e| panic!("{host}: {e}"));
        set.matches(&host, 443).is_some()
    };
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    while hits.len() < QUERIES || misses.len() < QUERIES {
        let (_, covered) = &entries[rng.below(n as u64) as usize];
        let hit = hits.len() < QUERIES && (misses.len() >= QUERIES || rng.below(2) == 0);
        let host = query(&mut rng, covered, hit);
        // A near miss may still be covered by another entry; keep only true misses.
        match (hit, decide(&host)) {
            (true, true) => hits.push(host),
            (false, false) => misses.push(host),
            (true, false) => panic!("generated hit {host} is not covered"),
            (false, true) => {}
        }
    }
    Workload {
        value,
        hits,
        misses,
    }
}

fn hyper_matcher(value: &str) -> Matcher {
    Matcher::builder()
        .http("http://proxy.example:3128")
        .https("http://proxy.example:3128")
        .no(value)
        .build()
}

fn uris(hosts: &[String]) -> Vec<http::Uri> {
    hosts
        .iter()
        .map(|host| {
            format!("https://{host}/")
                .parse()
                .unwrap_or_else(|e| panic!("{host}: {e}"))
        })
        .collect()
}

fn decisions(c: &mut Criterion) {
    for n in [10usize, 100, 1_000, 10_000] {
        let load = workload(n);
        let compiled = CompiledNoProxy::parse(&load.value);
        let linear = NoProxy::parse(&load.value);
        let hyper = hyper_matcher(&load.value);
        let mut group = c.benchmark_group(format!("decide/{n}"));
        group.sample_size(20);
        for (kind, hosts, expect) in [("hit", &load.hits, true), ("miss", &load.misses, false)] {
            let uris = uris(hosts);
            let disagreements = uris
                .iter()
                .filter(|uri| hyper.intercept(uri).is_none() != expect)
                .count();
            let linear_agrees = hosts.iter().all(|h| {
                Host::parse(h)
                    .is_ok_and(|host| linear.matches(&host, 443) == compiled.matches(&host, 443))
            });
            assert!(linear_agrees, "compiled and linear disagree at N={n}");
            eprintln!(
                "N={n} {kind}: hyper-util disagrees on {disagreements} of {} queries",
                uris.len()
            );
            let mask = hosts.len() - 1;
            group.bench_function(BenchmarkId::new("compiled", kind), |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) & mask;
                    let host = Host::parse(black_box(&hosts[i])).ok();
                    host.and_then(|host| compiled.matches(&host, 443)).is_some()
                });
            });
            // The same decision from an already-parsed host, as a frontend holding a
            // `Target` makes it: the matcher's own cost without `Host::parse`.
            let parsed: Vec<Host<'_>> = hosts.iter().filter_map(|h| Host::parse(h).ok()).collect();
            group.bench_function(BenchmarkId::new("compiled-parsed-host", kind), |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) & mask;
                    compiled.matches(black_box(&parsed[i]), 443).is_some()
                });
            });
            group.bench_function(BenchmarkId::new("linear", kind), |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) & mask;
                    let host = Host::parse(black_box(&hosts[i])).ok();
                    host.and_then(|host| linear.matches(&host, 443)).is_some()
                });
            });
            group.bench_function(BenchmarkId::new("hyper-util", kind), |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) & mask;
                    hyper.intercept(black_box(&uris[i])).is_none()
                });
            });
        }
        group.finish();
    }
}

fn build(c: &mut Criterion) {
    let load = workload(10_000);
    let mut group = c.benchmark_group("build/10000");
    group.sample_size(20);
    group.bench_function("compiled", |b| {
        b.iter(|| CompiledNoProxy::parse(black_box(&load.value)))
    });
    group.bench_function("hyper-util", |b| {
        b.iter(|| hyper_matcher(black_box(&load.value)))
    });
    group.finish();
}

criterion_group!(benches, decisions, build);
criterion_main!(benches);
