//! End-to-end benchmarks of whole requests through loopback proxies: egress-sync against
//! ureq 3.5's built-in proxy support, in the same run, on the same servers.
//!
//! Run: `cargo bench -p egress-tests --bench e2e` (add `-- --quick` for a short run).
//! Every number printed is measured in this run on this machine. Ratios are egress / ureq:
//! for per-request times lower is better for egress, for throughput higher is better.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egress_tests::{Origin, ProxyOptions, TestCa, TestProxy, check_pattern};

/// A client under test.
enum Client {
    Egress(egress_sync::Agent),
    Ureq(ureq::Agent),
}

impl Client {
    fn name(&self) -> &'static str {
        match self {
            Client::Egress(_) => "egress-sync",
            Client::Ureq(_) => "ureq 3.5 built-in proxy",
        }
    }

    /// GETs `url` and reads the whole body, checking the origin's byte pattern when asked.
    fn fetch(&self, url: &str, check: bool) -> Result<u64, String> {
        let response = match self {
            Client::Egress(agent) => agent.get(url).call(),
            Client::Ureq(agent) => agent.get(url).call(),
        };
        let mut response = response.map_err(|e| e.to_string())?;
        let mut sink = PatternSink { offset: 0, check };
        io::copy(&mut response.body_mut().as_reader(), &mut sink).map_err(|e| e.to_string())?;
        Ok(sink.offset)
    }
}

/// Counts (and optionally verifies) streamed body bytes without keeping them.
struct PatternSink {
    offset: u64,
    check: bool,
}

impl Write for PatternSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.check && check_pattern(self.offset, buf).is_err() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "body bytes differ",
            ));
        }
        self.offset += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn egress(ca: &TestCa, http_proxy: Option<&str>, https_proxy: Option<&str>) -> Client {
    let mut builder = egress_sync::Agent::builder();
    if let Some(proxy) = http_proxy {
        builder = builder.http_proxy(proxy);
    }
    if let Some(proxy) = https_proxy {
        builder = builder.https_proxy(proxy);
    }
    let agent = builder
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(|b| b.add_proxy_ca_pem(ca.cert_pem().as_bytes()))
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    Client::Egress(agent)
}

fn ureq_client(ca: &TestCa, proxy: Option<&str>) -> Client {
    let cert = ureq::tls::Certificate::from_der(ca.cert_der().as_ref()).to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert])))
        .build();
    let proxy = proxy.map(|p| ureq::Proxy::new(p).unwrap_or_else(|e| panic!("{e}")));
    let config = ureq::Agent::config_builder()
        .proxy(proxy)
        .tls_config(tls)
        .build();
    Client::Ureq(ureq::Agent::new_with_config(config))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median per-request time over `rounds` rounds of `count` sequential GETs on one kept-alive
/// connection (one warm-up request first).
fn per_request(client: &Client, url: &str, count: u32, rounds: usize) -> Result<Duration, String> {
    client.fetch(url, false)?;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        for _ in 0..count {
            client.fetch(url, false)?;
        }
        samples.push(started.elapsed() / count);
    }
    Ok(median(samples))
}

/// Median throughput in MB/s of downloading `bytes` (checked) over `rounds` downloads.
fn throughput(client: &Client, url: &str, bytes: u64, rounds: usize) -> Result<f64, String> {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let got = client.fetch(url, true)?;
        if got != bytes {
            return Err(format!("got {got} bytes, expected {bytes}"));
        }
        samples.push(started.elapsed());
    }
    Ok(bytes as f64 / median(samples).as_secs_f64() / 1e6)
}

fn show_time(result: &Result<Duration, String>) -> String {
    match result {
        Ok(d) => format!("{:.1} µs", d.as_secs_f64() * 1e6),
        Err(e) => format!("FAILED: {}", e.chars().take(60).collect::<String>()),
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (count, rounds, big, big_rounds) = if quick {
        (50, 3, 8 << 20, 1)
    } else {
        (200, 5, 64 << 20, 3)
    };
    let ca = TestCa::new("egress e2e bench CA");
    let https_origin = Origin::https(&ca);
    let http_origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default());
    let tls_proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));

    println!(
        "## Sequential small GETs on one kept-alive connection ({count} requests, median of {rounds} rounds)\n"
    );
    println!("| scenario | client | per request | ratio egress/ureq |");
    println!("|---|---|---|---|");
    let scenarios: [(&str, String, Client, Client); 2] = [
        (
            "HTTPS origin via CONNECT (loopback test proxy)",
            https_origin.url("/hello"),
            egress(&ca, None, Some(&proxy.url())),
            ureq_client(&ca, Some(&proxy.url())),
        ),
        (
            "HTTP origin via forward proxy (loopback test proxy)",
            http_origin.url("/hello"),
            egress(&ca, Some(&proxy.url()), None),
            ureq_client(&ca, Some(&proxy.url())),
        ),
    ];
    for (name, url, ours, theirs) in &scenarios {
        let a = per_request(ours, url, count, rounds);
        let b = per_request(theirs, url, count, rounds);
        let ratio = match (&a, &b) {
            (Ok(a), Ok(b)) => format!("{:.2}", a.as_secs_f64() / b.as_secs_f64()),
            _ => "n/a".into(),
        };
        println!("| {name} | {} | {} | {ratio} |", ours.name(), show_time(&a));
        println!("| | {} | {} | |", theirs.name(), show_time(&b));
    }

    let mib = big >> 20;
    println!("\n## One {mib} MiB download, bytes checked (median of {big_rounds})\n");
    println!("| route | client | MB/s | ratio egress/ureq |");
    println!("|---|---|---|---|");
    let path = format!("/bytes/{big}");
    let downloads: [(&str, String, Client, Client); 3] = [
        (
            "direct (HTTPS origin)",
            https_origin.url(&path),
            egress(&ca, None, None),
            ureq_client(&ca, None),
        ),
        (
            "tunnel (plain proxy, HTTPS origin)",
            https_origin.url(&path),
            egress(&ca, None, Some(&proxy.url())),
            ureq_client(&ca, Some(&proxy.url())),
        ),
        (
            "TLS to proxy + TLS to target",
            https_origin.url(&path),
            egress(&ca, None, Some(&tls_proxy.url())),
            ureq_client(&ca, Some(&tls_proxy.url())),
        ),
    ];
    for (name, url, ours, theirs) in &downloads {
        let a = throughput(ours, url, big, big_rounds);
        let b = throughput(theirs, url, big, big_rounds);
        let show = |r: &Result<f64, String>| match r {
            Ok(v) => format!("{v:.0}"),
            Err(e) => format!("FAILED: {}", e.chars().take(60).collect::<String>()),
        };
        let ratio = match (&a, &b) {
            (Ok(a), Ok(b)) => format!("{:.2}", a / b),
            _ => "n/a".into(),
        };
        println!("| {name} | {} | {} | {ratio} |", ours.name(), show(&a));
        println!("| | {} | {} | |", theirs.name(), show(&b));
    }
    let _ = io::stdout().flush();
}
