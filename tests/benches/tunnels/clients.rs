//! One client in its own process: N concurrent GETs of the origin's 1 KiB body through the
//! CONNECT relay, every body checked, the connections then left idle in the client's pool;
//! resident memory read from /proc/self/status before, at the peak and after, and the
//! process's CPU time (user + system, all threads) over the burst from /proc/self/stat.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egress_tests::check_pattern;

use crate::servers::BODY_LEN;

/// The clients compared, by the name the parent passes on the command line.
pub(crate) const CLIENTS: [&str; 3] = ["egress-async-std", "egress-tokio", "reqwest"];

/// Limit of every phase for every client: high enough that only a hang trips it.
const PATIENCE: Duration = Duration::from_secs(120);

/// What the parent needs to run one client.
pub(crate) struct Job {
    pub(crate) client: String,
    pub(crate) n: usize,
    pub(crate) proxy: String,
    pub(crate) url: String,
    pub(crate) ca_pem: String,
}

/// What one client measured; printed as one `RESULT k=v ...` line for the parent.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) wall_ms: u64,
    /// CPU time (user + system, every thread of the process) spent during the burst.
    pub(crate) cpu_ms: u64,
    pub(crate) failures: usize,
    pub(crate) first_error: String,
    /// VmRSS with the client and runtime built, before any request.
    pub(crate) base_kib: u64,
    /// VmHWM at the end: the process's peak resident set.
    pub(crate) peak_kib: u64,
    /// VmRSS after every body was read, the connections idle in the pool.
    pub(crate) idle_kib: u64,
    /// Sockets this process holds at that point (the pooled connections).
    pub(crate) sockets: usize,
    /// Idle connections the client reports (egress only; reqwest does not tell).
    pub(crate) pooled: Option<usize>,
}

impl Outcome {
    pub(crate) fn line(&self) -> String {
        let error = self.first_error.replace(char::is_whitespace, "_");
        format!(
            "RESULT wall_ms={} cpu_ms={} failures={} base_kib={} peak_kib={} idle_kib={} \
             sockets={} pooled={} first_error={error}",
            self.wall_ms,
            self.cpu_ms,
            self.failures,
            self.base_kib,
            self.peak_kib,
            self.idle_kib,
            self.sockets,
            self.pooled
                .map_or_else(|| "-".to_owned(), |p| p.to_string()),
        )
    }

    pub(crate) fn parse(line: &str) -> Option<Outcome> {
        let mut outcome = Outcome::default();
        for pair in line.strip_prefix("RESULT ")?.split(' ') {
            let (key, value) = pair.split_once('=')?;
            match key {
                "wall_ms" => outcome.wall_ms = value.parse().ok()?,
                "cpu_ms" => outcome.cpu_ms = value.parse().ok()?,
                "failures" => outcome.failures = value.parse().ok()?,
                "base_kib" => outcome.base_kib = value.parse().ok()?,
                "peak_kib" => outcome.peak_kib = value.parse().ok()?,
                "idle_kib" => outcome.idle_kib = value.parse().ok()?,
                "sockets" => outcome.sockets = value.parse().ok()?,
                "pooled" => outcome.pooled = value.parse().ok(),
                "first_error" => outcome.first_error = value.to_owned(),
                _ => return None,
            }
        }
        Some(outcome)
    }
}

/// A KiB figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:`).
fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_else(|e| panic!("/proc/self/status: {e}"));
    let line = status.lines().find(|l| l.starts_with(key));
    let value = line.and_then(|l| l.split_whitespace().nth(1)?.parse().ok());
    value.unwrap_or_else(|| panic!("no {key} in /proc/self/status"))
}

/// CPU time this process has used so far, all threads, user + system, in milliseconds:
/// fields 14 and 15 of /proc/self/stat, in clock ticks of `USER_HZ`, which Linux fixes at
/// 100 per second for this file on every architecture (so 10 ms resolution: a burst of
/// 1,000 requests takes hundreds of ticks).
fn cpu_ms() -> u64 {
    const MS_PER_TICK: u64 = 10;
    let stat = std::fs::read_to_string("/proc/self/stat")
        .unwrap_or_else(|e| panic!("/proc/self/stat: {e}"));
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let mut fields = after_name.split_whitespace().skip(11);
    let mut tick = || -> u64 {
        let field = fields.next().and_then(|f| f.parse().ok());
        field.unwrap_or_else(|| panic!("/proc/self/stat without utime/stime: {stat}"))
    };
    let (user, system) = (tick(), tick());
    (user + system) * MS_PER_TICK
}

/// Open sockets of this process (entries of /proc/self/fd that link to `socket:[..]`).
fn open_sockets() -> usize {
    let dir = std::fs::read_dir("/proc/self/fd").unwrap_or_else(|e| panic!("/proc/self/fd: {e}"));
    dir.filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

/// A fetched body's verdict: `Ok` only for exactly the origin's 1 KiB pattern.
fn check_body(body: Result<Vec<u8>, String>) -> Result<(), String> {
    let body = body?;
    if body.len() != BODY_LEN {
        return Err(format!("{} bytes instead of {BODY_LEN}", body.len()));
    }
    check_pattern(0, &body).map_err(|at| format!("byte {at} differs"))
}

/// Times `n` requests made by `fetch`, all started at once through `spawn`, then lets the
/// pool settle and reads the memory figures.
async fn burst<F, S, J>(n: usize, fetch: F, spawn: S, base_kib: u64) -> Outcome
where
    F: Fn(Arc<tokio::sync::Barrier>) -> J::Fetch,
    S: Fn(J::Fetch) -> J,
    J: Joinable,
{
    let started = Instant::now();
    let cpu_before = cpu_ms();
    // Every request waits for all to be spawned; the origin then holds every answer until
    // all N requests arrived, so none finishes (and pools its connection for a later one
    // to reuse) before the last has its own connection.
    let gate = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<J> = (0..n).map(|_| spawn(fetch(Arc::clone(&gate)))).collect();
    let mut outcome = Outcome {
        base_kib,
        ..Outcome::default()
    };
    for task in tasks {
        if let Err(e) = task.join().await {
            outcome.failures += 1;
            if outcome.first_error.is_empty() {
                outcome.first_error = e;
            }
        }
    }
    outcome.wall_ms = started.elapsed().as_millis() as u64;
    outcome.cpu_ms = cpu_ms() - cpu_before;
    outcome
}

/// A spawned request's handle on either executor.
trait Joinable {
    type Fetch: Future<Output = Result<(), String>> + Send + 'static;
    fn join(self) -> impl Future<Output = Result<(), String>>;
}

impl Joinable for async_std::task::JoinHandle<Result<(), String>> {
    type Fetch = std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
    async fn join(self) -> Result<(), String> {
        self.await
    }
}

impl Joinable for tokio::task::JoinHandle<Result<(), String>> {
    type Fetch = std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
    async fn join(self) -> Result<(), String> {
        self.await.map_err(|e| e.to_string())?
    }
}

/// Reads the after-burst figures once the pool has settled (hyper parks a connection from
/// its own task after the body ends; egress parks it before `bytes()` returns).
fn settle(outcome: &mut Outcome) {
    std::thread::sleep(Duration::from_millis(500));
    outcome.idle_kib = status_kib("VmRSS:");
    outcome.peak_kib = status_kib("VmHWM:");
    outcome.sockets = open_sockets();
}

fn egress_client(job: &Job, runtime: egress_async::Runtime) -> egress_async::Client {
    let connector = egress_async::Connector::builder()
        .runtime(runtime)
        .https_proxy(&job.proxy)
        .timeout_connect(PATIENCE)
        .timeout_proxy_handshake(PATIENCE)
        .timeout_tls(PATIENCE)
        .add_ca_pem(job.ca_pem.as_bytes())
        .and_then(egress_async::ConnectorBuilder::build)
        .unwrap_or_else(|e| panic!("{e}"));
    egress_async::Client::builder(connector)
        .max_idle_per_route(job.n)
        .max_idle_total(job.n)
        .max_idle_age(Duration::from_secs(600))
        .timeout_exchange(PATIENCE)
        .build()
}

fn egress_fetch(
    client: &egress_async::Client,
    url: &str,
    gate: Arc<tokio::sync::Barrier>,
) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>> {
    let (client, url) = (client.clone(), url.to_owned());
    Box::pin(async move {
        gate.wait().await;
        let body = async {
            let mut response = client.get(&url).send().await?;
            response.bytes().await
        };
        check_body(body.await.map_err(|e| e.to_string()))
    })
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"))
}

/// Runs `job` in this process and returns its measurements.
pub(crate) fn run(job: &Job) -> Outcome {
    match job.client.as_str() {
        "egress-async-std" => {
            let client = egress_client(job, egress_async::Runtime::AsyncStd);
            // Start async-std's executor and reactor threads before the baseline.
            async_std::task::block_on(async_std::task::spawn(async {}));
            let base = status_kib("VmRSS:");
            let mut outcome = async_std::task::block_on(burst(
                job.n,
                |gate| egress_fetch(&client, &job.url, gate),
                async_std::task::spawn,
                base,
            ));
            settle(&mut outcome);
            outcome.pooled = Some(client.idle_connections());
            outcome
        }
        "egress-tokio" => {
            let runtime = tokio_runtime();
            let client = egress_client(job, egress_async::Runtime::Tokio);
            runtime.block_on(async { drop(tokio::spawn(async {}).await) });
            let base = status_kib("VmRSS:");
            let mut outcome = runtime.block_on(burst(
                job.n,
                |gate| egress_fetch(&client, &job.url, gate),
                tokio::spawn,
                base,
            ));
            settle(&mut outcome);
            outcome.pooled = Some(client.idle_connections());
            outcome
        }
        "reqwest" => {
            let runtime = tokio_runtime();
            let proxy = reqwest::Proxy::https(&job.proxy).unwrap_or_else(|e| panic!("{e}"));
            let ca = reqwest::Certificate::from_pem(job.ca_pem.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            let client = reqwest::Client::builder()
                .proxy(proxy)
                .add_root_certificate(ca)
                .http1_only()
                .pool_max_idle_per_host(job.n)
                .pool_idle_timeout(Duration::from_secs(600))
                .connect_timeout(PATIENCE)
                .timeout(PATIENCE)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            runtime.block_on(async { drop(tokio::spawn(async {}).await) });
            let base = status_kib("VmRSS:");
            let fetch = |gate: Arc<tokio::sync::Barrier>| {
                let (client, url) = (client.clone(), job.url.clone());
                let fetch: <tokio::task::JoinHandle<Result<(), String>> as Joinable>::Fetch =
                    Box::pin(async move {
                        gate.wait().await;
                        let body = async { client.get(&url).send().await?.bytes().await };
                        check_body(body.await.map(|b| b.to_vec()).map_err(|e| e.to_string()))
                    });
                fetch
            };
            let mut outcome = runtime.block_on(burst(job.n, fetch, tokio::spawn, base));
            settle(&mut outcome);
            outcome
        }
        other => panic!("unknown client {other}; known: {CLIENTS:?}"),
    }
}
