//! Where the proxy connects: authority parsing, its own name resolution (overrides first),
//! and the loopback-only rule that keeps every test connection on this machine.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};

use super::Config;
use crate::server::{CONNECT_TIMEOUT, IO_TIMEOUT, lock};

/// Splits `host:port` / `[v6]:port` (port defaulting to `default_port`).
pub(super) fn split_authority(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if tail.is_empty() => default_port,
            None => return None,
        };
        return Some((host.to_owned(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_owned(), port.parse().ok()?)),
        None => Some((authority.to_owned(), default_port)),
    }
}

/// Resolves inside the proxy (overrides first) and connects, to loopback addresses only.
pub(super) fn dial(host: &str, port: u16, config: &Config) -> io::Result<TcpStream> {
    let overridden = config
        .options
        .hosts
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(host))
        .map(|(_, addr)| *addr);
    let addr = match overridden {
        Some(addr) => addr,
        None => {
            let candidates: Vec<SocketAddr> = match host.parse::<IpAddr>() {
                Ok(ip) => vec![SocketAddr::new(ip, port)],
                Err(_) => (host, port).to_socket_addrs()?.collect(),
            };
            candidates
                .into_iter()
                .find(|a| a.ip().is_loopback())
                .ok_or_else(|| io::Error::other("the test proxy only connects to loopback"))?
        }
    };
    let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let _ = stream.set_nodelay(true);
    *lock(&config.records.upstream_connects) += 1;
    Ok(stream)
}
