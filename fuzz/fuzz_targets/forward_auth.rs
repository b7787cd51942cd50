//! cargo-fuzz target `forward_auth`: the body is `egress_core::fuzz_checks::check_forward_auth`,
//! which `core/tests/fuzz_replay.rs` also runs over the committed corpus on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| egress_core::fuzz_checks::check_forward_auth(data));
