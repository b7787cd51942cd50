//! A scripted [`NegotiateProvider`] for tests: it answers `start` and each `step` from a
//! script and records what it was asked, so a test can check the hosts, the proxy's tokens
//! as they arrived, and the order.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::Mutex;

use super::{NegotiateProvider, SecurityContext, Step};
use crate::auth::AuthProblem;

/// What the fake was asked: `start HTTP@host`, `step -`, `step <token as text>`.
pub(crate) type Log = Arc<Mutex<Vec<String>>>;

/// Starts contexts that play `steps` (shared: a second context goes on with the script).
#[derive(Debug)]
pub(crate) struct FakeProvider {
    start: Result<(), AuthProblem>,
    steps: Arc<Mutex<VecDeque<Result<Step, AuthProblem>>>>,
    pub(crate) log: Log,
}

impl FakeProvider {
    /// Contexts that play `steps`, in order, across every context started.
    pub(crate) fn new(steps: Vec<Result<Step, AuthProblem>>) -> Self {
        Self {
            start: Ok(()),
            steps: Arc::new(Mutex::new(steps.into())),
            log: Log::default(),
        }
    }

    /// A provider whose `start` fails with `problem`.
    pub(crate) fn failing(problem: AuthProblem) -> Self {
        Self {
            start: Err(problem),
            ..Self::new(Vec::new())
        }
    }

    /// What was asked so far.
    pub(crate) fn asked(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// A step that sends `token` (ASCII, so tests can read it), complete or not.
pub(crate) fn send(token: &str, complete: bool) -> Result<Step, AuthProblem> {
    Ok(Step {
        token: Some(token.as_bytes().to_vec()),
        complete,
    })
}

/// A step that sends nothing and completes (a verified final token).
pub(crate) fn done() -> Result<Step, AuthProblem> {
    Ok(Step {
        token: None,
        complete: true,
    })
}

impl NegotiateProvider for FakeProvider {
    fn start(&self, host: &str) -> Result<Box<dyn SecurityContext>, AuthProblem> {
        push(&self.log, alloc::format!("start HTTP@{host}"));
        self.start?;
        Ok(Box::new(FakeContext {
            steps: Arc::clone(&self.steps),
            log: Arc::clone(&self.log),
        }))
    }
}

struct FakeContext {
    steps: Arc<Mutex<VecDeque<Result<Step, AuthProblem>>>>,
    log: Log,
}

impl SecurityContext for FakeContext {
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthProblem> {
        let shown = server_token.map_or_else(
            || String::from("-"),
            |t| String::from_utf8_lossy(t).into_owned(),
        );
        push(&self.log, alloc::format!("step {shown}"));
        self.steps
            .lock()
            .ok()
            .and_then(|mut s| s.pop_front())
            .unwrap_or(Err(AuthProblem::Gssapi { major: 1, minor: 2 }))
    }
}

fn push(log: &Log, line: String) {
    if let Ok(mut log) = log.lock() {
        log.push(line);
    }
}
