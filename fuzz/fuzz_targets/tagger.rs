//! Tokenize and tag arbitrary text with the shipped rules: evidence must slice the description.
#![no_main]
use std::sync::OnceLock;

use zaitaku::fuzzing::shipped_dictionaries;
use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static SETUP: OnceLock<(Tokenizer, Ruleset)> = OnceLock::new();
    let (tokenizer, ruleset) = SETUP.get_or_init(|| {
        let dictionaries = shipped_dictionaries();
        (Tokenizer::load(&dictionaries).expect("dictionaries"), Ruleset::load(&dictionaries).expect("rules"))
    });
    zaitaku::fuzzing::tag(ruleset, tokenizer, data);
});
