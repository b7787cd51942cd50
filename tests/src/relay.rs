//! A TCP relay that counts the connections clients open through it: put it in front of a
//! real proxy (whose own connection counts we cannot read) to prove keep-alive, e.g. that
//! ten requests used one connection.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

/// Relays every connection to `upstream` and counts them. Stops accepting on drop.
pub struct CountingRelay {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl CountingRelay {
    /// Starts relaying 127.0.0.1:(a free port) to 127.0.0.1:`upstream_port`.
    pub fn start(upstream_port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicUsize::new(0));
        let stopping = Arc::new(AtomicBool::new(false));
        let (counter, stop) = (Arc::clone(&accepted), Arc::clone(&stopping));
        let acceptor = std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                if let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) {
                    splice(client, upstream);
                }
            }
        });
        Ok(Self {
            addr,
            accepted,
            stopping,
            acceptor: Some(acceptor),
        })
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// How many connections clients opened so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// Copies both directions on their own threads; each ends when its source closes.
fn splice(client: TcpStream, upstream: TcpStream) {
    let pairs = [
        (client.try_clone(), upstream.try_clone()),
        (upstream.try_clone(), client.try_clone()),
    ];
    for (mut from, mut to) in pairs.into_iter().filter_map(|(a, b)| a.ok().zip(b.ok())) {
        std::thread::spawn(move || {
            let _ = io::copy(&mut from, &mut to);
            let _ = to.shutdown(Shutdown::Write);
        });
    }
}

impl Drop for CountingRelay {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}
