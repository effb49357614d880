//! Every input in the fuzz corpora (`fuzz/corpus/<target>/`: seeds, what the fuzzers kept, and
//! each crash found, minimised) replayed through the same entry point its fuzz target calls. CI
//! replays; it does not fuzz.

use std::path::PathBuf;

use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;

use super::harness::repo;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = repo(&format!("fuzz/corpus/{target}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files.into_iter().map(|path| (path.clone(), std::fs::read(&path).unwrap())).collect()
}

#[test]
fn ingest_corpora_replay_without_panics() {
    for (target, name) in
        [("ingest_table", "r06_table.txt"), ("ingest_csv", "table.csv"), ("ingest_json", "passages.jsonl")]
    {
        for (path, bytes) in corpus(target) {
            let result = std::panic::catch_unwind(|| zaitaku::fuzzing::ingest(name, &bytes));
            assert!(result.is_ok(), "{} panicked", path.display());
        }
    }
}

#[test]
fn rule_corpus_replays_without_panics() {
    let tokenizer = Tokenizer::load(&repo("dictionaries")).unwrap();
    let scratch = super::harness::workdir();
    for (path, bytes) in corpus("rules") {
        let result = std::panic::catch_unwind(|| {
            zaitaku::fuzzing::rules(&repo("dictionaries"), scratch.path(), &bytes, &tokenizer)
        });
        assert!(result.is_ok(), "{} panicked", path.display());
    }
}

#[test]
fn tagger_corpus_replays_without_panics() {
    let tokenizer = Tokenizer::load(&repo("dictionaries")).unwrap();
    let ruleset = Ruleset::load(&repo("dictionaries")).unwrap();
    for (path, bytes) in corpus("tagger") {
        let result = std::panic::catch_unwind(|| zaitaku::fuzzing::tag(&ruleset, &tokenizer, &bytes));
        assert!(result.is_ok(), "{} panicked", path.display());
    }
}
