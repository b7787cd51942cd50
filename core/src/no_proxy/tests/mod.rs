//! Tests of the `no_proxy` list: the rule table, diagnostics and strict mode, the parsed
//! entries, and properties of name matching.

mod diagnostics;
mod entries;
mod props;
mod reader;
mod table;

use crate::host::Host;

/// Parses a target host the way a URL gives it (IPv6 in brackets).
fn target(text: &str) -> Host<'_> {
    Host::parse(text).unwrap_or_else(|e| panic!("test target {text:?} is not a host: {e}"))
}
