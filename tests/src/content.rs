//! Deterministic body content: byte `i` of every generated body is [`pattern_byte`]`(i)`, so a
//! client can verify a download of any size (64 MiB included) while streaming, without hashes
//! and without keeping the bytes.

/// Byte number `offset` of the deterministic pattern served by `/bytes/N`, `/chunked/N` and
/// `/close/N`. Not periodic at small strides, so shifted, dropped or duplicated blocks show up.
pub fn pattern_byte(offset: u64) -> u8 {
    let x = offset.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 56) as u8 ^ (offset as u8)
}

/// Fills `buf` with the pattern starting at `offset`.
pub fn fill_pattern(offset: u64, buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = pattern_byte(offset + i as u64);
    }
}

/// The first `n` bytes of the pattern.
pub fn pattern_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0; n];
    fill_pattern(0, &mut v);
    v
}

/// Whether `data` equals the pattern at `offset`; returns the index of the first difference
/// relative to `data` otherwise (for a useful assertion message).
pub fn check_pattern(offset: u64, data: &[u8]) -> Result<(), usize> {
    match data
        .iter()
        .enumerate()
        .find(|&(i, &b)| b != pattern_byte(offset + i as u64))
    {
        Some((i, _)) => Err(i),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_is_deterministic_and_checkable() {
        let a = pattern_bytes(100_000);
        assert_eq!(a, pattern_bytes(100_000));
        assert_eq!(check_pattern(0, &a), Ok(()));
        assert_eq!(check_pattern(500, &a[500..]), Ok(()));
        // A one-byte shift is detected at once.
        assert_eq!(check_pattern(0, &a[1..]), Err(0));
        // No short period: the first 4 KiB differ from the next 4 KiB.
        assert_ne!(a[..4096], a[4096..8192]);
    }
}
