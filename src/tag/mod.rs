//! Tag: [`TokenizedRecord`]s → [`TaggedRecord`]s, with rules read from `dictionaries/`.
//!
//! A rule names a tag and a pattern (literal terms, token patterns on base form and POS, regexes,
//! and `all`/`any` combinations within a window or sentence, or another rule by name). Each match
//! is a *mention*; `unless` contexts cancel decoys. Every mention gets a status from the cues
//! after it in its sentence (`cues.toml`): negated mentions are dropped, and a record's status for
//! a tag is resolved over its mentions (suspended wins unless resumed later; otherwise the
//! strongest: implemented > trial > planned > considered; no cue at all counts as implemented).
//! Entities come from the alias table (`aliases.toml`), brackets or a place prefix.
//!
//! Free text (a record with no district) goes through `context.toml` as well: the passage's
//! acting body (never its own partner), a working relation for partner rules, proper names whose
//! inner words are not mentions, policy wording that is not action, and status on prose
//! (announced actions, ended uses, a trial frame). See `context.rs` and `status.rs`.
//!
//! Units, pinned: offsets are characters of the NFKC text (mapped back to the original for
//! evidence). A *sentence* ends after 。, ！, ？, a newline or ・. A token window `{ tokens = N }`
//! allows at most N tokens strictly between two matches, a character window `{ chars = N }` at
//! most N characters; neither crosses a sentence end. Status cues are looked for from the end of a
//! mention to the next 。/！/？/newline (・ lists items and does not end that search).
//!
//! Layout: `compile.rs` turns `dictionaries/` into the read-only types of `compiled.rs`. Per
//! record a [`Worker`] (one per thread, its buffers reused) runs the steps in order, each reading
//! only what the earlier ones built: the text tables (`doc.rs`), the cues (`status.rs`), the
//! context (`context.rs`), every term and regex prefilter in one automaton pass and the pattern
//! hits (`matcher.rs`), then each mention's status and entity (`entity.rs`).
//!
//! What can fail: loading (every problem in every file is reported, sorted); tagging itself
//! cannot fail.

mod compile;
mod compiled;
mod config;
mod context;
mod doc;
mod entity;
mod explain;
mod matcher;
mod status;
mod worker;

use std::path::Path;

use rayon::prelude::*;

pub use compile::{ALIASES_FILE, CONTEXT_FILE, CUES_FILE, Problem, RULES_DIR, TAXONOMY_FILE};
pub use compiled::{Ruleset, TagInfo};
pub use explain::{CueFound, Explanation, Outcome, RuleMatch, TagDecision};
pub use worker::Worker;

use crate::error::{Error, Location, Result};
use crate::model::{TaggedRecord, TokenizedRecord};

/// One compiled rule as the tools name it.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo<'a> {
    /// The rule's stable name, e.g. `ivr.product`.
    pub name: &'a str,
    /// The tag it gives.
    pub tag: &'a str,
    /// Where it is defined, `dictionaries/rules/tech.toml:11`.
    pub origin: &'a str,
}

impl Ruleset {
    /// Loads and compiles every file in `dir`; any error in any file fails with every error
    /// ([`Error::Rules`]), as `zaitaku check` lists them.
    pub fn load(dir: &Path) -> Result<Self> {
        let (ruleset, problems) = compile::build(dir);
        ruleset.ok_or_else(|| {
            Error::from_diagnostics(&problems, Location::file(dir.display().to_string()), "cannot load rules")
        })
    }

    /// Validates every file in `dir`: the ruleset if it loads, and every problem, sorted.
    pub fn check(dir: &Path) -> (Option<Self>, Vec<Problem>) {
        compile::build(dir)
    }

    /// The taxonomy, sorted by id.
    pub fn tags(&self) -> &[TagInfo] {
        &self.tags
    }

    /// Every rule, in the order rules are tried (file order within `rules/`).
    pub fn rules(&self) -> impl ExactSizeIterator<Item = RuleInfo<'_>> {
        self.rules.iter().map(|rule| RuleInfo {
            name: &rule.name,
            tag: &self.tags[rule.tag].id,
            origin: &rule.evidence_origin,
        })
    }

    /// Number of compiled rules.
    pub fn num_rules(&self) -> usize {
        self.rules.len()
    }

    /// Tags every record, in parallel (a [`Worker`] per thread), keeping the input order.
    pub fn tag(&self, records: Vec<TokenizedRecord>) -> Vec<TaggedRecord> {
        records.into_par_iter().map_init(|| self.worker(), |worker, record| worker.tag(record)).collect()
    }

    /// Tags one record (a worker for one record: use [`Ruleset::worker`] for many).
    pub fn tag_one(&self, record: &TokenizedRecord) -> TaggedRecord {
        let tags = self.worker().tags_of(record);
        TaggedRecord { record: record.record.clone(), tags }
    }

    /// Tags one record, moving it into the result (no copy of its text).
    pub fn tag_owned(&self, record: TokenizedRecord) -> TaggedRecord {
        self.worker().tag(record)
    }
}
