//! Ingest of arbitrary bytes named `r06_table.txt`: an error naming the input, or records; never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zaitaku::fuzzing::ingest("r06_table.txt", data));
