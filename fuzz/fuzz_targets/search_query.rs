//! `tipline::fuzz::search_query` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tipline::fuzz::search_query(data));
