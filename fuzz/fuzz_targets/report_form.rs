//! `tipline::fuzz::report_form` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tipline::fuzz::report_form(data));
