//! Ingest of arbitrary bytes named `table.csv`: an error naming the input, or records; never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zaitaku::fuzzing::ingest("table.csv", data));
