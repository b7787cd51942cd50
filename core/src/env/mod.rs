//! Choosing `http_proxy`, `https_proxy` and `no_proxy` from environment variables.
//!
//! Synapse reads these variables case-insensitively. When several spellings are set, egress
//! decides deterministically:
//!
//! 1. the all-lowercase spelling wins; an empty lowercase value means "unset" *and* hides
//!    every other spelling (so `http_proxy=` switches a proxy off even if `HTTP_PROXY` is set);
//! 2. otherwise the all-uppercase spelling, then any other spelling (first one seen);
//!    empty values count as unset;
//! 3. when `REQUEST_METHOD` is set (a CGI program), only the lowercase `http_proxy` is read:
//!    a CGI server turns a client's `Proxy:` request header into `HTTP_PROXY` ("httpoxy").
//!
//! `ALL_PROXY` is never read. Resolution takes any iterator of `(name, value)` pairs, so it
//! runs without `std` and tests never touch the real process environment.
//!
//! ```
//! use egress_core::ProxyEnv;
//!
//! let env = ProxyEnv::from_pairs([
//!     ("HTTP_PROXY", "http://upper:3128"),
//!     ("http_proxy", "http://lower:3128"),
//!     ("HTTPS_PROXY", "https://secure:443"),
//!     ("ALL_PROXY", "socks5://ignored"),
//! ]);
//! assert_eq!(env.http_proxy.map(|v| v.value), Some("http://lower:3128"));
//! assert_eq!(env.https_proxy.map(|v| v.name), Some("HTTPS_PROXY"));
//! assert_eq!(env.no_proxy, None);
//! ```

#[cfg(feature = "alloc")]
mod diagnose;
#[cfg(feature = "alloc")]
mod owned;

#[cfg(feature = "alloc")]
pub use diagnose::{EnvDiagnostic, diagnose};
#[cfg(feature = "alloc")]
pub use owned::OwnedProxyEnv;

/// One chosen variable: the name as it was spelled, and its (non-empty) value.
///
/// `Debug` hides the value: a proxy URL may carry a password.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EnvValue<'a> {
    /// The variable's name as spelled in the environment, e.g. `HTTPS_PROXY`.
    pub name: &'a str,
    /// The value; may hold credentials, so never log it.
    pub value: &'a str,
}

impl core::fmt::Debug for EnvValue<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "EnvValue({}, {} bytes hidden)",
            self.name,
            self.value.len()
        )
    }
}

/// The proxy settings chosen from an environment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyEnv<'a> {
    /// The proxy for `http://` targets, if set.
    pub http_proxy: Option<EnvValue<'a>>,
    /// The proxy for `https://` targets, if set.
    pub https_proxy: Option<EnvValue<'a>>,
    /// The bypass list, if set.
    pub no_proxy: Option<EnvValue<'a>>,
    /// A non-lowercase `HTTP_PROXY` that was ignored because `REQUEST_METHOD` is set.
    pub ignored_cgi_http_proxy: Option<EnvValue<'a>>,
}

/// The three variables egress reads, in their canonical lowercase spelling.
pub const VARIABLES: [&str; 3] = ["http_proxy", "https_proxy", "no_proxy"];

/// The spellings seen for one variable while scanning the environment.
#[derive(Clone, Copy, Default)]
struct Spellings<'a> {
    lowercase: Option<&'a str>,
    uppercase: Option<&'a str>,
    other: Option<EnvValue<'a>>,
}

impl<'a> Spellings<'a> {
    fn record(&mut self, canonical: &str, name: &'a str, value: &'a str) {
        if name == canonical {
            self.lowercase.get_or_insert(value);
        } else if value.is_empty() {
            // An empty value of a non-lowercase spelling is simply unset.
        } else if name.bytes().all(|b| !b.is_ascii_lowercase()) {
            self.uppercase.get_or_insert(value);
        } else if self.other.is_none() {
            self.other = Some(EnvValue { name, value });
        }
    }

    fn choose(&self, canonical: &'a str, uppercase: &'a str) -> Option<EnvValue<'a>> {
        if let Some(value) = self.lowercase {
            return (!value.is_empty()).then_some(EnvValue {
                name: canonical,
                value,
            });
        }
        self.non_lowercase(uppercase)
    }

    fn non_lowercase(&self, uppercase: &'a str) -> Option<EnvValue<'a>> {
        match self.uppercase {
            Some(value) => Some(EnvValue {
                name: uppercase,
                value,
            }),
            None => self.other,
        }
    }
}

impl<'a> ProxyEnv<'a> {
    /// Chooses the settings from `(name, value)` pairs, e.g. a process environment.
    pub fn from_pairs<I>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut http = Spellings::default();
        let mut https = Spellings::default();
        let mut no_proxy = Spellings::default();
        let mut cgi = false;
        for (name, value) in pairs {
            // Pairs whose name is not one of ours are skipped without further checks, which
            // keeps a scan of a large environment to one length comparison per variable.
            if name.len() == "http_proxy".len() && name.eq_ignore_ascii_case("http_proxy") {
                http.record("http_proxy", name, value);
            } else if name.len() == "https_proxy".len() && name.eq_ignore_ascii_case("https_proxy")
            {
                https.record("https_proxy", name, value);
            } else if name.len() == "no_proxy".len() && name.eq_ignore_ascii_case("no_proxy") {
                no_proxy.record("no_proxy", name, value);
            } else if name == "REQUEST_METHOD" {
                cgi = true;
            }
        }
        let (http_proxy, ignored_cgi_http_proxy) = if cgi {
            let lowercase = http.lowercase.filter(|v| !v.is_empty());
            let chosen = lowercase.map(|value| EnvValue {
                name: "http_proxy",
                value,
            });
            let ignored = match http.lowercase {
                Some(_) => None,
                None => http.non_lowercase("HTTP_PROXY"),
            };
            (chosen, ignored)
        } else {
            (http.choose("http_proxy", "HTTP_PROXY"), None)
        };
        Self {
            http_proxy,
            https_proxy: https.choose("https_proxy", "HTTPS_PROXY"),
            no_proxy: no_proxy.choose("no_proxy", "NO_PROXY"),
            ignored_cgi_http_proxy,
        }
    }
}

#[cfg(test)]
mod tests;
