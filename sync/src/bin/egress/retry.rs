//! `--retry`: which outcomes are worth another attempt, and how long to wait first.
//!
//! Transient: a connection that could not be made or broke (proxy or target unreachable, a
//! proxy closing), a timeout, HTTP 408/429/500/502/503/504, and a CONNECT refused with one
//! of those statuses. Only idempotent methods are retried (RFC 9110 §9.2.2) unless
//! `--retry-all-errors`, which also makes every failure and every status >= 400 retryable.
//! The wait is `Retry-After` (delta-seconds) when the response has one, else `--retry-delay`,
//! else 1 s doubling per retry; no retry starts after `--retry-max-time`.

use std::time::Duration;

use egress_sync::{Error, Failure, FailureKind};

/// Statuses that say "try again later".
const TRANSIENT_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];

/// Methods safe to send twice.
const IDEMPOTENT: [&str; 6] = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"];

/// The longest wait a `Retry-After` may ask for (a misbehaving server cannot park the tool).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// What an attempt ended with, as far as retrying is concerned.
#[derive(Debug)]
pub(crate) enum Outcome<'a> {
    /// A response with this status and `Retry-After` value.
    Status(u16, Option<&'a str>),
    /// A failure before or during the exchange.
    Failed(&'a Error),
}

/// The retry settings from the command line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// How many retries at most.
    pub(crate) retries: u32,
    /// A fixed delay, instead of 1 s doubling.
    pub(crate) delay: Option<Duration>,
    /// No retry starts after this much time since the first attempt.
    pub(crate) max_time: Option<Duration>,
    /// Retry everything, any method.
    pub(crate) all_errors: bool,
    /// Whether the body can be sent again (not a stream from stdin).
    pub(crate) replayable: bool,
}

impl Policy {
    /// The wait before retry number `done + 1`, or `None` to stop now. `elapsed` is the
    /// time since the first attempt started.
    pub(crate) fn next_wait(
        &self,
        method: &str,
        outcome: &Outcome<'_>,
        done: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if done >= self.retries || !self.replayable {
            return None;
        }
        if !self.all_errors && !IDEMPOTENT.contains(&method) {
            return None;
        }
        let retry_after = match outcome {
            Outcome::Status(status, retry_after) => {
                let transient = TRANSIENT_STATUSES.contains(status);
                if !(transient || self.all_errors && *status >= 400) {
                    return None;
                }
                retry_after.and_then(parse_retry_after)
            }
            Outcome::Failed(error) => {
                if !(self.all_errors || is_transient(error)) {
                    return None;
                }
                None
            }
        };
        let backoff = self
            .delay
            .unwrap_or_else(|| Duration::from_secs(1u64 << done.min(9)));
        let wait = retry_after.unwrap_or(backoff);
        match self.max_time {
            Some(max) if elapsed + wait > max => None,
            _ => Some(wait),
        }
    }
}

/// `Retry-After` as delta-seconds; an HTTP-date falls back to the normal delay.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs = value.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// Connection failures and timeouts, never configuration, TLS or authentication.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Failure(failure) => match failure.kind() {
            FailureKind::ProxyUnreachable
            | FailureKind::ProxyClosed
            | FailureKind::TargetUnreachable
            | FailureKind::Timeout => true,
            FailureKind::ConnectRejected => matches!(
                failure,
                Failure::ConnectRejected { status, .. } if TRANSIENT_STATUSES.contains(status)
            ),
            _ => false,
        },
        Error::Http(http) => matches!(
            http,
            egress_sync::ureq::Error::ConnectionFailed
                | egress_sync::ureq::Error::Io(_)
                | egress_sync::ureq::Error::Timeout(_)
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, Policy};
    use egress_sync::{Error, Failure};
    use std::time::Duration;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn policy(retries: u32) -> Policy {
        Policy {
            retries,
            delay: None,
            max_time: None,
            all_errors: false,
            replayable: true,
        }
    }

    #[test]
    fn transient_statuses_on_idempotent_methods_only() {
        let p = policy(3);
        type Case<'a> = (&'a str, u16, Option<&'a str>, u32, Option<Duration>);
        let cases: &[Case<'_>] = &[
            ("GET", 503, None, 0, Some(S(1))),
            ("GET", 503, None, 2, Some(S(4))),
            ("GET", 503, None, 3, None),
            ("GET", 429, Some("2"), 0, Some(S(2))),
            (
                "GET",
                429,
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                0,
                Some(S(1)),
            ),
            ("GET", 503, Some("100000"), 0, Some(S(600))),
            ("DELETE", 504, None, 0, Some(S(1))),
            ("GET", 404, None, 0, None),
            ("GET", 501, None, 0, None),
            ("POST", 503, None, 0, None),
            ("PATCH", 500, None, 0, None),
        ];
        for (method, status, after, done, expected) in cases {
            let got = p.next_wait(method, &Outcome::Status(*status, *after), *done, S(0));
            assert_eq!(got, *expected, "{method} {status} {after:?} after {done}");
        }
    }

    #[test]
    fn all_errors_max_time_delay_and_streams() {
        let all = Policy {
            all_errors: true,
            ..policy(1)
        };
        assert_eq!(
            all.next_wait("POST", &Outcome::Status(404, None), 0, S(0)),
            Some(S(1))
        );
        assert_eq!(
            all.next_wait("POST", &Outcome::Status(200, None), 0, S(0)),
            None
        );
        let fixed = Policy {
            delay: Some(Duration::ZERO),
            max_time: Some(S(5)),
            ..policy(9)
        };
        let busy = Outcome::Status(503, None);
        assert_eq!(fixed.next_wait("GET", &busy, 4, S(4)), Some(Duration::ZERO));
        let late = Outcome::Status(503, Some("3"));
        assert_eq!(
            fixed.next_wait("GET", &late, 0, S(4)),
            None,
            "past max time"
        );
        let stream = Policy {
            replayable: false,
            ..policy(3)
        };
        assert_eq!(stream.next_wait("PUT", &busy, 0, S(0)), None);
    }

    #[test]
    fn failures_by_kind() {
        let p = policy(1);
        let unreachable = Error::Failure(Failure::Timeout {
            phase: egress_sync::Phase::Exchange,
        });
        let config = Error::Failure(Failure::InvalidConfig {
            variable: "x".into(),
            problem: "y".into(),
        });
        let refused = Error::Http(egress_sync::ureq::Error::ConnectionFailed);
        assert_eq!(
            p.next_wait("GET", &Outcome::Failed(&unreachable), 0, S(0)),
            Some(S(1))
        );
        assert_eq!(
            p.next_wait("GET", &Outcome::Failed(&refused), 0, S(0)),
            Some(S(1))
        );
        assert_eq!(p.next_wait("GET", &Outcome::Failed(&config), 0, S(0)), None);
        assert_eq!(
            p.next_wait("POST", &Outcome::Failed(&refused), 0, S(0)),
            None
        );
    }
}
