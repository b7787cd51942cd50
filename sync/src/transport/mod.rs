//! ureq `Transport`s built by egress's connector: a socket transport (plain TCP, or TLS to
//! an `https://` proxy, optionally rewriting requests for a forward proxy) and a TLS
//! transport to the target over any other transport.

mod socket;
mod socket_stream;
mod target_tls;
mod timeout;

pub(crate) use socket::SocketTransport;
pub(crate) use socket_stream::SocketStream;
pub(crate) use target_tls::wrap_target_tls;
pub(crate) use timeout::{Deadline, is_timeout};
