//! Entry points shared by the fuzz targets (`fuzz/`, run with cargo fuzz) and the test that
//! replays their corpora on every `cargo test` (`tests/integration/fuzz_replay.rs`).
//!
//! Each takes arbitrary bytes and must return normally: an error is a fine answer to bad input,
//! a panic is a bug. Each also checks an invariant the pipeline promises (errors name the input,
//! evidence slices the description), so a fuzzer finds wrong answers, not only crashes.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::tag::Ruleset;
use crate::tokenize::Tokenizer;

/// The shipped dictionaries folder of this checkout, which the rule and tagger targets load.
pub fn shipped_dictionaries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dictionaries")
}

/// Ingests `bytes` as a file called `name` (the extension only breaks format ties). Errors must
/// name the input.
pub fn ingest(name: &str, bytes: &[u8]) {
    match crate::ingest::read_bytes(name, bytes) {
        Ok(ingested) => assert!(!ingested.records.is_empty(), "Ok with no records"),
        Err(error) => assert_names_input(&error, name),
    }
}

/// Loads `rule_text` as the one rule file beside the shipped taxonomy, cues and aliases (copied
/// from `dictionaries` into `scratch`); a rule set that compiles is run on a sample text.
pub fn rules(dictionaries: &Path, scratch: &Path, rule_text: &[u8], tokenizer: &Tokenizer) {
    let rules_dir = scratch.join(crate::tag::RULES_DIR);
    if !rules_dir.exists() {
        std::fs::create_dir_all(&rules_dir).expect("scratch folder");
        for file in [
            crate::tag::TAXONOMY_FILE,
            crate::tag::CUES_FILE,
            crate::tag::ALIASES_FILE,
            crate::tag::CONTEXT_FILE,
        ] {
            std::fs::copy(dictionaries.join(file), scratch.join(file)).expect("copy dictionaries");
        }
    }
    std::fs::write(rules_dir.join("fuzz.toml"), rule_text).expect("write rule file");
    let (ruleset, problems) = Ruleset::check(scratch);
    for problem in &problems {
        assert!(!problem.message.is_empty(), "a problem without a message at {}", problem.location);
    }
    if let Some(ruleset) = ruleset {
        tag_with(
            &ruleset,
            tokenizer,
            "訪問看護ステーションとMCSで連携し、ＩＶＲｙを試行した。江東区医師会と協力。",
        );
    }
}

/// Tokenizes and tags `bytes` (as lossy UTF-8) with `ruleset`: every evidence span must slice
/// the description to its text.
pub fn tag(ruleset: &Ruleset, tokenizer: &Tokenizer, bytes: &[u8]) {
    tag_with(ruleset, tokenizer, &String::from_utf8_lossy(bytes));
}

fn tag_with(ruleset: &Ruleset, tokenizer: &Tokenizer, description: &str) {
    let record = crate::model::Record {
        id: "fuzz-001".to_owned(),
        fiscal_year: None,
        district_no: None,
        district: Some("江東区医師会".to_owned()),
        program: None,
        categories: Vec::new(),
        marks: 0,
        description: description.to_owned(),
        notes: Vec::new(),
        source: None,
    };
    let Ok(tokenized) = tokenizer.worker().tokenize(record) else { return };
    let tagged = ruleset.tag_owned(tokenized);
    for tag in &tagged.tags {
        assert!(!tag.evidence.is_empty(), "{} without evidence", tag.tag);
        for evidence in &tag.evidence {
            let span = &evidence.span;
            let sliced = crate::text::slice_chars(description, span.start_char_orig, span.end_char_orig);
            assert_eq!(sliced, span.text, "evidence offsets of {} do not slice the description", tag.tag);
        }
    }
}

fn assert_names_input(error: &Error, name: &str) {
    let message = error.to_string();
    assert!(message.starts_with(name) || message.contains(name), "error does not name {name}: {message}");
}
