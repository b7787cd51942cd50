//! Splicing an established CONNECT tunnel: bytes flow both ways between the client connection
//! (plain or TLS) and the upstream socket until either side closes.
//!
//! With a TLS client side the rustls connection is shared behind a mutex: one thread reads
//! ciphertext from the socket (outside the lock) and feeds it in, the other encrypts upstream
//! bytes; all socket writes happen under the lock so records stay in order.
//!
//! An optional `cap` cuts the tunnel abruptly once that many bytes went to the client (the
//! "connection dies mid-transfer" fault).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use rustls::ServerConnection;

use crate::server::{Lifecycle, lock};
use crate::stream::ServerStream;

const BUF: usize = 64 * 1024;

/// Relays until both directions end. `leftover` are client bytes read past the CONNECT head.
pub(crate) fn tunnel(
    client: ServerStream,
    leftover: Vec<u8>,
    upstream: TcpStream,
    cap: Option<u64>,
    lc: &Lifecycle,
) {
    let _tracked = lc.track(&upstream);
    match client {
        ServerStream::Plain(client) => plain(client, leftover, upstream, cap),
        ServerStream::Tls(stream) => {
            let stream = *stream;
            tls(stream.conn, stream.sock, leftover, upstream, cap);
        }
    }
}

fn plain(client: TcpStream, leftover: Vec<u8>, upstream: TcpStream, cap: Option<u64>) {
    let (Ok(mut client_r), Ok(mut up_w)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let up = thread::spawn(move || {
        let _ = up_w.write_all(&leftover);
        let _ = io::copy(&mut client_r, &mut up_w);
        let _ = up_w.shutdown(Shutdown::Write);
    });
    let mut client_w = &client;
    let mut up_r = &upstream;
    match copy_capped(&mut up_r, &mut client_w, cap) {
        Ok(true) => {
            let _ = client.shutdown(Shutdown::Write);
        }
        _ => {
            let _ = client.shutdown(Shutdown::Both);
            let _ = upstream.shutdown(Shutdown::Both);
        }
    }
    let _ = up.join();
}

/// Copies until EOF (`Ok(true)`), or until `cap` bytes were written (`Ok(false)`).
fn copy_capped(r: &mut dyn Read, w: &mut dyn Write, cap: Option<u64>) -> io::Result<bool> {
    let mut buf = vec![0u8; BUF];
    let mut left = cap.unwrap_or(u64::MAX);
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        let n = n.min(usize::try_from(left).unwrap_or(usize::MAX));
        w.write_all(&buf[..n])?;
        left -= n as u64;
        if left == 0 {
            return Ok(false);
        }
    }
}

fn tls(
    conn: ServerConnection,
    sock: TcpStream,
    leftover: Vec<u8>,
    upstream: TcpStream,
    cap: Option<u64>,
) {
    let (Ok(sock_r), Ok(up_w)) = (sock.try_clone(), upstream.try_clone()) else {
        return;
    };
    let conn = Arc::new(Mutex::new(conn));
    let shared = Arc::clone(&conn);
    let sock_w = sock.try_clone();
    let up = thread::spawn(move || {
        let Ok(mut sock_w) = sock_w else { return };
        let _ = client_to_upstream(&shared, sock_r, &mut sock_w, leftover, up_w);
    });
    let finished = upstream_to_client(&conn, &upstream, &sock, cap);
    if finished.unwrap_or(false) {
        let mut c = lock(&conn);
        c.send_close_notify();
        let _ = c.write_tls(&mut &sock);
        drop(c);
        let _ = sock.shutdown(Shutdown::Write);
    } else {
        let _ = sock.shutdown(Shutdown::Both);
        let _ = upstream.shutdown(Shutdown::Both);
    }
    let _ = up.join();
}

fn client_to_upstream(
    conn: &Mutex<ServerConnection>,
    mut sock_r: TcpStream,
    sock_w: &mut TcpStream,
    leftover: Vec<u8>,
    mut up_w: TcpStream,
) -> io::Result<()> {
    up_w.write_all(&leftover)?;
    let mut cipher = vec![0u8; BUF];
    let mut plain = vec![0u8; BUF];
    loop {
        // Drain plaintext rustls already holds (sent along with the CONNECT request, or just fed).
        let mut eof = false;
        loop {
            let got = lock(conn).reader().read(&mut plain);
            match got {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => up_w.write_all(&plain[..n])?,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if eof {
            break;
        }
        let n = sock_r.read(&mut cipher)?;
        if n == 0 {
            break;
        }
        let mut c = lock(conn);
        let mut input = &cipher[..n];
        while !input.is_empty() {
            c.read_tls(&mut input)?;
            let state = c.process_new_packets();
            while c.wants_write() {
                c.write_tls(sock_w)?;
            }
            state.map_err(io::Error::other)?;
        }
    }
    up_w.shutdown(Shutdown::Write)
}

fn upstream_to_client(
    conn: &Mutex<ServerConnection>,
    mut upstream: &TcpStream,
    mut sock: &TcpStream,
    cap: Option<u64>,
) -> io::Result<bool> {
    let mut buf = vec![0u8; BUF];
    let mut left = cap.unwrap_or(u64::MAX);
    loop {
        let n = upstream.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        let n = n.min(usize::try_from(left).unwrap_or(usize::MAX));
        let mut c = lock(conn);
        // rustls caps its send buffer, so encrypt in pieces and flush each to the socket.
        let mut data = &buf[..n];
        while !data.is_empty() {
            let wrote = c.writer().write(data)?;
            data = &data[wrote..];
            if wrote == 0 && !c.wants_write() {
                return Err(io::ErrorKind::WriteZero.into());
            }
            while c.wants_write() {
                c.write_tls(&mut sock)?;
            }
        }
        drop(c);
        left -= n as u64;
        if left == 0 {
            return Ok(false);
        }
    }
}
