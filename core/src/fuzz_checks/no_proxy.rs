//! `no_proxy`: parse a list and match arbitrary hosts; the list's views (entries,
//! diagnostics, strict parse, first match) must agree with each other and with the
//! contract's matching rules, and a set built once from the list must answer like the
//! linear matcher, the compiled set among them (the differential part).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::Input;
use crate::host::Host;
use crate::no_proxy::{Entry, EntryProblem, NoProxy, NoProxyMatch, entry_reference};

/// Decodes a `no_proxy` value field, then up to 8 (host field, port field) pairs; hosts are
/// read leniently (bare IPv6 allowed), ports as decimal text (80 if not a number).
pub fn check_no_proxy(data: &[u8]) {
    let mut input = Input::new(data);
    let value = input.text();
    let list = NoProxy::parse(value);
    check_views(value, &list);
    let built = Built::new(&list);
    for _ in 0..8 {
        if input.is_empty() {
            break;
        }
        let host_text = input.text();
        let port = input.text().parse::<u16>().unwrap_or(80);
        let Ok(host) = Host::parse_lenient(host_text) else {
            continue;
        };
        check_match(&list, &built, &host, port);
    }
}

/// Entries, diagnostics, strict parsing and emptiness describe the same pieces.
fn check_views(value: &str, list: &NoProxy<'_>) {
    let pieces: Vec<(usize, &str)> = value
        .split(',')
        .enumerate()
        .map(|(i, raw)| (i, raw.trim()))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let wildcard = value.trim() == "*";
    assert_eq!(list.is_wildcard(), wildcard, "is_wildcard for {value:?}");
    let mut seen = 0;
    let (mut entries, mut diagnostics) = (list.entries(), list.diagnostics());
    let (mut next_entry, mut next_diagnostic) = (entries.next(), diagnostics.next());
    for &(index, text) in &pieces {
        let parsed = Entry::parse(text);
        // DIFFERENTIAL: the byte-level reader reads every piece as the `str`-and-std one.
        assert_eq!(
            parsed,
            entry_reference::parse(text),
            "the entry reader differs from the reference on {text:?}"
        );
        match next_entry {
            Some((i, t, entry)) if i == index => {
                assert_eq!(t, text, "entry text at {index}");
                assert_eq!(Ok(entry), parsed, "entry {text:?} parses differently alone");
                assert!(
                    wildcard || entry != Entry::Wildcard,
                    "`*` used inside a list"
                );
                next_entry = entries.next();
                seen += 1;
                continue;
            }
            _ => {}
        }
        let Some(diagnostic) = next_diagnostic.filter(|d| d.index == index) else {
            panic!("piece {index} ({text:?}) is neither an entry nor a diagnostic");
        };
        assert_eq!(diagnostic.entry, text, "diagnostic text at {index}");
        match parsed {
            Err(problem) => assert_eq!(diagnostic.problem, problem),
            Ok(Entry::Wildcard) => assert_eq!(diagnostic.problem, EntryProblem::WildcardInList),
            Ok(entry) => panic!("valid entry {entry:?} reported as {diagnostic:?}"),
        }
        next_diagnostic = diagnostics.next();
        seen += 1;
    }
    assert_eq!(seen, pieces.len());
    assert!(
        next_entry.is_none(),
        "entry that is no piece: {next_entry:?}"
    );
    assert!(next_diagnostic.is_none(), "diagnostic that is no piece");
    assert_eq!(list.is_empty(), list.entries().next().is_none());
    match NoProxy::parse_strict(value) {
        Ok(strict) => {
            assert_eq!(strict, *list, "strict parse differs");
            assert!(
                list.diagnostics().next().is_none(),
                "strict accepted a bad entry"
            );
        }
        Err(error) => assert_eq!(Some(error.diagnostic), list.diagnostics().next()),
    }
}

/// The first match is a real entry that matches, no earlier entry matches, and the result
/// does not depend on what the contract says cannot matter.
fn check_match(list: &NoProxy<'_>, built: &Built<'_>, host: &Host<'_>, port: u16) {
    let found = list.matches(host, port);
    let first = list.entries().find(|(_, _, e)| e.matches(host, port));
    assert_eq!(
        found,
        first.map(|(index, entry, _)| NoProxyMatch { index, entry }),
        "matches() is not the first matching entry for {host:?}:{port}"
    );
    if let Some(matched) = found {
        let entry = Entry::parse(matched.entry)
            .unwrap_or_else(|problem| panic!("matched entry does not parse: {problem}"));
        assert!(
            entry.matches(host, port),
            "reported entry does not match alone"
        );
    }
    if list.is_wildcard() {
        assert!(found.is_some(), "`*` did not match {host:?}");
    }
    // DIFFERENTIAL: every set built from the list must answer like the linear matcher.
    built.check(host, port, found);

    let key = |m: Option<NoProxyMatch<'_>>| m.map(|m| m.index);
    match *host {
        Host::Name(name) => {
            // Case-insensitive, one trailing dot ignored.
            let upper = name.to_ascii_uppercase();
            let upper_host = Host::Name(&upper);
            assert_eq!(
                key(list.matches(&upper_host, port)),
                key(found),
                "case matters"
            );
            if !name.ends_with('.') {
                let dotted = format!("{name}.");
                if let Ok(dotted_host) = Host::parse(&dotted) {
                    let got = list.matches(&dotted_host, port);
                    assert_eq!(key(got), key(found), "trailing dot matters for {name:?}");
                }
            }
        }
        Host::Ipv4(v4) => {
            // `::ffff:a.b.c.d` is matched as `a.b.c.d`.
            let mapped = Host::Ipv6 {
                addr: v4.to_ipv6_mapped(),
                zone: None,
            };
            let got = list.matches(&mapped, port);
            assert_eq!(key(got), key(found), "{mapped:?} matched unlike {host:?}");
        }
        Host::Ipv6 { addr, zone } => {
            // A zone id never changes the answer.
            let other_zone = Host::Ipv6 {
                addr,
                zone: if zone.is_some() { None } else { Some("eth0") },
            };
            let got = list.matches(&other_zone, port);
            assert_eq!(
                key(got),
                key(found),
                "zone id changes the match for {host:?}"
            );
            if let Some(v4) = addr.to_ipv4_mapped() {
                let plain: Ipv4Addr = v4;
                let got = list.matches(&Host::Ipv4(plain), port);
                assert_eq!(key(got), key(found), "{host:?} matched unlike {plain}");
            }
        }
    }
    let _: String = format!("{list:?} {list}");
}

/// DIFFERENTIAL CHECK. Sets built once from the list, each of which must give the linear
/// matcher's answer for every target: the entries collected up front (a set that never
/// re-parses) and the compiled set (`CompiledNoProxy`, hash and prefix tables).
struct Built<'a> {
    entries: Vec<(usize, &'a str, Entry<'a>)>,
    compiled: crate::no_proxy::CompiledNoProxy,
}

impl<'a> Built<'a> {
    fn new(list: &NoProxy<'a>) -> Self {
        Self {
            entries: list.entries().collect(),
            compiled: crate::no_proxy::CompiledNoProxy::new(list),
        }
    }

    /// Panics unless every built set answers `linear`, the linear matcher's answer.
    fn check(&self, host: &Host<'_>, port: u16, linear: Option<NoProxyMatch<'_>>) {
        let collected = self
            .entries
            .iter()
            .find(|(_, _, entry)| entry.matches(host, port))
            .map(|&(index, entry, _)| NoProxyMatch { index, entry });
        assert_eq!(
            collected, linear,
            "collected entries disagree for {host:?}:{port}"
        );
        assert_eq!(
            self.compiled.matches(host, port),
            linear,
            "the compiled set disagrees for {host:?}:{port}"
        );
    }
}
