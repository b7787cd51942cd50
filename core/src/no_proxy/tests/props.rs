//! Properties of name matching over random host names.

use proptest::prelude::*;

use super::target;
use crate::no_proxy::NoProxy;

/// A host name whose labels start with a letter, so it can never be a dotted quad.
fn host_name() -> impl Strategy<Value = std::string::String> {
    proptest::collection::vec("[a-z][a-z0-9-]{0,10}[a-z0-9]", 1..5)
        .prop_map(|labels| labels.join("."))
}

/// Flips the case of the letters picked by `mask`, bit by bit.
fn recase(text: &str, mask: u64) -> std::string::String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn a_name_entry_covers_its_host_and_subdomains_only(
        host in host_name(),
        sub in "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?",
        form in 0usize..4,
        mask in any::<u64>(),
        port in 1u16..,
    ) {
        let written = recase(&host, mask);
        let entry = match form {
            0 => written,
            1 => std::format!(".{written}"),
            2 => std::format!("*.{written}"),
            _ => std::format!("{written}."),
        };
        let list = NoProxy::parse(&entry);
        prop_assert_eq!(list.diagnostics().count(), 0);
        let hit = |name: &str| list.matches(&target(name), port).map(|m| m.entry);
        prop_assert_eq!(hit(&host), Some(entry.as_str()));
        prop_assert_eq!(hit(&std::format!("{host}.")), Some(entry.as_str()));
        prop_assert_eq!(hit(&std::format!("{sub}.{host}")), Some(entry.as_str()));
        prop_assert_eq!(hit(&recase(&std::format!("{sub}.{host}"), !mask)), Some(entry.as_str()));
        prop_assert_eq!(hit(&std::format!("x{host}")), None);
        prop_assert_eq!(hit(&std::format!("{sub}x{host}")), None);
    }

    #[test]
    fn a_port_entry_covers_that_port_only(host in host_name(), only in 1u16.., port in 1u16..) {
        let entry = std::format!("{host}:{only}");
        let list = NoProxy::parse(&entry);
        let hit = list.matches(&target(&host), port).is_some();
        prop_assert_eq!(hit, port == only);
    }
}
