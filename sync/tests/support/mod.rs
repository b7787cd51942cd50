//! Running the built `egress` binary with a controlled environment, and the credentials no
//! output may ever contain.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::{Command, Stdio};

use egress_tests::TestProxy;

/// The proxy user in every test; never printed.
pub const USER: &str = "cli-user-q7";
/// The proxy password in every test; never printed.
pub const PASSWORD: &str = "cli-pw-Zx81-secret";
/// The user in target URLs (`http://user:pw@origin/`); never printed.
pub const TARGET_USER: &str = "tgt-user-b0b";
/// The password in target URLs; never printed.
pub const TARGET_PASSWORD: &str = "tgt-pw-Kq27-secret";

/// What one run of `egress` produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Runs `egress args…` with only `PATH` and `env` in its environment (the host's proxy
/// variables never leak in), stdout and stderr piped, and asserts that neither output
/// contains the test password or user name.
pub fn egress(args: &[&str], env: &[(&str, &str)]) -> Run {
    egress_in(args, env, None)
}

/// Like [`egress`], in directory `dir`.
pub fn egress_in(args: &[&str], env: &[(&str, &str)], dir: Option<&Path>) -> Run {
    egress_with_stdin(args, env, dir, None)
}

/// Like [`egress_in`], with `stdin` (`None`: no input at all).
pub fn egress_with_stdin(
    args: &[&str],
    env: &[(&str, &str)],
    dir: Option<&Path>,
    stdin: Option<&[u8]>,
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_egress"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run egress: {e}"));
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(bytes)
            .unwrap_or_else(|e| panic!("cannot write egress's stdin: {e}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot run egress: {e}"));
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for secret in [PASSWORD, USER, TARGET_PASSWORD, TARGET_USER] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "egress {args:?} printed a credential:\n{run:?}"
        );
    }
    run
}

/// The proxy's URL with the test credentials.
pub fn with_auth(proxy: &TestProxy) -> String {
    with_password(proxy, PASSWORD)
}

/// The proxy's URL with the test user and `password`.
pub fn with_password(proxy: &TestProxy, password: &str) -> String {
    proxy
        .url()
        .replacen("://", &format!("://{USER}:{password}@"), 1)
}

/// `url` with the test target credentials in it: `http://tgt-user…:tgt-pw…@host/…`.
pub fn with_target_auth(url: &str) -> String {
    url.replacen("://", &format!("://{TARGET_USER}:{TARGET_PASSWORD}@"), 1)
}

/// Parses the last line of stdout as the `-w json` object.
pub fn write_out(run: &Run) -> serde_json::Value {
    let line = run.stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("no JSON last line ({e}): {run:?}"))
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("egress-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    dir
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot bind: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("no address: {e}"))
        .port()
}
