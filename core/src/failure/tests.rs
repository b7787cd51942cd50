use alloc::string::{String, ToString};
use alloc::vec;
use core::error::Error as _;

use super::*;

fn io_like(text: &'static str) -> PeerError {
    PeerError::new(PeerErrorKind::Refused, text)
}

fn every_kind() -> Vec<Failure> {
    let proxy = || String::from("http://proxy:3128");
    vec![
        Failure::InvalidConfig {
            variable: String::from("HTTPS_PROXY"),
            problem: String::from("unsupported scheme"),
        },
        Failure::InvalidTarget {
            url: String::from("http://h:99999/"),
            problem: TargetError::InvalidPort,
        },
        Failure::ProxyUnreachable {
            proxy: proxy(),
            phase: Phase::ResolveProxy,
            source: io_like("refused"),
        },
        Failure::ProxyTls {
            proxy: proxy(),
            source: io_like("bad cert"),
        },
        Failure::ProxyAuthRequired {
            proxy: proxy(),
            status: 407,
            schemes: vec![String::from("Basic")],
            credentials_sent: true,
            scheme: Some("Basic"),
            problem: crate::auth::AuthProblem::Rejected,
        },
        Failure::ConnectRejected {
            proxy: proxy(),
            target: String::from("h:443"),
            status: 403,
            reason: String::from("Forbidden"),
            explanation: alloc::boxed::Box::new(ProxyExplanation {
                squid_error: Some(String::from("ERR_ACCESS_DENIED 0")),
                ..ProxyExplanation::default()
            }),
        },
        Failure::ProxyProtocol {
            proxy: proxy(),
            error: ConnectError::NotHttp { offset: 0 },
        },
        Failure::ProxyClosed {
            proxy: proxy(),
            phase: Phase::ProxyResponse,
            source: PeerError::new(PeerErrorKind::Closed, "eof"),
        },
        Failure::Blocked {
            host: String::from("h"),
            addr: IpAddr::from([10, 0, 0, 1]),
            range: IpNet::from(IpAddr::from([10, 0, 0, 0])),
        },
        Failure::Timeout {
            phase: Phase::ConnectTarget,
        },
        Failure::TargetUnreachable {
            target: String::from("h:80"),
            phase: Phase::ResolveTarget,
            source: PeerError::new(PeerErrorKind::NotFound, "no such host"),
        },
        Failure::TargetTls {
            target: String::from("h:443"),
            source: io_like("bad cert"),
        },
    ]
}

#[test]
fn display_never_repeats_the_source_and_source_is_kept() {
    for failure in every_kind() {
        let shown = failure.to_string();
        if let Some(source) = failure.source() {
            let inner = source.to_string();
            assert!(
                !shown.contains(&inner),
                "{:?}: {shown:?} repeats {inner:?}",
                failure.kind()
            );
        }
        assert!(failure.peer_error().is_none() || failure.source().is_some());
        for flag in ["--", "Builder", "add_ca_pem"] {
            assert!(!shown.contains(flag), "{shown}");
        }
    }
}

#[test]
fn kinds_names_and_sides_are_one_table() {
    let mut names = Vec::new();
    for failure in every_kind() {
        let kind = failure.kind();
        names.push(kind.as_str());
        let proxy_side = matches!(
            kind,
            FailureKind::ProxyUnreachable
                | FailureKind::ProxyTls
                | FailureKind::ProxyAuthRequired
                | FailureKind::ConnectRejected
                | FailureKind::ProxyProtocol
                | FailureKind::ProxyClosed
        );
        assert_eq!(failure.is_proxy_failure(), proxy_side, "{kind:?}");
        assert_eq!(
            failure.is_usage_failure(),
            matches!(
                kind,
                FailureKind::InvalidConfig | FailureKind::InvalidTarget
            )
        );
    }
    let before = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), before, "kind names are distinct");
}

#[test]
fn timeouts_are_proxy_failures_only_in_proxy_phases() {
    let proxy = Failure::Timeout {
        phase: Phase::ProxyResponse,
    };
    let target = Failure::Timeout {
        phase: Phase::TargetTls,
    };
    assert!(proxy.is_proxy_failure());
    assert!(!target.is_proxy_failure());
    assert_eq!(target.phase(), Some(Phase::TargetTls));
}

#[test]
fn a_close_inside_a_fresh_tunnel_blames_the_proxy() {
    let failure = Failure::ProxyClosed {
        proxy: String::from("http://proxy:3128"),
        phase: Phase::TargetTls,
        source: PeerError::new(PeerErrorKind::Closed, "unexpected end of file"),
    };
    let shown = failure.to_string();
    assert!(shown.contains("closed the tunnel"), "{shown}");
    assert!(!shown.contains("CA"), "{shown}");
}
