//! The rule loader on an arbitrary rule file beside the shipped taxonomy, cues and aliases; a rule
//! set that compiles is run on a sample text. Problems are fine, panics are not.
#![no_main]
use std::path::PathBuf;
use std::sync::OnceLock;

use zaitaku::fuzzing::shipped_dictionaries;
use zaitaku::tokenize::Tokenizer;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // One scratch folder per fuzzing process for the rule file.
    static SETUP: OnceLock<(Tokenizer, PathBuf)> = OnceLock::new();
    let (tokenizer, scratch) = SETUP.get_or_init(|| {
        let scratch = std::env::temp_dir().join(format!("zaitaku-fuzz-rules-{}", std::process::id()));
        (Tokenizer::load(&shipped_dictionaries()).expect("shipped dictionaries"), scratch)
    });
    zaitaku::fuzzing::rules(&shipped_dictionaries(), scratch, data, tokenizer);
});
