//! Blocking frontend of egress.
//!
//! This crate will hold a ureq 3 `Agent` whose connector and resolver route every request
//! through `egress-core` (direct with the IP blocklist, forward through an `http://` proxy in
//! absolute form, or CONNECT tunnels), plus the `egress` command-line tool.
