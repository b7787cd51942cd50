//! The parsed form of entries, and the list's own accessors.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::no_proxy::{Entry, NoProxy};

fn net(addr: IpAddr, len: u8) -> IpNet {
    IpNet::new(addr, len).unwrap_or_else(|e| panic!("bad test network: {e}"))
}

#[test]
fn entries_are_parsed_into_names_and_numbers() {
    let list = NoProxy::parse(
        "Example.COM., *.b.org:8080, 10.1.2.3/8, [::ffff:10.0.0.1], ::1, [2001:db8::1]:443, bad one",
    );
    let v4 = |a, b, c, d| IpAddr::V4(Ipv4Addr::new(a, b, c, d));
    let expected = [
        (
            0,
            "Example.COM.",
            Entry::Name {
                suffix: "Example.COM",
                port: None,
            },
        ),
        (
            1,
            "*.b.org:8080",
            Entry::Name {
                suffix: "b.org",
                port: Some(8080),
            },
        ),
        (
            2,
            "10.1.2.3/8",
            Entry::Ip {
                net: net(v4(10, 0, 0, 0), 8),
                port: None,
            },
        ),
        (
            3,
            "[::ffff:10.0.0.1]",
            Entry::Ip {
                net: net(v4(10, 0, 0, 1), 32),
                port: None,
            },
        ),
        (
            4,
            "::1",
            Entry::Ip {
                net: net(IpAddr::V6(Ipv6Addr::LOCALHOST), 128),
                port: None,
            },
        ),
        (
            5,
            "[2001:db8::1]:443",
            Entry::Ip {
                net: net(
                    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
                    128,
                ),
                port: Some(443),
            },
        ),
    ];
    let found: std::vec::Vec<_> = list.entries().collect();
    assert_eq!(found, expected);
    assert_eq!(found[1].2.port(), Some(8080));
    assert_eq!(Entry::parse("  *  "), Ok(Entry::Wildcard));
    assert_eq!(Entry::Wildcard.port(), None);
}

#[test]
fn mapped_ranges_become_ipv4_ranges() {
    let entry = Entry::parse("::ffff:192.168.0.0/112");
    let expected = net(IpAddr::V4(Ipv4Addr::new(192, 168, 0, 0)), 16);
    assert_eq!(
        entry,
        Ok(Entry::Ip {
            net: expected,
            port: None
        })
    );
    // A range wider than the mapped block stays IPv6.
    let entry = Entry::parse("::/64");
    assert_eq!(
        entry,
        Ok(Entry::Ip {
            net: net(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 64),
            port: None
        })
    );
}

#[test]
fn emptiness_and_wildcard() {
    for value in ["", "   ", ",,", " , ", "exa mple", "*,", "a b, c d"] {
        assert!(
            NoProxy::parse(value).is_empty(),
            "{value:?} should be empty"
        );
        assert!(
            !NoProxy::parse(value).is_wildcard(),
            "{value:?} is no wildcard"
        );
    }
    for value in ["*", " * ", "\t*\n"] {
        assert!(
            NoProxy::parse(value).is_wildcard(),
            "{value:?} is the wildcard"
        );
        assert!(!NoProxy::parse(value).is_empty(), "{value:?} is not empty");
    }
    assert!(!NoProxy::parse("localhost").is_empty());
    assert!(NoProxy::default().is_empty());
    assert_eq!(NoProxy::default(), NoProxy::parse(""));
}

#[test]
fn debug_lists_entries_and_display_keeps_the_value() {
    let list = NoProxy::parse(" a.com , ,10.0.0.0/8,bad one ");
    assert_eq!(
        std::format!("{list:?}"),
        r#"NoProxy["a.com", "10.0.0.0/8", "bad one"]"#
    );
    assert_eq!(std::format!("{list}"), " a.com , ,10.0.0.0/8,bad one ");
    assert_eq!(list.as_str(), " a.com , ,10.0.0.0/8,bad one ");
}
