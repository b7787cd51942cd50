//! Table-driven vectors for header validation, blocks parsed whole, and the size bound.

use super::{MAX_PROXY_HEADER_BYTES, ProxyHeaderError as E, ProxyHeaderLines, validate};

#[test]
fn names_and_values_table() {
    let cases: &[(&str, &str, Result<usize, E>)] = &[
        ("X-Team", "blue", Ok(14)),
        ("X-Empty", "", Ok(11)),
        ("X-Tab", "a\tb c", Ok(14)),
        ("x!#$%&'*+-.^_`|~", "1", Ok(21)),
        ("", "v", Err(E::InvalidName { line: 0, offset: 0 })),
        ("X Bad", "v", Err(E::InvalidName { line: 0, offset: 1 })),
        ("X:Bad", "v", Err(E::InvalidName { line: 0, offset: 1 })),
        ("X\r\nY", "v", Err(E::InvalidName { line: 0, offset: 1 })),
        (
            "X-A",
            "a\r\nHost: evil",
            Err(E::InvalidValue { line: 0, offset: 1 }),
        ),
        ("X-A", "a\nb", Err(E::InvalidValue { line: 0, offset: 1 })),
        ("X-A", "a\0b", Err(E::InvalidValue { line: 0, offset: 1 })),
        (
            "X-A",
            "caf\u{e9}",
            Err(E::InvalidValue { line: 0, offset: 3 }),
        ),
        ("X-A", " lead", Err(E::InvalidValue { line: 0, offset: 0 })),
        (
            "X-A",
            "trail\t",
            Err(E::InvalidValue { line: 0, offset: 5 }),
        ),
        ("Host", "x", Err(E::Reserved { line: 0 })),
        (
            "proxy-AUTHORIZATION",
            "Basic x",
            Err(E::Reserved { line: 0 }),
        ),
        ("Content-Length", "5", Err(E::Reserved { line: 0 })),
        ("transfer-encoding", "chunked", Err(E::Reserved { line: 0 })),
    ];
    for (name, value, expected) in cases {
        assert_eq!(validate(0, name, value), *expected, "{name:?}: {value:?}");
    }
}

#[test]
fn blocks_parse_whole_and_every_prefix_is_refused_or_shorter() {
    let block = "X-One: 1\r\nX-Two:2\r\nX-Three: a b\r\n";
    let lines = ProxyHeaderLines::parse(block).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines.as_str(), block);
    assert_eq!(lines.len(), block.len());
    let all: std::vec::Vec<_> = lines.iter().collect();
    assert_eq!(all, [("X-One", "1"), ("X-Two", "2"), ("X-Three", "a b")]);
    // Split at every point: a prefix is valid exactly when it ends at a line boundary.
    for at in 0..=block.len() {
        let prefix = &block[..at];
        let at_boundary = prefix.is_empty() || prefix.ends_with("\r\n");
        let parsed = ProxyHeaderLines::parse(prefix);
        assert_eq!(parsed.is_ok(), at_boundary, "prefix {prefix:?}: {parsed:?}");
    }
}

#[test]
fn malformed_blocks_name_their_line() {
    let cases: &[(&str, E)] = &[
        ("X-A: 1", E::Malformed { line: 0 }),
        ("X-A: 1\r\nno colon\r\n", E::Malformed { line: 1 }),
        (
            "X-A: 1\r\nX-B: 2\nX-C: 3\r\n",
            E::InvalidValue { line: 1, offset: 1 },
        ),
        ("X-A: 1\r\nHost: h\r\n", E::Reserved { line: 1 }),
        ("X-A: 1\r\n\r\n", E::Malformed { line: 1 }),
    ];
    for (block, expected) in cases {
        assert_eq!(ProxyHeaderLines::parse(block), Err(*expected), "{block:?}");
    }
    assert!(ProxyHeaderLines::parse("").is_ok_and(|l| l.is_empty()));
    assert_eq!(ProxyHeaderLines::EMPTY, ProxyHeaderLines::default());
}

#[test]
fn the_total_is_bounded() {
    let value = "v".repeat(MAX_PROXY_HEADER_BYTES);
    let block = std::format!("X-Big: {value}\r\n");
    assert_eq!(
        ProxyHeaderLines::parse(&block),
        Err(E::TooLong {
            needed: block.len(),
            capacity: MAX_PROXY_HEADER_BYTES
        })
    );
    let mut headers = super::ProxyHeaders::new();
    let chunk = "c".repeat(1000);
    for _ in 0..4 {
        assert_eq!(headers.push("X-C", &chunk), Ok(()));
    }
    let before = headers.lines().len();
    assert_eq!(before, 4 * 1007);
    assert_eq!(
        headers.push("X-C", &chunk),
        Err(E::TooLong {
            needed: 5 * 1007,
            capacity: MAX_PROXY_HEADER_BYTES
        })
    );
    assert_eq!(headers.lines().len(), before, "nothing added on error");
}

#[test]
fn pushed_headers_render_as_lines_and_debug_hides_values() {
    let mut headers = super::ProxyHeaders::new();
    assert_eq!(headers.push("X-Team", "blue"), Ok(()));
    assert_eq!(headers.push("X-Token", "s3cret-value"), Ok(()));
    assert_eq!(headers.push("Host", "x"), Err(E::Reserved { line: 2 }));
    assert_eq!(
        headers.lines().as_str(),
        "X-Team: blue\r\nX-Token: s3cret-value\r\n"
    );
    let shown = std::format!("{headers:?}");
    assert_eq!(shown, "[\"X-Team\", \"X-Token\"]");
    for error in [
        E::InvalidName { line: 0, offset: 0 },
        E::InvalidValue { line: 0, offset: 0 },
        E::Reserved { line: 0 },
        E::Malformed { line: 0 },
        E::TooLong {
            needed: 1,
            capacity: 0,
        },
    ] {
        assert!(
            std::format!("{error}").starts_with("proxy header"),
            "{error}"
        );
    }
}
