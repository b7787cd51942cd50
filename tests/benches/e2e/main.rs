//! End-to-end benchmarks of whole requests through proxies on loopback: egress-sync and
//! egress-async against ureq 3.5's built-in proxy support, in the same run, on the same
//! servers (the loopback test proxy of egress-tests, and squid when it is installed).
//!
//! Run: `cargo bench -p egress-tests --bench e2e` (`-- --quick` for a short run). Every
//! number printed is measured in this run. Ratios are egress / ureq: for per-request times
//! lower is better for egress, for throughput higher is better.

mod clients;
mod measure;

use clients::{Client, Proxies};
use egress_tests::real_proxy::{Squid, SquidOptions, find_squid};
use egress_tests::{Origin, ProxyOptions, TestCa, TestProxy};
use measure::{per_request, throughput, throughput_rows, time_rows};

struct Plan {
    count: u32,
    rounds: usize,
    big: u64,
    big_rounds: usize,
}

fn small_gets(plan: &Plan, name: &str, url: &str, clients: &[Client]) {
    let times = per_request(clients, url, plan.count, plan.rounds);
    let results: Vec<_> = clients.iter().zip(times).collect();
    time_rows(name, &results);
}

fn download(plan: &Plan, name: &str, url: &str, clients: &[Client]) {
    let rates = throughput(clients, url, plan.big, plan.big_rounds);
    let results: Vec<_> = clients.iter().zip(rates).collect();
    throughput_rows(name, &results);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let plan = if quick {
        Plan {
            count: 50,
            rounds: 3,
            big: 8 << 20,
            big_rounds: 1,
        }
    } else {
        Plan {
            count: 200,
            rounds: 9,
            big: 64 << 20,
            big_rounds: 5,
        }
    };
    let ca = TestCa::new("egress e2e bench CA");
    let https_origin = Origin::https(&ca);
    let http_origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let tls_proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));
    let squid = find_squid().and_then(|_| {
        Squid::start_or_skip(SquidOptions {
            ssl_ports: vec![https_origin.port()],
            ..SquidOptions::default()
        })
    });
    let p = proxy.url();
    let tunnel = Proxies {
        https: Some(&p),
        ..Proxies::default()
    };
    let forward = Proxies {
        http: Some(&p),
        ..Proxies::default()
    };
    let all = |proxies: Proxies<'_>, ureq_proxy: Option<&str>, ureq_ca: Option<&str>| {
        [
            Client::egress_sync(&ca, proxies),
            Client::egress_async(&ca, proxies),
            Client::ureq(&ca, ureq_proxy, ureq_ca),
        ]
    };

    println!(
        "## {} sequential small GETs on one kept-alive connection (median of {} rounds)\n",
        plan.count, plan.rounds
    );
    println!("| scenario | client | per request | ratio to ureq |\n|---|---|---|---|");
    let hello_https = https_origin.url("/hello");
    let hello_http = http_origin.url("/hello");
    small_gets(
        &plan,
        "HTTPS origin, CONNECT via test proxy",
        &hello_https,
        &all(tunnel, Some(&p), None),
    );
    small_gets(
        &plan,
        "HTTP origin, forward via test proxy",
        &hello_http,
        &all(forward, Some(&p), None),
    );
    if let Some(squid) = &squid {
        let s = squid.plain_url();
        let via = |proxies| all(proxies, Some(&s), None);
        small_gets(
            &plan,
            "HTTPS origin, CONNECT via squid",
            &hello_https,
            &via(Proxies {
                https: Some(&s),
                ..Proxies::default()
            }),
        );
        small_gets(
            &plan,
            "HTTP origin, forward via squid",
            &hello_http,
            &via(Proxies {
                http: Some(&s),
                ..Proxies::default()
            }),
        );
    } else {
        println!(
            "| (squid not installed: `apt-get install -y squid-openssl` for the squid rows) | | | |"
        );
    }

    let mib = plan.big >> 20;
    println!(
        "\n## One {mib} MiB download, every byte checked (median of {})\n",
        plan.big_rounds
    );
    println!("| route | client | MB/s | ratio to ureq |\n|---|---|---|---|");
    let big = https_origin.url(&format!("/bytes/{}", plan.big));
    download(
        &plan,
        "direct (HTTPS origin)",
        &big,
        &all(Proxies::default(), None, None),
    );
    download(
        &plan,
        "tunnel via test proxy",
        &big,
        &all(tunnel, Some(&p), None),
    );
    let tp = tls_proxy.url();
    let tls_tunnel = Proxies {
        https: Some(&tp),
        ..Proxies::default()
    };
    download(
        &plan,
        "TLS to test proxy + TLS to target",
        &big,
        &all(tls_tunnel, Some(&tp), None),
    );
    if let Some(squid) = &squid {
        let s = squid.plain_url();
        download(
            &plan,
            "tunnel via squid",
            &big,
            &all(
                Proxies {
                    https: Some(&s),
                    ..Proxies::default()
                },
                Some(&s),
                None,
            ),
        );
    }
}
