//! Timing loops and table rows: medians over rounds, ratios against ureq, failures shown as
//! failures rather than numbers.

use std::time::{Duration, Instant};

use crate::clients::Client;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median per-request time of each client over `rounds` rounds of `count` sequential GETs
/// on one kept-alive connection (after one warm-up request that opens it). The clients take
/// turns within every round, so a burst of background load hits all of them alike.
pub(crate) fn per_request(
    clients: &[Client],
    url: &str,
    count: u32,
    rounds: usize,
) -> Vec<Result<Duration, String>> {
    let mut samples: Vec<Result<Vec<Duration>, String>> = clients
        .iter()
        .map(|c| c.fetch(url, false).map(|_| Vec::with_capacity(rounds)))
        .collect();
    for _ in 0..rounds {
        for (client, sample) in clients.iter().zip(&mut samples) {
            let Ok(times) = sample else { continue };
            let started = Instant::now();
            match client.repeat(url, count) {
                Ok(()) => times.push(started.elapsed() / count),
                Err(e) => *sample = Err(e),
            }
        }
    }
    samples.into_iter().map(|s| s.map(median)).collect()
}

/// Median throughput in MB/s of each client downloading `bytes` (every byte checked), the
/// clients taking turns in every round.
pub(crate) fn throughput(
    clients: &[Client],
    url: &str,
    bytes: u64,
    rounds: usize,
) -> Vec<Result<f64, String>> {
    let mut samples: Vec<Result<Vec<Duration>, String>> = clients
        .iter()
        .map(|_| Ok(Vec::with_capacity(rounds)))
        .collect();
    for _ in 0..rounds {
        for (client, sample) in clients.iter().zip(&mut samples) {
            let Ok(times) = sample else { continue };
            let started = Instant::now();
            match client.fetch(url, true) {
                Ok(got) if got == bytes => times.push(started.elapsed()),
                Ok(got) => *sample = Err(format!("got {got} bytes, expected {bytes}")),
                Err(e) => *sample = Err(e),
            }
        }
    }
    samples
        .into_iter()
        .map(|s| s.map(|times| bytes as f64 / median(times).as_secs_f64() / 1e6))
        .collect()
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
