//! File-facing types: what the TOML files in `dictionaries/` deserialize into.
//!
//! These are plain serde structs with `deny_unknown_fields`, so a typo in a key is an error with
//! its line. The builder (`compile.rs`) validates them and compiles the runtime [`super::Ruleset`].

use serde::Deserialize;
use toml::Spanned;

/// `dictionaries/taxonomy.toml`: the tag ids, their family and display label.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TaxonomyFile {
    pub tag: Vec<Spanned<TagConfig>>,
}

/// One tag id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TagConfig {
    pub id: String,
    pub family: String,
    pub label: String,
    /// Free text: what the tag means.
    #[serde(default)]
    #[allow(dead_code)]
    pub meaning: Option<String>,
}

/// `dictionaries/rules/*.toml`: rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub rule: Vec<Spanned<RuleConfig>>,
}

/// One rule: when its pattern matches (and no `unless` applies), the record gets `tag`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleConfig {
    pub name: String,
    pub tag: Spanned<String>,
    #[serde(rename = "match")]
    pub pattern: Spanned<PatternConfig>,
    #[serde(default)]
    pub unless: Vec<Spanned<UnlessConfig>>,
    #[serde(default)]
    pub entity: Option<Spanned<EntityConfig>>,
    #[serde(default)]
    pub other_than_own_district: bool,
    /// In free text, a mention counts only with a working relation to the acting body in its
    /// clause (partner tags).
    #[serde(default)]
    pub needs_relation: Option<Spanned<bool>>,
    /// Kinds of proper name (`context.toml` [names]) this rule is for: a match inside such a
    /// name still counts.
    #[serde(default)]
    pub names: Option<Spanned<Vec<String>>>,
    /// In free text, the kinds of acting body the rule applies to, or does not.
    #[serde(default)]
    pub acting_body: Option<Spanned<ActingBodyFilterConfig>>,
    /// Free text for the rule author: why this rule exists.
    #[serde(default)]
    #[allow(dead_code)]
    pub why: Option<String>,
}

/// `acting_body = { is = [...] }` or `{ is_not = [...] }`: kinds from `context.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActingBodyFilterConfig {
    #[serde(default)]
    pub is: Option<Vec<String>>,
    #[serde(default)]
    pub is_not: Option<Vec<String>>,
}

/// A pattern: exactly one of `terms`, `tokens`, `regex`, `rule`, `all`, `any`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatternConfig {
    pub terms: Option<Vec<String>>,
    pub tokens: Option<Vec<TokenSpecConfig>>,
    pub regex: Option<String>,
    pub rule: Option<String>,
    pub all: Option<Vec<PatternConfig>>,
    pub any: Option<Vec<PatternConfig>>,
    pub within: Option<ScopeConfig>,
    pub ordered: Option<bool>,
}

/// One token of a token pattern: every given field must hold.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenSpecConfig {
    pub base: Option<String>,
    pub surface: Option<String>,
    pub pos: Option<String>,
}

/// How close the parts of an `all` pattern (or an `unless`) must be.
/// Untagged, so each table form is a struct of its own that refuses unknown keys (serde's
/// `deny_unknown_fields` does not reach into an untagged enum's variants).
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged, expecting = "\"sentence\", \"record\", { tokens = N } or { chars = N }")]
pub(crate) enum ScopeConfig {
    Named(String),
    Window(WindowConfig),
}

/// `{ tokens = N }` or `{ chars = N }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowConfig {
    #[serde(default)]
    pub tokens: Option<usize>,
    #[serde(default)]
    pub chars: Option<usize>,
}

/// A context that cancels a mention.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnlessConfig {
    /// The mention lies inside one of these phrases (a decoy such as オンコール体制).
    pub inside: Option<Vec<String>>,
    /// This pattern matches within `within` of the mention.
    pub near: Option<PatternConfig>,
    pub within: Option<ScopeConfig>,
}

/// How a rule names the entity.
/// Untagged, with one struct per table form that refuses unknown keys (see [`ScopeConfig`]).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "an entity mode (\"none\", \"alias\", \"name\", \"quoted\", \"nearby_quoted\"), { fixed = \"…\" } or { capture = \"entity\", suffix = \"…\" } with no other key"
)]
pub(crate) enum EntityConfig {
    Mode(String),
    Fixed(FixedEntity),
    Capture(CaptureEntity),
}

/// `{ fixed = "…" }`: every mention names this entity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixedEntity {
    pub fixed: String,
}

/// `{ capture = "entity", suffix = "…" }`: the regex group `entity`, with a suffix added.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaptureEntity {
    pub capture: String,
    pub suffix: Option<String>,
}

/// `dictionaries/cues.toml`: the words that decide status, negation and purpose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CueFile {
    pub implemented: Vec<Spanned<String>>,
    pub generic: Vec<Spanned<String>>,
    pub trial: Vec<Spanned<String>>,
    pub planned: Vec<Spanned<String>>,
    pub considered: Vec<Spanned<String>>,
    pub suspended: Vec<Spanned<String>>,
    pub resumed: Vec<Spanned<String>>,
    pub negation: Vec<Spanned<String>>,
    pub purpose: Vec<Spanned<String>>,
    pub existing: Vec<Spanned<String>>,
    /// After a mention, before any predicate: policy, necessity, recommendation, requirement,
    /// challenge or topic wording (連携が重要, 推奨されています, をテーマに): no tag.
    pub policy: Vec<Spanned<String>>,
    /// Anywhere in a mention's clause: a definition or a list of requirements (とは, 求められる事項).
    pub policy_clause: Vec<Spanned<String>>,
    /// Before a mention in its clause: the use ended at a date (3月31日までは): suspended.
    pub ended_before: Vec<Spanned<String>>,
    /// Right after an action cue in free text: the action is announced, not done (導入する,
    /// 構築します): planned.
    pub announced: Vec<Spanned<String>>,
    /// In free text, after a trial: full operation (本格運用), which ends the trial frame unless
    /// it is only announced.
    pub full_operation: Vec<Spanned<String>>,
    pub compound_gap_chars: usize,
    pub negation_gap_chars: usize,
    pub existing_gap_chars: usize,
}

/// `dictionaries/aliases.toml`: variant spellings of products and organisations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AliasFile {
    pub entity: Vec<Spanned<AliasConfig>>,
}

/// One canonical name and its variants.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AliasConfig {
    pub name: String,
    pub aliases: Vec<String>,
}

/// `dictionaries/context.toml`: who acts in free text, which words relate a partner to it,
/// and which words end the proper name of a programme, centre, council or system.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContextFile {
    pub acting_body: ActingBodyConfig,
    pub relation: RelationConfig,
    pub names: NamesConfig,
    pub organisation_names: OrganisationNamesConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActingBodyConfig {
    pub kind: Vec<Spanned<KindConfig>>,
    /// Particles after a body that make it the subject (は, が, では).
    pub subject_markers: Vec<Spanned<String>>,
    /// Particles after a body that make it a partner rather than the actor (と, に, へ).
    pub partner_markers: Vec<Spanned<String>>,
}

/// A kind of body or name, recognised by the words that end it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KindConfig {
    pub kind: String,
    pub heads: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RelationConfig {
    pub words: Vec<Spanned<String>>,
    /// Phrases in which a relation word does not relate (について紹介: presented).
    pub not_relation: Vec<Spanned<String>>,
    /// Name kinds inside which a relation word relates nothing.
    pub inside_names_of: Spanned<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NamesConfig {
    pub kind: Vec<Spanned<KindConfig>>,
    /// How far a name may run from a match to its head, in characters.
    pub max_chars: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrganisationNamesConfig {
    /// Legal forms dropped from the start of an entity (一般社団法人).
    pub legal_forms: Vec<String>,
    /// Endings of a prefecture written before a body's own place name (山形県 in 山形県鶴岡地区医師会).
    pub prefecture_suffixes: Vec<String>,
    /// Kanji that look like katakana (二 for ニ), read as katakana between katakana.
    pub katakana_lookalikes: Vec<(char, char)>,
    /// Acting-body kinds whose entity takes the place name written before the head.
    pub named_by_place: Spanned<Vec<String>>,
    /// Words before a head that say where, not which (市内病院).
    pub generic_places: Vec<String>,
}
