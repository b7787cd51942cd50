//! Why proxy authentication could not go on: a small `Copy` enum the failure type carries,
//! split by cause so a program (and a person) can tell a wrong password from a scheme egress
//! cannot speak.

use core::fmt;

/// Why authenticating with a proxy stopped. Never carries a token, nonce or password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthProblem {
    /// The proxy URL has no credentials, and the proxy wants some (and Negotiate is not
    /// available).
    NoCredentials,
    /// The credentials were sent and the proxy refused them: wrong user or password.
    Rejected,
    /// None of the schemes the proxy offered is enabled (or the pinned one is not offered).
    Unsupported,
    /// Digest with an algorithm or qop egress does not implement (only `auth-int`,
    /// `SHA-512-256`).
    UnsupportedDigest,
    /// The proxy offered NTLMv1 or LM only (no extended session security, no target
    /// information): refused, they are broken.
    NtlmV1Refused,
    /// A challenge was malformed (a Digest without nonce, an undecodable NTLM message).
    BadChallenge,
    /// The proxy closed the connection during a scheme bound to one connection (NTLM).
    ConnectionClosed,
    /// More rounds than any scheme needs: the proxy keeps challenging.
    TooManyRounds,
    /// A forward request must be sent again to answer the challenge and cannot be: its
    /// body is over the replay limit (64 KiB), or the proxy's 407 ends the connection or
    /// has no `Content-Length`.
    CannotResend,
    /// Negotiate: no usable Kerberos ticket (the ticket cache is empty, missing or expired).
    NoKerberosTicket,
    /// Negotiate: the KDC does not know the service principal `HTTP/<proxy host>`.
    UnknownServicePrincipal,
    /// Negotiate: the proxy refused the token (it answered with a bare `Negotiate` again).
    NegotiateRejected,
    /// Negotiate: the proxy's final token did not verify (mutual authentication failed).
    MutualAuthFailed,
    /// Negotiate: another GSSAPI failure, as its status codes (RFC 2744 major status, the
    /// mechanism's minor status); `Display` adds GSSAPI's own text when built with `gssapi`.
    Gssapi {
        /// The major status (routine error bits).
        major: u32,
        /// The minor status (for Kerberos, a `krb5` error code).
        minor: u32,
    },
}

impl AuthProblem {
    /// A stable short name, e.g. `rejected`, for JSON and scripts.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoCredentials => "no-credentials",
            Self::Rejected => "rejected",
            Self::Unsupported => "unsupported-scheme",
            Self::UnsupportedDigest => "unsupported-digest",
            Self::NtlmV1Refused => "ntlm-v1-refused",
            Self::BadChallenge => "bad-challenge",
            Self::ConnectionClosed => "connection-closed",
            Self::TooManyRounds => "too-many-rounds",
            Self::CannotResend => "cannot-resend",
            Self::NoKerberosTicket => "no-kerberos-ticket",
            Self::UnknownServicePrincipal => "unknown-service-principal",
            Self::NegotiateRejected => "negotiate-rejected",
            Self::MutualAuthFailed => "mutual-auth-failed",
            Self::Gssapi { .. } => "gssapi",
        }
    }
}

impl fmt::Display for AuthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Self::Gssapi { major, minor } = *self {
            write!(
                f,
                "GSSAPI failed (major 0x{major:08x}, minor 0x{minor:08x})"
            )?;
            #[cfg(feature = "gssapi")]
            super::gssapi::write_status_text(f, major, minor)?;
            return Ok(());
        }
        f.write_str(match self {
            Self::NoCredentials => {
                "no credentials were given; add them to the proxy URL: http://user:password@host:port"
            }
            Self::Rejected => "the proxy rejected the credentials; check user and password",
            Self::Unsupported => {
                "no offered scheme is enabled; allow one the proxy offers, or ask for one egress \
                 supports (Basic, Digest, NTLM, and Negotiate when built with GSSAPI support)"
            }
            Self::UnsupportedDigest => {
                "the proxy's Digest needs an algorithm or qop egress does not implement (MD5, \
                 SHA-256 and qop=auth are supported)"
            }
            Self::NtlmV1Refused => {
                "the proxy offers only NTLMv1/LM, which egress refuses; enable NTLMv2 on the proxy"
            }
            Self::BadChallenge => "the proxy's challenge was malformed",
            Self::ConnectionClosed => {
                "the proxy closed the connection in the middle of a connection-bound handshake"
            }
            Self::TooManyRounds => "the proxy kept challenging after every round egress allows",
            Self::CannotResend => {
                "answering the proxy's challenge needs the request sent again, and it cannot be \
                 (a body over 64 KiB, or a 407 that closes the connection); send an https:// \
                 URL through the proxy (CONNECT) or a smaller body"
            }
            Self::NoKerberosTicket => {
                "no Kerberos ticket: the ticket cache (KRB5CCNAME) is empty, missing or expired; \
                 get a ticket with kinit"
            }
            Self::UnknownServicePrincipal => {
                "the Kerberos KDC does not know the proxy's service principal HTTP/<proxy host>; \
                 address the proxy by the host name its principal is registered under"
            }
            Self::NegotiateRejected => {
                "the proxy refused the Kerberos ticket; check that the proxy's keytab holds the \
                 current key of HTTP/<proxy host> and that the clocks agree"
            }
            Self::MutualAuthFailed => {
                "the proxy's final Negotiate token did not verify: it did not prove to be the \
                 service the ticket was for"
            }
            Self::Gssapi { .. } => "GSSAPI failed",
        })
    }
}
