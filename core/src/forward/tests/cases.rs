//! Byte-exact vectors for representative request streams.

use std::vec::Vec;

use super::{check, check_built, example, rewriter, target};
use crate::ProxyHeaderLines;

const TOKEN_LINE: &[u8] = b"Proxy-Authorization: Basic dXNlcjpwYXNz\r\n";

#[test]
fn get_without_body() {
    check(
        &example(),
        None,
        b"GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
        Ok(b"GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"),
    );
}

#[test]
fn credentials_go_last_in_the_head() {
    check(
        &example(),
        Some(("user", "pass")),
        b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
        Ok(
            b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n",
        ),
    );
}

#[test]
fn percent_escaped_credentials_are_decoded_before_encoding() {
    check(
        &example(),
        Some(("p%40x", "a%3Ab")),
        b"GET / HTTP/1.1\r\n\r\n",
        Ok(b"GET http://example.com/ HTTP/1.1\r\nProxy-Authorization: Basic cEB4OmE6Yg==\r\n\r\n"),
    );
}

#[test]
fn callers_proxy_authorization_is_kept_not_duplicated() {
    let input = b"GET / HTTP/1.1\r\nproxy-authorization: Bearer abc\r\n\r\n";
    check(
        &example(),
        Some(("user", "pass")),
        input,
        Ok(b"GET http://example.com/ HTTP/1.1\r\nproxy-authorization: Bearer abc\r\n\r\n"),
    );
}

#[test]
fn post_with_content_length_body_is_not_rewritten() {
    let input = b"POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Length: 24\r\n\r\n\
                  GET /evil HTTP/1.1\r\n\r\n\r\n";
    let expected = b"POST http://example.com/submit HTTP/1.1\r\nHost: example.com\r\n\
                     Content-Length: 24\r\n\r\nGET /evil HTTP/1.1\r\n\r\n\r\n";
    check(&example(), None, input, Ok(expected));
}

#[test]
fn chunked_with_extensions_and_trailers() {
    let input = b"PUT /up HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n\
                  5;name=\"v;a\\\"l\" ; x\r\nGET /\r\n\
                  A\r\n0123456789\r\n\
                  000 ; last\r\nX-Sum: 1\r\nX-Other:\t2\r\n\r\n\
                  GET /next HTTP/1.1\r\n\r\n";
    let expected =
        b"PUT http://example.com/up HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n\
                     5;name=\"v;a\\\"l\" ; x\r\nGET /\r\n\
                     A\r\n0123456789\r\n\
                     000 ; last\r\nX-Sum: 1\r\nX-Other:\t2\r\n\r\n\
                     GET http://example.com/next HTTP/1.1\r\n\r\n";
    check(&example(), None, input, Ok(expected));
}

#[test]
fn ipv6_target_and_non_default_port() {
    let head = b"GET /x HTTP/1.1\r\n\r\n";
    check(
        &target("[2001:db8::1]", None),
        None,
        head,
        Ok(b"GET http://[2001:db8::1]/x HTTP/1.1\r\n\r\n"),
    );
    check(
        &target("[2001:db8::1]", Some(8080)),
        None,
        head,
        Ok(b"GET http://[2001:db8::1]:8080/x HTTP/1.1\r\n\r\n"),
    );
    check(
        &target("example.com", Some(8080)),
        None,
        head,
        Ok(b"GET http://example.com:8080/x HTTP/1.1\r\n\r\n"),
    );
    let tls = crate::Target::from_url_parts(crate::Scheme::Https, "10.0.0.1", Some(80));
    let tls = tls.unwrap_or_else(|e| panic!("{e}"));
    check(
        &tls,
        None,
        head,
        Ok(b"GET https://10.0.0.1:80/x HTTP/1.1\r\n\r\n"),
    );
}

#[test]
fn absolute_form_passes_and_options_star_becomes_authority_url() {
    check(
        &example(),
        Some(("user", "pass")),
        b"GET HTTP://other.example/a HTTP/1.1\r\n\r\n",
        Ok(b"GET HTTP://other.example/a HTTP/1.1\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
    );
    check(
        &target("example.com", Some(81)),
        None,
        b"OPTIONS * HTTP/1.1\r\n\r\n",
        Ok(b"OPTIONS http://example.com:81 HTTP/1.1\r\n\r\n"),
    );
}

#[test]
fn repeated_identical_content_lengths_are_one_length() {
    check(
        &example(),
        None,
        b"POST / HTTP/1.1\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabcGET / HTTP/1.0\r\n\r\n",
        Ok(b"POST http://example.com/ HTTP/1.1\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc\
             GET http://example.com/ HTTP/1.0\r\n\r\n"),
    );
}

/// Request `i` of a keep-alive sequence, and its rewritten form.
fn keep_alive_request(i: usize) -> (Vec<u8>, Vec<u8>) {
    let path = std::format!("/item/{i}?page={i}");
    let (head_rest, body) = match i % 3 {
        0 => (std::string::String::new(), std::string::String::new()),
        1 => {
            let body = std::format!("{{\"n\":{i},\"text\":\"GET / HTTP/1.1\"}}");
            (std::format!("Content-Length: {}\r\n", body.len()), body)
        }
        _ => (
            "Transfer-Encoding: chunked\r\n".into(),
            std::format!(
                "3\r\nabc\r\n{:x}\r\n{}\r\n0\r\n\r\n",
                16 + i,
                "x".repeat(16 + i)
            ),
        ),
    };
    let method = if i % 3 == 0 { "GET" } else { "POST" };
    let rest = std::format!(" HTTP/1.1\r\nHost: example.com\r\n{head_rest}\r\n{body}");
    let input = std::format!("{method} {path}{rest}");
    let (before, after) = rest.split_at(rest.len() - body.len() - 2);
    let output = std::format!(
        "{method} http://example.com{path}{before}{}{after}",
        std::str::from_utf8(TOKEN_LINE).unwrap_or_default()
    );
    (input.into_bytes(), output.into_bytes())
}

#[test]
fn keep_alive_two_and_ten_requests() {
    for count in [2, 10] {
        let (mut input, mut expected) = (Vec::new(), Vec::new());
        for i in 0..count {
            let (a, b) = keep_alive_request(i);
            input.extend(a);
            expected.extend(b);
        }
        check(&example(), Some(("user", "pass")), &input, Ok(&expected));
        let mut rw = super::rewriter(&example(), Some(("user", "pass")));
        let out = super::drive(&mut rw, &[&input], 5);
        assert_eq!(out.as_deref(), Ok(&expected[..]));
        assert_eq!(rw.requests(), count as u64);
        assert!(rw.is_idle());
    }
}

#[test]
fn idle_only_between_requests() {
    let mut rw = super::rewriter(&example(), None);
    let mut out = [0u8; 8];
    let p = rw.rewrite(b"GET / HTTP/1.1\r\n", &mut out);
    assert_eq!(p.map(|p| (p.consumed, p.written)), Ok((16, 0)));
    assert!(!rw.is_idle());
    let p = rw.rewrite(b"\r\n", &mut out);
    assert_eq!(p.map(|p| (p.consumed, p.written)), Ok((2, 8)));
    assert!(rw.has_pending_output());
    let rest = super::drive(&mut rw, &[b""], 8);
    assert_eq!(
        rest.map(|r| r.len()),
        Ok(b"GET http://example.com/ HTTP/1.1\r\n\r\n".len() - 8)
    );
    assert!(rw.is_idle());
    // Head bytes need no output room, so an empty output still takes them.
    let p = rw.rewrite(b"GET", &mut []);
    assert_eq!(p.map(|p| (p.consumed, p.written)), Ok((3, 0)));
    assert!(!rw.is_idle());
}

#[test]
fn proxy_headers_follow_proxy_authorization_on_every_request() {
    let lines =
        ProxyHeaderLines::parse("X-Team: blue\r\nX-Trace: 7\r\n").unwrap_or_else(|e| panic!("{e}"));
    let target = example();
    type Case<'a> = (Option<(&'a str, &'a str)>, &'a [u8], &'a [u8]);
    let cases: &[Case<'_>] = &[
        (
            Some(("user", "pass")),
            b"POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nhi\
              GET / HTTP/1.1\r\n\r\n",
            b"POST http://example.com/p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\
              Proxy-Authorization: Basic dXNlcjpwYXNz\r\nX-Team: blue\r\nX-Trace: 7\r\n\r\nhi\
              GET http://example.com/ HTTP/1.1\r\n\
              Proxy-Authorization: Basic dXNlcjpwYXNz\r\nX-Team: blue\r\nX-Trace: 7\r\n\r\n",
        ),
        (
            None,
            b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
            b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\
              X-Team: blue\r\nX-Trace: 7\r\n\r\n",
        ),
    ];
    for (creds, input, expected) in cases {
        let make = || rewriter(&target, *creds).with_proxy_headers(lines);
        check_built(&make, input, Ok(expected));
    }
    // No lines: byte for byte what the rewriter wrote before.
    let make = || rewriter(&target, None).with_proxy_headers(ProxyHeaderLines::EMPTY);
    check_built(
        &make,
        b"GET / HTTP/1.1\r\n\r\n",
        Ok(b"GET http://example.com/ HTTP/1.1\r\n\r\n"),
    );
}
