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

mod addresses;
mod keyed;
mod name_hash;
mod names;
mod table;
#[cfg(test)]
mod tests;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use addresses::AddressSet;
use keyed::{Groups, NONE};
use names::NameSet;

use super::{Diagnostics, Entry, NoProxy, NoProxyError, NoProxyMatch};
use crate::host::Host;

/// A `no_proxy` list compiled for lookups whose cost does not grow with the list.
///
/// Owns a copy of the value. `Debug` shows the entries; `Display` the value as given.
#[derive(Clone)]
pub struct CompiledNoProxy {
    value: String,
    /// For each valid entry, in list order: its piece index and the span of its text.
    entries: Vec<Span>,
    /// The entry position of a whole-value `*`, or [`NONE`].
    wildcard: u32,
    names: NameSet,
    addresses: AddressSet,
    /// The entries per port of keys that have `host:port` entries.
    groups: Groups,
}

/// Where one valid entry is: its piece index, and where its trimmed text starts in the
/// value (it ends where its piece does, less trailing whitespace: found again for a match,
/// which keeps the set 4 bytes an entry smaller).
#[derive(Clone, Copy, Debug)]
struct Span {
    index: u32,
    start: u32,
}

impl CompiledNoProxy {
    /// Compiles a parsed list (its invalid entries are skipped, as the list does).
    ///
    /// # Panics
    ///
    /// If the value is 2 GiB or longer (positions are stored in 31 bits).
    pub fn new(list: &NoProxy<'_>) -> Self {
        let value = list.as_str();
        // The number of pieces bounds the number of entries and of distinct names, so the
        // tables below are sized once instead of growing (each growth rehashes).
        let pieces = super::scan::count(value.as_bytes(), b',') + 1;
        let mut set = Self {
            value: String::from(value),
            entries: Vec::with_capacity(pieces),
            wildcard: NONE,
            names: NameSet::with_room(pieces),
            addresses: AddressSet::default(),
            groups: Groups::default(),
        };
        assert!(
            set.value.len() < NONE as usize,
            "a no_proxy value of 2 GiB or more"
        );
        // Walk the copy, so every span below points into `set.value`. Positions, offsets
        // and indices are below the value's length, so they fit (checked above).
        let copy = NoProxy::parse(&set.value);
        for (position, (index, text, entry)) in copy.entries().enumerate() {
            let position = position as u32;
            set.entries.push(Span {
                index: index as u32,
                start: offset(&set.value, text) as u32,
            });
            match entry {
                Entry::Wildcard => set.wildcard = set.wildcard.min(position),
                Entry::Name { suffix, port } => {
                    let start = offset(&set.value, suffix);
                    let span = (start, start + suffix.len());
                    set.names
                        .add(&set.value, span, port, position, &mut set.groups);
                }
                Entry::Ip { net, port } => {
                    set.addresses.add(net, port, position, &mut set.groups);
                }
            }
        }
        set.entries.shrink_to_fit();
        set.names.finish();
        set.addresses.finish();
        set.groups.shrink();
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
    /// Never resolves DNS and never allocates. The cost is at most one hash probe per
    /// label of a name, or one probe (or a short scan) per prefix length present for an
    /// address, whatever the list's length.
    #[inline]
    pub fn matches(&self, host: &Host<'_>, port: u16) -> Option<NoProxyMatch<'_>> {
        let groups = &self.groups;
        let found = match *host {
            Host::Name(_) => match host.name() {
                Some(name) => self
                    .names
                    .earliest(&self.value, name.as_bytes(), port, groups),
                None => NONE,
            },
            Host::Ipv4(addr) => self.addresses.earliest_v4(addr, port, groups),
            // A mapped target `::ffff:a.b.c.d` is matched as `a.b.c.d`, by IPv4 entries
            // only, as in the linear matcher.
            Host::Ipv6 { addr, .. } => match addr.to_ipv4_mapped() {
                Some(v4) => self.addresses.earliest_v4(v4, port, groups),
                None => self.addresses.earliest_v6(addr, port, groups),
            },
        };
        let span = self.entries.get(self.wildcard.min(found) as usize)?;
        Some(NoProxyMatch {
            index: span.index as usize,
            entry: entry_text(self.value.get(span.start as usize..)?),
        })
    }
}

/// The trimmed entry at the start of `rest`: up to the next comma, less trailing
/// whitespace. The comma is searched 8 bytes at a time, since this runs for every match.
#[inline]
fn entry_text(rest: &str) -> &str {
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = rest.as_bytes();
    let mut end = bytes.len();
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ COMMAS;
        // The lowest byte flagged is the first comma (higher flags may be borrows).
        let found = x.wrapping_sub(LOW) & !x & HIGH;
        if found != 0 {
            end = at + (found.trailing_zeros() / 8) as usize;
            break;
        }
        at += 8;
    }
    if end == bytes.len() {
        end = at
            + bytes[at..]
                .iter()
                .position(|&b| b == b',')
                .unwrap_or(bytes.len() - at);
    }
    let text = &rest[..end];
    match text.as_bytes().last() {
        Some(byte) if byte.is_ascii_graphic() => text,
        _ => text.trim_end(),
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
