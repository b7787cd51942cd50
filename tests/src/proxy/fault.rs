//! The terminal fault modes: answers that end the client connection after misbehaving.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::Fault;
use crate::content::pattern_bytes;
use crate::server::Lifecycle;
use crate::stream::ServerStream;

/// The established head with filler headers that [`Fault::Slowloris`] trickles out.
pub(super) fn slow_head() -> Vec<u8> {
    let mut head = b"HTTP/1.1 200 Connection established\r\n".to_vec();
    for i in 0..30 {
        head.extend_from_slice(format!("X-Slow-{i:02}: trickle\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Plays a terminal fault. Returns `Ok(true)` when the fault is not terminal (the request must
/// then be handled normally).
pub(super) fn play(fault: &Fault, out: &mut ServerStream, lc: &Lifecycle) -> io::Result<bool> {
    match fault {
        Fault::NeverAnswer => hold(out, lc),
        Fault::CloseBeforeAnswer => Ok(()),
        Fault::CloseMidHeader => out.write_all(b"HTTP/1.1 200 Conn"),
        Fault::HugeHead => {
            let mut head = b"HTTP/1.1 200 Connection established\r\n".to_vec();
            let filler = "a".repeat(1024);
            for i in 0..100 {
                head.extend_from_slice(format!("X-Filler-{i:03}: {filler}\r\n").as_bytes());
            }
            head.extend_from_slice(b"\r\n");
            out.write_all(&head)
        }
        Fault::ManyHeaders => {
            let mut head = b"HTTP/1.1 200 Connection established\r\n".to_vec();
            for i in 0..10_000 {
                head.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
            }
            head.extend_from_slice(b"\r\n");
            out.write_all(&head)
        }
        Fault::Garbage => out.write_all(b"this is not an HTTP response at all\r\n\r\n"),
        Fault::Http09 => out.write_all(b"<html><body>HTTP/0.9 style answer</body></html>\n"),
        Fault::BinaryBlob => out.write_all(&pattern_bytes(4096)),
        Fault::Reject {
            status,
            reason,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            out.write_all(format!("{head}{body}").as_bytes())
        }
        Fault::Slowloris { .. }
        | Fault::InterimFlood { .. }
        | Fault::CutAfter { .. }
        | Fault::CoalesceTunnelBytes => return Ok(true),
    }?;
    out.flush()?;
    out.finish();
    Ok(false)
}

/// Writes interim responses or trickles the slow head before the normal answer.
pub(super) fn prelude(fault: Option<&Fault>, out: &mut ServerStream) -> io::Result<()> {
    match fault {
        Some(Fault::InterimFlood { count }) => {
            let one = b"HTTP/1.1 100 Continue\r\n\r\n";
            let mut all = Vec::with_capacity(one.len() * count);
            for _ in 0..*count {
                all.extend_from_slice(one);
            }
            out.write_all(&all)?;
            out.flush()
        }
        _ => Ok(()),
    }
}

/// Sends `bytes` one at a time with `delay` before each; fails if the server stops.
pub(super) fn trickle(
    bytes: &[u8],
    delay: Duration,
    out: &mut ServerStream,
    lc: &Lifecycle,
) -> io::Result<()> {
    for b in bytes {
        if !lc.sleep(delay) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        out.write_all(std::slice::from_ref(b))?;
        out.flush()?;
    }
    Ok(())
}

/// Reads and discards until the client closes, the proxy stops, or 60 s pass.
fn hold(out: &mut ServerStream, lc: &Lifecycle) -> io::Result<()> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    let _ = out.tcp().set_read_timeout(Some(Duration::from_millis(200)));
    while !lc.is_stopping() && start.elapsed() < Duration::from_secs(60) {
        match out.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    Ok(())
}
