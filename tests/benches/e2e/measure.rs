//! Timing loops and table rows: medians over rounds, ratios against ureq, failures shown as
//! failures rather than numbers.

use std::time::{Duration, Instant};

use crate::clients::Client;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median per-request time over `rounds` rounds of `count` sequential GETs on one kept-alive
/// connection (after one warm-up request that opens it).
pub(crate) fn per_request(
    client: &Client,
    url: &str,
    count: u32,
    rounds: usize,
) -> Result<Duration, String> {
    client.fetch(url, false)?;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        client.repeat(url, count)?;
        samples.push(started.elapsed() / count);
    }
    Ok(median(samples))
}

/// Median throughput in MB/s of downloading `bytes` (every byte checked).
pub(crate) fn throughput(
    client: &Client,
    url: &str,
    bytes: u64,
    rounds: usize,
) -> Result<f64, String> {
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

fn failure(error: &str) -> String {
    let short: String = error.chars().take(70).collect();
    format!("FAILED: {short}")
}

/// Prints rows of per-request times with the ratio to the ureq row.
pub(crate) fn time_rows(scenario: &str, results: &[(&Client, Result<Duration, String>)]) {
    let peer = results.iter().find_map(|(c, r)| match (c, r) {
        (Client::Ureq(_), Ok(d)) => Some(*d),
        _ => None,
    });
    for (i, (client, result)) in results.iter().enumerate() {
        let label = if i == 0 { scenario } else { "" };
        let (shown, ratio) = match result {
            Ok(d) => (
                format!("{:.1} µs", d.as_secs_f64() * 1e6),
                match (client, peer) {
                    (Client::Ureq(_), _) | (_, None) => String::new(),
                    (_, Some(p)) => format!("{:.2}", d.as_secs_f64() / p.as_secs_f64()),
                },
            ),
            Err(e) => (failure(e), String::new()),
        };
        println!("| {label} | {} | {shown} | {ratio} |", client.name());
    }
}

/// Prints rows of throughputs with the ratio to the ureq row.
pub(crate) fn throughput_rows(scenario: &str, results: &[(&Client, Result<f64, String>)]) {
    let peer = results.iter().find_map(|(c, r)| match (c, r) {
        (Client::Ureq(_), Ok(v)) => Some(*v),
        _ => None,
    });
    for (i, (client, result)) in results.iter().enumerate() {
        let label = if i == 0 { scenario } else { "" };
        let (shown, ratio) = match result {
            Ok(v) => (
                format!("{v:.0}"),
                match (client, peer) {
                    (Client::Ureq(_), _) | (_, None) => String::new(),
                    (_, Some(p)) => format!("{:.2}", v / p),
                },
            ),
            Err(e) => (failure(e), String::new()),
        };
        println!("| {label} | {} | {shown} | {ratio} |", client.name());
    }
}
