//! The bound on a forward route's exchange: once a request has gone to a forward proxy, the
//! proxy's response head must start within the handshake timeout, and a close or reset
//! before it is the proxy's failure (the request never reached the target through it), just
//! as on a CONNECT route.
//!
//! ```text
//!   idle ──request_sent(now)──► waiting (deadline) ──response_bytes──► idle
//!                                   │ close / reset / deadline
//!                                   ▼
//!                          Failure::ProxyClosed / Timeout { ProxyResponse }
//! ```
//!
//! ```
//! use core::time::Duration;
//! use egress_core::establish::ForwardWatch;
//! use egress_core::failure::{PeerError, PeerErrorKind};
//! use egress_core::{FailureKind, Phase};
//!
//! let mut watch = ForwardWatch::new("http://proxy:3128", Some(Duration::from_secs(30)));
//! watch.request_sent(Duration::from_secs(1));
//! assert_eq!(watch.deadline(), Some(Duration::from_secs(31)));
//! let timeout = watch.on_timeout(Duration::from_secs(31)).expect("waiting");
//! assert_eq!(timeout.phase(), Some(Phase::ProxyResponse));
//!
//! watch.request_sent(Duration::from_secs(40));
//! watch.response_bytes(12);
//! let eof = PeerError::new(PeerErrorKind::Closed, "end of stream");
//! assert!(watch.on_error(eof).is_err(), "after the head began, a close is the body's");
//! ```

use alloc::boxed::Box;
use alloc::string::String;
use core::time::Duration;

use crate::failure::{Failure, PeerError};
use crate::phase::Phase;

/// Watches one forward connection; see the module doc.
#[derive(Clone, Debug)]
pub struct ForwardWatch {
    proxy: Box<str>,
    limit: Option<Duration>,
    waiting: Option<Option<Duration>>,
}

impl ForwardWatch {
    /// A watch for a connection to `proxy` (`scheme://host:port`), `limit` per response head.
    pub fn new(proxy: &str, limit: Option<Duration>) -> Self {
        Self {
            proxy: proxy.into(),
            limit,
            waiting: None,
        }
    }

    /// Request bytes went to the proxy at `now`; starts the wait unless it is running.
    pub fn request_sent(&mut self, now: Duration) {
        if self.waiting.is_none() {
            self.waiting = Some(self.limit.map(|limit| now.saturating_add(limit)));
        }
    }

    /// Response bytes arrived: the proxy answered, the wait is over.
    pub fn response_bytes(&mut self, count: usize) {
        if count > 0 {
            self.waiting = None;
        }
    }

    /// Whether a request waits for the start of its response.
    pub fn is_waiting(&self) -> bool {
        self.waiting.is_some()
    }

    /// When the wait times out, if one is running and bounded.
    pub fn deadline(&self) -> Option<Duration> {
        self.waiting.flatten()
    }

    /// A read or write failed, or the stream ended (`PeerErrorKind::Closed`): the proxy's
    /// failure while waiting, otherwise `Err(error)` back for the HTTP engine to report.
    pub fn on_error(&mut self, error: PeerError) -> Result<Failure, PeerError> {
        if self.waiting.take().is_none() {
            return Err(error);
        }
        match error.kind() {
            crate::failure::PeerErrorKind::TimedOut => {
                return Ok(Failure::Timeout {
                    phase: Phase::ProxyResponse,
                });
            }
            // The proxy's TLS refused the connection after its handshake (a client
            // certificate it did not accept, under TLS 1.3).
            crate::failure::PeerErrorKind::Tls => {
                return Ok(Failure::ProxyTls {
                    proxy: String::from(&*self.proxy),
                    source: error,
                });
            }
            _ => {}
        }
        Ok(Failure::ProxyClosed {
            proxy: String::from(&*self.proxy),
            phase: Phase::ProxyResponse,
            source: error,
        })
    }

    /// The driver's timer fired at `now`: a timeout failure if the wait is over its deadline.
    pub fn on_timeout(&mut self, now: Duration) -> Option<Failure> {
        match self.waiting {
            Some(Some(deadline)) if now >= deadline => {
                self.waiting = None;
                Some(Failure::Timeout {
                    phase: Phase::ProxyResponse,
                })
            }
            _ => None,
        }
    }
}
