//! Every `EntryProblem` variant triggered, the messages, and strict mode.

use crate::host::HostError;
use crate::no_proxy::{Diagnostic, EntryProblem, NoProxy};

/// The single problem a one-entry value reports.
fn problem(entry: &str) -> Option<EntryProblem> {
    let list = NoProxy::parse(entry);
    let mut diagnostics = list.diagnostics();
    let first = diagnostics.next().map(|d| d.problem);
    assert_eq!(diagnostics.next(), None, "{entry:?} reported twice");
    first
}

fn host_problem(error: HostError) -> Option<EntryProblem> {
    Some(EntryProblem::InvalidHost(error))
}

#[test]
fn wildcard_in_list() {
    let list = NoProxy::parse("example.com,*");
    let found: std::vec::Vec<Diagnostic<'_>> = list.diagnostics().collect();
    let expected = Diagnostic {
        index: 1,
        entry: "*",
        problem: EntryProblem::WildcardInList,
    };
    assert_eq!(found, [expected]);
    assert!(!list.is_wildcard());
    let problems: std::vec::Vec<_> = NoProxy::parse("*, *")
        .diagnostics()
        .map(|d| d.problem)
        .collect();
    assert_eq!(problems, [EntryProblem::WildcardInList; 2]);
}

#[test]
fn invalid_prefix_length() {
    let v4 = Some(EntryProblem::InvalidPrefixLength { max: 32 });
    let v6 = Some(EntryProblem::InvalidPrefixLength { max: 128 });
    assert_eq!(problem("192.168.0.0/33"), v4);
    assert_eq!(problem("10.0.0.0/"), v4);
    assert_eq!(problem("10.0.0.0/+8"), v4);
    assert_eq!(problem("10.0.0.0/x"), v4);
    assert_eq!(problem("10.0.0.0/0008"), v4);
    assert_eq!(problem("2001:db8::/129"), v6);
    assert_eq!(problem("[2001:db8::]/256"), v6);
    assert_eq!(problem("10.0.0.0/32"), None);
    assert_eq!(problem("::/128"), None);
}

#[test]
fn invalid_port() {
    let bad = Some(EntryProblem::InvalidPort);
    for entry in [
        "example.com:",
        "example.com:0",
        "example.com:65536",
        "example.com:+80",
        "example.com:8o",
        "10.1.2.3:-1",
        "[::1]:",
        "[::1]:x",
    ] {
        assert_eq!(problem(entry), bad, "{entry:?}");
    }
    assert_eq!(problem("example.com:65535"), None);
}

#[test]
fn invalid_host() {
    let at = |offset| host_problem(HostError::InvalidCharacter { offset });
    assert_eq!(problem("exa mple.com"), at(3));
    assert_eq!(problem("*foo.com"), at(0));
    assert_eq!(problem("*.exa mple.com"), at(5));
    assert_eq!(problem("*.*.example.com"), at(2));
    assert_eq!(problem("a..b"), at(2));
    assert_eq!(problem("..example.com"), at(1));
    assert_eq!(problem(":8080"), host_problem(HostError::Empty));
    assert_eq!(problem("."), host_problem(HostError::Empty));
    assert_eq!(problem("*."), host_problem(HostError::Empty));
    assert_eq!(problem("[::1"), host_problem(HostError::UnbalancedBrackets));
    assert_eq!(
        problem("[::1]x"),
        host_problem(HostError::UnbalancedBrackets)
    );
    assert_eq!(
        problem("example.com]"),
        host_problem(HostError::UnbalancedBrackets)
    );
    let long_label = std::format!("{}.com", "a".repeat(64));
    assert_eq!(problem(&long_label), host_problem(HostError::TooLong));
}

#[test]
fn invalid_ipv6() {
    let bad = Some(EntryProblem::InvalidIpv6);
    assert_eq!(problem("2001:db8::zz"), bad);
    assert_eq!(problem("example.com:80:90"), bad);
    assert_eq!(problem("[10.0.0.1]"), bad);
    assert_eq!(problem("[]"), bad);
    assert_eq!(problem("fe80::zz%eth0"), bad);
}

#[test]
fn range_needs_address() {
    let bad = Some(EntryProblem::RangeNeedsAddress);
    assert_eq!(problem("example.com/8"), bad);
    assert_eq!(problem("1.1/8"), bad);
    assert_eq!(problem("/8"), bad);
    assert_eq!(problem("2001:db8::zz/32"), bad);
}

#[test]
fn port_on_range() {
    let bad = Some(EntryProblem::PortOnRange);
    assert_eq!(problem("10.0.0.0/8:80"), bad);
    assert_eq!(problem("[2001:db8::]/32:443"), bad);
    assert_eq!(problem("2001:db8::/32:443"), bad);
}

#[test]
fn zone_id() {
    let bad = Some(EntryProblem::ZoneId);
    assert_eq!(problem("fe80::1%eth0"), bad);
    assert_eq!(problem("[fe80::1%25eth0]"), bad);
    assert_eq!(problem("[fe80::1%eth0]:80"), bad);
    assert_eq!(problem("fe80::%eth0/64"), bad);
}

#[test]
fn wildcard_on_address() {
    let bad = Some(EntryProblem::WildcardOnAddress);
    assert_eq!(problem(".10.0.0.1"), bad);
    assert_eq!(problem("*.10.0.0.1:80"), bad);
}

#[test]
fn diagnostics_keep_order_and_indices() {
    let list = NoProxy::parse("a.com,,exa mple, 10.0.0.0/40 ,b.com,*");
    let found: std::vec::Vec<(usize, &str)> =
        list.diagnostics().map(|d| (d.index, d.entry)).collect();
    assert_eq!(found, [(2, "exa mple"), (3, "10.0.0.0/40"), (5, "*")]);
    let valid: std::vec::Vec<usize> = list.entries().map(|(index, _, _)| index).collect();
    assert_eq!(valid, [0, 4]);
}

#[test]
fn messages_quote_the_entry_and_say_what_to_write() {
    let list = NoProxy::parse("example.com, 192.168.0.0/33");
    let diagnostic = list
        .diagnostics()
        .next()
        .expect("the /33 entry is reported");
    let message = std::format!("{diagnostic}");
    assert!(message.contains("\"192.168.0.0/33\""), "{message}");
    assert!(message.contains("0 to 32"), "{message}");

    let message = std::format!("{}", EntryProblem::WildcardInList);
    assert!(message.contains("`*` alone"), "{message}");
    let message = std::format!("{}", EntryProblem::ZoneId);
    assert!(message.contains("without it"), "{message}");
    let message = std::format!("{}", EntryProblem::InvalidHost(HostError::Empty));
    assert!(message.contains("the host is empty"), "{message}");
}

#[test]
fn strict_mode_rejects_the_first_invalid_entry() {
    let list = NoProxy::parse_strict(" a.com , 10.0.0.0/8,[::1]:80 ");
    assert_eq!(list.map(|l| l.entries().count()), Ok(3));
    assert_eq!(
        NoProxy::parse_strict("*").map(|l| l.is_wildcard()),
        Ok(true)
    );
    assert_eq!(NoProxy::parse_strict(" , ").map(|l| l.is_empty()), Ok(true));

    let error = NoProxy::parse_strict("a.com, b c, 1.2.3.4/40").expect_err("b c is invalid");
    assert_eq!(error.diagnostic().index, 1);
    assert_eq!(error.diagnostic().entry, "b c");
    assert!(matches!(error.problem(), EntryProblem::InvalidHost(_)));

    let error = NoProxy::parse_strict("example.com,*").expect_err("* in a list is invalid");
    assert_eq!(error.problem(), EntryProblem::WildcardInList);
    let message = std::format!("{error}");
    assert!(message.contains("\"*\""), "{message}");
    assert!(message.contains("strict mode"), "{message}");
    let source = core::error::Error::source(&error).map(|s| std::format!("{s}"));
    assert_eq!(
        source,
        Some(std::format!("{}", EntryProblem::WildcardInList))
    );
}
