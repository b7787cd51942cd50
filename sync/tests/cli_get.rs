//! `egress get` against the loopback origin and proxy: every route, `-v` phases, `-o` without
//! a progress bar when stderr is piped, `--fail`, headers, and the exit codes of failures.

mod support;

use egress_tests::{Fault, HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy, check_pattern};
use support::{PASSWORD, closed_port, egress, egress_in, temp_dir, with_auth, with_password};

#[test]
fn http_target_is_forwarded_through_the_proxy() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(support::USER, PASSWORD));
    let url = origin.url("/hello");
    let run = egress(
        &["get", &url, "--timeout", "5"],
        &[("http_proxy", &with_auth(&proxy))],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, HELLO_BODY);
    assert!(run.stderr.is_empty(), "quiet without -v: {run:?}");
    assert_eq!(
        proxy.requests()[0].target,
        url,
        "absolute form at the proxy"
    );
}

#[test]
fn verbose_prints_every_phase_of_a_tunnel_with_timings() {
    let ca = TestCa::new("cli get CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(support::USER, PASSWORD));
    let dir = temp_dir("verbose");
    std::fs::write(dir.join("ca.pem"), ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
    let url = origin.url("/hello");
    let run = egress_in(
        &["get", "-v", "--ca", "ca.pem", &url, "--timeout", "5"],
        &[("HTTPS_PROXY", &with_auth(&proxy))],
        Some(&dir),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, HELLO_BODY);
    let phases: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("* "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(
        phases,
        // The proxy is an address literal: nothing to resolve. The target is loopback and
        // goes to the proxy, which -v warns about.
        [
            "route",
            "warning",
            "connect-proxy",
            "proxy-handshake",
            "target-tls",
            "response"
        ],
        "{run:?}"
    );
    assert!(
        run.stderr.contains("tunnel via http://***@127.0.0.1:"),
        "{run:?}"
    );
    assert!(run.stderr.contains("CONNECT 127.0.0.1:"), "{run:?}");
    assert!(run.stderr.contains("-> 200"), "{run:?}");
    assert!(run.stderr.contains(" ms "), "{run:?}");
    assert!(run.stderr.contains("200 OK"), "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn output_file_gets_the_body_and_no_progress_bar_when_stderr_is_piped() {
    let origin = Origin::http();
    let dir = temp_dir("output");
    let size = 3 * 1024 * 1024;
    for path in [format!("/bytes/{size}"), format!("/chunked/{size}")] {
        let url = origin.url(&path);
        let run = egress_in(&["get", "-o", "body.bin", &url], &[], Some(&dir));
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(run.stderr.is_empty(), "no progress bar when piped: {run:?}");
        let body = std::fs::read(dir.join("body.bin")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.len(), size, "{path}");
        assert_eq!(check_pattern(0, &body), Ok(()), "{path}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn headers_are_sent_and_fail_turns_error_statuses_into_exit_5() {
    let origin = Origin::http();
    let run = egress(
        &["get", "-H", "X-Probe: yes please", &origin.url("/hello")],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        origin.requests()[0].header("x-probe"),
        Some("yes please"),
        "{run:?}"
    );

    let url = origin.url("/status/404");
    let run = egress(&["get", &url], &[]);
    assert_eq!(run.code, 0, "without --fail the body is printed: {run:?}");
    assert_eq!(run.stdout, "status 404\n");
    let run = egress(&["get", "--fail", &url], &[]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("404"), "{run:?}");

    let run = egress(&["get", "-H", "no colon here", &url], &[]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn wrong_proxy_password_exits_4_without_printing_it() {
    let ca = TestCa::new("cli get CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(support::USER, PASSWORD));
    let wrong = with_password(&proxy, "not-the-password-either");
    let run = egress(
        &["get", &origin.url("/hello"), "--timeout", "5"],
        &[("https_proxy", &wrong)],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("407"), "{run:?}");
    assert!(run.stderr.contains("rejected"), "{run:?}");
    assert!(!run.stderr.contains("not-the-password-either"), "{run:?}");
}

#[test]
fn unreachable_proxy_exits_4_and_untrusted_target_exits_5() {
    let ca = TestCa::new("cli get CA");
    let origin = Origin::https(&ca);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let run = egress(
        &["get", &origin.url("/hello"), "--timeout", "5"],
        &[("https_proxy", &dead)],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("cannot reach proxy"), "{run:?}");

    let run = egress(&["get", &origin.url("/hello"), "--timeout", "5"], &[]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("TLS with 127.0.0.1"), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn an_unreadable_ca_file_is_a_configuration_error() {
    let origin = Origin::http();
    let run = egress(
        &[
            "get",
            "--ca",
            "/nonexistent/egress-ca.pem",
            &origin.url("/hello"),
        ],
        &[],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("--ca"), "{run:?}");
}

#[test]
fn an_unusable_port_is_a_usage_error_not_the_default_port() {
    // Before, :99999 silently became port 80 and :abc the default port.
    for url in [
        "http://127.0.0.1:99999/small",
        "http://example.com:abc/",
        "https://localhost:65536/",
    ] {
        let run = egress(&["get", url, "--timeout", "2"], &[]);
        assert_eq!(run.code, 2, "{url}: {run:?}");
        assert!(run.stderr.contains("invalid port"), "{url}: {run:?}");
        let run = egress(&["route", "--json", url], &[]);
        assert_eq!(run.code, 2, "route {url}: {run:?}");
    }
}

#[test]
fn a_silent_forward_proxy_is_a_proxy_failure_within_the_timeout() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::NeverAnswer));
    let started = std::time::Instant::now();
    let run = egress(
        &["get", &origin.url("/hello"), "--timeout", "1"],
        &[("http_proxy", &proxy.url())],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("forward proxy"), "{run:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_tunnel_the_proxy_closes_after_200_gets_no_ca_advice() {
    let ca = TestCa::new("cli get CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().fault(Fault::CutAfter { bytes: 0 }));
    let run = egress(
        &["get", &origin.url("/hello"), "--timeout", "2"],
        &[("https_proxy", &proxy.url())],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("closed the tunnel"), "{run:?}");
    assert!(!run.stderr.contains("--ca"), "{run:?}");
}

#[test]
fn insecure_flags_skip_verification_of_their_side_only_and_warn() {
    let ca = TestCa::new("untrusted CA");
    let origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().tls(ca.issue_local().server_config()));
    let tls_proxy = proxy.url().replacen("http://", "https://", 1);
    let url = origin.url("/hello");
    let args = |extra: &'static [&'static str]| {
        let mut all = vec!["get", url.as_str(), "--timeout", "5"];
        all.extend_from_slice(extra);
        all
    };
    let env = [("https_proxy", tls_proxy.as_str())];
    // Neither certificate is trusted: the proxy's fails first.
    let run = egress(&args(&[]), &env);
    assert_eq!(run.code, 4, "{run:?}");
    // The proxy skipped, the target still verified.
    let run = egress(&args(&["--proxy-insecure"]), &env);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("WARNING: --proxy-insecure"), "{run:?}");
    // The target skipped, the proxy still verified.
    let run = egress(&args(&["-k"]), &env);
    assert_eq!(run.code, 4, "{run:?}");
    // Both skipped: the body arrives, with both warnings.
    let run = egress(&args(&["-k", "--proxy-insecure"]), &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, HELLO_BODY);
    assert!(run.stderr.contains("WARNING: --insecure"), "{run:?}");
}
