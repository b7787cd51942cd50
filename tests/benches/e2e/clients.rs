//! The clients compared: egress-sync, egress-async and ureq 3.5's built-in proxy support,
//! each fetching a URL and streaming its body into a sink that counts (and can verify) it.

use std::io::{self, Write};
use std::sync::Arc;

use egress_tests::{TestCa, check_pattern};

/// Proxy settings for one client.
#[derive(Clone, Copy, Default)]
pub(crate) struct Proxies<'a> {
    pub(crate) http: Option<&'a str>,
    pub(crate) https: Option<&'a str>,
    /// A CA to trust for `https://` proxies besides the origin's.
    pub(crate) proxy_ca_pem: Option<&'a str>,
}

/// A client under test.
pub(crate) enum Client {
    Sync(egress_sync::Agent),
    Async(egress_async::Client),
    Ureq(ureq::Agent),
}

impl Client {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Client::Sync(_) => "egress-sync",
            Client::Async(_) => "egress-async",
            Client::Ureq(_) => "ureq 3.5 built-in proxy",
        }
    }

    pub(crate) fn egress_sync(ca: &TestCa, proxies: Proxies<'_>) -> Self {
        let mut builder = egress_sync::Agent::builder();
        if let Some(p) = proxies.http {
            builder = builder.http_proxy(p);
        }
        if let Some(p) = proxies.https {
            builder = builder.https_proxy(p);
        }
        let proxy_ca = proxies.proxy_ca_pem.unwrap_or(ca.cert_pem());
        let agent = builder
            .add_ca_pem(ca.cert_pem().as_bytes())
            .and_then(|b| b.add_proxy_ca_pem(proxy_ca.as_bytes()))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("{e}"));
        Client::Sync(agent)
    }

    pub(crate) fn egress_async(ca: &TestCa, proxies: Proxies<'_>) -> Self {
        let mut builder = egress_async::Connector::builder();
        if let Some(p) = proxies.http {
            builder = builder.http_proxy(p);
        }
        if let Some(p) = proxies.https {
            builder = builder.https_proxy(p);
        }
        let proxy_ca = proxies.proxy_ca_pem.unwrap_or(ca.cert_pem());
        let connector = builder
            .add_ca_pem(ca.cert_pem().as_bytes())
            .and_then(|b| b.add_proxy_ca_pem(proxy_ca.as_bytes()))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("{e}"));
        Client::Async(egress_async::Client::new(connector))
    }

    /// ureq with its own proxy support; one proxy for both schemes, as ureq has only one.
    pub(crate) fn ureq(ca: &TestCa, proxy: Option<&str>, proxy_ca_pem: Option<&str>) -> Self {
        let mut roots = vec![ureq::tls::Certificate::from_der(ca.cert_der().as_ref()).to_owned()];
        if let Some(pem) = proxy_ca_pem {
            roots.extend(
                ureq::tls::parse_pem(pem.as_bytes())
                    .filter_map(Result::ok)
                    .filter_map(|item| match item {
                        ureq::tls::PemItem::Certificate(cert) => Some(cert),
                        _ => None,
                    }),
            );
        }
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(Arc::new(roots)))
            .build();
        let proxy = proxy.map(|p| ureq::Proxy::new(p).unwrap_or_else(|e| panic!("{e}")));
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .tls_config(tls)
            .build();
        Client::Ureq(ureq::Agent::new_with_config(config))
    }

    /// GETs `url` `count` times in a row (one executor entry for the async client, so the
    /// loop measures requests, not `block_on`).
    pub(crate) fn repeat(&self, url: &str, count: u32) -> Result<(), String> {
        match self {
            Client::Async(client) => async_std::task::block_on(async {
                for _ in 0..count {
                    fetch_async(
                        client,
                        url,
                        &mut PatternSink {
                            offset: 0,
                            check: false,
                        },
                    )
                    .await?;
                }
                Ok(())
            }),
            _ => (0..count).try_for_each(|_| self.fetch(url, false).map(drop)),
        }
    }

    /// GETs `url` and streams the whole body, verifying the origin's pattern when asked.
    pub(crate) fn fetch(&self, url: &str, check: bool) -> Result<u64, String> {
        let mut sink = PatternSink { offset: 0, check };
        match self {
            Client::Sync(agent) => {
                let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
                io::copy(&mut response.body_mut().as_reader(), &mut sink)
                    .map_err(|e| e.to_string())?;
            }
            Client::Ureq(agent) => {
                let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
                io::copy(&mut response.body_mut().as_reader(), &mut sink)
                    .map_err(|e| e.to_string())?;
            }
            Client::Async(client) => {
                async_std::task::block_on(fetch_async(client, url, &mut sink))?;
            }
        }
        Ok(sink.offset)
    }
}

/// One async GET, its body streamed into `sink`.
async fn fetch_async(
    client: &egress_async::Client,
    url: &str,
    sink: &mut PatternSink,
) -> Result<(), String> {
    let mut response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let mut writer = futures_util::io::AllowStdIo::new(sink);
    futures_util::io::copy(response.body_mut(), &mut writer)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Counts (and optionally verifies) streamed body bytes without keeping them.
struct PatternSink {
    offset: u64,
    check: bool,
}

impl Write for PatternSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.check && check_pattern(self.offset, buf).is_err() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "body bytes differ",
            ));
        }
        self.offset += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
