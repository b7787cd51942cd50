//! The `egress` binary built with `negotiate` against a real Kerberos proxy: a throwaway
//! MIT KDC and squid's `negotiate_kerberos_auth` (started by `egress_tests::real_proxy`;
//! skipped with a notice outside CI when not installed, failing in CI). `check` shows the
//! scheme offered and the one used, `get -v` tunnels with a proxy URL without credentials,
//! and the failures exit 4 saying why: no ticket (run kinit), a service principal the KDC
//! does not know, Basic pinned against a Negotiate-only proxy. Each run gets its own
//! `KRB5_CONFIG` and `KRB5CCNAME`, so no two share GSSAPI state.

mod support;

use std::path::Path;

use egress_tests::HELLO_BODY;
use egress_tests::real_proxy::{KerberosRealm, Rig};
use support::{Run, egress_in, temp_dir};

/// `egress args…` through `proxy` (`https_proxy`) with `realm`'s config and ticket `cache`.
fn through(args: &[&str], proxy: &str, realm: &KerberosRealm, cache: &Path, dir: &Path) -> Run {
    let env = realm.client_env(cache);
    let mut pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pairs.push(("https_proxy", proxy));
    egress_in(args, &pairs, Some(dir))
}

/// No SPNEGO token (base64 `YII…`) in any output.
fn assert_no_token(run: &Run) {
    assert!(
        !run.stdout.contains("YII") && !run.stderr.contains("YII"),
        "{run:?}"
    );
}

#[test]
fn check_and_get_tunnel_with_a_kerberos_ticket_and_fail_without_one() {
    let rig = Rig::new("cli negotiate origin CA");
    let Some(realm) = KerberosRealm::start_or_skip() else {
        return;
    };
    let Some(squid) = rig.squid_negotiate(&realm) else {
        return;
    };
    let dir = temp_dir("negotiate");
    std::fs::write(dir.join("ca.pem"), rig.ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
    let url = rig.https.url("/hello");
    let proxy = squid.negotiate_url("localhost").unwrap_or_default();
    let ticket = realm.ticket_cache();

    let check = through(
        &["check", "--ca", "ca.pem", &url],
        &proxy,
        &realm,
        &ticket,
        &dir,
    );
    assert_eq!(check.code, 0, "{check:?}\n{}", squid.log_tail());
    assert!(
        check
            .stdout
            .contains("(407 offering Negotiate; proxy accepted Negotiate authentication)"),
        "{check:?}"
    );
    assert_no_token(&check);

    for pinned in ["any", "negotiate"] {
        let get = through(
            &["get", "-v", "--proxy-auth", pinned, "--ca", "ca.pem", &url],
            &proxy,
            &realm,
            &ticket,
            &dir,
        );
        assert_eq!(get.code, 0, "{pinned}: {get:?}");
        assert_eq!(get.stdout, HELLO_BODY, "{pinned}");
        assert!(
            get.stderr
                .contains("proxy accepted Negotiate authentication"),
            "{pinned}: {get:?}"
        );
        assert_no_token(&get);
    }

    let failures = [
        (
            proxy.clone(),
            realm.missing_cache(),
            "any",
            "no Kerberos ticket",
        ),
        (
            squid.negotiate_url("127.0.0.1").unwrap_or_default(),
            ticket.clone(),
            "any",
            "does not know the proxy's service principal",
        ),
        (
            proxy.clone(),
            ticket.clone(),
            "basic",
            "no credentials were given",
        ),
    ];
    for (proxy, cache, pinned, said) in failures {
        let run = through(
            &["get", "--proxy-auth", pinned, "--ca", "ca.pem", &url],
            &proxy,
            &realm,
            &cache,
            &dir,
        );
        assert_eq!(run.code, 4, "{said}: {run:?}");
        assert!(run.stderr.contains(said), "{said}: {run:?}");
        assert!(run.stderr.contains("offers: Negotiate"), "{said}: {run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        assert_no_token(&run);
    }
    let unchecked = through(
        &["check", "--ca", "ca.pem", &url],
        &proxy,
        &realm,
        &realm.missing_cache(),
        &dir,
    );
    assert_eq!(unchecked.code, 4, "{unchecked:?}");
    assert!(unchecked.stdout.contains("kinit"), "{unchecked:?}");
}
