//! IPv6 text to an address, deciding exactly what `Ipv6Addr::from_str` decides (the same
//! grammar, read the same way: 1-4 hex digits per group, one `::`, a trailing dotted quad
//! where at least two groups are left), on bytes and without the generic parser's
//! per-character closures, since bracketed targets are parsed on every request. A property
//! test compares the two on generated text.

use core::net::Ipv6Addr;

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    /// Runs `read`, putting the position back when it fails.
    fn atomically<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let at = self.at;
        let result = read(self);
        if result.is_none() {
            self.at = at;
        }
        result
    }

    /// A number of at most `max_digits` digits in `radix` (10 or 16) that fits `limit`.
    fn number(
        &mut self,
        radix: u32,
        max_digits: usize,
        limit: u32,
        zero_prefix: bool,
    ) -> Option<u32> {
        self.atomically(|r| {
            let leading_zero = r.peek() == Some(b'0');
            let (mut value, mut digits) = (0u32, 0usize);
            while let Some(digit) = r.peek().and_then(|byte| char::from(byte).to_digit(radix)) {
                r.at += 1;
                value = value * radix + digit;
                digits += 1;
                if value > limit || digits > max_digits {
                    return None;
                }
            }
            let refused = digits == 0 || (!zero_prefix && leading_zero && digits > 1);
            (!refused).then_some(value)
        })
    }

    fn ipv4(&mut self) -> Option<[u8; 4]> {
        self.atomically(|r| {
            let mut octets = [0u8; 4];
            for (i, octet) in octets.iter_mut().enumerate() {
                if i > 0 && !r.eat(b'.') {
                    return None;
                }
                *octet = u8::try_from(r.number(10, 3, 255, false)?).ok()?;
            }
            Some(octets)
        })
    }

    /// `:` before every group but the first, then `read`; nothing consumed on failure.
    fn group<T>(&mut self, index: usize, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.atomically(|r| {
            if index > 0 && !r.eat(b':') {
                return None;
            }
            read(r)
        })
    }

    /// Fills `groups` from the left; returns how many were read and whether the last two
    /// came from a dotted quad.
    fn groups(&mut self, groups: &mut [u16]) -> (usize, bool) {
        let limit = groups.len();
        for i in 0..limit {
            if i + 1 < limit {
                if let Some([a, b, c, d]) = self.group(i, Self::ipv4) {
                    groups[i] = u16::from_be_bytes([a, b]);
                    groups[i + 1] = u16::from_be_bytes([c, d]);
                    return (i + 2, true);
                }
            }
            match self.group(i, |r| r.number(16, 4, 0xFFFF, true)) {
                Some(group) => groups[i] = group as u16,
                None => return (i, false),
            }
        }
        (limit, false)
    }

    fn ipv6(&mut self) -> Option<[u16; 8]> {
        let mut head = [0u16; 8];
        let (head_len, head_v4) = self.groups(&mut head);
        if head_len == 8 {
            return Some(head);
        }
        if head_v4 || !self.eat(b':') || !self.eat(b':') {
            return None;
        }
        let mut tail = [0u16; 7];
        let (tail_len, _) = self.groups(&mut tail[..7 - head_len]);
        head[8 - tail_len..].copy_from_slice(&tail[..tail_len]);
        Some(head)
    }
}

/// The address `text` spells, if it is one (all of it, as `Ipv6Addr::from_str` requires).
pub(crate) fn parse(text: &[u8]) -> Option<Ipv6Addr> {
    if let Some(addr) = hex_only(text) {
        return Some(addr);
    }
    let mut reader = Reader { text, at: 0 };
    let groups = reader.ipv6()?;
    (reader.at == text.len()).then(|| Ipv6Addr::from(groups))
}

/// Each byte's value as a hex digit, or 0xFF.
const HEX: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            digit @ b'0'..=b'9' => digit - b'0',
            letter @ b'a'..=b'f' => letter - b'a' + 10,
            letter @ b'A'..=b'F' => letter - b'A' + 10,
            _ => 0xFF,
        };
        byte += 1;
    }
    table
};

/// The common form, hex groups and colons with at most one `::`, in one pass. `None`
/// means "not decided here": the general reader decides (and refuses) everything else,
/// so this only has to accept what it accepts, with the same value.
fn hex_only(text: &[u8]) -> Option<Ipv6Addr> {
    let mut groups = [0u16; 8];
    let (mut count, mut gap) = (0usize, None);
    let mut at = 0;
    if text.starts_with(b"::") {
        gap = Some(0);
        at = 2;
    }
    while at < text.len() {
        let (mut value, start) = (0u16, at);
        while let Some(&digit) = text.get(at).map(|&byte| &HEX[usize::from(byte)]) {
            if digit > 15 {
                break;
            }
            if at - start == 4 {
                return None;
            }
            value = (value << 4) | u16::from(digit);
            at += 1;
        }
        if at == start || count == 8 {
            return None;
        }
        groups[count] = value;
        count += 1;
        if at == text.len() {
            break;
        }
        if text[at] != b':' {
            return None;
        }
        at += 1;
        if text.get(at) == Some(&b':') {
            if gap.is_some() {
                return None;
            }
            gap = Some(count);
            at += 1;
        } else if at == text.len() {
            return None;
        }
    }
    match gap {
        None if count == 8 => Some(Ipv6Addr::from(groups)),
        Some(gap) if count <= 7 => {
            let tail = count - gap;
            groups.copy_within(gap..count, 8 - tail);
            groups[gap..8 - tail].fill(0);
            Some(Ipv6Addr::from(groups))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use core::net::Ipv6Addr;
    use proptest::prelude::*;

    #[test]
    fn forms_std_accepts_and_refuses() {
        for text in [
            "::",
            "::1",
            "1::",
            "2001:db8::1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4",
            "1.2.3.4",
            ":::",
            "1::2::3",
            "12345::",
            "::01.2.3.4",
            "::1.2.3",
            "::1234",
            "fe80::1%eth0",
            "",
            ":1::",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1::2:3:4:5:6:7:8",
            "0:0:0:0:0:0:0:0",
            "FFFF::",
            "::256.1.1.1",
            "::1.2.3.4.5",
            "1:",
            "1:2",
            "g::",
            "::123.4",
            "0:f:f:f:f:0:f:f::",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7",
            "1::2::",
            "::1::",
            ":1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:",
            "1:::2",
            "00000::",
        ] {
            assert_eq!(
                parse(text.as_bytes()),
                text.parse::<Ipv6Addr>().ok(),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn agrees_with_std_on_noise(text in "[0-9a-fA-F:.]{0,24}|[01f:]{0,40}|[0-9.:]{0,20}") {
            prop_assert_eq!(parse(text.as_bytes()), text.parse::<Ipv6Addr>().ok());
        }

        #[test]
        fn agrees_with_std_on_addresses(bits: u128, cut in 0usize..48, v4 in proptest::bool::ANY) {
            let addr = Ipv6Addr::from_bits(bits);
            let mut text = if v4 {
                let [a, b, c, d] = (bits as u32).to_be_bytes();
                std::format!("{:x}:{:x}::{a}.{b}.{c}.{d}", bits >> 112, (bits >> 96) as u16)
            } else {
                std::format!("{addr}")
            };
            prop_assert_eq!(parse(text.as_bytes()), text.parse::<Ipv6Addr>().ok());
            text.truncate(cut.min(text.len()));
            prop_assert_eq!(parse(text.as_bytes()), text.parse::<Ipv6Addr>().ok());
        }
    }
}
