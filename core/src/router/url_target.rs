//! A URL's parts (as an HTTP library splits them) as a [`Target`], with the failure both
//! frontends report for an unusable one: the URL shown without user information.

use alloc::format;
use alloc::string::String;

use crate::failure::Failure;
use crate::target::Target;

/// The target of a URL given as its scheme, authority (`[user[:password]@]host[:port]`) and
/// path with query; see [`Target::from_authority`] for the rules.
///
/// ```
/// use egress_core::router::url_target;
/// use egress_core::Failure;
///
/// let target = url_target(Some("https"), Some("matrix.org:8448"), Some("/_matrix"))?;
/// assert_eq!(target.port, 8448);
/// let bad = url_target(Some("http"), Some("bob:pw@h:99999"), Some("/x")).unwrap_err();
/// assert_eq!(bad.to_string().split(':').next(), Some("cannot route http"));
/// assert!(!bad.to_string().contains("pw"));
/// # Ok::<(), Failure>(())
/// ```
pub fn url_target<'a>(
    scheme: Option<&str>,
    authority: Option<&'a str>,
    path_and_query: Option<&str>,
) -> Result<Target<'a>, Failure> {
    let authority_text = authority.unwrap_or("");
    Target::from_authority(scheme.unwrap_or(""), authority_text).map_err(|problem| {
        Failure::InvalidTarget {
            url: shown_url(scheme, authority_text, path_and_query),
            problem,
        }
    })
}

/// `scheme://host[:port]/path` without user information, for messages.
fn shown_url(scheme: Option<&str>, authority: &str, path_and_query: Option<&str>) -> String {
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    format!(
        "{}://{host_port}{}",
        scheme.unwrap_or(""),
        path_and_query.unwrap_or("")
    )
}
