//! `egress get --retry` and `-w json`: transient statuses and connection failures retried
//! with `Retry-After` honoured, non-idempotent methods and permanent errors not retried
//! unless `--retry-all-errors`, `--retry-max-time`, and every documented `-w json` field.

mod support;

use std::time::{Duration, Instant};

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestProxy};
use support::{PASSWORD, USER, closed_port, egress, with_auth, with_target_auth, write_out};

#[test]
fn transient_503s_are_retried_honouring_retry_after() {
    let origin = Origin::http();
    let started = Instant::now();
    // Retry-After: 0 instead of the default 1 s, then 2 s, backoff.
    let url = origin.url("/flaky/2?code=503&after=0");
    let run = egress(&["get", "--retry", "3", "-w", "json", &url], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("recovered\n{"), "{run:?}");
    let report = write_out(&run);
    assert_eq!(
        (report["status"].as_u64(), report["retries"].as_u64()),
        (Some(200), Some(2))
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "Retry-After honoured"
    );
    assert!(
        run.stderr.contains("HTTP 503; retry 1 of 3 in 0.0 s"),
        "{run:?}"
    );
    assert!(run.stderr.contains("retry 2 of 3"), "{run:?}");
    assert_eq!(origin.requests().len(), 3);

    let slow = Origin::http();
    let started = Instant::now();
    let run = egress(
        &[
            "get",
            "--retry",
            "1",
            &slow.url("/flaky/1?code=429&after=1"),
        ],
        &[],
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "recovered\n"),
        "{run:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited Retry-After: 1"
    );
}

#[test]
fn without_retry_a_503_is_final_and_fail_makes_it_exit_5() {
    let origin = Origin::http();
    let url = origin.url("/flaky/1?code=503");
    let run = egress(&["get", "-f", "-w", "json", &url], &[]);
    assert_eq!(run.code, 5, "{run:?}");
    let report = write_out(&run);
    assert_eq!(report["status"], 503);
    assert_eq!(report["retries"], 0);
    assert_eq!(report["exit_code"], 5);
    assert_eq!(run.stdout.lines().count(), 1, "no body with -f: {run:?}");
}

#[test]
fn post_and_permanent_errors_are_retried_only_with_retry_all_errors() {
    let origin = Origin::http();
    let post = origin.url("/flaky/1?code=503&after=0");
    let run = egress(
        &["get", "-d", "x=1", "--retry", "2", "-w", "json", &post],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        write_out(&run)["retries"],
        0,
        "POST is not idempotent: {run:?}"
    );
    assert!(run.stdout.starts_with("flaky 503\n"), "{run:?}");
    assert_eq!(origin.requests().len(), 1);

    let origin = Origin::http();
    let not_found = origin.url("/flaky/1?code=404&after=0");
    let run = egress(&["get", "--retry", "2", "-w", "json", &not_found], &[]);
    assert_eq!(
        write_out(&run)["status"],
        404,
        "404 is not transient: {run:?}"
    );
    let run = egress(
        &[
            "get",
            "--retry",
            "2",
            "--retry-all-errors",
            "-d",
            "x",
            "-w",
            "json",
            &not_found,
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let report = write_out(&run);
    assert_eq!(
        (report["status"].as_u64(), report["retries"].as_u64()),
        (Some(200), Some(0))
    );
    let origin = Origin::http();
    let url = origin.url("/flaky/1?code=404&after=0");
    let run = egress(
        &[
            "get",
            "--retry",
            "2",
            "--retry-all-errors",
            "-d",
            "x",
            "-w",
            "json",
            &url,
        ],
        &[],
    );
    let report = write_out(&run);
    assert_eq!(
        (report["status"].as_u64(), report["retries"].as_u64()),
        (Some(200), Some(1)),
        "{run:?}"
    );
    assert_eq!(origin.requests()[1].method, "POST");
}

#[test]
fn an_unreachable_proxy_is_retried_then_exit_4() {
    let origin = Origin::http();
    let dead = format!("http://{USER}:{PASSWORD}@127.0.0.1:{}", closed_port());
    let run = egress(
        &[
            "get",
            "--retry",
            "2",
            "--retry-delay",
            "0",
            "-w",
            "json",
            &origin.url("/hello"),
        ],
        &[("http_proxy", &dead)],
    );
    assert_eq!(run.code, 4, "{run:?}");
    let report = write_out(&run);
    assert_eq!(report["retries"], 2);
    assert_eq!(report["exit_code"], 4);
    assert!(report["status"].is_null());
    assert!(
        report["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot reach proxy"))
    );
    assert_eq!(
        report["proxy"].as_str().map(|p| p.contains("***@")),
        Some(true)
    );
    assert!(
        run.stderr.contains("proxy-unreachable; retry 2 of 2"),
        "{run:?}"
    );
    assert_eq!(origin.connections(), 0);
}

#[test]
fn retry_max_time_stops_a_wait_that_would_pass_it() {
    let origin = Origin::http();
    let started = Instant::now();
    let url = origin.url("/flaky/5?code=503&after=5");
    let run = egress(
        &[
            "get",
            "--retry",
            "5",
            "--retry-max-time",
            "1",
            "-w",
            "json",
            &url,
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(write_out(&run)["retries"], 0, "{run:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn write_out_json_has_every_documented_field_redacted() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let url = with_target_auth(&origin.url("/hello"));
    let run = egress(
        &["get", "-w", "json", &url],
        &[("http_proxy", &with_auth(&proxy))],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with(HELLO_BODY), "body first: {run:?}");
    let report = write_out(&run);
    let fields = [
        "status",
        "url",
        "route",
        "proxy",
        "no_proxy_entry",
        "phases",
        "time_response",
        "time_total",
        "size_download",
        "retries",
        "exit_code",
        "error",
    ];
    let object = report.as_object().unwrap_or_else(|| panic!("{report}"));
    assert_eq!(object.len(), fields.len(), "{report}");
    for field in fields {
        assert!(object.contains_key(field), "{field}: {report}");
    }
    assert_eq!(report["status"], 200);
    assert_eq!(report["route"], "forward");
    assert_eq!(
        report["url"],
        origin.url("/hello").replacen("://", "://***@", 1)
    );
    assert_eq!(report["proxy"], proxy.url().replacen("://", "://***@", 1));
    assert!(
        report["phases"]["connect-proxy"]
            .as_f64()
            .is_some_and(|t| t > 0.0),
        "{report}"
    );
    assert!(report["time_total"].as_f64() >= report["time_response"].as_f64());
    assert_eq!(report["size_download"], HELLO_BODY.len());
    assert_eq!(
        (report["exit_code"].as_u64(), report["error"].is_null()),
        (Some(0), true)
    );

    let run = egress(
        &[
            "get",
            "-w",
            "json",
            "-o",
            "/dev/null",
            &origin.url("/hello"),
        ],
        &[
            ("http_proxy", &with_auth(&proxy)),
            ("no_proxy", "127.0.0.1"),
        ],
    );
    let report = write_out(&run);
    assert_eq!(
        (report["route"].as_str(), report["no_proxy_entry"].as_str()),
        (Some("direct"), Some("127.0.0.1"))
    );
    assert!(report["proxy"].is_null());
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "only the report on stdout with -o"
    );
}
