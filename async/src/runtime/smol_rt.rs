//! smol's TCP and DNS (async-net) and timer (async-io), feature `smol`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{Either, select};

use super::Tcp;

pub(super) async fn connect_tcp(addr: SocketAddr) -> io::Result<Tcp> {
    let tcp = async_net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    Ok(Tcp::Smol(tcp))
}

pub(super) async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    async_net::resolve((host, port)).await
}

pub(super) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let timer = async_io::Timer::after(limit);
    match select(pin!(future), timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}
