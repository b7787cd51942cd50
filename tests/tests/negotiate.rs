//! Negotiate (SPNEGO/Kerberos) on every frontend, against real implementations: a
//! throwaway MIT KDC on loopback (`egress_tests::real_proxy::kerberos`), squid with
//! `negotiate_kerberos_auth` and a keytab for `HTTP/localhost`, alice's ticket from `kinit`,
//! and the frontends' GSSAPI (feature `negotiate`). Cases: the tunnel opens, and a forward
//! request is answered, with a proxy URL that has no credentials at all; a missing or empty ticket cache is
//! `NoKerberosTicket`; the proxy addressed as `127.0.0.1`, whose `HTTP/127.0.0.1` the KDC
//! does not know, is `UnknownServicePrincipal`. No output shows a token.
//!
//! GSSAPI reads `KRB5_CONFIG` and `KRB5CCNAME` from the process, so each case runs in a
//! child process of this test binary with its own values (`kerberos::run_in_child`): the
//! parent makes the realm, squid and the origin; the child only runs the client.

mod frontends;

use std::env;
use std::fs;
use std::time::Duration;

use egress_core::Failure;
use egress_core::auth::AuthProblem;
use egress_tests::HELLO_BODY;
use egress_tests::real_proxy::kerberos::{self, KerberosRealm};
use egress_tests::real_proxy::{Rig, WorkDir};
use frontends::{Frontend, Setup};

on_every_frontend!(negotiate_through_kerberos_squid);

/// What the parent tells the child: the proxy URL, the target URL, the origin's CA file,
/// and which case to run.
const PROXY: &str = "EGRESS_NEGOTIATE_PROXY";
const TARGET: &str = "EGRESS_NEGOTIATE_TARGET";
const CA: &str = "EGRESS_NEGOTIATE_CA";
const CASE: &str = "EGRESS_NEGOTIATE_CASE";

fn negotiate_through_kerberos_squid(frontend: Frontend) {
    if kerberos::in_child() {
        return child(frontend);
    }
    let rig = Rig::new("negotiate origin CA");
    let Some(realm) = KerberosRealm::start_or_skip() else {
        return;
    };
    let Some(squid) = rig.squid_negotiate(&realm) else {
        return;
    };
    let files = WorkDir::create("negotiate-client").unwrap_or_else(|e| panic!("{e}"));
    let ca = files
        .write("origin-ca.pem", rig.ca.cert_pem().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let empty = files
        .write("empty.cc", b"")
        .unwrap_or_else(|e| panic!("{e}"));
    let proxy = |host| squid.negotiate_url(host).unwrap_or_default();
    let cases = [
        ("tunnel", proxy("localhost"), realm.ticket_cache()),
        ("forward", proxy("localhost"), realm.ticket_cache()),
        ("no-ticket", proxy("localhost"), realm.missing_cache()),
        ("no-ticket", proxy("localhost"), empty),
        (
            "unknown-principal",
            proxy("127.0.0.1"),
            realm.ticket_cache(),
        ),
    ];
    for (case, proxy, cache) in cases {
        let mut env = realm.client_env(&cache);
        env.extend([
            (PROXY.to_owned(), proxy),
            (
                TARGET.to_owned(),
                if case == "forward" {
                    rig.http.url("/hello")
                } else {
                    rig.https.url("/hello")
                },
            ),
            (CA.to_owned(), ca.display().to_string()),
            (CASE.to_owned(), case.to_owned()),
        ]);
        if let Err(child) = kerberos::run_in_child(&env) {
            panic!(
                "{case} with {}: {child}\nsquid:\n{}\nkdc:\n{}",
                cache.display(),
                squid.log_tail(),
                realm.log_tail()
            );
        }
    }
    let access = fs::read_to_string(squid.dir().join("access.log")).unwrap_or_default();
    assert!(
        access.contains("CONNECT") && access.contains("alice@EGRESS.TEST"),
        "squid logged the tunnel as alice's:\n{access}"
    );
    assert!(
        access.lines().any(|l| l.contains("GET http://")
            && l.contains("/200 ")
            && l.contains("alice@EGRESS.TEST")),
        "squid forwarded a GET as alice's:\n{access}"
    );
}

/// The client side of one case, in the child process.
fn child(frontend: Frontend) {
    let var = |name: &str| env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let ca_pem = fs::read_to_string(var(CA)).unwrap_or_else(|e| panic!("{e}"));
    let client = frontend.client(
        &Setup {
            http_proxy: Some(var(PROXY)),
            https_proxy: Some(var(PROXY)),
            connect: Duration::from_secs(5),
            handshake: Duration::from_secs(10),
            tls: Duration::from_secs(5),
            exchange: Duration::from_secs(30),
            ..Setup::default()
        }
        .trusting(&ca_pem),
    );
    let url = var(TARGET);
    let expected = match var(CASE).as_str() {
        // A forward request: squid's 407 is answered by sending the request again with
        // the token, and the caller sees only the origin's answer.
        "tunnel" | "forward" => {
            assert_eq!(client.fetch(&url).body(), HELLO_BODY.as_bytes());
            return;
        }
        "no-ticket" => AuthProblem::NoKerberosTicket,
        "unknown-principal" => AuthProblem::UnknownServicePrincipal,
        other => panic!("unknown case {other}"),
    };
    let failure = client.fetch(&url).failure();
    match &failure {
        Failure::ProxyAuthRequired {
            status: 407,
            schemes,
            problem,
            scheme: None,
            ..
        } => {
            assert_eq!(*problem, expected, "{failure}");
            assert!(schemes.iter().any(|s| s == "Negotiate"), "{schemes:?}");
        }
        other => panic!("expected {expected:?}, got {other:?}"),
    }
    let shown = format!("{failure} {failure:?}");
    assert!(shown.contains(&expected.to_string()), "{shown}");
    // SPNEGO tokens start `YII` in base64; none may leak into a message.
    assert!(!shown.contains("YII"), "{shown}");
}
