//! Types that cross a stage boundary: what ingest produces and tokenize consumes, and so on.
//!
//! Stages depend on these types, never on each other's internals, so a later stage can be
//! tested with values built by hand (a tagging test needs no IPADIC).

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
    /// The token's text in the NFKC-normalised description.
    pub surface: String,
    /// IPADIC part of speech, four levels joined by commas (`名詞,固有名詞,組織,*`).
    pub pos: String,
    /// IPADIC base form (原形); the surface for unknown words.
    pub base_form: String,
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
