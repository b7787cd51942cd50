//! The benchmark's naive peer: the list split once into lowercase names and networks, then
//! every decision scans all of them (what a first no_proxy implementation usually does).

use std::net::IpAddr;

use ipnet::IpNet;

/// A host as the naive matcher classifies it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NaiveHost<'a> {
    /// A name, as written.
    Name(&'a str),
    /// An address (brackets removed).
    Ip(IpAddr),
}

impl<'a> NaiveHost<'a> {
    /// Classifies host text: an address if it parses as one, else a name.
    pub(crate) fn parse(text: &'a str) -> Self {
        let inner = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        match inner.parse::<IpAddr>() {
            Ok(ip) => Self::Ip(ip),
            Err(_) => Self::Name(text),
        }
    }
}

/// A list of names (no leading dot, lowercase) and networks.
#[derive(Clone, Debug, Default)]
pub(crate) struct Naive {
    names: Vec<String>,
    nets: Vec<IpNet>,
}

impl Naive {
    /// Splits a `no_proxy` value at commas (names, `.names`, addresses, CIDR ranges).
    pub(crate) fn parse(value: &str) -> Self {
        let mut list = Self::default();
        for piece in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if let Ok(net) = piece.parse::<IpNet>() {
                list.nets.push(net);
            } else if let Ok(ip) = piece.parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip));
            } else {
                let name = piece.strip_prefix('.').unwrap_or(piece);
                list.names.push(name.to_ascii_lowercase());
            }
        }
        list
    }

    /// Whether some entry covers the host.
    pub(crate) fn matches(&self, host: NaiveHost<'_>) -> bool {
        match host {
            NaiveHost::Ip(ip) => self.nets.iter().any(|net| net.contains(&ip)),
            NaiveHost::Name(name) => self.names.iter().any(|suffix| {
                name.len() >= suffix.len()
                    && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
                    && (name.len() == suffix.len()
                        || name.as_bytes()[name.len() - suffix.len() - 1] == b'.')
            }),
        }
    }
}
