//! cargo-fuzz target `request_path`: the body is `egress_core::fuzz_checks::check_request_path`, which
//! `core/tests/fuzz_replay.rs` also runs over the committed corpus on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| egress_core::fuzz_checks::check_request_path(data));
