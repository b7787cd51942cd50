//! Proxy authentication (feature `alloc`): from a proxy's `Proxy-Authenticate` challenges and
//! the proxy URL's credentials to the next `Proxy-Authorization` value, round after round,
//! with no I/O, no clock and no randomness of its own (the frontend passes 16 random bytes
//! and the wall-clock time in each [`RoundInput`]).
//!
//! | scheme | module | rounds | bound to the connection |
//! |---|---|---|---|
//! | Basic (RFC 7617) | [`session`] | 1 (sent before any challenge when pinned) | no |
//! | Digest (RFC 7616: MD5, SHA-256, `-sess`, `qop=auth`, `userhash`) | [`digest`] | 1, again on `stale=true` | no |
//! | NTLMv2 (MS-NLMP) | [`ntlm`] | 2 | yes |
//! | Negotiate (RFC 4559, SPNEGO/Kerberos) | [`negotiate`] | 1 (more for multi-leg mechanisms) | yes, after the first token |
//!
//! Negotiate's tokens come from a [`NegotiateProvider`] (no I/O here: the KDC is the
//! provider's business); with feature `gssapi`, `gssapi::Gssapi` is one over the system's
//! GSSAPI library.
//!
//! [`ProxyAuth`] chooses the scheme: the strongest offered among those [`AuthChoice`]
//! allows, never a weaker one after a stronger one was answered. One `ProxyAuth` belongs
//! to one proxy: its nonces and tokens are never used with another proxy or the origin.
//!
//! ```
//! use egress_core::auth::{AuthChoice, Challenges, ProxyAuth, RoundInput, SchemeKind};
//! use egress_core::Credentials;
//!
//! let credentials = Credentials::from_encoded("alice", "wonder");
//! let input = RoundInput { method: "CONNECT", uri: "example.com:443", random: [7; 16], unix_time: 0 };
//! let mut auth = ProxyAuth::new(AuthChoice::Digest);
//! assert_eq!(auth.first_value(Some(&credentials), &input), None); // nothing before a challenge
//! let challenges = Challenges::parse([b"Digest realm=\"corp\", nonce=\"abc\", qop=\"auth\"".as_slice()]);
//! let value = auth.respond(&challenges, Some(&credentials), &input)?;
//! assert!(value.starts_with("Digest username=\"alice\", realm=\"corp\", nonce=\"abc\""));
//! assert_eq!(auth.used(), Some(SchemeKind::Digest));
//! # Ok::<(), egress_core::auth::AuthProblem>(())
//! ```

pub mod challenge;
pub mod digest;
mod error;
#[cfg(feature = "gssapi")]
pub mod gssapi;
pub mod learned;
pub mod negotiate;
pub mod ntlm;
mod seed;
pub mod session;

pub use challenge::{Challenge, Challenges};
pub use error::AuthProblem;
pub use learned::LearnedScheme;
pub use negotiate::{NegotiateProvider, SecurityContext, Step};
pub use seed::Seed;
pub use session::{AuthChoice, MAX_ROUNDS, ProxyAuth, RoundInput, SchemeKind};
