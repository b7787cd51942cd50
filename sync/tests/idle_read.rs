//! `AgentBuilder::timeout_idle_read`: a peer that goes silent mid-head or mid-body ends the
//! call within the limit instead of holding it until the peer gives up; 30 s by default.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use egress_sync::{Agent, DEFAULT_IDLE_READ_TIMEOUT};

/// Serves one connection: reads the request, writes `answer`, then stays silent.
fn stalling(answer: &'static [u8]) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}/",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let handle = std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(answer);
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    (url, handle)
}

#[test]
fn a_silent_peer_mid_head_or_mid_body_ends_the_call() {
    assert_eq!(DEFAULT_IDLE_READ_TIMEOUT, Duration::from_secs(30));
    let agent = Agent::builder()
        .timeout_idle_read(Duration::from_millis(300))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (url, handle) = stalling(b"HTTP/1.1 200 OK\r\nContent-Le");
    let started = Instant::now();
    let result = agent.get(&url).call();
    assert!(result.is_err(), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let _ = handle.join();

    let (url, handle) = stalling(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    let started = Instant::now();
    let mut response = agent.get(&url).call().unwrap_or_else(|e| panic!("{e}"));
    let body = response.body_mut().read_to_string();
    assert!(body.is_err(), "{body:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let _ = handle.join();
}
