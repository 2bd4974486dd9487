//! `tipline::fuzz::markup_escape` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tipline::fuzz::markup_escape(data));
