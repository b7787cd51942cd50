//! The compiled `no_proxy` set (feature `alloc`): built once, then each decision costs the
//! same whatever the length of the list.
//!
//! ```text
//! "localhost, .internal:8080, 10.0.0.0/8"      (copied into the set)
//!     | NoProxy::entries(), in order; entry k keeps (piece index, text span)
//!     v
//! names      suffix text (any case) -> earliest k for any port / per port
//! addresses  per family and prefix length: masked network -> the same
//! wildcard   k of a whole-value `*`
//!     |
//!     v  matches(host, port): probe one name suffix per label, or one network per
//!        prefix length present; the smallest k found is the linear matcher's answer
//! ```
//!
//! It answers exactly as [`NoProxy::matches`] does on the same value (same entry, same
//! index), which a differential property test checks; diagnostics come from the linear
//! form, which [`CompiledNoProxy::linear`] gives back. Building allocates; matching never
//! does.
//!
//! ```
//! use egress_core::Host;
//! use egress_core::no_proxy::CompiledNoProxy;
//!
//! let set = CompiledNoProxy::parse("localhost, .internal:8080, 10.0.0.0/8, exa mple.com");
//! let host = Host::parse("api.INTERNAL").expect("a valid host");
//! assert_eq!(set.matches(&host, 8080).map(|m| m.entry), Some(".internal:8080"));
//! assert_eq!(set.matches(&host, 443), None);
//! let mapped = Host::parse("[::ffff:10.9.8.7]").expect("a valid host");
//! assert_eq!(set.matches(&mapped, 80).map(|m| m.index), Some(2));
//! assert_eq!(set.diagnostics().count(), 1);
//! ```

mod candidates;
mod names;
#[cfg(test)]
mod tests;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use candidates::{Candidates, NONE};
use names::NameSet;

use super::{Diagnostics, Entry, NoProxy, NoProxyError, NoProxyMatch};
use crate::host::Host;
use crate::lookup::prefix::PrefixTable;

/// A `no_proxy` list compiled for lookups whose cost does not grow with the list.
///
/// Owns a copy of the value. `Debug` shows the entries; `Display` the value as given.
#[derive(Clone)]
pub struct CompiledNoProxy {
    value: String,
    /// For each valid entry, in list order: its piece index and the span of its text.
    entries: Vec<(usize, usize, usize)>,
    /// The entry position of a whole-value `*`, or [`NONE`].
    wildcard: usize,
    names: NameSet,
    addresses: PrefixTable<Candidates>,
}

impl CompiledNoProxy {
    /// Compiles a parsed list (its invalid entries are skipped, as the list does).
    pub fn new(list: &NoProxy<'_>) -> Self {
        let mut set = Self {
            value: String::from(list.as_str()),
            entries: Vec::new(),
            wildcard: NONE,
            names: NameSet::default(),
            addresses: PrefixTable::default(),
        };
        // Walk the copy, so every span below points into `set.value`.
        let copy = NoProxy::parse(&set.value);
        for (position, (index, text, entry)) in copy.entries().enumerate() {
            set.entries
                .push((index, offset(&set.value, text), text.len()));
            match entry {
                Entry::Wildcard => set.wildcard = set.wildcard.min(position),
                Entry::Name { suffix, port } => {
                    let start = offset(&set.value, suffix);
                    let span = (start, start + suffix.len());
                    set.names.add(&set.value, span, port, position);
                }
                Entry::Ip { net, port } => {
                    set.addresses
                        .entry(net, Candidates::new)
                        .add(port, position);
                }
            }
        }
        set
    }

    /// Reads and compiles a `no_proxy` value leniently (see [`NoProxy::parse`]).
    pub fn parse(value: &str) -> Self {
        Self::new(&NoProxy::parse(value))
    }

    /// Reads and compiles a `no_proxy` value, rejecting it at its first invalid entry
    /// (see [`NoProxy::parse_strict`]).
    pub fn parse_strict(value: &str) -> Result<Self, NoProxyError<'_>> {
        NoProxy::parse_strict(value).map(|list| Self::new(&list))
    }

    /// The value as given, untrimmed.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The linear form of the same value: for its entries, or anything else it offers.
    pub fn linear(&self) -> NoProxy<'_> {
        NoProxy::parse(&self.value)
    }

    /// The invalid entries in order, each with its problem.
    pub fn diagnostics(&self) -> Diagnostics<'_> {
        self.linear().diagnostics()
    }

    /// The number of valid entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is usable; such a list bypasses nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the whole value (trimmed) is `*`, which bypasses the proxy for every target.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard != NONE
    }

    /// The first entry (lowest index) that covers `host` on `port`, exactly as
    /// [`NoProxy::matches`] answers; `None` means the target uses the proxy.
    ///
    /// Never resolves DNS and never allocates. The cost is one hash probe per label of a
    /// name, or one per prefix length present for an address, whatever the list's length.
    pub fn matches(&self, host: &Host<'_>, port: u16) -> Option<NoProxyMatch<'_>> {
        let mut earliest = self.wildcard;
        let mut consider = |candidates: &Candidates| {
            earliest = earliest.min(candidates.earliest(port));
        };
        match *host {
            Host::Name(_) => {
                if let Some(name) = host.name() {
                    earliest = earliest.min(self.names.earliest(&self.value, name, port));
                }
            }
            Host::Ipv4(addr) => self.addresses.each_v4(addr, &mut consider),
            // A mapped target `::ffff:a.b.c.d` is matched as `a.b.c.d`, by IPv4 entries
            // only, as in the linear matcher.
            Host::Ipv6 { addr, .. } => match addr.to_ipv4_mapped() {
                Some(v4) => self.addresses.each_v4(v4, &mut consider),
                None => self.addresses.each_v6(addr, &mut consider),
            },
        }
        let &(index, start, len) = self.entries.get(earliest)?;
        Some(NoProxyMatch {
            index,
            entry: self.value.get(start..start + len)?,
        })
    }
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset(whole: &str, part: &str) -> usize {
    let at = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    debug_assert!(at + part.len() <= whole.len(), "not a slice of the value");
    at
}

impl From<NoProxy<'_>> for CompiledNoProxy {
    fn from(list: NoProxy<'_>) -> Self {
        Self::new(&list)
    }
}

/// Two sets are equal when compiled from the same value (the rest follows from it).
impl PartialEq for CompiledNoProxy {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for CompiledNoProxy {}

impl fmt::Debug for CompiledNoProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Compiled")?;
        fmt::Debug::fmt(&self.linear(), f)
    }
}

impl fmt::Display for CompiledNoProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}
