//! `proxy_url`: parsing never panics, a parsed URL survives a round trip through
//! `render_with_credentials`, and neither `Display`, `Debug` nor an error shows a password.

use alloc::format;
use alloc::string::String;

use super::utf8_prefix;
use crate::credentials::Credentials;
use crate::proxy_url::ProxyUrl;

/// A password no fuzz input is likely to contain by chance, planted to look for leaks.
const MARKER: &str = "Pw0rdMarker";

/// Parses `data` (its UTF-8 prefix) as a proxy URL and checks the round trip and the
/// credential hiding; then plants a known password into the text and checks that no error
/// message or `Debug` output shows it.
pub fn check_proxy_url(data: &[u8]) {
    let text = utf8_prefix(data);
    if let Ok(url) = ProxyUrl::parse(text) {
        check_round_trip(&url);
        check_hidden(&url);
    }
    check_planted_password(text);
}

fn check_round_trip(url: &ProxyUrl<'_>) {
    let rendered = format!("{}", url.render_with_credentials());
    match ProxyUrl::parse(&rendered) {
        Ok(again) => assert_eq!(
            again, *url,
            "render_with_credentials gave {rendered:?}, which parses to a different URL"
        ),
        Err(error) => panic!("render_with_credentials gave {rendered:?}, which fails: {error}"),
    }
    // Display is the same URL without credentials, and parses back as such.
    let shown = format!("{url}");
    let bare = ProxyUrl::new(url.scheme(), url.host(), url.port(), None);
    match ProxyUrl::parse(&shown) {
        Ok(again) => assert_eq!(again, bare, "Display {shown:?} parses to a different URL"),
        Err(error) => panic!("Display gave {shown:?}, which fails: {error}"),
    }
}

fn check_hidden(url: &ProxyUrl<'_>) {
    // With credentials replaced by other ones, Display and Debug must not change: they
    // depend on nothing the credentials hold.
    let other = ProxyUrl::new(
        url.scheme(),
        url.host(),
        url.port(),
        url.credentials()
            .map(|_| Credentials::from_encoded("u", "p")),
    );
    assert_eq!(
        format!("{url}"),
        format!("{other}"),
        "Display depends on credentials"
    );
    assert_eq!(
        format!("{url:?}"),
        format!("{other:?}"),
        "Debug depends on credentials"
    );
}

fn check_planted_password(text: &str) {
    // Put the marker where a password goes, keeping the fuzz text around it, so the parse
    // fails (or not) in every way the fuzz text can make it fail.
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle -= 1;
    }
    let (before, after) = text.split_at(middle);
    let planted: String = format!("{before}user:{MARKER}@{after}");
    let shown = match ProxyUrl::parse(&planted) {
        Ok(url) => format!("{url} {url:?}"),
        Err(error) => format!("{error} {error:?} {:?}", error.kind()),
    };
    assert!(
        !shown.contains(MARKER),
        "password shown for {planted:?}: {shown}"
    );
}
