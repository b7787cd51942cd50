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
    let mut command = Command::new(env!("CARGO_BIN_EXE_egress"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run egress: {e}"));
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for secret in [PASSWORD, USER] {
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
