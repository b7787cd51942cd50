//! Retained heap of a compiled `no_proxy` set built from the benchmark's workload (issue 17:
//! at most 512 KiB for 10,000 entries), next to hyper-util's `Matcher` and the naive list,
//! measured with a counting global allocator (allocation-counter). Prints the figures:
//! `cargo test -p egress-core --features alloc --test no_proxy_heap -- --nocapture`.
#![cfg(feature = "alloc")]

use egress_core::{CompiledNoProxy, Host};
use hyper_util::client::proxy::matcher::Matcher;

// Shared with the benchmark, which uses the parts this test does not.
#[allow(dead_code)]
#[path = "../benches/support/naive.rs"]
mod naive;
#[allow(dead_code)]
#[path = "../benches/support/workload.rs"]
mod workload;

/// Bytes still allocated after `build` returned (what the built value keeps).
fn retained<T>(build: impl FnOnce() -> T) -> (usize, T) {
    let mut built = None;
    let info = allocation_counter::measure(|| built = Some(build()));
    let built = built.unwrap_or_else(|| panic!("the closure ran"));
    (
        usize::try_from(info.bytes_current).unwrap_or(usize::MAX),
        built,
    )
}

#[test]
fn compiled_set_of_10_000_entries_keeps_at_most_512_kib() {
    for n in [10, 100, 1_000, 10_000] {
        let load = workload::workload(n, |value| {
            let set = CompiledNoProxy::parse(value);
            move |host: &str| Host::parse(host).is_ok_and(|host| set.matches(&host, 443).is_some())
        });
        let (compiled, set) = retained(|| CompiledNoProxy::parse(&load.value));
        let (hyper, _) = retained(|| {
            Matcher::builder()
                .http("http://proxy.example:3128")
                .no(load.value.as_str())
                .build()
        });
        let (naive, _) = retained(|| naive::Naive::parse(&load.value));
        println!(
            "N={n}: value {} B; retained heap: compiled {compiled} B, hyper-util {hyper} B, \
             naive {naive} B",
            load.value.len()
        );
        assert_eq!(set.len(), n);
        if n == 10_000 {
            assert!(compiled <= 512 * 1024, "{compiled} bytes retained");
        }
    }
}
