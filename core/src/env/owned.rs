//! An owned copy of the chosen proxy variables, for programs that read the environment once
//! and keep the result (feature `alloc`; reading the process environment needs `std`).

use alloc::string::String;

use super::{EnvValue, ProxyEnv};

/// Owned form of [`ProxyEnv`]: each chosen variable as `(name, value)`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OwnedProxyEnv {
    http_proxy: Option<(String, String)>,
    https_proxy: Option<(String, String)>,
    no_proxy: Option<(String, String)>,
    ignored_cgi_http_proxy: Option<(String, String)>,
    diagnostics: alloc::vec::Vec<super::EnvDiagnostic>,
}

fn own(value: Option<EnvValue<'_>>) -> Option<(String, String)> {
    value.map(|v| (String::from(v.name), String::from(v.value)))
}

fn borrow(value: &Option<(String, String)>) -> Option<EnvValue<'_>> {
    value.as_ref().map(|(name, value)| EnvValue { name, value })
}

impl OwnedProxyEnv {
    /// Copies a borrowed resolution.
    pub fn from_borrowed(env: &ProxyEnv<'_>) -> Self {
        Self {
            http_proxy: own(env.http_proxy),
            https_proxy: own(env.https_proxy),
            no_proxy: own(env.no_proxy),
            ignored_cgi_http_proxy: own(env.ignored_cgi_http_proxy),
            diagnostics: alloc::vec::Vec::new(),
        }
    }

    /// Resolves `pairs` and keeps their [diagnostics](super::diagnose) too.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Self {
        let env = ProxyEnv::from_pairs(pairs.clone());
        Self {
            diagnostics: super::diagnose(pairs),
            ..Self::from_borrowed(&env)
        }
    }

    /// What the environment sets that egress will not use as its author may expect
    /// (`ALL_PROXY`, disagreeing spellings, `http_proxy` without `https_proxy`).
    pub fn diagnostics(&self) -> &[super::EnvDiagnostic] {
        &self.diagnostics
    }

    /// Reads the current process environment.
    ///
    /// Only our variables (and `REQUEST_METHOD`) are looked at. A value that is not valid
    /// UTF-8 is kept with replacement characters, so parsing it fails with a message naming
    /// the variable instead of the variable being silently ignored.
    #[cfg(feature = "std")]
    pub fn from_process() -> Self {
        use alloc::vec::Vec;
        let relevant: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(name, value)| {
                let name = name.into_string().ok()?;
                let ours = super::VARIABLES
                    .iter()
                    .any(|known| name.eq_ignore_ascii_case(known))
                    || name == "REQUEST_METHOD"
                    // Read only to say it is ignored.
                    || name.eq_ignore_ascii_case("all_proxy");
                ours.then(|| (name, value.to_string_lossy().into_owned()))
            })
            .collect();
        Self::from_pairs(relevant.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    /// The borrowed view, to parse and route with.
    pub fn borrowed(&self) -> ProxyEnv<'_> {
        ProxyEnv {
            http_proxy: borrow(&self.http_proxy),
            https_proxy: borrow(&self.https_proxy),
            no_proxy: borrow(&self.no_proxy),
            ignored_cgi_http_proxy: borrow(&self.ignored_cgi_http_proxy),
        }
    }
}

/// Shows which variables are set, never their values (proxy URLs may hold passwords).
impl core::fmt::Debug for OwnedProxyEnv {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = |v: &Option<(String, String)>| v.as_ref().map(|(n, _)| n.clone());
        f.debug_struct("OwnedProxyEnv")
            .field("http_proxy", &name(&self.http_proxy))
            .field("https_proxy", &name(&self.https_proxy))
            .field("no_proxy", &name(&self.no_proxy))
            .finish_non_exhaustive()
    }
}
