//! The ureq `Transport` built by egress's connector over a [`SocketStream`] (TCP, TLS to an
//! `https://` proxy, replayed tunnel bytes, TLS to an `https://` target), rewriting requests
//! for a forward proxy when the route is one, and the connection's clock.

mod clock;
mod socket;
mod socket_stream;

pub(crate) use clock::{Clock, is_timeout};
pub(crate) use socket::SocketTransport;
pub(crate) use socket_stream::SocketStream;
