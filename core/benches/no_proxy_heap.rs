//! Retained heap of one `no_proxy` list built from the benchmark's workload (issue 17: at
//! most 512 KiB for 10,000 entries), for the compiled set, the linear form, hyper-util's
//! `Matcher` and the naive list, at N = 10, 100, 1,000 and 10,000. Counted with
//! allocation-counter's global allocator, which is why this is a bench of its own: in
//! `benches/no_proxy.rs` it would slow every allocating timed call. Run with the timings:
//! `cargo bench -p egress-core --features alloc --bench no_proxy --bench no_proxy_heap`.
//! `tests/no_proxy_heap.rs` asserts the bound.

use egress_core::no_proxy::CompiledNoProxy;
use egress_core::{Host, NoProxy};
use hyper_util::client::proxy::matcher::Matcher;

mod support {
    pub(crate) mod load;
    // Shared with the timing bench, which uses the parts this one does not.
    #[allow(dead_code)]
    pub(crate) mod naive;
    #[allow(dead_code)]
    pub(crate) mod workload;
}
use support::load::load_average;
use support::naive::Naive;
use support::workload::workload;

/// Bytes still allocated after `build` returned (what the built value keeps), and the value.
fn retained<T>(build: impl FnOnce() -> T) -> (i64, T) {
    let mut built = None;
    let info = allocation_counter::measure(|| built = Some(build()));
    let built = built.unwrap_or_else(|| panic!("the closure ran"));
    (info.bytes_current, built)
}

fn kib(bytes: i64) -> String {
    format!("{bytes} B ({:.0} KiB)", bytes as f64 / 1024.0)
}

fn main() {
    println!("retained heap (load average {}):", load_average());
    for n in [10, 100, 1_000, 10_000] {
        let load = workload(n, |value| {
            let set = CompiledNoProxy::parse(value);
            move |host: &str| Host::parse(host).is_ok_and(|host| set.matches(&host, 443).is_some())
        });
        let (compiled, set) = retained(|| CompiledNoProxy::parse(&load.value));
        let (linear, _) = retained(|| NoProxy::parse(&load.value));
        let (hyper, _) = retained(|| {
            Matcher::builder()
                .http("http://proxy.example:3128")
                .https("http://proxy.example:3128")
                .no(load.value.as_str())
                .build()
        });
        let (naive, _) = retained(|| Naive::parse(&load.value));
        assert_eq!(set.len(), n, "every generated entry is valid");
        println!(
            "  N={n}: value {} B; compiled {}, linear {linear} B, hyper-util {}, naive {}",
            load.value.len(),
            kib(compiled),
            kib(hyper),
            kib(naive),
        );
    }
    println!("load average at end: {}", load_average());
}
