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
//! What can fail: loading (every problem in every file is reported, sorted); tagging itself
//! cannot fail.

mod compile;
mod config;
mod context;
mod entity;
mod matcher;
mod status;

use std::path::Path;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use regex::Regex;

pub use compile::{ALIASES_FILE, CONTEXT_FILE, CUES_FILE, Problem, RULES_DIR, TAXONOMY_FILE};

use crate::error::{Error, Location, Result};
use crate::model::{Status, TaggedRecord, TokenizedRecord};

/// One taxonomy id with its family and display label.
#[derive(Debug, Clone)]
pub struct TagInfo {
    /// The id, e.g. `tech.ivr`.
    pub id: String,
    /// `tech`, `staff`, `partner` or `hub`.
    pub family: String,
    /// The Japanese display label.
    pub label: String,
    /// Position in `taxonomy.toml`: the display order within a family.
    pub order: usize,
    /// Where it is defined.
    pub origin: Location,
}

/// Compiled rules, immutable and shared by all worker threads.
pub struct Ruleset {
    tags: Vec<TagInfo>,
    rules: Vec<Rule>,
    patterns: Vec<Pattern>,
    terms: TermIndex,
    cues: CueIndex,
    aliases: AliasIndex,
    context: ContextIndex,
}

type PatternId = usize;

struct Rule {
    name: String,
    tag: usize,
    pattern: PatternId,
    unless: Vec<Unless>,
    entity: EntityMode,
    other_than_own_district: bool,
    /// In free text: needs a relation word in the mention's clause.
    needs_relation: bool,
    /// Name kinds (indexes into `ContextIndex::name_kinds`) the rule is for.
    names: Vec<usize>,
    /// In free text: which acting-body kinds the rule applies to.
    acting_body: ActingBodyFilter,
    /// Where the rule is, as the user named the folder (for messages).
    origin: String,
    /// The same, relative to the dictionaries folder's parent (`dictionaries/rules/tech.toml:12`),
    /// for evidence: reports must not depend on where the repository is checked out.
    evidence_origin: String,
}

/// Which acting bodies a rule applies to in free text (kinds are indexes into
/// `ContextIndex::body_kinds`).
#[derive(Debug, Clone, Default)]
enum ActingBodyFilter {
    #[default]
    Any,
    Is(Vec<usize>),
    IsNot(Vec<usize>),
}

enum Unless {
    Inside(usize),
    Near(PatternId, Scope),
}

enum Pattern {
    Terms(usize),
    Tokens(Vec<TokenSpec>),
    Regex(RegexPattern),
    Ref(usize),
    All { parts: Vec<PatternId>, scope: Scope, ordered: bool },
    Any(Vec<PatternId>),
}

/// A rule's regex with the literals every match must contain (one of them), when it has any:
/// a record without them is skipped without running the regex, which is most records.
struct RegexPattern {
    regex: Regex,
    required: Option<AhoCorasick>,
}

#[derive(Debug, Clone, Copy)]
enum Scope {
    Record,
    Sentence,
    Tokens(usize),
    Chars(usize),
}

struct TokenSpec {
    base: Option<String>,
    surface: Option<String>,
    pos: Option<String>,
}

enum EntityMode {
    None,
    Alias,
    Name,
    Quoted,
    NearbyQuoted,
    Fixed(String),
    Capture { suffix: String },
}

struct TermIndex {
    automaton: AhoCorasick,
    groups_of_term: Vec<Vec<usize>>,
    term_edges_ascii: Vec<(bool, bool)>,
    num_groups: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CueKind {
    Status(Status),
    Resumed,
    Negation,
    Purpose,
    Existing,
    Policy,
    PolicyClause,
    EndedBefore,
    Announced,
}

struct CueIndex {
    automaton: AhoCorasick,
    kinds: Vec<CueKind>,
    generic: Vec<bool>,
    /// Implemented cues that say full operation after a trial (本格運用).
    full_operation: Vec<bool>,
    compound_gap_chars: usize,
    negation_gap_chars: usize,
    existing_gap_chars: usize,
}

/// `context.toml`, compiled: body heads, subject markers, relation words, name heads.
struct ContextIndex {
    body_kinds: Vec<String>,
    /// Body heads (leftmost-longest); the kind of each.
    body_heads: AhoCorasick,
    body_head_kind: Vec<usize>,
    subject_markers: Vec<String>,
    /// Particles after a body that make it a partner, not the actor (と, に).
    partner_markers: Vec<String>,
    /// Relation words and the phrases that cancel them, in one automaton.
    relations: AhoCorasick,
    relation_is_word: Vec<bool>,
    /// Name kinds inside which a relation word relates nothing.
    relation_blocked_in_names: Vec<usize>,
    name_kinds: Vec<String>,
    name_heads: AhoCorasick,
    name_head_kind: Vec<usize>,
    name_max_chars: usize,
    legal_forms: Vec<String>,
    prefecture_suffixes: Vec<String>,
    katakana_lookalikes: Vec<(char, char)>,
    /// Body kinds whose entity takes the place written before the head (柏 + 歯科医師会).
    named_by_place: Vec<usize>,
    /// Words before a head that say where, not which (市内, 近隣).
    generic_places: Vec<String>,
}

struct AliasIndex {
    automaton: AhoCorasick,
    canonical: Vec<String>,
    patterns: Vec<String>,
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

    /// Number of compiled rules.
    pub fn num_rules(&self) -> usize {
        self.rules.len()
    }

    /// Tags every record, in parallel, keeping the input order.
    pub fn tag(&self, records: Vec<TokenizedRecord>) -> Vec<TaggedRecord> {
        records.into_par_iter().map(|record| self.tag_owned(record)).collect()
    }

    /// Tags one record.
    pub fn tag_one(&self, record: &TokenizedRecord) -> TaggedRecord {
        let tags = matcher::tag_record(self, record);
        TaggedRecord { record: record.record.clone(), tags }
    }

    /// Tags one record, moving it into the result (no copy of its text).
    pub fn tag_owned(&self, record: TokenizedRecord) -> TaggedRecord {
        let tags = matcher::tag_record(self, &record);
        TaggedRecord { record: record.record, tags }
    }
}
