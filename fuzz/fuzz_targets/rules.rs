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
    static SETUP: OnceLock<(Tokenizer, tempfile_dir::Dir)> = OnceLock::new();
    let (tokenizer, scratch) = SETUP.get_or_init(|| {
        (Tokenizer::load(&dictionaries()).expect("shipped dictionaries"), tempfile_dir::Dir::new())
    });
    zaitaku::fuzzing::rules(&dictionaries(), &scratch.0, data, tokenizer);
});

/// A scratch folder for the rule files, one per fuzzing process.
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let dir = std::env::temp_dir().join(format!("zaitaku-fuzz-rules-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("scratch folder");
            Self(dir)
        }
    }
}
