//! The rule table: (no_proxy value, target host as in a URL, target port, expected entry).

use super::target;
use crate::no_proxy::NoProxy;

type Case = (&'static str, &'static str, u16, Option<&'static str>);

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Names: the name itself and subdomains, on a label boundary only.
    ("example.com", "example.com", 443, Some("example.com")),
    ("example.com", "www.example.com", 443, Some("example.com")),
    ("example.com", "a.b.example.com", 80, Some("example.com")),
    ("example.com", "notexample.com", 443, None),
    ("example.com", "example.com.evil.net", 443, None),
    ("example.com", "example.co", 443, None),
    ("www.example.com", "example.com", 443, None),
    (".example.com", "example.com", 443, Some(".example.com")),
    (".example.com", "api.example.com", 443, Some(".example.com")),
    (".example.com", "notexample.com", 443, None),
    ("*.example.com", "example.com", 443, Some("*.example.com")),
    ("*.example.com", "deep.api.example.com", 443, Some("*.example.com")),
    ("*.example.com", "xexample.com", 443, None),
    ("*.com", "example.com", 443, Some("*.com")),
    ("localhost", "localhost", 80, Some("localhost")),
    // Case and one trailing dot, on either side.
    ("EXAMPLE.COM", "www.example.com", 443, Some("EXAMPLE.COM")),
    ("example.com", "WWW.Example.Com", 443, Some("example.com")),
    ("example.com.", "example.com", 443, Some("example.com.")),
    ("example.com", "example.com.", 443, Some("example.com")),
    ("example.com.", "www.example.com.", 443, Some("example.com.")),
    // Splitting: trimming, empty pieces, first entry wins.
    ("", "example.com", 443, None),
    ("   ", "example.com", 443, None),
    (",,,", "example.com", 443, None),
    ("a.com,,b.com", "b.com", 443, Some("b.com")),
    ("  a.com  ,   b.com  ", "www.b.com", 443, Some("b.com")),
    ("\ta.com,\n b.com\r\n", "a.com", 443, Some("a.com")),
    ("example.com, .example.com", "www.example.com", 443, Some("example.com")),
    ("other.org, 10.0.0.0/8, example.com", "example.com", 443, Some("example.com")),
    // Names never match addresses, and nothing is implicit (no DNS, no localhost magic).
    ("1.1", "192.168.1.1", 443, None),
    ("168.1.1", "192.168.1.1", 443, None),
    ("1.1", "1.1", 443, Some("1.1")),
    ("localhost", "127.0.0.1", 80, None),
    ("localhost", "[::1]", 80, None),
    ("example.com", "[1000::%25.example.com]", 443, None),
    (".example.com", "[fe80::1%25.example.com]", 443, None),
    ("10.0.0.0/8", "10.example.com", 443, None),
    ("2001:db8::1", "example.com", 443, None),
    // The wildcard: only as the whole value, and then for names and addresses alike.
    ("*", "example.com", 443, Some("*")),
    ("*", "10.1.2.3", 443, Some("*")),
    ("*", "[::1]", 443, Some("*")),
    ("*", "[fe80::1%25eth0]", 8080, Some("*")),
    ("  *  ", "anything.test", 8443, Some("*")),
    ("example.com,*", "example.com", 443, Some("example.com")),
    ("example.com,*", "other.org", 443, None),
    ("*,example.com", "10.1.2.3", 443, None),
    ("*,", "example.com", 443, None),
    // IPv4 addresses and ranges, compared as numbers.
    ("10.1.2.3", "10.1.2.3", 443, Some("10.1.2.3")),
    ("10.1.2.3", "10.1.2.4", 443, None),
    ("10.0.0.0/8", "10.255.1.2", 443, Some("10.0.0.0/8")),
    ("10.0.0.0/8", "11.0.0.1", 443, None),
    ("10.1.2.3/8", "10.9.9.9", 443, Some("10.1.2.3/8")),
    ("192.168.0.0/16", "192.168.1.1", 443, Some("192.168.0.0/16")),
    ("192.168.1.1/32", "192.168.1.1", 443, Some("192.168.1.1/32")),
    ("192.168.1.1/32", "192.168.1.2", 443, None),
    ("0.0.0.0/0", "203.0.113.9", 443, Some("0.0.0.0/0")),
    ("0.0.0.0/0", "[2001:db8::1]", 443, None),
    ("0.0.0.0/0", "example.com", 443, None),
    ("192.168.0.0/33", "192.168.1.1", 443, None),
    ("192.168.0.0/33, 192.168.0.0/16", "192.168.1.1", 443, Some("192.168.0.0/16")),
    // IPv4-mapped IPv6 targets match as IPv4; mapped entries are IPv4 too.
    ("10.0.0.0/8", "[::ffff:10.0.0.1]", 443, Some("10.0.0.0/8")),
    ("10.0.0.1", "[::ffff:10.0.0.1]", 443, Some("10.0.0.1")),
    ("::ffff:10.0.0.1", "10.0.0.1", 443, Some("::ffff:10.0.0.1")),
    ("::ffff:0:0/96", "192.0.2.1", 443, Some("::ffff:0:0/96")),
    // ... so an IPv6 range covers neither spelling (found by the no_proxy fuzz target: the
    // two spellings of one address must get one answer).
    ("::/0", "[::ffff:10.0.0.1]", 443, None),
    ("::/0", "10.0.0.1", 443, None),
    ("::/0, 10.0.0.0/8", "[::ffff:10.0.0.1]", 443, Some("10.0.0.0/8")),
    // IPv6 addresses and ranges, bare or bracketed.
    ("2001:db8::1", "[2001:db8::1]", 443, Some("2001:db8::1")),
    ("2001:db8::1", "[2001:db8:0:0::1]", 443, Some("2001:db8::1")),
    ("[2001:db8::1]", "[2001:DB8::1]", 443, Some("[2001:db8::1]")),
    ("2001:db8::1", "[2001:db8::2]", 443, None),
    ("2001:db8::/32", "[2001:db8:ffff::1]", 443, Some("2001:db8::/32")),
    ("2001:db8::/32", "[2001:db9::1]", 443, None),
    ("[2001:db8::]/32", "[2001:db8::abcd]", 443, Some("[2001:db8::]/32")),
    ("2001:db8::1/32", "[2001:db8:1::]", 443, Some("2001:db8::1/32")),
    ("::/0", "[fe80::1]", 443, Some("::/0")),
    ("::/0", "10.0.0.1", 443, None),
    ("::1", "[::1]", 443, Some("::1")),
    ("::1", "127.0.0.1", 443, None),
    ("fe80::1", "[fe80::1%25eth0]", 443, Some("fe80::1")),
    ("fe80::/10", "[fe80::1%25eth0]", 443, Some("fe80::/10")),
    ("1000::", "[1000::%25.example.com]", 443, Some("1000::")),
    ("2001:db8::1:443", "[2001:db8::1]", 443, None),
    ("2001:db8::1:443", "[2001:db8::1:443]", 80, Some("2001:db8::1:443")),
    // Ports: a `:port` entry covers that port only; others cover every port.
    ("example.com:8080", "example.com", 8080, Some("example.com:8080")),
    ("example.com:8080", "example.com", 9090, None),
    ("example.com:8080", "www.example.com", 8080, Some("example.com:8080")),
    (".example.com:443", "api.example.com", 443, Some(".example.com:443")),
    ("*.example.com:443", "api.example.com", 80, None),
    ("10.1.2.3:8080", "10.1.2.3", 8080, Some("10.1.2.3:8080")),
    ("10.1.2.3:8080", "10.1.2.3", 80, None),
    ("[2001:db8::1]:8443", "[2001:db8::1]", 8443, Some("[2001:db8::1]:8443")),
    ("[2001:db8::1]:8443", "[2001:db8::1]", 443, None),
    ("[::1]:80", "[::1]", 80, Some("[::1]:80")),
    ("example.com:80, example.com:443", "example.com", 443, Some("example.com:443")),
    ("example.com", "example.com", 1, Some("example.com")),
    // Invalid entries are skipped, never half-applied.
    ("exa mple.com, mple.com", "mple.com", 443, Some("mple.com")),
    ("*foo.com", "foo.com", 443, None),
    ("example.com:99999, other.org", "example.com", 443, None),
    (".10.0.0.1", "10.0.0.1", 443, None),
    ("fe80::1%eth0", "[fe80::1%25eth0]", 443, None),
    ("10.0.0.0/8:80", "10.0.0.1", 80, None),
    ("example.com/8", "example.com", 443, None),
    ("[::1", "[::1]", 443, None),
];

#[test]
fn rule_table() {
    let mut failures = std::vec::Vec::new();
    for &(value, host, port, expected) in CASES {
        let found = NoProxy::parse(value).matches(&target(host), port);
        if found.map(|m| m.entry) != expected {
            failures.push(std::format!(
                "no_proxy={value:?} host={host} port={port}: expected {expected:?}, got {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        CASES.len() >= 70,
        "the table shrank to {} cases",
        CASES.len()
    );
}

#[test]
fn match_reports_the_index_among_all_pieces() {
    let list = NoProxy::parse("a.com, ,exa mple, 10.0.0.0/8,,b.com");
    let hit = list.matches(&target("www.b.com"), 443);
    assert_eq!(hit.map(|m| (m.index, m.entry)), Some((5, "b.com")));
    let hit = list.matches(&target("10.2.3.4"), 443);
    assert_eq!(hit.map(|m| (m.index, m.entry)), Some((3, "10.0.0.0/8")));
    let hit = NoProxy::parse(" * ").matches(&target("[::1]"), 1);
    assert_eq!(hit.map(|m| (m.index, m.entry)), Some((0, "*")));
    let rendered = hit.map(|m| std::format!("{m}"));
    assert_eq!(rendered.as_deref(), Some("no_proxy entry \"*\""));
}
