//! The `egress` binary against real squid and tinyproxy on loopback (started by
//! `egress_tests::real_proxy`; skipped with a notice outside CI when they are not installed,
//! failing in CI): `get` forwarded and tunnelled, wrong credentials (exit 4 naming the status
//! and the scheme), `check` against squid's `https_port` without and with `--proxy-ca`, and a
//! 64 MiB `get -o FILE` checked byte by byte. No output ever shows a credential (the support
//! helper asserts it on every run).

mod support;

use egress_tests::real_proxy::{BasicAuth, Rig};
use egress_tests::{HELLO_BODY, Origin, TestCa, check_pattern};
use support::{PASSWORD, USER, egress, egress_in, temp_dir};

const WRONG: &str = "cli-wrong-pw-Q4";
const BIG: u64 = 64 << 20;

/// `egress get URL` with `variable` set to `proxy`, CA files from `dir`.
fn get(url: &str, variable: &str, proxy: &str, dir: &std::path::Path) -> support::Run {
    egress_in(
        &["get", "--ca", "ca.pem", url, "--timeout", "10"],
        &[(variable, proxy)],
        Some(dir),
    )
}

/// A temp dir holding `ca.pem` (the origin's CA).
fn dir_with_ca(name: &str, ca: &TestCa) -> std::path::PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("ca.pem"), ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Asserts a run failed as a proxy authentication failure with `status` and Basic offered.
fn assert_auth_failure(run: &support::Run, status: &str) {
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains(&format!("status {status}")), "{run:?}");
    assert!(run.stderr.contains("offers: Basic"), "{run:?}");
    assert!(run.stderr.contains("rejected"), "{run:?}");
    assert!(run.stdout.is_empty(), "no error page as a body: {run:?}");
    assert!(
        !run.stderr.contains(WRONG) && !run.stdout.contains(WRONG),
        "{run:?}"
    );
}

#[test]
fn squid_forwards_and_tunnels_get_and_refuses_wrong_credentials() {
    let rig = Rig::new("cli real proxy origin CA");
    let Some(squid) = rig.squid(Some(BasicAuth::new(USER, PASSWORD)), false) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let dir = dir_with_ca("squid-get", ca);
    let good = squid.auth_url().unwrap_or_else(|| panic!("auth listener"));
    for (variable, url) in [
        ("http_proxy", http.url("/hello")),
        ("https_proxy", https.url("/hello")),
    ] {
        let run = get(&url, variable, &good, &dir);
        assert_eq!(run.code, 0, "{variable}: {run:?}");
        assert_eq!(run.stdout, HELLO_BODY, "{variable}");
    }
    assert_eq!(http.requests()[0].target, "/hello", "squid forwarded it");
    let plain = get(
        &https.url("/hello"),
        "https_proxy",
        &squid.plain_url(),
        &dir,
    );
    assert_eq!(
        plain.code, 0,
        "the plain listener needs no credentials: {plain:?}"
    );

    let wrong = squid
        .auth_url_with(&BasicAuth::new(USER, WRONG))
        .unwrap_or_else(|| panic!("auth listener"));
    for (variable, url) in [
        ("https_proxy", https.url("/hello")),
        ("http_proxy", http.url("/hello")),
    ] {
        assert_auth_failure(&get(&url, variable, &wrong, &dir), "407");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tinyproxy_get_works_and_its_401_to_connect_is_an_auth_failure() {
    let rig = Rig::new("cli real proxy origin CA");
    let Some(tiny) = rig.tinyproxy(Some(BasicAuth::new(USER, PASSWORD))) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let dir = dir_with_ca("tiny-get", ca);
    for (variable, url) in [
        ("http_proxy", http.url("/hello")),
        ("https_proxy", https.url("/hello")),
    ] {
        let run = get(&url, variable, &tiny.url(), &dir);
        assert_eq!(run.code, 0, "{variable}: {run:?}");
        assert_eq!(run.stdout, HELLO_BODY, "{variable}");
    }
    let wrong = tiny.url_with(&BasicAuth::new(USER, WRONG));
    // tinyproxy 1.11 answers a wrong password with 401 + WWW-Authenticate, to CONNECT and
    // to a forward request alike (its `Server: tinyproxy/…` marks the forward one).
    for (variable, url) in [
        ("https_proxy", https.url("/hello")),
        ("http_proxy", http.url("/hello")),
    ] {
        assert_auth_failure(&get(&url, variable, &wrong, &dir), "401");
    }
    assert_eq!(
        http.requests().len(),
        1,
        "only the good request reached the origin"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_through_squid_https_port_needs_proxy_ca() {
    let rig = Rig::new("cli real proxy origin CA");
    let Some(squid) = rig.squid(None, true) else {
        return;
    };
    let Rig { ca, https, .. } = &rig;
    let dir = dir_with_ca("squid-check", ca);
    let proxy_ca = squid.ca_pem().unwrap_or_else(|| panic!("proxy CA"));
    std::fs::write(dir.join("proxy-ca.pem"), proxy_ca).unwrap_or_else(|e| panic!("{e}"));
    let proxy = squid.https_url().unwrap_or_else(|| panic!("tls listener"));
    let env = [("https_proxy", proxy.as_str())];
    let url = https.url("/hello");
    let base = ["check", url.as_str(), "--ca", "ca.pem", "--timeout", "10"];

    let run = egress_in(&base, &env, Some(&dir));
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.contains("FAILED at proxy-tls"), "{run:?}");
    assert!(run.stdout.contains("UnknownIssuer"), "{run:?}");
    assert!(run.stdout.contains("--proxy-ca FILE"), "{run:?}");

    let with_ca: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--proxy-ca", "proxy-ca.pem"])
        .collect();
    let run = egress_in(&with_ca, &env, Some(&dir));
    assert_eq!(run.code, 0, "{run:?}");
    for phase in [
        "* proxy-tls",
        "* proxy-handshake",
        "* target-tls",
        "* response",
    ] {
        assert!(run.stdout.contains(phase), "{phase}: {run:?}");
    }
    assert!(run.stdout.contains("OK: https://127.0.0.1:"), "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sixty_four_mib_get_to_a_file_through_squid_arrive_intact() {
    let rig = Rig::new("cli real proxy origin CA");
    let Some(squid) = rig.squid(None, false) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let dir = dir_with_ca("squid-big", ca);
    let path = format!("/bytes/{BIG}");
    for (variable, url) in [
        ("http_proxy", http.url(&path)),
        ("https_proxy", https.url(&path)),
    ] {
        let run = egress_in(
            &[
                "get",
                "--ca",
                "ca.pem",
                "-o",
                "big.bin",
                &url,
                "--timeout",
                "120",
            ],
            &[(variable, &squid.plain_url())],
            Some(&dir),
        );
        assert_eq!(run.code, 0, "{variable}: {run:?}");
        let body = std::fs::read(dir.join("big.bin")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.len() as u64, BIG, "{variable}");
        assert_eq!(check_pattern(0, &body), Ok(()), "{variable}");
        std::fs::remove_file(dir.join("big.bin")).unwrap_or_else(|e| panic!("{e}"));
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_credentials_to_squid_auth_listener_say_they_are_missing_forwarded_or_tunnelled() {
    let rig = Rig::new("cli real proxy origin CA");
    let Some(squid) = rig.squid(Some(BasicAuth::new(USER, PASSWORD)), false) else {
        return;
    };
    let Rig { http, https, .. } = &rig;
    let missing = format!("http://127.0.0.1:{}", squid.auth_port().unwrap_or(0));
    // A tunnel (CONNECT answered 407) and a forward request (response 407) alike.
    for (variable, url) in [
        ("https_proxy", https.url("/hello")),
        ("http_proxy", http.url("/hello")),
    ] {
        let run = egress(&["get", &url, "--timeout", "10"], &[(variable, &missing)]);
        assert_eq!(run.code, 4, "{variable}: {run:?}");
        assert!(run.stderr.contains("status 407"), "{variable}: {run:?}");
        assert!(run.stderr.contains("offers: Basic"), "{variable}: {run:?}");
        assert!(
            run.stderr.contains("no credentials were given"),
            "{variable}: {run:?}"
        );
        assert!(run.stdout.is_empty(), "no error page as a body: {run:?}");
    }
}

/// The forwarded-407 regression found against squid, kept on the loopback proxy too so it is
/// covered where squid is not installed.
#[test]
fn a_forwarded_407_from_the_loopback_proxy_is_exit_4_too() {
    use egress_tests::{ProxyOptions, TestProxy};
    let http = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let wrong = support::with_password(&proxy, WRONG);
    let run = egress(
        &["get", &http.url("/hello"), "--timeout", "5"],
        &[("http_proxy", &wrong)],
    );
    assert_auth_failure(&run, "407");
    assert_eq!(http.connections(), 0, "the proxy refused before forwarding");
}

#[test]
fn squid_post_json_with_write_out_proxy_header_and_retry() {
    let rig = Rig::new("cli real proxy origin CA");
    let Some(squid) = rig.squid(Some(BasicAuth::new(USER, PASSWORD)), false) else {
        return;
    };
    let Rig {
        ca, http, https, ..
    } = &rig;
    let dir = dir_with_ca("squid-post", ca);
    let good = squid.auth_url().unwrap_or_else(|| panic!("auth listener"));
    for (variable, url, route) in [
        ("http_proxy", http.url("/echo"), "forward"),
        ("https_proxy", https.url("/echo"), "tunnel"),
    ] {
        let run = egress_in(
            &[
                "get",
                "--ca",
                "ca.pem",
                "--json",
                r#"{"job":42}"#,
                "-w",
                "json",
                "--proxy-header",
                "X-Cli-Team: blue",
                &url,
                "-m",
                "10",
            ],
            &[(variable, &good)],
            Some(&dir),
        );
        assert_eq!(run.code, 0, "{variable}: {run:?}");
        assert!(run.stdout.starts_with("{\"job\":42}\n{"), "{run:?}");
        let report = support::write_out(&run);
        assert_eq!(report["status"], 200);
        assert_eq!(report["route"], route);
        assert_eq!(
            report["proxy"].as_str().map(|p| p.contains("://***@")),
            Some(true)
        );
    }
    let seen = http.requests();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(
        https.requests()[0].header("x-cli-team"),
        None,
        "not through the tunnel"
    );
    let run = egress_in(
        &[
            "get",
            "--retry",
            "2",
            "-w",
            "json",
            &http.url("/flaky/1?code=503&after=0"),
            "-m",
            "10",
        ],
        &[("http_proxy", &good)],
        Some(&dir),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(support::write_out(&run)["retries"], 1, "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// squid asking for Digest: `egress check` names the schemes offered and the one accepted
/// on the forward and the tunnel route; `get --proxy-auth digest` fetches both ways; a
/// wrong password exits 4 naming Digest as the scheme refused; `--proxy-auth basic` against
/// a Digest-only proxy says no allowed scheme is offered.
#[test]
fn squid_digest_check_names_the_scheme_and_get_pins_it() {
    let rig = Rig::new("cli digest origin CA");
    let Some(squid) = rig.squid_digest(BasicAuth::new(USER, PASSWORD)) else {
        return;
    };
    let dir = dir_with_ca("squid-digest", &rig.ca);
    let good = squid.auth_url().unwrap_or_else(|| panic!("auth listener"));
    for (variable, url) in [
        ("http_proxy", rig.http.url("/hello")),
        ("https_proxy", rig.https.url("/hello")),
    ] {
        let check = egress_in(
            &["check", "--ca", "ca.pem", &url],
            &[(variable, &good)],
            Some(&dir),
        );
        assert_eq!(check.code, 0, "{check:?}");
        assert!(
            check.stdout.contains("407 offering Digest")
                && check
                    .stdout
                    .contains("proxy accepted Digest authentication"),
            "{check:?}"
        );
        let run = egress_in(
            &["get", "--proxy-auth", "digest", "--ca", "ca.pem", &url],
            &[(variable, &good)],
            Some(&dir),
        );
        assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");

        let wrong = good.replace(PASSWORD, WRONG);
        let refused = get(&url, variable, &wrong, &dir);
        assert_eq!(refused.code, 4, "{refused:?}");
        assert!(
            refused.stderr.contains("Digest failed") && refused.stderr.contains("rejected"),
            "{refused:?}"
        );
        let pinned_basic = egress_in(
            &["get", "--proxy-auth", "basic", "--ca", "ca.pem", &url],
            &[(variable, &good)],
            Some(&dir),
        );
        assert_eq!(pinned_basic.code, 4, "{pinned_basic:?}");
        assert!(
            pinned_basic.stderr.contains("no offered scheme is enabled"),
            "{pinned_basic:?}"
        );
    }
}
