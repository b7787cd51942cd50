//! Async frontend of egress.
//!
//! This crate will hold a connector and an HTTP/1.1 client generic over `futures-io`
//! streams, with async-std for TCP and timers and futures-rustls for TLS, routing every
//! connection through `egress-core`.
