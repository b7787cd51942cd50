//! Target credentials never shown: `http://bob:pw@host/p` becomes `http://***@host/p`, in
//! JSON, `check`'s lines, errors and log lines alike.

/// The URL with any user information replaced by `***`; anything not shaped like a URL is
/// returned unchanged.
pub(crate) fn url(text: &str) -> String {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.to_owned();
    };
    let rest = &text[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &rest[at..]),
        None => text.to_owned(),
    }
}

/// Every URL in a line of text redacted (for log lines, which may quote several).
pub(crate) fn text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("://") {
        // The scheme starts after the last space before `://`.
        let word_start = rest[..i].rfind(char::is_whitespace).map_or(0, |s| s + 1);
        out.push_str(&rest[..word_start]);
        let word_end = rest[i..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |e| i + e);
        out.push_str(&url(&rest[word_start..word_end]));
        rest = &rest[word_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{text, url};

    #[test]
    fn user_information_becomes_stars() {
        let cases = [
            ("http://bob:pw@host/p?q=1", "http://***@host/p?q=1"),
            ("https://bob@[::1]:8443/", "https://***@[::1]:8443/"),
            ("http://a:b@c@host", "http://***@host"),
            ("http://host/p@x", "http://host/p@x"),
            ("http://host?u=a@b", "http://host?u=a@b"),
            ("not a url", "not a url"),
        ];
        for (input, expected) in cases {
            assert_eq!(url(input), expected, "{input}");
        }
        assert_eq!(
            text("GET http://u:p@h/ -> forward http://proxy:3128 (x)"),
            "GET http://***@h/ -> forward http://proxy:3128 (x)"
        );
    }
}
