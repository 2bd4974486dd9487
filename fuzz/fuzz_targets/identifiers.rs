//! `tipline::fuzz::identifiers` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tipline::fuzz::identifiers(data));
