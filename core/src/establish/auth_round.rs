//! What the connection machine needs from a 407 to answer it on the same connection: the
//! challenges with their parameters, and how the response's body is framed (it must be
//! read past before the next CONNECT, or the connection given up).

use crate::auth::Challenges;
use crate::connect::MAX_HEADERS;

/// A 407 (or 401) answer to CONNECT, as far as another round is concerned.
#[derive(Debug)]
pub(crate) struct AuthReply {
    /// The challenges of `Proxy-Authenticate` (or `WWW-Authenticate` for a 401).
    pub(crate) challenges: Challenges,
    /// `Some(n)`: the body is `n` bytes and the connection stays open; `None`: the proxy
    /// closes it (or frames the body in a way not worth following), so a next round needs a
    /// new connection.
    pub(crate) body_len: Option<u64>,
}

/// Reads `head` (a complete final head the decoder already validated).
pub(crate) fn auth_reply(head: &[u8], status: u16) -> AuthReply {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    // The decoder parsed this very head successfully, with the same limits.
    let _ = response.parse(head);
    let challenge_header = if status == 401 {
        "www-authenticate"
    } else {
        "proxy-authenticate"
    };
    let challenges = Challenges::parse(
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(challenge_header))
            .map(|h| h.value),
    );
    let fields = response
        .headers
        .iter()
        .map(|h| (h.name.as_bytes(), h.value));
    AuthReply {
        challenges,
        body_len: reusable_body_len(response.version == Some(0), fields),
    }
}

/// The length of a 407's body when the connection stays open after it (`Content-Length`,
/// no `Transfer-Encoding`, no `Connection: close`, keep-alive for HTTP/1.0); `None` when
/// the connection cannot carry another request.
pub(crate) fn reusable_body_len<'v>(
    http_1_0: bool,
    fields: impl Iterator<Item = (&'v [u8], &'v [u8])>,
) -> Option<u64> {
    let mut length = None;
    let mut closes = http_1_0;
    let mut framed_otherwise = false;
    for (name, value) in fields {
        let value = core::str::from_utf8(value).unwrap_or("").trim();
        if name.eq_ignore_ascii_case(b"content-length") {
            length = value.parse::<u64>().ok();
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            framed_otherwise = true;
        } else if name.eq_ignore_ascii_case(b"connection")
            || name.eq_ignore_ascii_case(b"proxy-connection")
        {
            let has = |token: &str| {
                value
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case(token))
            };
            if has("close") {
                closes = true;
            } else if has("keep-alive") {
                closes = false;
            }
        }
    }
    length.filter(|_| !closes && !framed_otherwise)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    #[test]
    fn framing_and_challenges() {
        let cases: &[(&[u8], Option<u64>)] = &[
            (b"HTTP/1.1 407 P\r\nContent-Length: 12\r\nProxy-Authenticate: Digest nonce=\"n\"\r\n\r\n", Some(12)),
            (b"HTTP/1.1 407 P\r\nContent-Length: 12\r\nConnection: close\r\n\r\n", None),
            (b"HTTP/1.1 407 P\r\nTransfer-Encoding: chunked\r\n\r\n", None),
            (b"HTTP/1.1 407 P\r\n\r\n", None),
            (b"HTTP/1.0 407 P\r\nContent-Length: 3\r\n\r\n", None),
            (b"HTTP/1.0 407 P\r\nContent-Length: 3\r\nProxy-Connection: Keep-Alive\r\n\r\n", Some(3)),
        ];
        for (head, expected) in cases {
            let reply = auth_reply(head, 407);
            assert_eq!(
                reply.body_len,
                *expected,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        let reply = auth_reply(cases[0].0, 407);
        assert_eq!(
            reply
                .challenges
                .find("digest")
                .and_then(|c| c.param("nonce")),
            Some("n")
        );
        let reply = auth_reply(
            b"HTTP/1.1 401 U\r\nWWW-Authenticate: Basic realm=x\r\n\r\n",
            401,
        );
        assert!(reply.challenges.find("basic").is_some());
    }
}
