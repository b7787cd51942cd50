//! Proof that decisions with the compiled forms never allocate: the compiled `no_proxy`
//! set, the [`Router`] (decision and route key), target parsing, and the IP blocklist,
//! measured with a
//! counting global allocator (allocation-counter, thread-local counts). Building them
//! allocates and happens outside the measured closure.
#![cfg(feature = "alloc")]

use egress_core::router::{Router, Setting};
use egress_core::{CompiledNoProxy, Host, IpBlocklist, RouteKind, Target};

const NO_PROXY: &str = "localhost, .internal, *.example.org, 10.0.0.0/8, [2001:db8::]/32, \
                        a.b:8443, 192.168.1.1:80, ::ffff:172.16.0.0/108, exa mple";

const HOSTS: &[&str] = &[
    "matrix.org",
    "db.internal",
    "DEEP.API.Example.ORG.",
    "notexample.org",
    "10.20.30.40",
    "[::ffff:10.0.0.1]",
    "[2001:db8:5::1]",
    "[fe80::1%25eth0]",
    "a.b",
    "192.168.1.1",
    "172.16.9.9",
];

#[test]
fn compiled_decisions_allocate_nothing() {
    let set = CompiledNoProxy::parse(NO_PROXY);
    let Ok(router) = Router::new(
        Some(Setting::new("http_proxy", "http://user:pw@proxy:3128")),
        Some(Setting::new("https_proxy", "https://proxy:3129")),
        Some(Setting::new("no_proxy", NO_PROXY)),
        false,
    ) else {
        panic!("the fixed settings are valid");
    };
    // Room for every key up front: pushing within capacity does not allocate.
    let mut keys = Vec::with_capacity(100 * HOSTS.len() * 2);
    let mut hits = 0usize;
    let mut routes = [0usize; 3];
    let info = allocation_counter::measure(|| {
        for _ in 0..100 {
            for host in HOSTS {
                let Ok(parsed) = Host::parse(host) else {
                    panic!("{host} is a valid host");
                };
                for port in [80, 443, 8443] {
                    hits += usize::from(set.matches(&parsed, port).is_some());
                }
                for scheme in ["http", "https"] {
                    let Ok(target) = Target::from_authority(scheme, host) else {
                        panic!("{host} is a valid authority");
                    };
                    let decision = router.route(&target);
                    routes[match decision.kind {
                        RouteKind::Direct => 0,
                        RouteKind::Forward => 1,
                        RouteKind::Tunnel => 2,
                    }] += 1;
                    // The URL's proxy is rebuilt from stored positions, never re-parsed.
                    hits += usize::from(decision.proxy.is_some_and(|p| p.url().port() > 0));
                    keys.push(decision.key);
                }
            }
        }
    });
    assert_eq!(
        info.count_total, 0,
        "a compiled decision allocated: {info:?}"
    );
    // The loop ran and both outcomes happened.
    assert!(hits > 0, "{hits}");
    assert!(routes.iter().all(|&n| n > 0), "{routes:?}");
    let distinct: std::collections::HashSet<_> = keys.into_iter().collect();
    assert_eq!(
        distinct.len(),
        HOSTS.len() * 2,
        "one key per target and scheme"
    );
}

#[test]
fn blocklist_checks_allocate_nothing() {
    let list = IpBlocklist::non_public().allow("10.9.0.0/16".parse().expect("a range"));
    let addrs: Vec<std::net::IpAddr> = [
        "10.1.2.3",
        "10.9.0.1",
        "8.8.8.8",
        "::1",
        "::ffff:127.0.0.1",
        "2606:4700::1111",
    ]
    .iter()
    .map(|text| text.parse().expect("an address"))
    .collect();
    let mut blocked = 0usize;
    let info = allocation_counter::measure(|| {
        for _ in 0..100 {
            for addr in &addrs {
                blocked += usize::from(list.check(*addr).is_some());
            }
        }
    });
    assert_eq!(info.count_total, 0, "a blocklist check allocated: {info:?}");
    assert_eq!(blocked, 300);
}
