//! Shared support for egress's cross-crate integration tests: loopback servers and helpers.
pub mod real_proxy;
