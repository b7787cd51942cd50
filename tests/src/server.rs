//! The lifecycle shared by every loopback server: a listener on an OS-assigned port, one
//! thread per connection (bounded), and a stop on `Drop` that leaves no thread behind.
//!
//! ```text
//!   start ──► accepting ──(drop)──► stopping: flag set, self-connect wakes accept,
//!                │                  accept thread joined (port released), every tracked
//!                ▼                  socket shut down (blocked reads return), workers joined
//!        worker thread per connection (at most MAX_CONNECTIONS alive)
//! ```
//!
//! Workers register every socket they block on (the client's and any upstream one) with
//! [`Lifecycle::track`], so that stopping can shut them down instead of waiting for timeouts.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Connections served at once by one server; more are accepted and closed at once, so a runaway
/// client cannot exhaust threads (1,000 concurrent tunnels fit well below this).
pub const MAX_CONNECTIONS: usize = 4096;

/// Read/write timeout on every socket the servers own: long enough for a 64 MiB transfer's
/// pauses, short enough that a forgotten connection cannot keep a test alive for long.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Timeout for the servers' own outgoing connects (proxy to origin).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Locks a mutex, ignoring poisoning: a panicking worker must not break the assertions of the
/// test that owns the server (the data recorded so far is still meaningful).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared between a server handle, its accept thread and its workers.
#[derive(Debug, Default)]
pub(crate) struct Lifecycle {
    stopping: AtomicBool,
    accepted: AtomicUsize,
    live: AtomicUsize,
    next_id: AtomicU64,
    sockets: Mutex<HashMap<u64, TcpStream>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// Keeps a socket registered for shutdown-on-stop; unregisters it when dropped.
pub(crate) struct Tracked<'a> {
    lifecycle: &'a Lifecycle,
    id: u64,
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        lock(&self.lifecycle.sockets).remove(&self.id);
    }
}

impl Lifecycle {
    /// True once the owning server is being dropped; long waits poll this.
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Registers a socket so that stopping the server shuts it down.
    pub(crate) fn track(&self, socket: &TcpStream) -> Tracked<'_> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = socket.try_clone() {
            lock(&self.sockets).insert(id, clone);
        }
        if self.is_stopping() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        Tracked {
            lifecycle: self,
            id,
        }
    }

    /// Sleeps up to `total`, waking early when the server stops. Returns false if stopping.
    pub(crate) fn sleep(&self, total: Duration) -> bool {
        let step = Duration::from_millis(10);
        let mut left = total;
        while !left.is_zero() {
            if self.is_stopping() {
                return false;
            }
            let now = left.min(step);
            thread::sleep(now);
            left -= now;
        }
        !self.is_stopping()
    }
}

/// Handles one accepted connection; runs on its own thread.
pub(crate) type Handler = Arc<dyn Fn(TcpStream, &Lifecycle) + Send + Sync>;

/// A running listener; dropping it stops everything it started.
#[derive(Debug)]
pub(crate) struct Server {
    addr: SocketAddr,
    lifecycle: Arc<Lifecycle>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `bind` (port 0 picks a free port) and serves each connection with `handler`.
    pub(crate) fn start(bind: SocketAddr, handler: Handler) -> io::Result<Server> {
        let listener = TcpListener::bind(bind)?;
        let addr = listener.local_addr()?;
        let lifecycle = Arc::new(Lifecycle::default());
        let shared = Arc::clone(&lifecycle);
        let accept = thread::Builder::new()
            .name(format!("egress-test-accept-{addr}"))
            .spawn(move || accept_loop(&listener, &shared, &handler))?;
        Ok(Server {
            addr,
            lifecycle,
            accept: Some(accept),
        })
    }

    /// The bound address, with the OS-assigned port.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections accepted so far (including ones closed for exceeding the bound).
    pub(crate) fn accepted(&self) -> usize {
        self.lifecycle.accepted.load(Ordering::SeqCst)
    }
}

fn accept_loop(listener: &TcpListener, lifecycle: &Arc<Lifecycle>, handler: &Handler) {
    for stream in listener.incoming() {
        if lifecycle.is_stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        lifecycle.accepted.fetch_add(1, Ordering::SeqCst);
        if lifecycle.live.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            continue;
        }
        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
        let _ = stream.set_nodelay(true);
        lifecycle.live.fetch_add(1, Ordering::SeqCst);
        let (lc, h) = (Arc::clone(lifecycle), Arc::clone(handler));
        let spawned = thread::Builder::new()
            .name("egress-test-conn".into())
            .spawn(move || {
                {
                    let _tracked = lc.track(&stream);
                    h(stream, &lc);
                }
                lc.live.fetch_sub(1, Ordering::SeqCst);
            });
        let mut workers = lock(&lifecycle.workers);
        workers.retain(|w| !w.is_finished());
        match spawned {
            Ok(worker) => workers.push(worker),
            Err(_) => {
                lifecycle.live.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.lifecycle.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag and releases the port.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        for socket in lock(&self.lifecycle.sockets).values() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        let workers = std::mem::take(&mut *lock(&self.lifecycle.workers));
        for worker in workers {
            let _ = worker.join();
        }
    }
}
