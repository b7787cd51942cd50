//! TLS to the target over any transport: a direct socket, a CONNECT tunnel, or a tunnel
//! inside TLS to an `https://` proxy (TLS in TLS).
//!
//! egress does this itself rather than through ureq's `RustlsConnector` so that the trust
//! configuration (webpki roots plus extra CAs) is the one shared with egress-async, and so a
//! handshake failure is reported as a target TLS error with the target's name.

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;

use egress_core::Target;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, LazyBuffers, NextTimeout, Transport, TransportAdapter,
};

use super::{Deadline, is_timeout};
use crate::Error;

type TlsStream = StreamOwned<ClientConnection, TransportAdapter<Box<dyn Transport>>>;

/// TLS to the target over an inner transport.
pub(crate) struct TargetTlsTransport {
    stream: TlsStream,
    buffers: LazyBuffers,
}

/// Runs the TLS handshake with `target` over `inner` within `deadline`.
pub(crate) fn wrap_target_tls(
    inner: Box<dyn Transport>,
    target: &Target<'_>,
    config: &Arc<ClientConfig>,
    details: &ConnectionDetails<'_>,
    deadline: Deadline,
) -> Result<TargetTlsTransport, Error> {
    let authority = target.authority().to_string();
    let tls_error = |source: io::Error| Error::TargetTls {
        target: authority.clone(),
        source,
    };
    let name = egress_core::tls::server_name(&target.host).ok_or_else(|| {
        tls_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the host is not a valid TLS server name",
        ))
    })?;
    let connection = ClientConnection::new(Arc::clone(config), name)
        .map_err(|e| tls_error(io::Error::other(e)))?;
    let mut adapter = TransportAdapter::new(inner, details.current_time.clone());
    adapter.set_timeout(NextTimeout {
        after: deadline.remaining()?.map_or(
            ureq::unversioned::transport::time::Duration::NotHappening,
            Into::into,
        ),
        reason: ureq::Timeout::Connect,
        ..NextTimeout::default()
    });
    let mut stream = StreamOwned::new(connection, adapter);
    while stream.conn.is_handshaking() {
        if let Err(error) = stream.conn.complete_io(&mut stream.sock) {
            return Err(if is_timeout(&error) || is_ureq_timeout(&error) {
                deadline.expired()
            } else {
                tls_error(error)
            });
        }
    }
    let buffers = LazyBuffers::new(
        details.config.input_buffer_size(),
        details.config.output_buffer_size(),
    );
    Ok(TargetTlsTransport { stream, buffers })
}

/// ureq reports its own timeouts through `TransportAdapter` as I/O errors wrapping
/// `ureq::Error::Timeout`.
fn is_ureq_timeout(error: &io::Error) -> bool {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
        .is_some_and(|e| matches!(e, ureq::Error::Timeout(_)))
}

fn map_io(error: io::Error, timeout: NextTimeout) -> ureq::Error {
    if is_timeout(&error) || is_ureq_timeout(&error) {
        ureq::Error::Timeout(timeout.reason)
    } else {
        ureq::Error::Io(error)
    }
}

impl Transport for TargetTlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.sock.set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream
            .write_all(output)
            .and_then(|()| self.stream.flush())
            .map_err(|e| map_io(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.sock.set_timeout(timeout);
        let room = self.buffers.input_append_buf();
        let n = match self.stream.read(room) {
            Ok(n) => n,
            // A peer that closes without close_notify ends the stream like a plain close
            // would; ureq decides from its framing whether the body was complete.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(map_io(e, timeout)),
        };
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.sock.get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

impl fmt::Debug for TargetTlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetTlsTransport")
            .field("inner", self.stream.sock.get_ref())
            .finish()
    }
}
