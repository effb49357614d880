//! The rule loader on an arbitrary rule file beside the shipped taxonomy, cues and aliases; a rule
//! set that compiles is run on a sample text. Problems are fine, panics are not.
#![no_main]
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use zaitaku::tokenize::Tokenizer;

fn dictionaries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../dictionaries")
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // One scratch folder per fuzzing process for the rule file.
    static SETUP: OnceLock<(Tokenizer, PathBuf)> = OnceLock::new();
    let (tokenizer, scratch) = SETUP.get_or_init(|| {
        let scratch = std::env::temp_dir().join(format!("zaitaku-fuzz-rules-{}", std::process::id()));
        (Tokenizer::load(&dictionaries()).expect("shipped dictionaries"), scratch)
    });
    zaitaku::fuzzing::rules(&dictionaries(), scratch, data, tokenizer);
});
