//! Proof that the routing half of egress-core never allocates: parsing proxy URLs, choosing
//! variables from an environment, matching no_proxy and routing, measured with a counting
//! global allocator (allocation-counter, thread-local counts).

use egress_core::{NoProxy, ProxyConfig, ProxyEnv, ProxyUrl, Scheme, Target};

const PAIRS: &[(&str, &str)] = &[
    ("PATH", "/usr/bin:/bin"),
    ("HTTP_PROXY", "http://ignored:1"),
    ("http_proxy", "http://alice:p%40ss@proxy.example.com:3128/"),
    ("HTTPS_PROXY", "https://bob:secret@[2001:db8::1]"),
    (
        "NO_PROXY",
        "localhost, .internal, *.example.org, 10.0.0.0/8, [2001:db8::]/32, a.b:8443",
    ),
];

const TARGETS: &[(Scheme, &str, Option<u16>)] = &[
    (Scheme::Https, "matrix.org", None),
    (Scheme::Http, "example.com", Some(8080)),
    (Scheme::Https, "db.internal", None),
    (Scheme::Https, "10.20.30.40", None),
    (Scheme::Https, "[::ffff:10.0.0.1]", None),
    (Scheme::Https, "[2001:db8:5::1]", None),
    (Scheme::Https, "[fe80::1%25eth0]", None),
    (Scheme::Https, "a.b", Some(8443)),
    (Scheme::Https, "notexample.org", None),
];

#[test]
fn routing_allocates_nothing() {
    let mut routes = [0usize; 3];
    let info = allocation_counter::measure(|| {
        for _ in 0..100 {
            let url = ProxyUrl::parse("https://user:pa%3Ass@[::1]:8443/");
            assert!(url.is_ok());
            let env = ProxyEnv::from_pairs(PAIRS.iter().copied());
            let Ok(config) = ProxyConfig::from_env(&env) else {
                panic!("the fixed environment is valid");
            };
            let no_proxy = NoProxy::parse("*.example.org, 192.168.0.0/33, 10.0.0.0/8");
            assert_eq!(no_proxy.diagnostics().count(), 1);
            for (scheme, host, port) in TARGETS {
                let Ok(target) = Target::from_url_parts(*scheme, host, *port) else {
                    panic!("{host} is a valid host");
                };
                let index = match config.route(&target).route {
                    egress_core::Route::Direct => 0,
                    egress_core::Route::Forward(_) => 1,
                    egress_core::Route::Tunnel(_) => 2,
                };
                routes[index] += 1;
            }
        }
    });
    assert_eq!(info.count_total, 0, "routing allocated: {info:?}");
    // The loop really ran and took every kind of route.
    assert!(routes.iter().all(|&n| n > 0), "{routes:?}");
}
