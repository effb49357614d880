//! Tokenize and tag arbitrary text with the shipped rules: evidence must slice the description.
#![no_main]
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;

fn dictionaries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../dictionaries")
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static SETUP: OnceLock<(Tokenizer, Ruleset)> = OnceLock::new();
    let (tokenizer, ruleset) = SETUP.get_or_init(|| {
        (Tokenizer::load(&dictionaries()).expect("dictionaries"), Ruleset::load(&dictionaries()).expect("rules"))
    });
    zaitaku::fuzzing::tag(ruleset, tokenizer, data);
});
