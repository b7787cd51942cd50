//! `egress route`: text and `--json` output, reasons, diagnostics and exit codes.

mod support;

use support::{PASSWORD, USER, egress};

const PROXY: &str = "http://cli-user-q7:cli-pw-Zx81-secret@proxy.corp:3128";

fn env_with(no_proxy: &str) -> Vec<(&str, &str)> {
    vec![
        ("https_proxy", PROXY),
        ("HTTP_PROXY", "http://[2001:db8::1]"),
        ("no_proxy", no_proxy),
    ]
}

#[test]
fn text_output_shows_route_proxy_and_reason_for_each_url() {
    assert!(PROXY.contains(USER) && PROXY.contains(PASSWORD));
    let run = egress(
        &[
            "route",
            "http://build.internal.example/x",
            "http://matrix.org/",
            "https://matrix.org/",
            "https://10.9.8.7:8448/",
        ],
        &env_with("localhost,.internal.example,10.0.0.0/8"),
    );
    assert_eq!(run.code, 0, "{run:?}");
    let expected = "\
http://build.internal.example/x
  target:  http://build.internal.example:80
  route:   direct
  reason:  no_proxy entry '.internal.example' matched
http://matrix.org/
  target:  http://matrix.org:80
  route:   forward via http://[2001:db8::1]:1080
  reason:  proxy from HTTP_PROXY
https://matrix.org/
  target:  https://matrix.org:443
  route:   tunnel via http://***@proxy.corp:3128
  reason:  proxy from https_proxy
https://10.9.8.7:8448/
  target:  https://10.9.8.7:8448
  route:   direct
  reason:  no_proxy entry '10.0.0.0/8' matched
";
    assert_eq!(run.stdout, expected);
}

#[test]
fn a_scheme_without_proxy_says_so() {
    let run = egress(&["route", "https://matrix.org/"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("reason:  no proxy configured for https"),
        "{run:?}"
    );
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn json_gives_one_object_per_url_with_the_documented_fields() {
    let run = egress(
        &[
            "route",
            "--json",
            "https://matrix.org/",
            "http://matrix.org/",
            "http://localhost:8008/",
        ],
        &env_with("localhost, bad/8"),
    );
    assert_eq!(run.code, 0, "{run:?}");
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 3, "{run:?}");
    let keys: Vec<&str> = lines[0]
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {}", lines[0]))
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "credentials",
            "ignored",
            "matched",
            "proxy",
            "reason",
            "route",
            "source",
            "target",
            "url",
            "warning"
        ]
    );
    assert_eq!(lines[0]["warning"], serde_json::Value::Null);
    assert_eq!(lines[0]["url"], "https://matrix.org/");
    assert_eq!(lines[0]["route"], "tunnel");
    assert_eq!(lines[0]["proxy"], "http://proxy.corp:3128");
    assert_eq!(lines[0]["credentials"], true);
    assert_eq!(lines[0]["matched"], serde_json::Value::Null);
    assert_eq!(lines[0]["source"], "https_proxy");

    assert_eq!(lines[1]["route"], "forward");
    assert_eq!(
        lines[1]["proxy"], "http://[2001:db8::1]:1080",
        "IPv6 bracketed, default port present"
    );
    assert_eq!(lines[1]["credentials"], false);
    assert_eq!(lines[1]["source"], "HTTP_PROXY");

    assert_eq!(lines[2]["route"], "direct");
    assert_eq!(lines[2]["proxy"], serde_json::Value::Null);
    assert_eq!(lines[2]["matched"], "localhost");
    assert_eq!(lines[2]["source"], serde_json::Value::Null);
    assert_eq!(lines[2]["reason"], "no_proxy entry 'localhost' matched");

    let ignored = &lines[2]["ignored"];
    assert_eq!(ignored[0]["index"], 1);
    assert_eq!(ignored[0]["entry"], "bad/8");
    assert!(
        ignored[0]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("prefix length")),
        "{ignored}"
    );
}

#[test]
fn text_output_lists_ignored_no_proxy_entries() {
    let run = egress(
        &["route", "https://x.org/"],
        &env_with("a.example, *, 1.1/8"),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("no_proxy diagnostics:"), "{run:?}");
    assert!(run.stdout.contains("ignoring entry \"*\""), "{run:?}");
    assert!(run.stdout.contains("ignoring entry \"1.1/8\""), "{run:?}");
}

#[test]
fn an_invalid_proxy_variable_exits_3_naming_it() {
    let bad = format!("socks5://{USER}:{PASSWORD}@proxy.corp:1080");
    let run = egress(&["route", "https://matrix.org/"], &[("HTTPS_PROXY", &bad)]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("HTTPS_PROXY"), "{run:?}");
    assert!(run.stderr.contains("socks5"), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");

    let run = egress(
        &["route", "--json", "http://a/"],
        &[("http_proxy", "http://2001:db8::1:3128")],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("http_proxy"), "{run:?}");
    assert!(run.stderr.contains("bracket"), "{run:?}");
}

#[test]
fn usage_errors_exit_2() {
    let run = egress(&["route"], &[]);
    assert_eq!(run.code, 2, "no URL: {run:?}");
    let run = egress(&["route", "ftp://example.org/", "https://ok.example/"], &[]);
    assert_eq!(run.code, 2, "unroutable URL: {run:?}");
    assert!(run.stderr.contains("ftp://example.org/"), "{run:?}");
    assert!(
        run.stdout.contains("https://ok.example/"),
        "the other URLs are still routed: {run:?}"
    );
    let run = egress(&["frobnicate"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn help_documents_exit_codes_and_json_fields() {
    let run = egress(&["--help"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    for code in [
        "0  success",
        "2  usage",
        "3  configuration",
        "4  proxy",
        "5  target",
    ] {
        assert!(run.stdout.contains(code), "{code}: {run:?}");
    }
    let run = egress(&["route", "--help"], &[]);
    for field in ["url ", "route ", "proxy ", "matched ", "reason ", "source "] {
        assert!(run.stdout.contains(field), "{field}: {run:?}");
    }
}
