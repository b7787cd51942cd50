//! Byte-exact encoder output and validation of everything that goes on the wire.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::connect::{ConnectEncodeError, ConnectRequest};
use crate::{Credentials, Host, ProxyHeaderLines, Scheme, Target};

fn target(host: Host<'_>, port: u16) -> Target<'_> {
    Target::new(Scheme::Https, host, Some(port))
}

fn encode(request: &ConnectRequest<'_>) -> Result<std::vec::Vec<u8>, ConnectEncodeError> {
    let mut out = [0u8; 512];
    let n = request.encode(&mut out)?;
    assert_eq!(n, request.encoded_len(), "encoded_len is exact");
    Ok(out[..n].to_vec())
}

#[test]
fn representative_requests_byte_exact() {
    let name = target(Host::Name("example.com"), 443);
    let v4 = target(Host::Ipv4(Ipv4Addr::new(192, 0, 2, 7)), 8443);
    let v6 = Target::new(
        Scheme::Https,
        Host::Ipv6 {
            addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
            zone: None,
        },
        None,
    );
    let creds = Credentials::from_encoded("Aladdin", "open%20sesame");
    let headers =
        ProxyHeaderLines::parse("X-Team: blue\r\nX-Trace: 7\r\n").unwrap_or_else(|e| panic!("{e}"));
    let cases: &[(ConnectRequest<'_>, &[u8])] = &[
        (
            ConnectRequest::new(&name),
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        ),
        (
            ConnectRequest::new(&v4).with_credentials(creds),
            b"CONNECT 192.0.2.7:8443 HTTP/1.1\r\nHost: 192.0.2.7:8443\r\n\
              Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n",
        ),
        (
            ConnectRequest::new(&v6).with_user_agent("egress/0.1 (test;\tx)"),
            b"CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\
              User-Agent: egress/0.1 (test;\tx)\r\n\r\n",
        ),
        (
            ConnectRequest::new(&name)
                .with_user_agent("ua")
                .with_credentials(Credentials::from_encoded("u", "")),
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
              Proxy-Authorization: Basic dTo=\r\nUser-Agent: ua\r\n\r\n",
        ),
        (
            ConnectRequest::new(&name)
                .with_credentials(Credentials::from_encoded("u", ""))
                .with_user_agent("ua")
                .with_proxy_headers(headers),
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
              Proxy-Authorization: Basic dTo=\r\nUser-Agent: ua\r\n\
              X-Team: blue\r\nX-Trace: 7\r\n\r\n",
        ),
        (
            ConnectRequest::new(&name).with_proxy_headers(ProxyHeaderLines::EMPTY),
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        ),
    ];
    for (request, expected) in cases {
        let got = encode(request).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            got,
            *expected,
            "{}",
            std::string::String::from_utf8_lossy(expected)
        );
    }
}

#[test]
fn buffer_too_small_reports_the_exact_size() {
    let name = target(Host::Name("example.com"), 443);
    let request = ConnectRequest::new(&name).with_credentials(Credentials::from_encoded("u", "p"));
    let needed = request.encoded_len();
    for size in [0, 10, needed - 1] {
        let mut out = std::vec![0u8; size];
        assert_eq!(
            request.encode(&mut out),
            Err(ConnectEncodeError::BufferTooSmall { needed })
        );
    }
    let mut out = std::vec![0u8; needed];
    assert_eq!(request.encode(&mut out), Ok(needed));
}

#[test]
fn hosts_that_could_split_or_inject_are_refused() {
    let cases: &[(&str, ConnectEncodeError)] = &[
        ("", ConnectEncodeError::EmptyHost),
        (
            "evil.com\r\nX-Injected: 1",
            ConnectEncodeError::InvalidHostByte { offset: 8 },
        ),
        (
            "evil.com\nHost: x",
            ConnectEncodeError::InvalidHostByte { offset: 8 },
        ),
        ("a b", ConnectEncodeError::InvalidHostByte { offset: 1 }),
        ("a\0b", ConnectEncodeError::InvalidHostByte { offset: 1 }),
        ("host:80", ConnectEncodeError::InvalidHostByte { offset: 4 }),
        (
            "user@host",
            ConnectEncodeError::InvalidHostByte { offset: 4 },
        ),
        ("h/x", ConnectEncodeError::InvalidHostByte { offset: 1 }),
        (
            "\u{e9}t\u{e9}",
            ConnectEncodeError::InvalidHostByte { offset: 0 },
        ),
        ("a\x7f", ConnectEncodeError::InvalidHostByte { offset: 1 }),
    ];
    for (host, error) in cases {
        let t = target(Host::Name(host), 443);
        // Validation comes before the size check: no buffer makes these sendable.
        assert_eq!(
            ConnectRequest::new(&t).encode(&mut []),
            Err(*error),
            "{host:?}"
        );
    }
    let zoned = target(
        Host::Ipv6 {
            addr: Ipv6Addr::LOCALHOST,
            zone: Some("eth0"),
        },
        443,
    );
    assert_eq!(
        ConnectRequest::new(&zoned).encode(&mut [0; 256]),
        Err(ConnectEncodeError::ZoneIdNotSendable)
    );
    let port_zero = target(Host::Name("example.com"), 0);
    assert_eq!(
        ConnectRequest::new(&port_zero).encode(&mut [0; 256]),
        Err(ConnectEncodeError::PortZero)
    );
    assert!(encode(&ConnectRequest::new(&target(Host::Name("a-b_c.d."), 1))).is_ok());
}

#[test]
fn user_agents_that_could_split_or_inject_are_refused() {
    let t = target(Host::Name("example.com"), 443);
    let cases: &[(&str, usize)] = &[
        ("", 0),
        (" lead", 0),
        ("trail\t", 5),
        ("a\r\nX-Injected: 1", 1),
        ("a\nb", 1),
        ("nul\0", 3),
        ("bell\x07", 4),
        ("del\x7f", 3),
        ("caf\u{e9}", 3),
    ];
    for (agent, offset) in cases {
        let request = ConnectRequest::new(&t).with_user_agent(agent);
        assert_eq!(
            request.encode(&mut [0; 256]),
            Err(ConnectEncodeError::InvalidUserAgent { offset: *offset }),
            "{agent:?}"
        );
        assert_eq!(
            request.validate(),
            Err(ConnectEncodeError::InvalidUserAgent { offset: *offset })
        );
    }
}

#[test]
fn debug_and_errors_never_show_credentials() {
    let t = target(Host::Name("example.com"), 443);
    let request =
        ConnectRequest::new(&t).with_credentials(Credentials::from_encoded("alice", "s3cret"));
    let debug = std::format!("{request:?}");
    assert!(
        !debug.contains("alice") && !debug.contains("s3cret"),
        "{debug}"
    );
    assert!(debug.contains("***"), "{debug}");
    let errors = [
        ConnectEncodeError::BufferTooSmall { needed: 77 },
        ConnectEncodeError::EmptyHost,
        ConnectEncodeError::InvalidHostByte { offset: 3 },
        ConnectEncodeError::ZoneIdNotSendable,
        ConnectEncodeError::PortZero,
        ConnectEncodeError::InvalidUserAgent { offset: 9 },
    ];
    let hints = ["77 bytes", "empty", "byte 3", "zone id", "port 0", "byte 9"];
    for (error, hint) in errors.iter().zip(hints) {
        assert!(std::format!("{error}").contains(hint), "{error}");
    }
}

#[test]
fn proxy_headers_count_in_the_size_at_every_buffer_length() {
    let name = target(Host::Name("example.com"), 443);
    let headers = ProxyHeaderLines::parse("X-Team: blue\r\n").unwrap_or_else(|e| panic!("{e}"));
    let request = ConnectRequest::new(&name).with_proxy_headers(headers);
    let needed = request.encoded_len();
    assert_eq!(
        needed,
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nX-Team: blue\r\n\r\n".len()
    );
    for size in 0..needed {
        let mut out = std::vec![0u8; size];
        assert_eq!(
            request.encode(&mut out),
            Err(ConnectEncodeError::BufferTooSmall { needed }),
            "{size}"
        );
    }
    let shown = std::format!("{request:?}");
    assert!(
        shown.contains("X-Team") && !shown.contains("blue"),
        "{shown}"
    );
}
