//! [`Seed`]: what a connection's authentication needs from the operating system, read by
//! the frontend (the core has no randomness and no clock of its own) and turned into one
//! value here, so the fallback rule is written once.

use core::time::Duration;

/// Fresh randomness and the wall-clock time for one connection's proxy authentication:
/// Digest's cnonce, NTLM's client challenge and NTLMv2's timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seed {
    /// 16 random bytes.
    pub random: [u8; 16],
    /// Seconds since the Unix epoch (0 when the clock is before it).
    pub unix_time: u64,
}

impl Seed {
    /// From the operating system's random bytes (`None` when it refused) and the time since
    /// the Unix epoch (`None` when the clock is before it). Without OS randomness the
    /// clock's nanoseconds stand in: a client nonce must be fresh, not secret.
    pub fn new(random: Option<[u8; 16]>, since_epoch: Option<Duration>) -> Self {
        let since_epoch = since_epoch.unwrap_or_default();
        Self {
            random: random.unwrap_or_else(|| since_epoch.as_nanos().to_le_bytes()),
            unix_time: since_epoch.as_secs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_randomness_wins_and_the_clock_stands_in_without_it() {
        let time = Duration::new(1_700_000_000, 5);
        let seed = Seed::new(Some([9; 16]), Some(time));
        assert_eq!((seed.random, seed.unix_time), ([9; 16], 1_700_000_000));
        let fallback = Seed::new(None, Some(time));
        assert_eq!(fallback.random, time.as_nanos().to_le_bytes());
        assert_eq!(Seed::new(None, None).unix_time, 0);
    }
}
