//! Property test: random input splits and random output sizes give the same bytes as one
//! whole call.

use std::vec::Vec;

use proptest::prelude::*;

use super::{drive, example, rewriter, whole};

/// A keep-alive stream of mixed requests chosen by `kinds` (0: GET, 1: Content-Length
/// POST, 2: chunked POST).
fn stream(kinds: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        match kind % 3 {
            0 => out.extend_from_slice(
                std::format!("GET /g/{i} HTTP/1.1\r\nHost: h\r\n\r\n").as_bytes(),
            ),
            1 => {
                out.extend_from_slice(
                    std::format!(
                        "POST /p/{i} HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(body);
            }
            _ => {
                out.extend_from_slice(b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
                for piece in body.chunks(7) {
                    out.extend_from_slice(std::format!("{:X};e=1\r\n", piece.len()).as_bytes());
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\nT: v\r\n\r\n");
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn random_splits_and_output_sizes_agree(
        kinds in proptest::collection::vec(0u8..3, 1..8),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        cuts in proptest::collection::vec(0usize..400, 0..12),
        out_size in 1usize..40,
    ) {
        let input = stream(&kinds, &body);
        let expected = whole(&example(), Some(("user", "pass")), &input);
        prop_assert!(expected.is_ok(), "{:?}", expected);
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for point in points {
            pieces.push(&input[start..point]);
            start = point;
        }
        pieces.push(&input[start..]);
        let mut rw = rewriter(&example(), Some(("user", "pass")));
        let result = drive(&mut rw, &pieces, out_size);
        prop_assert_eq!(&result, &expected);
        prop_assert_eq!(rw.requests(), kinds.len() as u64);
        prop_assert!(rw.is_idle());
    }
}
