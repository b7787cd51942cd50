//! Property test: random chunkings of every decoder case give the same summary as the whole.

use proptest::prelude::*;

use super::decode::CASES;
use super::{feed, split_at_points};

proptest! {
    #[test]
    fn random_splits_match_feeding_whole(
        case in 0..CASES.len(),
        points in proptest::collection::vec(0usize..400, 0..12),
    ) {
        let (name, input, expected) = CASES[case];
        let chunks = split_at_points(input, &points);
        prop_assert_eq!(feed(&chunks), expected(), "{}", name);
    }
}
