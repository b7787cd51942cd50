//! What can be wrong with a `no_proxy` entry, and how it is reported.
//!
//! A lenient [`NoProxy::parse`](super::NoProxy::parse) skips a bad entry and keeps a
//! [`Diagnostic`] for it (the `egress` tool prints them); a strict
//! [`NoProxy::parse_strict`](super::NoProxy::parse_strict) turns the first one into a
//! [`NoProxyError`]. Every message quotes the entry as written and says what to write
//! instead, because the person reading it is editing an environment variable.

use core::fmt;

use crate::host::HostError;

/// Why one `no_proxy` entry was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryProblem {
    /// `*` appears inside a list; it only means "everything" as the whole value.
    WildcardInList,
    /// The number after `/` is not a prefix length the address family allows.
    InvalidPrefixLength {
        /// The largest prefix length of the entry's address family (32 or 128).
        max: u8,
    },
    /// The text after the host's `:` is not a port number from 1 to 65535.
    InvalidPort,
    /// The entry is neither a valid host name nor an IPv4 address. An
    /// [`HostError::InvalidCharacter`] offset counts from the start of the entry as written.
    InvalidHost(HostError),
    /// The entry has several `:` (or brackets) but is not an IPv6 address.
    InvalidIpv6,
    /// A `/prefix` follows something that is not an IP address (`example.com/8`, `1.1/8`).
    RangeNeedsAddress,
    /// A CIDR range carries a `:port`, which ranges do not support.
    PortOnRange,
    /// An IPv6 entry carries a zone id (`fe80::1%eth0`), which entries do not support.
    ZoneId,
    /// A leading `.` or `*.` stands before an IP address rather than a name.
    WildcardOnAddress,
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WildcardInList => f.write_str(
                "`*` means \"bypass the proxy for every host\" only as the whole no_proxy \
                 value; inside a list it has no effect: remove it, or set no_proxy to `*` alone",
            ),
            Self::InvalidPrefixLength { max } => write!(
                f,
                "the prefix length after `/` must be a number from 0 to {max} for this \
                 address family, e.g. 10.0.0.0/8 or 2001:db8::/32"
            ),
            Self::InvalidPort => f.write_str(
                "the port after `:` must be a number from 1 to 65535, e.g. example.com:8080 \
                 or [2001:db8::1]:8080",
            ),
            Self::InvalidHost(error) => write!(
                f,
                "not a host name or IPv4 address ({error}); write a name like example.com \
                 or .example.com, an address like 10.1.2.3, or a range like 10.0.0.0/8"
            ),
            Self::InvalidIpv6 => f.write_str(
                "not an IPv6 address; write IPv6 entries as 2001:db8::1, [2001:db8::1]:8080 \
                 or 2001:db8::/32, and a name with a port as example.com:8080",
            ),
            Self::RangeNeedsAddress => f.write_str(
                "a `/` prefix length needs a full IP address before it, e.g. 10.0.0.0/8 or \
                 2001:db8::/32; for a name and its subdomains write the name alone",
            ),
            Self::PortOnRange => f.write_str(
                "a CIDR range cannot carry a port; drop the `:port`, and the range then \
                 matches every port",
            ),
            Self::ZoneId => f.write_str(
                "no_proxy entries cannot carry an IPv6 zone id (`%eth0`); write the address \
                 without it, which matches that address whatever the target's zone",
            ),
            Self::WildcardOnAddress => f.write_str(
                "a leading `.` or `*.` only applies to host names; write the IP address alone \
                 (10.1.2.3) or a CIDR range (10.0.0.0/8)",
            ),
        }
    }
}

impl core::error::Error for EntryProblem {}

/// A `no_proxy` entry that was skipped, with where it stood and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Diagnostic<'a> {
    /// Position of the entry among the comma-separated pieces, counting from 0 (empty
    /// pieces count too, so the index points at the right place in the value).
    pub index: usize,
    /// The entry text as written, trimmed.
    pub entry: &'a str,
    /// What is wrong with it.
    pub problem: EntryProblem,
}

impl fmt::Display for Diagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ignoring no_proxy entry {:?}: {}",
            self.entry, self.problem
        )
    }
}

/// The first invalid entry of a `no_proxy` value parsed with
/// [`NoProxy::parse_strict`](super::NoProxy::parse_strict).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoProxyError<'a> {
    /// The entry and its problem.
    pub diagnostic: Diagnostic<'a>,
}

impl<'a> NoProxyError<'a> {
    /// The entry and its problem.
    pub fn diagnostic(&self) -> Diagnostic<'a> {
        self.diagnostic
    }

    /// What is wrong with the entry.
    pub fn problem(&self) -> EntryProblem {
        self.diagnostic.problem
    }
}

impl fmt::Display for NoProxyError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid no_proxy entry {:?} (strict mode rejects it instead of skipping it): {}",
            self.diagnostic.entry, self.diagnostic.problem
        )
    }
}

impl core::error::Error for NoProxyError<'_> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.diagnostic.problem)
    }
}
