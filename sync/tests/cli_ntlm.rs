//! The `egress` binary through an NTLM proxy: pyspnego's acceptor behind
//! `tests/peers/ntlm_proxy.py` (started by `egress_tests::real_proxy::NtlmProxy`; skipped
//! with a notice outside CI when pyspnego is missing, failing in CI). `get --proxy-auth ntlm`
//! and the default `any` tunnel through (never Basic, though the proxy offers it); a wrong
//! password exits 4 naming NTLM and the refusal; `check` tells which scheme the proxy
//! accepted. No output shows a credential (the support helper asserts it on every run).

mod support;

use egress_tests::HELLO_BODY;
use egress_tests::real_proxy::{NtlmOptions, NtlmProxy, NtlmUser, Rig};
use support::{PASSWORD, USER, egress_in, temp_dir};

const WRONG: &str = "cli-ntlm-wrong-pw-R2";

fn start() -> Option<NtlmProxy> {
    NtlmProxy::start_or_skip(&NtlmOptions {
        users: vec![NtlmUser::new("CORP", USER, PASSWORD)],
        offer_basic: true,
    })
}

/// A temp dir holding `ca.pem` (the origin's CA).
fn dir_with_ca(name: &str, rig: &Rig) -> std::path::PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("ca.pem"), rig.ca.cert_pem()).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn get_through_ntlm_pinned_and_any_and_a_wrong_password_exits_4() {
    let rig = Rig::new("cli ntlm origin CA");
    let Some(proxy) = start() else {
        return;
    };
    let dir = dir_with_ca("ntlm-get", &rig);
    let url = rig.https.url("/hello");
    let right = proxy.url_for(&NtlmUser::new("CORP", USER, PASSWORD));
    for scheme in ["ntlm", "any"] {
        let args = [
            "get",
            "--ca",
            "ca.pem",
            "--proxy-auth",
            scheme,
            &url,
            "-m",
            "20",
        ];
        let run = egress_in(&args, &[("https_proxy", &right)], Some(&dir));
        assert_eq!(run.code, 0, "{scheme}: {run:?}\n{}", proxy.log_tail());
        assert_eq!(run.stdout, HELLO_BODY, "{scheme}");
    }
    let events = proxy.events();
    let authenticated = events
        .iter()
        .filter(|e| e.event == "ntlm-authenticated")
        .count();
    assert_eq!(authenticated, 2, "{events:#?}");
    assert!(
        events.iter().all(|e| e.field("auth") != Some("Basic")),
        "Basic was offered but must not be sent: {events:#?}"
    );

    let wrong = proxy.url_for(&NtlmUser::new("CORP", USER, WRONG));
    for scheme in ["ntlm", "any"] {
        let args = [
            "get",
            "--ca",
            "ca.pem",
            "--proxy-auth",
            scheme,
            &url,
            "-m",
            "20",
        ];
        let run = egress_in(&args, &[("https_proxy", &wrong)], Some(&dir));
        assert_eq!(run.code, 4, "{scheme}: {run:?}");
        assert!(run.stderr.contains("status 407"), "{run:?}");
        assert!(run.stderr.contains("NTLM"), "{run:?}");
        assert!(run.stderr.contains("rejected"), "{run:?}");
        assert!(run.stdout.is_empty(), "no error page as a body: {run:?}");
        assert!(!run.stderr.contains(WRONG), "{run:?}");
    }
    assert!(
        rig.https.requests().len() == 2,
        "only the good requests reached the origin"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_through_ntlm_says_the_proxy_accepted_ntlm() {
    let rig = Rig::new("cli ntlm origin CA");
    let Some(proxy) = start() else {
        return;
    };
    let dir = dir_with_ca("ntlm-check", &rig);
    let url = rig.https.url("/hello");
    let right = proxy.url_for(&NtlmUser::new("CORP", USER, PASSWORD));
    let run = egress_in(
        &["check", &url, "--ca", "ca.pem", "--timeout", "20"],
        &[("https_proxy", &right)],
        Some(&dir),
    );
    assert_eq!(run.code, 0, "{run:?}\n{}", proxy.log_tail());
    assert!(run.stdout.contains("* proxy-handshake"), "{run:?}");
    assert!(
        run.stdout.contains("offering NTLM, Basic") && run.stdout.contains("accepted NTLM"),
        "the offers and the scheme used: {run:?}"
    );
    assert!(run.stdout.contains("OK: https://127.0.0.1:"), "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}
