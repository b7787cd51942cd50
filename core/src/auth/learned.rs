//! What a proxy offered when it last challenged, remembered per proxy for the client's
//! lifetime, so the first request to it can carry the right scheme at once.
//!
//! Under [`AuthChoice::Any`](super::AuthChoice::Any) nothing is sent in the clear before
//! the proxy has been heard from: over a plain `http://` proxy the first request carries
//! no password, and only a proxy whose challenge offered nothing stronger than Basic gets
//! Basic up front afterwards. A proxy that offered NTLM gets NTLM's first message up front.

use core::sync::atomic::{AtomicU8, Ordering};

use super::SchemeKind;

/// The strongest scheme a proxy offered (and egress answered with) last time; shared by all
/// connections to that proxy. A hint only: it is never part of a proxy's identity.
#[derive(Debug, Default)]
pub struct LearnedScheme(AtomicU8);

impl LearnedScheme {
    /// The scheme learned, if the proxy has challenged since the client was built.
    pub fn get(&self) -> Option<SchemeKind> {
        match self.0.load(Ordering::Relaxed) {
            1 => Some(SchemeKind::Basic),
            2 => Some(SchemeKind::Digest),
            3 => Some(SchemeKind::Ntlm),
            4 => Some(SchemeKind::Negotiate),
            _ => None,
        }
    }

    /// Remembers `scheme` as the one the proxy's last challenge called for.
    pub fn learn(&self, scheme: SchemeKind) {
        let code = match scheme {
            SchemeKind::Basic => 1,
            SchemeKind::Digest => 2,
            SchemeKind::Ntlm => 3,
            SchemeKind::Negotiate => 4,
        };
        self.0.store(code, Ordering::Relaxed);
    }
}

/// Every `LearnedScheme` is equal: a hint does not make two proxies different.
impl PartialEq for LearnedScheme {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for LearnedScheme {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_scheme() {
        let learned = LearnedScheme::default();
        assert_eq!(learned.get(), None);
        for scheme in [SchemeKind::Ntlm, SchemeKind::Basic, SchemeKind::Digest] {
            learned.learn(scheme);
            assert_eq!(learned.get(), Some(scheme));
        }
    }
}
