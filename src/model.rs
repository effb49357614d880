//! Types that cross a stage boundary: what ingest produces and tokenize consumes, and so on.
//!
//! Stages depend on these types, never on each other's internals, so a later stage can be
//! tested with values built by hand (a tagging test needs no IPADIC).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Location;
use crate::text::NormalizedText;

/// One row of a fiscal year's table (one association × one program), or one free-text passage.
///
/// Field order is the key order of `zaitaku ingest` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Stable, readable id: `2024-001` in document order, or the id the input gave.
    pub id: String,
    /// Western fiscal year (令和6年度 → 2024); `None` for passages that do not say.
    pub fiscal_year: Option<u16>,
    /// District number: districts counted in order of first appearance in a table.
    pub district_no: Option<u32>,
    /// The district medical association as written, e.g. `江東区医師会`.
    pub district: Option<String>,
    /// The program (事業種別), NFKC-normalised so ＤＸ is DX.
    pub program: Option<String>,
    /// The 事業区分 as written, one per numbered item, e.g. `①往診支援事業者連携`.
    pub categories: Vec<String>,
    /// How many ○ the row carries in its two right-hand columns.
    pub marks: u32,
    /// The 事業内容 text; `\n` only before a line that starts with `・`.
    pub description: String,
    /// Notes found inside the 事業区分 cell (lines starting with ※ or in brackets), kept apart
    /// from the categories so categories compare across years.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Where the record starts in its input; not part of the JSON output.
    #[serde(skip)]
    pub source: Option<Location>,
}

/// One token of a record's description.
///
/// Offsets are Unicode scalar values, half-open: `*_orig` into [`Record::description`] as
/// emitted, `*_nfkc` into the NFKC text the tokenizer saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The token's text in the NFKC-normalised description; shared by every token of the same
    /// dictionary word (unknown words have their own).
    pub surface: Arc<str>,
    /// IPADIC part of speech, four levels joined by commas (`名詞,固有名詞,組織,*`); shared like
    /// `surface`, so a token of a known word costs no allocation.
    pub pos: Arc<str>,
    /// IPADIC base form (原形); the surface for unknown words. Shared like `pos`.
    pub base_form: Arc<str>,
    /// Start in the original description, in characters.
    pub start_char_orig: usize,
    /// End (exclusive) in the original description, in characters.
    pub end_char_orig: usize,
    /// Start in the NFKC text, in characters.
    pub start_char_nfkc: usize,
    /// End (exclusive) in the NFKC text, in characters.
    pub end_char_nfkc: usize,
}

/// A record with its normalised text and tokens: the output of the tokenize stage.
#[derive(Debug, Clone)]
pub struct TokenizedRecord {
    /// The record as ingested.
    pub record: Record,
    /// NFKC form of the description with its map back to the original.
    pub text: NormalizedText,
    /// Tokens in text order.
    pub tokens: Vec<Token>,
}

/// How far along a tagged thing is, strongest evidence of use first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In use: 導入した, 構築した, 開始, 実施, 設置, 整備, 運用, or a plain description of a scheme.
    Implemented,
    /// Tried: 試行, モデル事業, 検証.
    Trial,
    /// Intended: 予定, 目指す, 見込み, 目標.
    Planned,
    /// Looked into: 検討, アンケート調査, 聞き取り.
    Considered,
    /// Put on hold or stopped and not resumed: 保留, 休止.
    Suspended,
}

impl Status {
    /// Every status, in the order above.
    pub const ALL: [Status; 5] =
        [Status::Implemented, Status::Trial, Status::Planned, Status::Considered, Status::Suspended];

    /// The lowercase name used in files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::Trial => "trial",
            Status::Planned => "planned",
            Status::Considered => "considered",
            Status::Suspended => "suspended",
        }
    }

    /// Parses a lowercase name.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.name() == name)
    }

    /// 1 (implemented) to 5 (suspended): the order above, so the strongest status of a group is
    /// its smallest rank (0 is kept for "absent" by the views that store ranks).
    pub fn rank(self) -> u32 {
        self as u32 + 1
    }

    /// The status of a [`Status::rank`]; `None` for 0 (absent) or out of range.
    pub fn from_rank(rank: u32) -> Option<Status> {
        rank.checked_sub(1).and_then(|i| Status::ALL.get(i as usize)).copied()
    }
}

/// A span of a description in both texts, in characters, half-open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The slice of the original description.
    pub text: String,
    /// The same slice of the NFKC text.
    pub text_nfkc: String,
    /// Start in the original description.
    pub start_char_orig: usize,
    /// End (exclusive) in the original description.
    pub end_char_orig: usize,
    /// Start in the NFKC text.
    pub start_char_nfkc: usize,
    /// End (exclusive) in the NFKC text.
    pub end_char_nfkc: usize,
}

/// Why a tag was given: the matched text, the cue that decided its status and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The mention.
    #[serde(flatten)]
    pub span: Span,
    /// The status this mention alone gives (null: no cue, counts as implemented if nothing else).
    pub status: Option<Status>,
    /// The status cue that decided it, if any.
    pub cue: Option<Span>,
    /// The stable name of the rule that fired.
    pub rule: String,
    /// Where that rule is defined, `file:line`.
    pub rule_origin: String,
}

/// One tag of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The taxonomy id, e.g. `tech.ivr`.
    pub tag: String,
    /// The record's status for this tag, resolved over all its mentions.
    pub status: Status,
    /// The normalised product or organisation name, if one is named.
    pub entity: Option<String>,
    /// At least one item, sorted by offset.
    pub evidence: Vec<Evidence>,
}

/// A record with its tags: the output of the tag stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedRecord {
    /// The record as ingested.
    #[serde(flatten)]
    pub record: Record,
    /// Tags sorted by id.
    pub tags: Vec<Tag>,
}
