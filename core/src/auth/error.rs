//! Why proxy authentication could not go on: a small `Copy` enum the failure type carries,
//! split by cause so a program (and a person) can tell a wrong password from a scheme egress
//! cannot speak.

use core::fmt;

/// Why authenticating with a proxy stopped. Never carries a token, nonce or password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthProblem {
    /// The proxy URL has no credentials, and the proxy wants some.
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
        }
    }
}

impl fmt::Display for AuthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoCredentials => {
                "no credentials were given; add them to the proxy URL: http://user:password@host:port"
            }
            Self::Rejected => "the proxy rejected the credentials; check user and password",
            Self::Unsupported => {
                "no offered scheme is enabled; allow one the proxy offers, or ask for one egress \
                 supports (Basic, Digest, NTLM)"
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
        })
    }
}
