//! `egress get` building requests the curl way: `-X`, `-d` (`@file`, `@-`), `--data-binary`,
//! `--json`, `-T`, `-H`, framing headers refused, `-i`, `-D`, `-L`/`--max-redirs`, `-f`,
//! `--fail-with-body`, `-s`/`-S`, and the help texts. Each run is checked for credentials by
//! the support helper; origin and proxy records show what went out.

mod support;

use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestProxy};
use support::{
    PASSWORD, USER, closed_port, egress, egress_in, egress_with_stdin, temp_dir, with_auth,
    with_target_auth, write_out,
};

#[test]
fn post_json_through_the_forward_proxy_sets_type_accept_and_length() {
    let origin = Origin::http();
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let url = with_target_auth(&origin.url("/echo"));
    let run = egress(
        &["get", "--json", r#"{"a":1}"#, &url, "-m", "5"],
        &[("http_proxy", &with_auth(&proxy))],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, r#"{"a":1}"#, "no -w: the body as is");
    assert!(run.stderr.is_empty(), "{run:?}");
    let seen = &origin.requests()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(seen.header("content-length"), Some("7"));
    let at_proxy = &proxy.requests()[0];
    assert_eq!(
        at_proxy.target,
        origin.url("/echo"),
        "absolute form, no userinfo"
    );
}

#[test]
fn data_reads_files_and_stdin_joins_with_ampersand_and_strips_newlines() {
    let origin = Origin::http();
    let dir = temp_dir("data");
    std::fs::write(dir.join("form.txt"), "b=2\nc=3\r\n").unwrap_or_else(|e| panic!("{e}"));
    let url = origin.url("/echo");
    let run = egress_in(
        &["get", "-d", "a=1", "-d", "@form.txt", &url],
        &[],
        Some(&dir),
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "a=1&b=2c=3"),
        "{run:?}"
    );
    let seen = &origin.requests()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let run = egress_in(
        &["get", "--data-binary", "@form.txt", &url],
        &[],
        Some(&dir),
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "b=2\nc=3\r\n"),
        "{run:?}"
    );
    let run = egress_with_stdin(&["get", "-d", "@-", &url], &[], None, Some(b"x=1\ny=2"));
    assert_eq!((run.code, run.stdout.as_str()), (0, "x=1y=2"), "{run:?}");
    let run = egress(&["get", "--json", "@missing.json", &url], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("cannot read missing.json"), "{run:?}");
    assert_eq!(
        origin.requests().len(),
        3,
        "the unreadable file sent nothing"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn explicit_method_and_content_type_win() {
    let origin = Origin::http();
    let url = origin.url("/echo");
    let run = egress(
        &[
            "get",
            "-X",
            "PATCH",
            "-d",
            "v",
            "-H",
            "Content-Type: text/plain",
            &url,
        ],
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "v"), "{run:?}");
    let run = egress(&["get", "--request", "DELETE", &url], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
    let seen = origin.requests();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].header("content-type")),
        ("PATCH", Some("text/plain"))
    );
    assert_eq!(seen[1].method, "DELETE");
    assert_eq!(seen[1].header("content-length"), None, "no body, no length");
}

#[test]
fn upload_file_puts_it_with_its_length_and_stdin_streams() {
    let origin = Origin::http();
    let dir = temp_dir("upload");
    let content = "line one\nline two\n";
    std::fs::write(dir.join("up.txt"), content).unwrap_or_else(|e| panic!("{e}"));
    let url = origin.url("/echo");
    let run = egress_in(&["get", "-T", "up.txt", &url], &[], Some(&dir));
    assert_eq!((run.code, run.stdout.as_str()), (0, content), "{run:?}");
    let seen = &origin.requests()[0];
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.header("content-length"), Some("18"));
    let run = egress_with_stdin(
        &["get", "--upload-file", "-", &url],
        &[],
        None,
        Some(b"piped"),
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "piped"), "{run:?}");
    assert_eq!(origin.requests()[1].method, "PUT");
    let run = egress_in(&["get", "-T", "absent.txt", &url], &[], Some(&dir));
    assert_eq!(run.code, 2, "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn framing_headers_given_by_hand_are_refused_at_once() {
    let origin = Origin::http();
    for header in ["Content-Length: 5", "transfer-encoding: chunked"] {
        let started = std::time::Instant::now();
        let run = egress(&["get", "-H", header, &origin.url("/hello")], &[]);
        assert_eq!(run.code, 2, "{header}: {run:?}");
        assert!(
            run.stderr.contains("egress frames the body itself"),
            "{run:?}"
        );
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "no spin"
        );
    }
    assert_eq!(origin.connections(), 0, "nothing was sent");
}

#[test]
fn include_and_dump_header_write_the_response_head() {
    let origin = Origin::http();
    let url = origin.url("/hello");
    let run = egress(&["get", "-i", &url], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{run:?}");
    let (head, body) = run.stdout.split_once("\r\n\r\n").unwrap_or_default();
    assert!(head.contains("content-length: 34"), "{run:?}");
    assert_eq!(body, HELLO_BODY);
    let dir = temp_dir("dump");
    let run = egress_in(&["get", "-D", "head.txt", &url], &[], Some(&dir));
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    let saved = std::fs::read_to_string(dir.join("head.txt")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        saved.starts_with("HTTP/1.1 200 OK\r\n") && saved.ends_with("\r\n\r\n"),
        "{saved}"
    );
    let run = egress(&["get", "-D", "-", &url], &[]);
    assert!(
        run.stdout.starts_with("HTTP/1.1 200") && run.stdout.ends_with(HELLO_BODY),
        "{run:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn redirects_are_followed_only_with_location_and_capped() {
    let origin = Origin::http();
    let hello = origin.url("/hello");
    // Percent-encoded: the origin takes a raw `://` in the target for absolute form.
    let encode = |url: &str| {
        url.replace('%', "%25")
            .replace(':', "%3A")
            .replace('/', "%2F")
            .replace('?', "%3F")
            .replace('=', "%3D")
    };
    let once = origin.url(&format!("/redirect?to={}", encode(&hello)));
    let twice = origin.url(&format!("/redirect?to={}", encode(&once)));
    let run = egress(&["get", "-w", "json", &once], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        write_out(&run)["status"],
        302,
        "not followed without -L: {run:?}"
    );
    assert_eq!(origin.requests().len(), 1);
    let run = egress(&["get", "-L", &once], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    assert_eq!(origin.requests().len(), 3);
    let run = egress(&["get", "-L", "--max-redirs", "2", &twice], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    let run = egress(&["get", "--location", "--max-redirs", "1", &twice], &[]);
    assert_eq!(run.code, 5, "more hops than allowed: {run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn fail_writes_no_body_and_fail_with_body_writes_it() {
    let origin = Origin::http();
    let url = origin.url("/status/404");
    let run = egress(&["get", "-f", &url], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (5, ""), "{run:?}");
    assert!(
        run.stderr.contains("404") && run.stderr.contains("(-f)"),
        "{run:?}"
    );
    let run = egress(&["get", "--fail-with-body", &url], &[]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (5, "status 404\n"),
        "{run:?}"
    );
    let run = egress(&["get", "--fail", &origin.url("/hello")], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, HELLO_BODY), "{run:?}");
    let run = egress(&["get", "-f", "--fail-with-body", &url], &[]);
    assert_eq!(run.code, 2, "they conflict: {run:?}");
}

#[test]
fn silent_hides_errors_and_show_error_brings_them_back() {
    let dead = format!("http://{USER}:{PASSWORD}@127.0.0.1:{}", closed_port());
    let origin = Origin::http();
    let url = origin.url("/hello");
    let run = egress(&["get", "-s", &url, "-m", "5"], &[("http_proxy", &dead)]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (4, "", ""),
        "{run:?}"
    );
    let run = egress(
        &["get", "-s", "-S", &url, "-m", "5"],
        &[("http_proxy", &dead)],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("cannot reach proxy"), "{run:?}");
    let run = egress(&["get", "--silent", &url], &[]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, HELLO_BODY, "")
    );
}

#[test]
fn help_lists_every_flag_on_one_line() {
    let run = egress(&["get", "--help"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    for flag in [
        "-X, --request",
        "-d, --data",
        "--data-binary",
        "--json",
        "-T, --upload-file",
        "-H, --header",
        "--proxy-header",
        "-i, --include",
        "-D, --dump-header",
        "-o, --output",
        "-L, --location",
        "--max-redirs",
        "-f, --fail",
        "--fail-with-body",
        "-s, --silent",
        "-S, --show-error",
        "-v, --verbose",
        "-w, --write-out",
        "--retry ",
        "--retry-delay",
        "--retry-max-time",
        "--retry-all-errors",
        "--block-non-public",
        "--block-allow",
        "-m, --timeout",
        "--ca ",
        "--proxy-ca",
    ] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(flag));
        let line = line.unwrap_or_else(|| panic!("{flag} missing: {}", run.stdout));
        let help = line.split("  ").filter(|p| !p.trim().is_empty()).nth(1);
        assert!(
            help.is_some_and(|h| h.len() > 10),
            "{flag} has its help on its line: {line}"
        );
    }
    for field in [
        "status",
        "no_proxy_entry",
        "time_total",
        "size_download",
        "exit_code",
    ] {
        assert!(
            run.stdout.contains(field),
            "-w json field {field} documented"
        );
    }
    let top = egress(&["--help"], &[]);
    for command in ["route", "get", "check"] {
        assert!(
            top.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(command)),
            "{top:?}"
        );
    }
}
