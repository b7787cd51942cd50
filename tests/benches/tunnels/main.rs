//! N concurrent tunnelled HTTPS GETs of a 1 KiB resource through one loopback CONNECT
//! relay, at N = 1,000 and 10,000: egress-async on async-std, egress-async on tokio, and
//! reqwest 0.12 (rustls with ring, HTTP/1.1 only, its own `reqwest::Proxy`) on tokio.
//!
//! Run (release profile; raises its own open-file limit):
//!
//! ```text
//! cargo bench -p egress-tests --features tokio --bench tunnels
//! cargo bench -p egress-tests --features tokio --bench tunnels -- --n 1000   # one N only
//! cargo bench -p egress-tests --features tokio --bench tunnels -- --n 10000 \
//!     --clients egress-tokio,reqwest                                         # some clients
//! ```
//!
//! This process raises `RLIMIT_NOFILE` as far as it may (to 65,536 with
//! `CAP_SYS_RESOURCE`, else to the hard limit; children inherit it), starts the TLS origin
//! and the CONNECT relay (`servers.rs`: tokio tasks, not a thread per connection; the
//! origin in one process, the relay as two worker processes sharing its port) by
//! re-executing itself, then runs every client in a process of its own, so the
//! resident-memory figures are the client's alone. For each N the clients take turns
//! against the same relay and origin, one at a time; before each, the parent waits until
//! the servers have closed the previous client's connections.
//!
//! The N requests of a burst are N concurrent tunnels: all spawned, released together by a
//! barrier, and the origin answers none of them before all N have arrived
//! (`?together=N`), so no request can hand its connection back to the pool for a later one
//! to reuse; every client opens, and then pools, exactly N connections.
//!
//! Columns: wall time of the burst (from the spawns until the last body is read and
//! checked); CPU per request: the client process's CPU time over the burst (user + system,
//! all its threads) divided by N; failures (any error or wrong body; must be 0); the client
//! process's peak resident set (VmHWM) and that peak minus the baseline (VmRSS with client
//! and runtime built, before any request) per connection; then, with every connection idle
//! in the pool, VmRSS minus the baseline per pooled connection. "sockets held" counts the
//! client's open sockets at that point (the connections it opened and keeps); the
//! per-connection figures divide by it.

mod clients;
mod servers;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clients::{CLIENTS, Job, Outcome};
use egress_tests::TestCa;

/// Open files wanted: a client holds N sockets, a relay worker two per tunnel it carries.
const NOFILE: u64 = 65_536;

/// Relay worker processes sharing the relay's port.
const RELAY_WORKERS: usize = 2;

fn arg_after(args: &[String], flag: &str) -> Option<String> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).cloned()
}

fn required(args: &[String], flag: &str) -> String {
    arg_after(args, flag).unwrap_or_else(|| panic!("missing {flag}"))
}

/// Child mode: run one client and print its `RESULT` line.
fn child(args: &[String]) {
    let ca_file = required(args, "--ca");
    let job = Job {
        client: required(args, "--client"),
        n: required(args, "--n")
            .parse()
            .unwrap_or_else(|e| panic!("--n: {e}")),
        proxy: required(args, "--proxy"),
        url: required(args, "--url"),
        ca_pem: std::fs::read_to_string(&ca_file).unwrap_or_else(|e| panic!("{ca_file}: {e}")),
    };
    println!("{}", clients::run(&job).line());
}

/// Server mode: the TLS origin (writing its CA to `ca_out`) or a relay worker on `port`;
/// prints `PORT p` once listening, then serves until killed.
fn serve(args: &[String]) {
    let origin_ca = arg_after(args, "--serve-origin");
    let runtime = match origin_ca {
        Some(_) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    };
    let runtime = runtime.unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    runtime.block_on(async {
        let port = if let Some(ca_out) = origin_ca {
            let ca = TestCa::new("egress tunnels bench CA");
            std::fs::write(&ca_out, ca.cert_pem()).unwrap_or_else(|e| panic!("{ca_out}: {e}"));
            let origin = servers::TlsOrigin::start(ca.issue_local().server_config());
            origin.unwrap_or_else(|e| panic!("origin: {e}")).addr.port()
        } else {
            let port = required(args, "--serve-relay");
            let port = port
                .parse()
                .unwrap_or_else(|e| panic!("--serve-relay {port}: {e}"));
            let relay = servers::Relay::start(port);
            relay.unwrap_or_else(|e| panic!("relay: {e}")).addr.port()
        };
        println!("PORT {port}");
        std::future::pending::<()>().await;
    });
}

/// The server processes; killed and reaped on drop.
struct Servers(Vec<Child>);

impl Servers {
    /// Starts `exe args..` and returns the port it printed.
    fn spawn(&mut self, exe: &Path, args: &[&str]) -> u16 {
        let mut child = Command::new(exe)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{exe:?}: {e}"));
        let stdout = child.stdout.take();
        self.0.push(child);
        let mut line = String::new();
        let stdout = stdout.unwrap_or_else(|| panic!("server without stdout"));
        BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("server output: {e}"));
        let port = line.trim().strip_prefix("PORT ").map(str::parse);
        port.and_then(Result::ok)
            .unwrap_or_else(|| panic!("server printed {line:?}"))
    }

    /// Waits (up to 60 s) until no server holds more than a handful of descriptors: the
    /// previous client's connections are closed.
    fn wait_idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let busy = |child: &Child| {
            let fds = std::fs::read_dir(format!("/proc/{}/fd", child.id()));
            fds.map_or(0, Iterator::count) > 64
        };
        while self.0.iter().any(busy) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn raise_open_files() {
    let (soft, hard) = rlimit::Resource::NOFILE
        .get()
        .unwrap_or_else(|e| panic!("getrlimit: {e}"));
    if soft < NOFILE {
        // Raising the hard limit needs CAP_SYS_RESOURCE; without it, take what is allowed.
        let set = rlimit::Resource::NOFILE.set(NOFILE, NOFILE.max(hard));
        if set.is_err() {
            rlimit::Resource::NOFILE
                .set(hard, hard)
                .unwrap_or_else(|e| panic!("setrlimit: {e}"));
        }
    }
    let (soft, _) = rlimit::Resource::NOFILE
        .get()
        .unwrap_or_else(|e| panic!("getrlimit: {e}"));
    println!("open-file limit: {soft}");
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn per_conn(kib: u64, base: u64, connections: usize) -> String {
    let per = kib.saturating_sub(base) as f64 / connections.max(1) as f64;
    format!("{per:.1} KiB")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--client") {
        return child(&args);
    }
    if args
        .iter()
        .any(|a| a == "--serve-origin" || a == "--serve-relay")
    {
        return serve(&args);
    }
    raise_open_files();
    let counts: Vec<usize> = match arg_after(&args, "--n") {
        Some(list) => list
            .split(',')
            .map(|n| n.parse().unwrap_or_else(|e| panic!("--n {n}: {e}")))
            .collect(),
        None => vec![1_000, 10_000],
    };
    let clients: Vec<&str> = match arg_after(&args, "--clients") {
        Some(list) => {
            let chosen: Vec<&str> = CLIENTS
                .into_iter()
                .filter(|c| list.split(',').any(|wanted| wanted == *c))
                .collect();
            if chosen.len() != list.split(',').count() {
                panic!("--clients {list}: known clients are {CLIENTS:?}");
            }
            chosen
        }
        None => CLIENTS.to_vec(),
    };
    let ca_file =
        std::env::temp_dir().join(format!("egress-tunnels-ca-{}.pem", std::process::id()));
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let mut servers = Servers(Vec::new());
    let ca_arg = ca_file.to_string_lossy().into_owned();
    let origin_port = servers.spawn(&exe, &["--serve-origin", &ca_arg]);
    let relay_port = servers.spawn(&exe, &["--serve-relay", "0"]);
    for _ in 1..RELAY_WORKERS {
        servers.spawn(&exe, &["--serve-relay", &relay_port.to_string()]);
    }
    let proxy = format!("http://127.0.0.1:{relay_port}");
    // `together=N`: the origin answers a burst's requests once all N have arrived.
    let url = |n: usize| format!("https://127.0.0.1:{origin_port}/kib?together={n}");

    println!(
        "\n| N | client | wall | CPU per request | failures | peak RSS | peak − base per conn | \
         idle − base per pooled conn | sockets held / pooled |\n\
         |---|---|---|---|---|---|---|---|---|"
    );
    for &n in &counts {
        for &client in &clients {
            // The previous client's connections close when its process exits.
            servers.wait_idle();
            let output = Command::new(&exe)
                .args(["--client", client, "--n", &n.to_string(), "--proxy", &proxy])
                .args(["--url", &url(n), "--ca"])
                .arg(&ca_file)
                .output()
                .unwrap_or_else(|e| panic!("{exe:?}: {e}"));
            let stdout = String::from_utf8_lossy(&output.stdout);
            let outcome = stdout.lines().find_map(Outcome::parse);
            let Some(o) = outcome.filter(|_| output.status.success()) else {
                let stderr = String::from_utf8_lossy(&output.stderr);
                println!(
                    "| {n} | {client} | FAILED ({}): {} | | | | | | |",
                    output.status,
                    stderr.trim()
                );
                continue;
            };
            let failures = match o.failures {
                0 => "0".to_owned(),
                f => format!("{f} (first: {})", o.first_error),
            };
            println!(
                "| {n} | {client} | {:.2} s | {:.0} µs | {failures} | {} | {} | {} | {} / {} |",
                o.wall_ms as f64 / 1000.0,
                o.cpu_ms as f64 * 1000.0 / n as f64,
                mib(o.peak_kib),
                per_conn(o.peak_kib, o.base_kib, o.sockets),
                per_conn(o.idle_kib, o.base_kib, o.sockets),
                o.sockets,
                o.pooled.map_or_else(|| "n/a".to_owned(), |p| p.to_string()),
            );
        }
    }
    drop(servers);
    let _ = std::fs::remove_file(&ca_file);
}
