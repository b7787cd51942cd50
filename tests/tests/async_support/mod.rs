//! Shared helpers of the egress-async-only tests (async_only.rs, async_load.rs): builders
//! with short timeouts, and running one scenario on each compiled-in runtime.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::Duration;

use egress_async::{Client, ConnectorBuilder, Error, Runtime};

pub fn short_timeouts(builder: ConnectorBuilder, runtime: Runtime) -> ConnectorBuilder {
    builder
        .runtime(runtime)
        .timeout_connect(Duration::from_secs(2))
        .timeout_proxy_handshake(Duration::from_millis(500))
        .timeout_tls(Duration::from_secs(2))
}

pub fn client(builder: ConnectorBuilder) -> Client {
    Client::builder(builder.build().unwrap_or_else(|e| panic!("{e}")))
        .timeout_exchange(Duration::from_secs(5))
        .build()
}

pub async fn get_text(client: &Client, url: &str) -> Result<String, Error> {
    client.get(url).send().await?.text().await
}

/// Runs `scenario` to completion on `runtime`'s own executor.
pub fn run<F: Future<Output = ()>>(runtime: Runtime, scenario: impl FnOnce(Runtime) -> F) {
    match runtime {
        Runtime::AsyncStd => async_std::task::block_on(scenario(runtime)),
        #[cfg(feature = "smol")]
        Runtime::Smol => async_io::block_on(scenario(runtime)),
        #[cfg(feature = "tokio")]
        Runtime::Tokio => tokio_runtime().block_on(scenario(runtime)),
        #[allow(unreachable_patterns)]
        _ => panic!("runtime {runtime:?} not compiled in"),
    }
}

/// A current-thread tokio runtime with I/O and time enabled, as `Runtime::Tokio` requires.
#[cfg(feature = "tokio")]
pub fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"))
}

/// Declares one `#[test]` per scenario and runtime: `on_async_std::name`, `on_smol::name`
/// with the `smol` feature and `on_tokio::name` with the `tokio` feature.
#[macro_export]
macro_rules! on_every_runtime {
    ($($name:ident),* $(,)?) => {
        mod on_async_std {
            $(#[test] fn $name() { $crate::async_support::run(egress_async::Runtime::AsyncStd, super::$name); })*
        }
        #[cfg(feature = "smol")]
        mod on_smol {
            $(#[test] fn $name() { $crate::async_support::run(egress_async::Runtime::Smol, super::$name); })*
        }
        #[cfg(feature = "tokio")]
        mod on_tokio {
            $(#[test] fn $name() { $crate::async_support::run(egress_async::Runtime::Tokio, super::$name); })*
        }
    };
}
