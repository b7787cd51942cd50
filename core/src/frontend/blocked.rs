//! The IP blocklist applied to a direct target's resolved addresses: blocked ones are
//! dropped, and when none remain the failure names the host and the first blocked address.
//! Both frontends connect only to the addresses this keeps (no second lookup).

use alloc::string::{String, ToString};
use core::fmt;
use core::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

use super::Failure;
use crate::blocklist::IpBlocklist;
use crate::target::Target;

/// Every resolved address of a directly connected target is in the IP blocklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The target host as requested.
    pub host: String,
    /// The first blocked address.
    pub addr: IpAddr,
    /// The blocklist range that contains it.
    pub range: IpNet,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Failure::Blocked {
            host: &self.host,
            addr: self.addr,
            range: self.range,
        }
        .fmt(f)
    }
}

impl std::error::Error for Blocked {}

/// Passes each address of `resolved` that `blocklist` allows to `keep`, in order.
///
/// Fails with [`Blocked`] when addresses were resolved but every one is blocked; an empty
/// `resolved` is not an error here (the connect step reports it).
///
/// ```
/// use egress_core::frontend::keep_allowed;
/// use egress_core::{IpBlocklist, Scheme, Target};
///
/// let blocklist = IpBlocklist::new().block("10.0.0.0/8".parse()?);
/// let target = Target::from_url_parts(Scheme::Https, "db.internal", None)?;
/// let resolved = ["10.1.2.3:443".parse()?, "192.0.2.7:443".parse()?];
/// let mut allowed = Vec::new();
/// keep_allowed(&blocklist, &target, resolved, |addr| allowed.push(addr))?;
/// assert_eq!(allowed, ["192.0.2.7:443".parse()?]);
///
/// let blocked = keep_allowed(&blocklist, &target, [resolved[0]], |_| {}).unwrap_err();
/// assert_eq!(blocked.addr.to_string(), "10.1.2.3");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn keep_allowed(
    blocklist: &IpBlocklist,
    target: &Target<'_>,
    resolved: impl IntoIterator<Item = SocketAddr>,
    mut keep: impl FnMut(SocketAddr),
) -> Result<(), Blocked> {
    let mut kept = 0usize;
    let mut first_blocked = None;
    for addr in resolved {
        match blocklist.check(addr.ip()) {
            None => {
                kept += 1;
                keep(addr);
            }
            Some(range) => {
                log::debug!("egress: {target:?} address {addr} blocked by {range}");
                first_blocked.get_or_insert((addr.ip(), range));
            }
        }
    }
    match (kept, first_blocked) {
        (0, Some((addr, range))) => Err(Blocked {
            host: target.host.to_string(),
            addr,
            range,
        }),
        _ => Ok(()),
    }
}
