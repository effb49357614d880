//! Ingest of arbitrary bytes named `passages.jsonl`: an error naming the input, or records; never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zaitaku::fuzzing::ingest("passages.jsonl", data));
