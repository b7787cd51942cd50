//! The byte-level entry reader against the `str`-and-std reading it replaced
//! (`entry_reference`): the same entry or the same problem for every text, and the same
//! pieces from a whole value as `str::split` and `str::trim` give.

use proptest::prelude::*;
use std::string::String;
use std::vec::Vec;

use crate::no_proxy::{Entry, NoProxy, entry_reference};

/// Entry-shaped noise: the bytes that steer the reader (`[ ] / : % . *`), digits, hex,
/// letters and whitespace, so every branch and most of their errors are reached.
fn entry_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F:./%\\[\\]*]{0,24}",
        "[ \t]?[0-9.]{1,16}(/[0-9+]{0,4})?(:[0-9+]{0,6})?[ \t]?",
        "\\[[0-9a-f:.]{0,20}(%[a-z0-9]{0,3})?\\]?(:[0-9]{0,6}|/[0-9]{0,4})?",
        "(\\*\\.|\\.)?[a-zA-Z0-9_-]{1,12}(\\.[a-zA-Z0-9_-]{1,12}){0,3}\\.?(:[0-9]{0,6})?",
        "[\u{a0}\u{3000} ]?[a-zé\u{b} ]{0,8}[\u{a0} ]?",
    ]
}

#[test]
fn edges_read_as_before() {
    for text in [
        "*",
        " * ",
        "*.",
        "[::1]",
        "[::1]:443",
        "[::1]/64",
        "[::1]x",
        "[::1",
        "[fe80::1%eth0]",
        "fe80::1%eth0",
        "fe80::1%",
        "fe80::zz%eth0",
        "::ffff:10.0.0.0/104",
        "10.0.0.0/8",
        "10.0.0.0/08",
        "10.0.0.0/+8",
        "10.0.0.0/256",
        "10.0.0.0/8:80",
        "example.com/8",
        "1.1/8",
        "example.com:8080",
        "example.com:0",
        "example.com:65536",
        "example.com:+80",
        "10.1.2.3:80",
        ".10.1.2.3",
        "*.example.com.",
        "2001:db8::1:443",
        "a:b:c",
        "exa mple.com",
        "\u{a0}example.com\u{3000}",
    ] {
        assert_eq!(Entry::parse(text), entry_reference::parse(text), "{text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn entries_read_as_before(text in entry_text()) {
        prop_assert_eq!(Entry::parse(&text), entry_reference::parse(&text), "{:?}", text);
    }

    #[test]
    fn values_split_as_str_does(pieces in proptest::collection::vec(entry_text(), 0..8), sep in prop_oneof![Just(","), Just(", "), Just(" ,\t")]) {
        let value = pieces.join(sep);
        let expected: Vec<(usize, &str)> = value
            .split(',')
            .enumerate()
            .map(|(i, raw)| (i, raw.trim()))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        let list = NoProxy::parse(&value);
        let mut got: Vec<(usize, &str)> = list.entries().map(|(i, text, _)| (i, text)).collect();
        got.extend(list.diagnostics().map(|d| (d.index, d.entry)));
        got.sort_unstable();
        prop_assert_eq!(got, expected);
    }
}
