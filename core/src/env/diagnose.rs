//! What an environment sets that egress will not do what its author may expect (feature
//! `alloc`): `ALL_PROXY` (never read), two spellings of one variable that disagree (which
//! one wins), and an `http_proxy` without `https_proxy` (https targets go direct). Each is a
//! structured [`EnvDiagnostic`]; the `egress` tool prints them, a program can match them.
//!
//! ```
//! use egress_core::env::{EnvDiagnostic, diagnose};
//!
//! let found = diagnose([("ALL_PROXY", "socks5://p:1080"), ("HTTP_PROXY", "http://p:3128")]);
//! assert!(found.contains(&EnvDiagnostic::AllProxyIgnored { name: "ALL_PROXY".into() }));
//! assert!(found.contains(&EnvDiagnostic::HttpsTargetsGoDirect { http_proxy: "HTTP_PROXY".into() }));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::ProxyEnv;

/// One environment setting worth pointing out; values are never quoted (they may hold
/// passwords), only variable names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvDiagnostic {
    /// `ALL_PROXY` (any spelling) is set; egress never reads it.
    AllProxyIgnored {
        /// The spelling found.
        name: String,
    },
    /// Two spellings of one variable are set to different values.
    SpellingsDisagree {
        /// The spelling egress uses.
        used: String,
        /// The spelling it ignores.
        ignored: String,
    },
    /// `http_proxy` is set and `https_proxy` is not: `https://` targets connect directly
    /// (there is no fallback between the two variables).
    HttpsTargetsGoDirect {
        /// The spelling of `http_proxy` found.
        http_proxy: String,
    },
}

impl fmt::Display for EnvDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AllProxyIgnored { name } => write!(
                f,
                "{name} is set and ignored: egress reads only http_proxy, https_proxy and \
                 no_proxy; set https_proxy (and http_proxy) to the proxy instead"
            ),
            Self::SpellingsDisagree { used, ignored } => write!(
                f,
                "{used} and {ignored} are both set, to different values; {used} wins (the \
                 lowercase spelling first), {ignored} is ignored"
            ),
            Self::HttpsTargetsGoDirect { http_proxy } => write!(
                f,
                "{http_proxy} is set but https_proxy is not: https:// targets connect directly, \
                 not through the proxy; set https_proxy too if they must use it"
            ),
        }
    }
}

/// The diagnostics of an environment given as `(name, value)` pairs.
pub fn diagnose<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
) -> Vec<EnvDiagnostic> {
    let env = ProxyEnv::from_pairs(pairs.clone());
    let mut found = Vec::new();
    for (name, value) in pairs.clone() {
        if name.eq_ignore_ascii_case("all_proxy") && !value.trim().is_empty() {
            found.push(EnvDiagnostic::AllProxyIgnored { name: name.into() });
        }
    }
    let chosen = [
        ("http_proxy", env.http_proxy),
        ("https_proxy", env.https_proxy),
        ("no_proxy", env.no_proxy),
    ];
    for (variable, used) in chosen {
        let Some(used) = used else { continue };
        for (name, value) in pairs.clone() {
            let other_spelling = name != used.name && name.eq_ignore_ascii_case(variable);
            if other_spelling && !value.is_empty() && value != used.value {
                found.push(EnvDiagnostic::SpellingsDisagree {
                    used: used.name.into(),
                    ignored: name.into(),
                });
            }
        }
    }
    if let (Some(http), None) = (env.http_proxy, env.https_proxy) {
        found.push(EnvDiagnostic::HttpsTargetsGoDirect {
            http_proxy: http.name.into(),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn each_diagnostic_and_none_for_a_clean_environment() {
        assert!(
            diagnose([
                ("https_proxy", "http://p:3128"),
                ("http_proxy", "http://p:3128")
            ])
            .is_empty()
        );
        let found = diagnose([
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("all_proxy", "socks5://x"),
        ]);
        assert_eq!(
            found,
            [
                EnvDiagnostic::AllProxyIgnored {
                    name: "all_proxy".into()
                },
                EnvDiagnostic::SpellingsDisagree {
                    used: "https_proxy".into(),
                    ignored: "HTTPS_PROXY".into()
                },
            ]
        );
        // The same value twice is no disagreement; an empty ALL_PROXY is no setting.
        let same = diagnose([
            ("HTTPS_PROXY", "http://p:1"),
            ("https_proxy", "http://p:1"),
            ("ALL_PROXY", ""),
        ]);
        assert!(same.is_empty(), "{same:?}");
        let only_http = diagnose([("http_proxy", "http://u:secret@p:3128")]);
        assert_eq!(only_http.len(), 1);
        assert!(!only_http[0].to_string().contains("secret"));
    }
}
