//! The compiled rules: what `compile.rs` builds from `dictionaries/` and every other module of
//! the tag stage only reads. Immutable after loading, shared by all worker threads.

use aho_corasick::AhoCorasick;
use regex::Regex;
use rustc_hash::FxHashMap;

use crate::error::Location;
use crate::model::Status;

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
    pub(crate) tags: Vec<TagInfo>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) patterns: Vec<Pattern>,
    pub(crate) terms: TermIndex,
    /// Each normalised base form a token pattern names → its id ([`TokenSpec::base`]).
    pub(crate) token_bases: FxHashMap<String, u32>,
    pub(crate) cues: CueIndex,
    pub(crate) aliases: AliasIndex,
    pub(crate) context: ContextIndex,
}

pub(crate) type PatternId = usize;

pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) tag: usize,
    pub(crate) pattern: PatternId,
    pub(crate) unless: Vec<Unless>,
    pub(crate) entity: EntityMode,
    pub(crate) other_than_own_district: bool,
    /// In free text: needs a relation word in the mention's clause.
    pub(crate) needs_relation: bool,
    /// Name kinds (indexes into `ContextIndex::name_kinds`) the rule is for.
    pub(crate) names: Vec<usize>,
    /// In free text: which acting-body kinds the rule applies to.
    pub(crate) acting_body: ActingBodyFilter,
    /// Where the rule is, as the user named the folder (for messages).
    pub(crate) origin: String,
    /// The same, relative to the dictionaries folder's parent (`dictionaries/rules/tech.toml:12`),
    /// for evidence: reports must not depend on where the repository is checked out.
    pub(crate) evidence_origin: String,
}

/// Which acting bodies a rule applies to in free text (kinds are indexes into
/// `ContextIndex::body_kinds`).
#[derive(Debug, Clone, Default)]
pub(crate) enum ActingBodyFilter {
    #[default]
    Any,
    Is(Vec<usize>),
    IsNot(Vec<usize>),
}

pub(crate) enum Unless {
    Inside(usize),
    Near(PatternId, Scope),
}

pub(crate) enum Pattern {
    Terms(usize),
    Tokens(Vec<TokenSpec>),
    Regex(RegexPattern),
    Ref(usize),
    All { parts: Vec<PatternId>, scope: Scope, ordered: bool },
    Any(Vec<PatternId>),
}

/// A rule's regex, and when every match must contain one of a set of literals, the prefilter
/// slot of the term index that says whether the record has any: a record without them is
/// skipped without running the regex, which is most records.
pub(crate) struct RegexPattern {
    pub(crate) regex: Regex,
    pub(crate) required: Option<usize>,
    /// Has a group named `entity` (then matches are found with captures, which costs more).
    pub(crate) captures_entity: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    Record,
    Sentence,
    Tokens(usize),
    Chars(usize),
}

pub(crate) struct TokenSpec {
    /// The id of the normalised base form in [`Ruleset::token_bases`]: a token matches when its
    /// own base form normalises to the same one (looked up once per distinct base form).
    pub(crate) base: Option<u32>,
    pub(crate) surface: Option<String>,
    pub(crate) pos: Option<String>,
}

pub(crate) enum EntityMode {
    None,
    Alias,
    Name,
    Quoted,
    NearbyQuoted,
    Fixed(String),
    Capture { suffix: String },
}

/// Every term of every rule and every regex's required literals in one automaton, so a record
/// is scanned once for all of them.
pub(crate) struct TermIndex {
    pub(crate) automaton: AhoCorasick,
    /// The term groups each automaton pattern belongs to.
    pub(crate) groups_of_term: Vec<Vec<usize>>,
    /// The regex prefilter slots each automaton pattern satisfies (a literal is a substring
    /// test: no word-edge check).
    pub(crate) slots_of_term: Vec<Vec<usize>>,
    /// Whether a pattern starts and ends with an ASCII letter or digit (then it must not be
    /// inside a longer Latin word).
    pub(crate) term_edges_ascii: Vec<(bool, bool)>,
    pub(crate) num_groups: usize,
    pub(crate) num_slots: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CueKind {
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

pub(crate) struct CueIndex {
    pub(crate) automaton: AhoCorasick,
    pub(crate) kinds: Vec<CueKind>,
    pub(crate) generic: Vec<bool>,
    /// Implemented cues that say full operation after a trial (本格運用).
    pub(crate) full_operation: Vec<bool>,
    pub(crate) compound_gap_chars: usize,
    pub(crate) negation_gap_chars: usize,
    pub(crate) existing_gap_chars: usize,
}

/// `context.toml`, compiled: body heads, subject markers, relation words, name heads.
pub(crate) struct ContextIndex {
    pub(crate) body_kinds: Vec<String>,
    /// Body heads (leftmost-longest); the kind of each.
    pub(crate) body_heads: AhoCorasick,
    pub(crate) body_head_kind: Vec<usize>,
    pub(crate) subject_markers: Vec<String>,
    /// Particles after a body that make it a partner, not the actor (と, に).
    pub(crate) partner_markers: Vec<String>,
    /// Relation words and the phrases that cancel them, in one automaton.
    pub(crate) relations: AhoCorasick,
    pub(crate) relation_is_word: Vec<bool>,
    /// Name kinds inside which a relation word relates nothing.
    pub(crate) relation_blocked_in_names: Vec<usize>,
    pub(crate) name_kinds: Vec<String>,
    pub(crate) name_heads: AhoCorasick,
    pub(crate) name_head_kind: Vec<usize>,
    pub(crate) name_max_chars: usize,
    pub(crate) legal_forms: Vec<String>,
    pub(crate) prefecture_suffixes: Vec<String>,
    pub(crate) katakana_lookalikes: Vec<(char, char)>,
    /// Body kinds whose entity takes the place written before the head (柏 + 歯科医師会).
    pub(crate) named_by_place: Vec<usize>,
    /// Words before a head that say where, not which (市内, 近隣).
    pub(crate) generic_places: Vec<String>,
}

pub(crate) struct AliasIndex {
    pub(crate) automaton: AhoCorasick,
    pub(crate) canonical: Vec<String>,
    pub(crate) patterns: Vec<String>,
}
