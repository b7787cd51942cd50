//! The `no_proxy` list: which targets bypass the proxy and go direct.
//!
//! [`NoProxy`] is the linear form: it borrows the variable's value and re-reads the entries
//! on every [`NoProxy::matches`] call, so it needs no allocation at all (building it is one
//! pass to find out whether any entry is usable). It answers with the first matching entry,
//! so a route decision can be logged with the entry that caused it. Invalid entries are
//! skipped and available as [`Diagnostic`]s; [`NoProxy::parse_strict`] rejects them instead.
//!
//! ```text
//! "localhost, .internal:8080, 10.0.0.0/8, exa mple.com"
//!     | split at ',' ; trim ; skip empty pieces
//!     v
//! piece 0 "localhost"      -> Entry::Name             --+
//! piece 1 ".internal:8080" -> Entry::Name, port 8080    +--> matches(host, port): first hit
//! piece 2 "10.0.0.0/8"     -> Entry::Ip (range)       --+
//! piece 3 "exa mple.com"   -> Diagnostic (InvalidHost)  ---> diagnostics()
//! ```
//!
//! The rules are those of DESIGN.md: `*` alone bypasses everything; names match on label
//! boundaries, ignoring case and one trailing dot; addresses and CIDR ranges are compared as
//! numbers; `host:port` entries match one port only; DNS is never consulted. `*` counts as
//! the wildcard only when the trimmed value is exactly `*` (`*,` is a list holding `*`, so it
//! bypasses nothing and reports [`EntryProblem::WildcardInList`]). [`Entry`] lists the
//! accepted forms and the choices made where the contract is silent (zone ids, ports).
//!
//! ```
//! use egress_core::Host;
//! use egress_core::no_proxy::{EntryProblem, NoProxy};
//!
//! let list = NoProxy::parse("localhost, .internal:8080, 10.0.0.0/8, exa mple.com");
//! let host = Host::parse("api.internal").expect("a valid host");
//! assert_eq!(list.matches(&host, 8080).map(|m| m.entry), Some(".internal:8080"));
//! assert_eq!(list.matches(&host, 443), None);
//! let mapped = Host::parse("[::ffff:10.9.8.7]").expect("a valid host");
//! assert_eq!(list.matches(&mapped, 80).map(|m| m.index), Some(2));
//!
//! let diagnostic = list.diagnostics().next().expect("one bad entry");
//! assert_eq!(diagnostic.entry, "exa mple.com");
//! assert!(matches!(diagnostic.problem, EntryProblem::InvalidHost(_)));
//! assert!(NoProxy::parse_strict(list.as_str()).is_err());
//! ```

#[cfg(feature = "alloc")]
mod compiled;
mod diagnostics;
mod entry;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod entry_reference;
mod matcher;
mod scan;
#[cfg(test)]
mod tests;

#[cfg(feature = "alloc")]
pub use compiled::CompiledNoProxy;
pub use diagnostics::{Diagnostic, EntryProblem, NoProxyError};
pub use entry::Entry;

use core::fmt;

use crate::host::Host;

/// A `no_proxy` list in linear form, borrowing the variable's value.
///
/// Cheap to copy. `Debug` shows the entries (a `no_proxy` value holds no secrets); `Display`
/// shows the value as given.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NoProxy<'a> {
    value: &'a str,
    wildcard: bool,
    usable: bool,
}

/// The entry that made a target bypass the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoProxyMatch<'a> {
    /// Position of the entry among the comma-separated pieces, counting from 0 (empty
    /// pieces count too).
    pub index: usize,
    /// The entry text as written, trimmed.
    pub entry: &'a str,
}

impl fmt::Display for NoProxyMatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no_proxy entry {:?}", self.entry)
    }
}

impl<'a> NoProxy<'a> {
    /// Reads a `no_proxy` value. Never fails: invalid entries are skipped and reported by
    /// [`diagnostics`](Self::diagnostics).
    pub fn parse(value: &'a str) -> NoProxy<'a> {
        let wildcard = scan::trim(value) == "*";
        let mut list = NoProxy {
            value,
            wildcard,
            usable: false,
        };
        list.usable = list.entries().next().is_some();
        list
    }

    /// Reads a `no_proxy` value, rejecting it at its first invalid entry (including `*`
    /// inside a list).
    pub fn parse_strict(value: &'a str) -> Result<NoProxy<'a>, NoProxyError<'a>> {
        let list = Self::parse(value);
        match list.diagnostics().next() {
            Some(diagnostic) => Err(NoProxyError { diagnostic }),
            None => Ok(list),
        }
    }

    /// The value as given, untrimmed.
    pub fn as_str(&self) -> &'a str {
        self.value
    }

    /// Whether no entry is usable: the value is empty, blank, only commas, or only invalid
    /// entries. Such a list bypasses nothing.
    pub fn is_empty(&self) -> bool {
        !self.usable
    }

    /// Whether the whole value (trimmed) is `*`, which bypasses the proxy for every target.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The first entry (lowest index) that covers `host` on `port`, the target's explicit
    /// or default port; `None` means the target uses the proxy.
    ///
    /// Never resolves DNS and never allocates; the cost is one pass over the value.
    pub fn matches(&self, host: &Host<'_>, port: u16) -> Option<NoProxyMatch<'a>> {
        self.entries()
            .find(|(_, _, entry)| entry.matches(host, port))
            .map(|(index, entry, _)| NoProxyMatch { index, entry })
    }

    /// The valid entries in order: `(index, trimmed text, parsed entry)`.
    pub fn entries(&self) -> Entries<'a> {
        Entries(self.pieces())
    }

    /// The invalid entries in order, each with its problem.
    pub fn diagnostics(&self) -> Diagnostics<'a> {
        Diagnostics(self.pieces())
    }

    fn pieces(&self) -> Pieces<'a> {
        Pieces {
            rest: Some(self.value),
            index: 0,
            wildcard: self.wildcard,
        }
    }
}

impl fmt::Debug for NoProxy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NoProxy")?;
        let mut list = f.debug_list();
        for (_, text, _) in self.pieces() {
            list.entry(&text);
        }
        list.finish()
    }
}

impl fmt::Display for NoProxy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value)
    }
}

/// Every non-empty piece of the value, parsed, with `*` in a list turned into a problem.
/// The value is split at `,` as `str::split` would (`scan` searches faster).
#[derive(Clone, Debug)]
struct Pieces<'a> {
    /// What follows the last comma read; `None` once the last piece is out.
    rest: Option<&'a str>,
    /// The index of the next piece.
    index: usize,
    wildcard: bool,
}

type Piece<'a> = (usize, &'a str, Result<Entry<'a>, EntryProblem>);

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        loop {
            let rest = self.rest?;
            let raw = match scan::split_once(rest, b',') {
                Some((raw, after)) => {
                    self.rest = Some(after);
                    raw
                }
                None => {
                    self.rest = None;
                    rest
                }
            };
            let index = self.index;
            self.index += 1;
            let text = scan::trim(raw);
            if text.is_empty() {
                continue;
            }
            let parsed = match Entry::parse_trimmed(text) {
                Ok(Entry::Wildcard) if !self.wildcard => Err(EntryProblem::WildcardInList),
                other => other,
            };
            return Some((index, text, parsed));
        }
    }
}

/// Iterator over the valid entries of a [`NoProxy`]; see [`NoProxy::entries`].
#[derive(Clone, Debug)]
pub struct Entries<'a>(Pieces<'a>);

impl<'a> Iterator for Entries<'a> {
    type Item = (usize, &'a str, Entry<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0
            .by_ref()
            .find_map(|(index, text, parsed)| parsed.ok().map(|entry| (index, text, entry)))
    }
}

/// Iterator over the invalid entries of a [`NoProxy`]; see [`NoProxy::diagnostics`].
#[derive(Clone, Debug)]
pub struct Diagnostics<'a>(Pieces<'a>);

impl<'a> Iterator for Diagnostics<'a> {
    type Item = Diagnostic<'a>;

    fn next(&mut self) -> Option<Diagnostic<'a>> {
        self.0.by_ref().find_map(|(index, entry, parsed)| {
            parsed.err().map(|problem| Diagnostic {
                index,
                entry,
                problem,
            })
        })
    }
}
