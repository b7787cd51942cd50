//! async-std's TCP, DNS and timer (feature `async-std`).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use async_std::net::{TcpStream, ToSocketAddrs};

use super::Tcp;

pub(super) async fn connect_tcp(addr: SocketAddr) -> io::Result<Tcp> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    Ok(Tcp::AsyncStd(tcp))
}

pub(super) async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    Ok((host, port).to_socket_addrs().await?.collect())
}

pub(super) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    async_std::future::timeout(limit, future).await.ok()
}
