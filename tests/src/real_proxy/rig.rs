//! The usual setting of a real-proxy test: a throwaway CA, an HTTP and an HTTPS origin on
//! loopback, and squid or tinyproxy configured so that CONNECT to the HTTPS origin's port is
//! allowed (their defaults allow only 443).

use super::{BasicAuth, Squid, SquidOptions, Tinyproxy, TinyproxyOptions};
use crate::{Origin, TestCa};

/// A test CA and the two origins real proxies are pointed at.
pub struct Rig {
    /// The CA that issued the HTTPS origin's certificate; clients add it as a target CA.
    pub ca: TestCa,
    /// A plain HTTP origin.
    pub http: Origin,
    /// An HTTPS origin with a certificate from [`Rig::ca`].
    pub https: Origin,
}

impl Rig {
    /// A new CA (named `ca_name`) and both origins.
    pub fn new(ca_name: &str) -> Self {
        let ca = TestCa::new(ca_name);
        let https = Origin::https(&ca);
        Self {
            ca,
            http: Origin::http(),
            https,
        }
    }

    /// squid allowing CONNECT to the HTTPS origin, with an auth listener when `basic_auth`
    /// is given and an `https_port` when `tls`; `None` when squid is missing outside CI.
    pub fn squid(&self, basic_auth: Option<BasicAuth>, tls: bool) -> Option<Squid> {
        Squid::start_or_skip(SquidOptions {
            ssl_ports: vec![self.https.port()],
            basic_auth,
            tls,
            digest: false,
            negotiate: None,
        })
    }

    /// squid whose auth listener asks for Digest (`digest_file_auth`) with `credentials`.
    pub fn squid_digest(&self, credentials: BasicAuth) -> Option<Squid> {
        Squid::start_or_skip(SquidOptions {
            ssl_ports: vec![self.https.port()],
            basic_auth: Some(credentials),
            tls: false,
            digest: true,
            negotiate: None,
        })
    }

    /// squid whose auth listener asks for Negotiate against `realm` (its keytab for
    /// `HTTP/localhost`); address it as `localhost` (see [`Squid::negotiate_url`]).
    pub fn squid_negotiate(&self, realm: &super::KerberosRealm) -> Option<Squid> {
        Squid::start_or_skip(SquidOptions {
            ssl_ports: vec![self.https.port()],
            basic_auth: None,
            tls: false,
            digest: false,
            negotiate: Some(super::SquidNegotiate::for_realm(realm)),
        })
    }

    /// tinyproxy allowing CONNECT to the HTTPS origin; `None` when missing outside CI.
    pub fn tinyproxy(&self, basic_auth: Option<BasicAuth>) -> Option<Tinyproxy> {
        Tinyproxy::start_or_skip(TinyproxyOptions {
            connect_ports: vec![self.https.port()],
            basic_auth,
        })
    }
}
