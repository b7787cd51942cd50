//! Cost of one no_proxy decision (issue 17): egress-core's compiled set, its linear matcher,
//! hyper-util's `Matcher` (what reqwest uses) and a naive linear scan, on the same generated
//! workload (`support/workload.rs`), at N = 10, 100, 1,000 and 10,000 entries; plus building
//! each from 10,000 entries. It prints the load average at its start and end; the retained
//! heap is printed by the `no_proxy_heap` bench, which the command below runs right after
//! (it needs a counting global allocator, which would slow hyper-util's allocating calls
//! here), so one command gives every figure of BENCHMARKS.md section 1.
//!
//! Run: `cargo bench -p egress-core --features alloc --bench no_proxy --bench no_proxy_heap
//! -- --warm-up-time 1 --measurement-time 2`, then `scripts/bench-table` for the table. Each iteration is one
//! decision on the next host of a shuffled stream (half hits, half misses):
//!
//! - `text/N`: from the host text as a URL carries it. egress: `Host::parse` + `matches`;
//!   naive: its own classification + scan; hyper-util takes only an `http::Uri`, so its
//!   timed call parses `https://{host}/` into one (the only way to give it host text).
//! - `parsed/N`: from an already parsed host (egress `Host`, naive `NaiveHost`, a `Uri`).
//!
//! The workload uses only forms all four read the same way (names, `.names`, addresses,
//! CIDR ranges; no ports, no `*.`); the setup checks every answer of every implementation.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group};
use egress_core::no_proxy::CompiledNoProxy;
use egress_core::{Host, NoProxy};
use hyper_util::client::proxy::matcher::Matcher;

mod support {
    pub(crate) mod load;
    pub(crate) mod naive;
    pub(crate) mod workload;
}
use support::load::load_average;
use support::naive::{Naive, NaiveHost};
use support::workload::{Workload, workload};

fn hyper_matcher(value: &str) -> Matcher {
    Matcher::builder()
        .http("http://proxy.example:3128")
        .https("http://proxy.example:3128")
        .no(value)
        .build()
}

fn uri_text(host: &str) -> String {
    format!("https://{host}/")
}

fn uri(text: &str) -> http::Uri {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn load(n: usize) -> Workload {
    workload(n, |value| {
        let set = CompiledNoProxy::parse(value);
        move |host: &str| {
            let host = Host::parse(host).unwrap_or_else(|e| panic!("{host}: {e}"));
            set.matches(&host, 443).is_some()
        }
    })
}

/// Every implementation answers every host as expected (hyper-util is only counted).
fn check(load: &Workload, compiled: &CompiledNoProxy, naive: &Naive, hyper: &Matcher) {
    let linear = compiled.linear();
    let mut hyper_disagrees = 0;
    for (host, &expected) in load.hosts.iter().zip(&load.expected) {
        let parsed = Host::parse(host).unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(compiled.matches(&parsed, 443).is_some(), expected, "{host}");
        assert_eq!(linear.matches(&parsed, 443), compiled.matches(&parsed, 443));
        assert_eq!(
            naive.matches(NaiveHost::parse(host)),
            expected,
            "naive: {host}"
        );
        hyper_disagrees +=
            usize::from(hyper.intercept(&uri(&uri_text(host))).is_some() == expected);
    }
    eprintln!(
        "{} hosts checked; hyper-util disagrees on {hyper_disagrees}",
        load.hosts.len()
    );
}

/// Benchmarks `decide(i)` on hosts `0, 1, 2, ...` (wrapping).
fn run(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    n: usize,
    len: usize,
    mut decide: impl FnMut(usize) -> bool,
) {
    let mask = len - 1;
    group.bench_function(BenchmarkId::new(id, n), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & mask;
            decide(black_box(i))
        });
    });
}

fn decisions(c: &mut Criterion) {
    for n in [10usize, 100, 1_000, 10_000] {
        let load = load(n);
        let compiled = CompiledNoProxy::parse(&load.value);
        let linear = NoProxy::parse(&load.value);
        let hyper = hyper_matcher(&load.value);
        let naive = Naive::parse(&load.value);
        check(&load, &compiled, &naive, &hyper);
        let hosts = &load.hosts;
        let len = hosts.len();
        let uri_texts: Vec<String> = hosts.iter().map(|h| uri_text(h)).collect();
        let parsed: Vec<Host<'_>> = hosts.iter().filter_map(|h| Host::parse(h).ok()).collect();
        let naive_parsed: Vec<NaiveHost<'_>> = hosts.iter().map(|h| NaiveHost::parse(h)).collect();
        let uris: Vec<http::Uri> = uri_texts.iter().map(|t| uri(t)).collect();

        let mut group = c.benchmark_group("text");
        group.sample_size(20);
        run(&mut group, "compiled", n, len, |i| {
            Host::parse(&hosts[i]).is_ok_and(|host| compiled.matches(&host, 443).is_some())
        });
        run(&mut group, "linear", n, len, |i| {
            Host::parse(&hosts[i]).is_ok_and(|host| linear.matches(&host, 443).is_some())
        });
        run(&mut group, "hyper-util", n, len, |i| {
            uri_texts[i]
                .parse::<http::Uri>()
                .is_ok_and(|uri| hyper.intercept(&uri).is_none())
        });
        run(&mut group, "naive", n, len, |i| {
            naive.matches(NaiveHost::parse(&hosts[i]))
        });
        group.finish();

        let mut group = c.benchmark_group("parsed");
        group.sample_size(20);
        run(&mut group, "compiled", n, len, |i| {
            compiled.matches(&parsed[i], 443).is_some()
        });
        run(&mut group, "linear", n, len, |i| {
            linear.matches(&parsed[i], 443).is_some()
        });
        run(&mut group, "hyper-util", n, len, |i| {
            hyper.intercept(&uris[i]).is_none()
        });
        run(&mut group, "naive", n, len, |i| {
            naive.matches(naive_parsed[i])
        });
        group.finish();
    }
}

fn build(c: &mut Criterion) {
    let load = load(10_000);
    let mut group = c.benchmark_group("build");
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("compiled", 10_000), |b| {
        b.iter(|| CompiledNoProxy::parse(black_box(&load.value)))
    });
    group.bench_function(BenchmarkId::new("hyper-util", 10_000), |b| {
        b.iter(|| hyper_matcher(black_box(&load.value)))
    });
    group.bench_function(BenchmarkId::new("naive", 10_000), |b| {
        b.iter(|| Naive::parse(black_box(&load.value)))
    });
    group.finish();
}

criterion_group!(benches, decisions, build);

fn main() {
    println!("load average at start: {}", load_average());
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("load average at end: {}", load_average());
}
