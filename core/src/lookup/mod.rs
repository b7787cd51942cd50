//! Lookup structures built once and then queried without allocating (feature `alloc`).
//!
//! The compiled `no_proxy` set and the IP blocklist both answer "which of my entries covers
//! this?" on every request, so both are indexed here instead of scanned:
//!
//! ```text
//! HashIndex<T>       open addressing over caller-computed 64-bit hashes; the caller
//!                    supplies equality, so keys can be compared case-insensitively
//!                    in place (nothing is lowercased into a buffer)
//! PrefixTable<V>     per address family, one HashIndex per prefix length present:
//!                    masked network -> V; a query probes each length once
//! ```
//!
//! Hashes use fixed constants, never runtime randomness (the crate has no source of it and
//! decisions must be reproducible). This is safe against flooding: the tables are filled
//! from configuration, and a query cannot insert, so an attacker choosing target hosts can
//! at worst hit the probe sequences the configuration already has.

pub(crate) mod index;
pub(crate) mod prefix;

/// Scrambles a 64-bit value so that every output bit depends on every input bit
/// (the splitmix64 finaliser); used on top of cheap per-byte or per-word folding.
pub(crate) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
