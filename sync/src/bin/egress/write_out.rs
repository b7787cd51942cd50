//! `-w json`: one JSON object on a line of its own on stdout, after the body (a newline is
//! added first when the body did not end with one); its fields are documented in
//! `egress get --help` and the README.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use egress_sync::RouteInfo;

use crate::{redact, route};

/// The result of one `egress get`, as printed by `-w json`.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Report {
    /// The final status, if a response arrived.
    pub(crate) status: Option<u16>,
    /// The URL as given, credentials as `***`.
    pub(crate) url: String,
    /// `direct`, `forward` or `tunnel` (null when the URL could not be routed).
    pub(crate) route: Option<&'static str>,
    /// The proxy, credentials as `***@`.
    pub(crate) proxy: Option<String>,
    /// The no_proxy entry that matched.
    pub(crate) no_proxy_entry: Option<String>,
    /// Seconds per phase of the last attempt.
    pub(crate) phases: BTreeMap<String, f64>,
    /// Seconds to the last attempt's response head.
    pub(crate) time_response: Option<f64>,
    /// Seconds from start to finish.
    pub(crate) time_total: f64,
    /// Body bytes of the final response.
    pub(crate) size_download: u64,
    /// Retries made.
    pub(crate) retries: u32,
    /// The exit code.
    pub(crate) exit_code: u8,
    /// The failure message.
    pub(crate) error: Option<String>,
    /// The body left stdout mid-line: the object starts on a new line.
    #[serde(skip)]
    pub(crate) open_line: bool,
}

impl Report {
    /// A report for `url`, nothing known yet.
    pub(crate) fn new(url: &str) -> Self {
        Self {
            url: redact::url(url),
            ..Self::default()
        }
    }

    /// Fills in the route.
    pub(crate) fn set_route(&mut self, info: &RouteInfo) {
        self.route = Some(info.route);
        self.proxy = route::shown_proxy(info);
        self.no_proxy_entry = info.matched.clone();
    }

    /// Replaces the phase times with those of one attempt (repeated phases add up).
    pub(crate) fn set_phases(&mut self, phases: &[(String, Duration)]) {
        self.phases.clear();
        for (name, elapsed) in phases {
            *self.phases.entry(name.clone()).or_default() += elapsed.as_secs_f64();
        }
    }

    /// The object as one line of its own.
    pub(crate) fn to_line(&self) -> String {
        let object = serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"));
        let start = if self.open_line { "\n" } else { "" };
        format!("{start}{object}\n")
    }
}
