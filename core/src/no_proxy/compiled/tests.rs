//! The compiled set against the linear matcher: the same answer (entry index and text) for
//! generated lists and targets, plus the cases the generator might reach only rarely.

use proptest::prelude::*;
use std::string::String;
use std::vec::Vec;

use super::CompiledNoProxy;
use crate::host::Host;
use crate::no_proxy::NoProxy;

const LABELS: &[&str] = &[
    "example", "com", "EXAMPLE", "xexample", "api", "a", "internal", "co", "org", "1",
];
const PORTS: &[u16] = &[80, 443, 8080, 3128];

/// A name of one to four labels from a small vocabulary, so lists and hosts collide often.
fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(LABELS), 1..5)
        .prop_map(|labels| labels.join("."))
}

fn ipv4() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(10u8), Just(192), Just(0)],
        0u8..3,
        0u8..3,
        0u8..4,
    )
        .prop_map(|(a, b, c, d)| std::format!("{a}.{b}.{c}.{d}"))
}

fn ipv6() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u16..3, 0u16..3).prop_map(|(a, b)| std::format!("2001:db8:{a}::{b}")),
        ipv4().prop_map(|v4| std::format!("::ffff:{v4}")),
        Just(String::from("::1")),
        Just(String::from("fe80::1")),
    ]
}

fn port_suffix() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => proptest::sample::select(PORTS).prop_map(|p| std::format!(":{p}")),
    ]
}

/// One list entry: every form the parser accepts, some it rejects, and noise.
fn entry() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (prop_oneof![Just(""), Just("."), Just("*.")], name(), prop_oneof![Just(""), Just(".")], port_suffix())
            .prop_map(|(lead, name, dot, port)| std::format!("{lead}{name}{dot}{port}")),
        2 => (ipv4(), prop_oneof![
                2 => port_suffix(),
                1 => (0u8..=33).prop_map(|len| std::format!("/{len}")),
            ]).prop_map(|(addr, tail)| std::format!("{addr}{tail}")),
        2 => (ipv6(), prop_oneof![
                Just(String::new()),
                (0u8..=129).prop_map(|len| std::format!("/{len}")),
            ]).prop_map(|(addr, tail)| std::format!("{addr}{tail}")),
        1 => (ipv6(), proptest::sample::select(PORTS)).prop_map(|(addr, p)| std::format!("[{addr}]:{p}")),
        1 => prop_oneof![Just("*"), Just(""), Just("exa mple.com"), Just("10.0.0.0/8:80"), Just("fe80::1%eth0")]
            .prop_map(String::from),
    ]
}

/// A whole value: entries joined by commas with stray whitespace, or `*` alone.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => proptest::collection::vec((entry(), prop_oneof![Just(""), Just(" "), Just("\t")]), 0..12)
            .prop_map(|pieces| pieces.into_iter().map(|(e, pad)| std::format!("{pad}{e}{pad}")).collect::<Vec<_>>().join(",")),
        1 => prop_oneof![Just("*"), Just(" * "), Just("*,"), Just("*, example.com")].prop_map(String::from),
    ]
}

/// A target host as written in a URL: names with subdomains, near misses, case changes and
/// trailing dots; IPv4; bracketed IPv6 (mapped ones too), with and without a zone.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (prop_oneof![Just(""), Just("x"), Just("sub."), Just("x.")], name(), prop_oneof![Just(""), Just(".")])
            .prop_map(|(lead, name, dot)| std::format!("{lead}{name}{dot}")),
        2 => ipv4(),
        2 => (ipv6(), prop_oneof![Just(""), Just("%25eth0")]).prop_map(|(a, zone)| std::format!("[{a}{zone}]")),
    ]
}

fn same_answer(value: &str, host: &str, port: u16) -> Result<(), TestCaseError> {
    let target = Host::parse(host).unwrap_or_else(|e| panic!("generated host {host:?}: {e}"));
    let linear = NoProxy::parse(value);
    let compiled = CompiledNoProxy::parse(value);
    prop_assert_eq!(
        compiled.matches(&target, port),
        linear.matches(&target, port),
        "value {:?}, host {:?}, port {}",
        value,
        host,
        port
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn compiled_and_linear_agree(
        value in value(),
        hosts in proptest::collection::vec((host(), proptest::sample::select(PORTS)), 1..8),
    ) {
        for (host, port) in &hosts {
            same_answer(&value, host, *port)?;
        }
    }
}

#[test]
fn agrees_on_the_edges() {
    let cases: &[(&str, &str, u16)] = &[
        ("*", "[::1]", 1),
        ("*", "anything.example", 80),
        (" * ", "10.0.0.1", 80),
        ("*, example.com", "example.com", 443),
        ("0.0.0.0/0", "[::ffff:1.2.3.4]", 443),
        ("::/0", "[::ffff:1.2.3.4]", 443),
        ("::/0", "1.2.3.4", 443),
        ("::ffff:10.0.0.0/104", "10.1.1.1", 443),
        ("::ffff:0:0/96", "[::ffff:10.1.1.1]", 443),
        ("a.com:8080, b.com, a.com", "x.a.com", 8080),
        ("a.com:8080, b.com, a.com", "x.a.com", 443),
        ("x.a.com:443, a.com:443, A.COM", "x.a.com", 443),
        ("example.com", "xexample.com", 443),
        ("example.com.", "WWW.EXAMPLE.COM.", 443),
        (
            "[2001:db8::1]:443, 2001:db8::/32",
            "[2001:db8::1%25eth0]",
            443,
        ),
        ("10.0.0.1:80, 10.0.0.0/8", "10.0.0.1", 81),
    ];
    for &(value, host, port) in cases {
        same_answer(value, host, port).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn names_of_64_bytes_or_more_take_the_label_walk_and_agree() {
    // Hosts below 64 bytes are matched through a dot mask, longer ones label by label;
    // both must find every suffix, the longest entry included, at the boundary lengths.
    let label = "abcdefghij".repeat(6);
    let value = std::format!("{label}.example.com, x.example.com:443, b.{label}.example.com");
    for extra in ["", "a", "ab", "abc.d", "a.b.c.d.e"] {
        for tail in ["", "."] {
            for middle in [
                std::format!("{label}.example.com"),
                std::format!("b.{label}.example.com"),
                String::from("x.example.com"),
                std::format!("{label}.example.org"),
            ] {
                let host = std::format!(
                    "{extra}{}{middle}{tail}",
                    if extra.is_empty() { "" } else { "." }
                );
                for port in [443, 80] {
                    same_answer(&value, &host, port).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
    for len in 55..70 {
        let host = std::format!("{}.example.com", &"q".repeat(len)[..len - 12]);
        same_answer("example.com, q.example.com", &host, 80).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn reports_what_the_linear_form_reports() {
    let value = "a.com, *, 10.0.0.0/33, , b.org";
    let set = CompiledNoProxy::parse(value);
    assert_eq!(set.len(), 2);
    assert!(!set.is_wildcard() && !set.is_empty());
    assert_eq!(set.diagnostics().count(), 2);
    assert!(CompiledNoProxy::parse_strict(value).is_err());
    assert!(CompiledNoProxy::parse("*").is_wildcard());
    assert!(CompiledNoProxy::parse(" , exa mple").is_empty());
    assert_eq!(std::format!("{set}"), value);
    assert_eq!(set, CompiledNoProxy::from(NoProxy::parse(value)));
}

#[test]
fn a_long_list_still_finds_its_first_entry() {
    let mut value = String::new();
    for i in 0..5000 {
        value.push_str(&std::format!(
            "host{i}.example.net, 10.{}.{}.0/24, ",
            i / 256,
            i % 256
        ));
    }
    value.push_str("example.net");
    let set = CompiledNoProxy::parse(&value);
    let linear = NoProxy::parse(&value);
    for host in [
        "a.host4999.example.net",
        "10.19.135.7",
        "other.example.net",
        "10.200.0.1",
        "example.org",
    ] {
        let target = Host::parse(host).unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(
            set.matches(&target, 443),
            linear.matches(&target, 443),
            "{host}"
        );
    }
}
