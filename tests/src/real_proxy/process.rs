//! A real proxy running as our child process, in the foreground, so we own its PID: started,
//! polled until its ports accept connections, and killed by that PID (then reaped) on drop.
//! Nothing here ever signals a process by name.
//!
//! ```text
//!   spawn ──> poll ports every 10 ms ──all accept──> Ready ──drop──> SIGKILL pid, wait,
//!               │                                                    SIGKILL its children
//!               │ child exited          │ deadline
//!               v                       v
//!          ExitedEarly              NotReady (child killed and reaped)
//! ```

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::HarnessError;

/// How long a proxy may take to open all of its ports.
pub const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// A started proxy process; killed by PID and reaped when dropped.
#[derive(Debug)]
pub(super) struct ProxyProcess {
    child: Child,
    proxy: &'static str,
    logs: Vec<PathBuf>,
    mask: Option<String>,
}

impl ProxyProcess {
    /// Spawns `command` with stdout and stderr sent to `output` and waits until every port
    /// in `ports` accepts a TCP connection on 127.0.0.1.
    ///
    /// `logs` are the files whose tails go into errors; `mask` is a secret replaced by `***`
    /// there.
    pub(super) fn start(
        proxy: &'static str,
        mut command: Command,
        output: &Path,
        logs: Vec<PathBuf>,
        mask: Option<String>,
        ports: &[u16],
    ) -> Result<Self, HarnessError> {
        let io = |action, source| HarnessError::Io {
            action,
            path: output.to_path_buf(),
            source,
        };
        let out = File::create(output).map_err(|e| io("create the output file", e))?;
        let err = out
            .try_clone()
            .map_err(|e| io("share the output file", e))?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let child = command.spawn().map_err(|source| HarnessError::Spawn {
            program: PathBuf::from(command.get_program()),
            source,
        })?;
        let mut logs = logs;
        logs.insert(0, output.to_path_buf());
        let mut process = Self {
            child,
            proxy,
            logs,
            mask,
        };
        process.wait_ready(ports)?;
        Ok(process)
    }

    /// The proxy's process id.
    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines of the proxy's output and log files, secrets masked.
    pub(super) fn log_tail(&self) -> String {
        let mut tail = String::new();
        for log in &self.logs {
            let text = fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(15);
            tail.push_str(&format!("--- {}\n", log.display()));
            for line in &lines[start..] {
                tail.push_str(line);
                tail.push('\n');
            }
        }
        match &self.mask {
            Some(secret) if !secret.is_empty() => tail.replace(secret.as_str(), "***"),
            _ => tail,
        }
    }

    fn wait_ready(&mut self, ports: &[u16]) -> Result<(), HarnessError> {
        let started = Instant::now();
        let mut pending: Vec<u16> = ports.to_vec();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(HarnessError::ExitedEarly {
                    proxy: self.proxy,
                    status,
                    log_tail: self.log_tail(),
                });
            }
            pending.retain(|&port| !accepts(port));
            if pending.is_empty() {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(HarnessError::NotReady {
                    proxy: self.proxy,
                    port: pending[0],
                    waited: READY_TIMEOUT,
                    log_tail: self.log_tail(),
                });
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        // squid needs about a second to exit on SIGTERM, even with shutdown_lifetime 0, and
        // after a bare SIGKILL its auth helpers linger, orphaned, for seconds. So: note the
        // proxy's children while they are still its children, SIGKILL the proxy by PID,
        // reap it, then SIGKILL those children by PID. No process group is used: a test run
        // interrupted with Ctrl-C then still takes the proxy down with it.
        let children = children_of(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !children.is_empty() {
            // std cannot send a signal to another PID (and unsafe is forbidden): kill(1).
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(children.iter().map(u32::to_string))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The PIDs whose parent is `pid`, read from `/proc/*/stat` (empty where there is no /proc).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let child: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            // Fields after the command name, which is in parentheses and may hold spaces:
            // state, ppid, ...
            let after_name = &stat[stat.rfind(')')? + 1..];
            let ppid: u32 = after_name.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == pid).then_some(child)
        })
        .collect()
}

fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// Reserves `n` distinct free ports on 127.0.0.1 by binding port 0 and releasing the sockets.
/// Another process may take one before the proxy binds it; callers retry on failure.
pub fn free_ports(n: usize) -> Result<Vec<u16>, HarnessError> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(HarnessError::NoFreePort)?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(HarnessError::NoFreePort)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_of_finds_a_spawned_child() {
        let mut child = Command::new("/bin/sleep").arg("5").spawn().expect("sleep");
        let children = children_of(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(children.contains(&child.id()), "{children:?}");
    }

    #[test]
    fn free_ports_are_distinct_and_bindable() {
        let ports = free_ports(3).expect("ports");
        assert_eq!(ports.len(), 3);
        assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
        for port in ports {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("port is free again");
        }
    }

    #[test]
    fn a_child_that_exits_is_reported_with_its_output_masked() {
        let dir = super::super::WorkDir::create("proc").expect("dir");
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", "echo 'bad config, password hunter2'; exit 3"]);
        let out = dir.path().join("out.txt");
        let ports = free_ports(1).expect("port");
        let err = ProxyProcess::start("sh", cmd, &out, vec![], Some("hunter2".into()), &ports)
            .expect_err("the child exits");
        let HarnessError::ExitedEarly {
            proxy, log_tail, ..
        } = &err
        else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(*proxy, "sh");
        assert!(log_tail.contains("bad config, password ***"), "{log_tail}");
        assert!(!err.to_string().contains("hunter2"));
    }
}
