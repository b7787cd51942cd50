//! A proxy the [`Router`](super::Router) owns: parsed once from its setting, kept as the
//! original text plus the positions of its parts, so handing out a borrowed [`ProxyUrl`]
//! costs no parsing and no allocation on the per-request path.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::ops::Range;

use alloc::sync::Arc;

use crate::auth::LearnedScheme;
use crate::credentials::Credentials;
use crate::host::Host;
use crate::proxy_url::{ProxyUrl, ProxyUrlError};
use crate::target::Scheme;

/// Which of the two proxy settings a proxy came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProxySlot {
    /// `http_proxy`: forward proxy for `http://` targets.
    Http,
    /// `https_proxy`: CONNECT proxy for `https://` targets.
    Https,
}

/// The host of an owned proxy, as positions in its text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HostSpan {
    Name(Range32),
    Ipv4(Ipv4Addr),
    Ipv6 {
        addr: Ipv6Addr,
        zone: Option<Range32>,
    },
}

/// A byte range of the proxy text (settings are far shorter than 4 GiB).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Range32 {
    start: u32,
    end: u32,
}

impl Range32 {
    fn of(whole: &str, part: &str) -> Self {
        // `part` is a subslice of `whole` (the parser borrows), so the offset is in range.
        let start = part.as_ptr() as usize - whole.as_ptr() as usize;
        Self {
            start: start as u32,
            end: (start + part.len()) as u32,
        }
    }

    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A proxy parsed once: scheme, host, port, credentials and the setting it came from.
///
/// `Debug` and `Display` show `scheme://host:port` and the source, never the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct RouterProxy {
    slot: ProxySlot,
    text: Box<str>,
    source: Box<str>,
    shown: Box<str>,
    scheme: Scheme,
    host: HostSpan,
    port: u16,
    credentials: Option<(Range32, Range32)>,
    learned: Arc<LearnedScheme>,
}

impl RouterProxy {
    /// Parses `value` (from the setting named `source`) for `slot`.
    pub fn parse(slot: ProxySlot, source: &str, value: &str) -> Result<Self, ProxyUrlError> {
        let url = ProxyUrl::parse(value).map_err(|error| error.with_variable(source))?;
        let host = match url.host() {
            Host::Name(name) => HostSpan::Name(Range32::of(value, name)),
            Host::Ipv4(addr) => HostSpan::Ipv4(addr),
            Host::Ipv6 { addr, zone } => HostSpan::Ipv6 {
                addr,
                zone: zone.map(|zone| Range32::of(value, zone)),
            },
        };
        let credentials = url.credentials().map(|c| {
            (
                Range32::of(value, c.encoded_user()),
                Range32::of(value, c.encoded_password()),
            )
        });
        Ok(Self {
            slot,
            shown: format!("{url}").into_boxed_str(),
            text: value.into(),
            source: source.into(),
            scheme: url.scheme(),
            host,
            port: url.port(),
            credentials,
            learned: Arc::default(),
        })
    }

    /// The borrowed URL, rebuilt from the stored positions (no parsing).
    pub fn url(&self) -> ProxyUrl<'_> {
        let part = |range: Range32| &self.text[range.range()];
        let host = match self.host {
            HostSpan::Name(range) => Host::Name(part(range)),
            HostSpan::Ipv4(addr) => Host::Ipv4(addr),
            HostSpan::Ipv6 { addr, zone } => Host::Ipv6 {
                addr,
                zone: zone.map(part),
            },
        };
        let credentials = self
            .credentials
            .map(|(user, password)| Credentials::from_encoded(part(user), part(password)));
        ProxyUrl::new(self.scheme, host, self.port, credentials)
    }

    /// Which setting the proxy came from.
    pub fn slot(&self) -> ProxySlot {
        self.slot
    }

    /// The variable it came from (`HTTPS_PROXY`), or `configuration` when set in code.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `scheme://host:port`, without credentials: safe for logs and errors.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether the proxy URL carries credentials.
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// `http` (plain TCP to the proxy) or `https` (TLS to the proxy).
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The scheme this proxy asked for when it last challenged, shared by every connection
    /// of the client (see [`crate::auth::learned`]).
    pub fn learned_scheme(&self) -> &Arc<LearnedScheme> {
        &self.learned
    }
}

impl fmt::Display for RouterProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for RouterProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterProxy")
            .field("slot", &self.slot)
            .field("proxy", &self.shown)
            .field("source", &self.source)
            .field("credentials", &self.credentials.map(|_| "***"))
            .finish()
    }
}

/// The source name a missing variable gets in messages.
pub(super) fn owned_source(source: &str) -> String {
    String::from(source)
}
