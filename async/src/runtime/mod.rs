//! The only runtime-specific code: TCP connect, DNS and timers, once per runtime feature.
//!
//! Everything else in the crate is written against `futures-io` traits, so the code path is
//! the same on async-std, smol and tokio (whose socket is adapted to `futures-io` in
//! `tcp.rs`); [`Runtime`] picks which of the compiled-in implementations a
//! [`Connector`](crate::Connector) uses. With only one feature enabled there is only one
//! choice.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

#[cfg(not(any(feature = "async-std", feature = "smol", feature = "tokio")))]
compile_error!(
    "egress-async needs a runtime: enable the `async-std` (default), `smol` or `tokio` feature"
);

#[cfg(feature = "async-std")]
mod async_std_rt;
#[cfg(feature = "smol")]
mod smol_rt;
mod tcp;
#[cfg(feature = "tokio")]
mod tokio_rt;

pub(crate) use tcp::Tcp;

/// The async runtime providing TCP, DNS and timers.
///
/// All are interchangeable for callers: the same API and the same code above TCP. async-std
/// is discontinued upstream in favour of smol, so `Runtime::Smol` (feature `smol`) lets a
/// service move without an API change; `Runtime::Tokio` (feature `tokio`) serves programs
/// that already run on tokio, without compiling async-std or smol in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Runtime {
    /// async-std's `TcpStream`, `ToSocketAddrs` and `future::timeout` (feature `async-std`).
    #[cfg(feature = "async-std")]
    AsyncStd,
    /// smol's `async-net` and `async-io` timers (feature `smol`).
    #[cfg(feature = "smol")]
    Smol,
    /// tokio's `TcpStream`, `lookup_host` and `time` (feature `tokio`).
    ///
    /// Requests MUST run inside a tokio runtime with its I/O and time drivers enabled
    /// (`tokio::runtime::Builder::enable_all`, or `#[tokio::main]`); tokio panics otherwise
    /// ("there is no reactor running").
    #[cfg(feature = "tokio")]
    Tokio,
}

impl Default for Runtime {
    /// async-std when its feature is enabled (the crate default), otherwise smol when
    /// enabled, otherwise tokio.
    fn default() -> Self {
        #[cfg(feature = "async-std")]
        return Runtime::AsyncStd;
        #[cfg(all(not(feature = "async-std"), feature = "smol"))]
        return Runtime::Smol;
        #[cfg(all(not(feature = "async-std"), not(feature = "smol"), feature = "tokio"))]
        return Runtime::Tokio;
    }
}

impl Runtime {
    /// Opens a TCP connection to `addr` with `TCP_NODELAY` set.
    pub(crate) async fn connect_tcp(self, addr: SocketAddr) -> io::Result<Tcp> {
        match self {
            #[cfg(feature = "async-std")]
            Runtime::AsyncStd => async_std_rt::connect_tcp(addr).await,
            #[cfg(feature = "smol")]
            Runtime::Smol => smol_rt::connect_tcp(addr).await,
            #[cfg(feature = "tokio")]
            Runtime::Tokio => tokio_rt::connect_tcp(addr).await,
        }
    }

    /// Looks up `host` (a DNS name) and returns its addresses with `port`.
    pub(crate) async fn resolve(self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        let addrs = match self {
            #[cfg(feature = "async-std")]
            Runtime::AsyncStd => async_std_rt::resolve(host, port).await?,
            #[cfg(feature = "smol")]
            Runtime::Smol => smol_rt::resolve(host, port).await?,
            #[cfg(feature = "tokio")]
            Runtime::Tokio => tokio_rt::resolve(host, port).await?,
        };
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the host name has no addresses",
            ));
        }
        Ok(addrs)
    }

    /// A future that completes after `after`: the timer behind read deadlines that live
    /// inside `poll_read` (a response body's idle and whole-request limits).
    pub(crate) fn sleep(self, after: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        match self {
            #[cfg(feature = "async-std")]
            Runtime::AsyncStd => Box::pin(async_std::task::sleep(after)),
            #[cfg(feature = "smol")]
            Runtime::Smol => Box::pin(async move {
                async_io::Timer::after(after).await;
            }),
            // tokio's timer is created on first poll, inside the caller's tokio runtime.
            #[cfg(feature = "tokio")]
            Runtime::Tokio => Box::pin(async move {
                tokio::time::sleep(after).await;
            }),
        }
    }

    /// Runs `future` for at most `limit` (`None`: no limit); `None` when time ran out, in
    /// which case `future` has been dropped (and with it any socket it owned).
    pub(crate) async fn timeout<F: Future>(
        self,
        limit: Option<Duration>,
        future: F,
    ) -> Option<F::Output> {
        let Some(limit) = limit else {
            return Some(future.await);
        };
        match self {
            #[cfg(feature = "async-std")]
            Runtime::AsyncStd => async_std_rt::timeout(limit, future).await,
            #[cfg(feature = "smol")]
            Runtime::Smol => smol_rt::timeout(limit, future).await,
            #[cfg(feature = "tokio")]
            Runtime::Tokio => tokio_rt::timeout(limit, future).await,
        }
    }
}
