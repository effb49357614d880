//! One record's text prepared for matching: the folded text and the per-character tables every
//! later step looks things up in (sentence, clause, token, byte offsets), built in one pass into
//! buffers a [`super::Worker`] reuses from record to record.
//!
//! Nothing here knows about rules: [`Doc`] is the read-only view the matcher, the status cues,
//! the context and the entity code all take.

use super::compiled::Scope;
use crate::model::{Span, Token, TokenizedRecord};
use crate::text::fold_char;

/// A match in NFKC character offsets, with an optional capture (for entities from a regex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub capture: Option<(usize, usize)>,
}

impl Hit {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end, capture: None }
    }
}

/// The per-character tables of one record, kept between records so that their allocations are
/// reused. Filled only by [`TextTables::prepare`], read only through the [`Doc`] it returns.
#[derive(Debug, Default)]
pub(crate) struct TextTables {
    /// NFKC + case-folded text; same character offsets as the NFKC text.
    folded: String,
    /// The folded text's characters.
    chars: Vec<char>,
    /// Byte offset of each character of `folded` (plus the end); automaton matches come in
    /// bytes and are turned into characters by binary search in it.
    byte_of_char: Vec<usize>,
    /// Byte offset of each character of the original description (plus the end), so evidence
    /// is sliced in constant time however long the record.
    orig_byte_of_char: Vec<usize>,
    /// Start and end (exclusive) of each sentence, in characters, in order.
    sentence_bounds: Vec<(usize, usize)>,
    /// End (exclusive) of each clause (the status scope) but the last, in order.
    clause_ends: Vec<usize>,
}

impl TextTables {
    /// Fills the tables for `record` in one pass over its NFKC text and returns the view on
    /// them. A clause ends after 。！？, a newline, or a '.' that was a full-width '．' in the
    /// original (NFKC has made it the '.' of decimals and URLs; the original tells them apart);
    /// a sentence ends there too and after ・.
    pub fn prepare<'a>(&'a mut self, record: &'a TokenizedRecord) -> Doc<'a> {
        let text = &record.text;
        let description = &record.record.description;
        let num_chars = text.num_chars();
        self.orig_byte_of_char.clear();
        self.orig_byte_of_char.extend(description.char_indices().map(|(b, _)| b));
        self.orig_byte_of_char.push(description.len());
        let orig_byte_of_char = &self.orig_byte_of_char;
        let was_full_stop = |i: usize| {
            let (start, end) = text.to_orig(i, i + 1);
            end == start + 1 && description[orig_byte_of_char[start]..].starts_with('．')
        };

        self.folded.clear();
        self.folded.reserve(text.text.len());
        self.chars.clear();
        self.chars.reserve(num_chars);
        self.byte_of_char.clear();
        self.byte_of_char.reserve(num_chars + 1);
        self.sentence_bounds.clear();
        self.clause_ends.clear();
        let mut sentence_start = 0;
        for (i, c) in text.text.chars().map(fold_char).enumerate() {
            self.byte_of_char.push(self.folded.len());
            self.folded.push(c);
            self.chars.push(c);
            let ends_clause = matches!(c, '。' | '!' | '?' | '\n') || (c == '.' && was_full_stop(i));
            if ends_clause {
                self.clause_ends.push(i + 1);
            }
            if ends_clause || c == '・' {
                self.sentence_bounds.push((sentence_start, i + 1));
                sentence_start = i + 1;
            }
        }
        let num_folded = self.chars.len();
        self.byte_of_char.push(self.folded.len());
        self.sentence_bounds.push((sentence_start, num_folded));
        Doc { record, tables: self }
    }
}

/// One record prepared for matching: the record and its tables, read-only.
#[derive(Clone, Copy)]
pub(crate) struct Doc<'a> {
    pub record: &'a TokenizedRecord,
    tables: &'a TextTables,
}

impl<'a> Doc<'a> {
    /// NFKC + case-folded text (character offsets as the NFKC text).
    pub fn folded(&self) -> &'a str {
        &self.tables.folded
    }

    /// The folded text's characters.
    pub fn chars(&self) -> &'a [char] {
        &self.tables.chars
    }

    /// A record with no district is free text (prose), not a table row.
    pub fn is_free_text(&self) -> bool {
        self.record.record.district.is_none()
    }

    pub fn num_chars(&self) -> usize {
        self.tables.chars.len()
    }

    /// The character at a byte offset of the folded text (an automaton's match bound).
    pub fn char_of_byte(&self, byte: usize) -> usize {
        self.tables.byte_of_char.partition_point(|&b| b < byte)
    }

    pub fn folded_slice(&self, start: usize, end: usize) -> &'a str {
        let bytes = &self.tables.byte_of_char;
        &self.tables.folded[bytes[start]..bytes[end]]
    }

    pub fn nfkc_slice(&self, start: usize, end: usize) -> &'a str {
        let text = &self.record.text;
        &text.text[text.byte_of_char(start)..text.byte_of_char(end)]
    }

    /// The number of the sentence containing the character (`u32::MAX` past the end).
    pub fn sentence(&self, char_index: usize) -> u32 {
        if char_index >= self.num_chars() {
            return u32::MAX;
        }
        self.tables.sentence_bounds.partition_point(|&(_, end)| end <= char_index) as u32
    }

    /// The hits of `list` (sorted by start) that can be in `scope` of `anchor`: those starting in
    /// its sentence, found by binary search, so a long record costs no more per mention.
    pub fn candidates<'l>(&self, list: &'l [Hit], anchor: &Hit, scope: Scope) -> &'l [Hit] {
        if matches!(scope, Scope::Record) {
            return list;
        }
        let Some(&(start, end)) = self.tables.sentence_bounds.get(self.sentence(anchor.start) as usize)
        else {
            return &[];
        };
        let from = list.partition_point(|h| h.start < start);
        let to = list.partition_point(|h| h.start < end);
        &list[from..to.max(from)]
    }

    /// End (exclusive) of the clause containing the character: where status cues stop.
    pub fn status_end(&self, char_index: usize) -> usize {
        let ends = &self.tables.clause_ends;
        ends.get(ends.partition_point(|&end| end <= char_index)).copied().unwrap_or(self.num_chars())
    }

    /// Start of the clause containing the character (0 past the end).
    pub fn clause_start(&self, char_index: usize) -> usize {
        if char_index >= self.num_chars() {
            return 0;
        }
        let ends = &self.tables.clause_ends;
        ends.partition_point(|&end| end <= char_index).checked_sub(1).map_or(0, |i| ends[i])
    }

    pub fn tokens(&self) -> &'a [Token] {
        &self.record.tokens
    }

    /// Tokens strictly between two hits (0 when they touch or overlap).
    pub fn token_gap(&self, first: &Hit, second: &Hit) -> usize {
        let (a, b) = if first.start <= second.start { (first, second) } else { (second, first) };
        if b.start < a.end {
            return 0;
        }
        // The first token ending after a character (none past the end of the text).
        let token_at = |c: usize| {
            (c < self.num_chars()).then(|| self.tokens().partition_point(|t| t.end_char_nfkc <= c))
        };
        let after_a = token_at(a.end.saturating_sub(1)).map_or(0, |t| t + 1);
        let at_b = token_at(b.start).unwrap_or(self.tokens().len());
        at_b.saturating_sub(after_a)
    }

    /// Whether `b` is within `scope` of `a`.
    pub fn in_scope(&self, scope: Scope, a: &Hit, b: &Hit) -> bool {
        let same_sentence = self.sentence(a.start) == self.sentence(b.start);
        match scope {
            Scope::Record => true,
            Scope::Sentence => same_sentence,
            Scope::Tokens(n) => same_sentence && self.token_gap(a, b) <= n,
            Scope::Chars(n) => {
                let gap = b.start.saturating_sub(a.end).max(a.start.saturating_sub(b.end));
                same_sentence && gap <= n
            }
        }
    }

    /// Builds an evidence span from NFKC character offsets.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let text = &self.record.text;
        let description = &self.record.record.description;
        let (start_orig, end_orig) = text.to_orig(start, end);
        let byte = |c: usize| self.tables.orig_byte_of_char.get(c).copied().unwrap_or(description.len());
        Span {
            text: description[byte(start_orig)..byte(end_orig.max(start_orig))].to_owned(),
            text_nfkc: self.nfkc_slice(start, end).to_owned(),
            start_char_orig: start_orig,
            end_char_orig: end_orig,
            start_char_nfkc: start,
            end_char_nfkc: end,
        }
    }
}

/// A free-text record (no district) with no tokens, for the unit tests of the tag stage: enough
/// for the character tables, the cues and the context.
#[cfg(test)]
pub(crate) fn passage(text: &str) -> TokenizedRecord {
    let record = crate::model::Record {
        id: "test".to_owned(),
        fiscal_year: None,
        district_no: None,
        district: None,
        program: None,
        categories: Vec::new(),
        marks: 0,
        description: text.to_owned(),
        notes: Vec::new(),
        source: None,
    };
    TokenizedRecord { text: crate::text::NormalizedText::new(text), record, tokens: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> TokenizedRecord {
        passage(text)
    }

    #[test]
    fn a_full_width_full_stop_ends_a_sentence_but_a_decimal_point_does_not() {
        let record = record("導入率は1.5倍．翌年度も継続");
        let mut tables = TextTables::default();
        let doc = tables.prepare(&record);
        let stop = doc.folded().find('倍').map(|b| doc.char_of_byte(b)).unwrap() + 1;
        assert_eq!(doc.sentence(0), doc.sentence(stop - 1), "1.5 stays in its sentence");
        assert_eq!(doc.sentence(stop + 1), doc.sentence(0) + 1, "．ends the sentence");
        assert_eq!(doc.status_end(0), stop + 1);
        assert_eq!(doc.clause_start(stop + 2), stop + 1);
    }

    #[test]
    fn reused_tables_describe_only_the_latest_record() {
        let mut tables = TextTables::default();
        let long = record("一文目。二文目。三文目。");
        let short = record("ＭＣＳ");
        assert_eq!(tables.prepare(&long).num_chars(), 12);
        let doc = tables.prepare(&short);
        assert_eq!(doc.folded(), "mcs", "NFKC and case-folded");
        assert_eq!(doc.num_chars(), 3);
        assert_eq!(doc.status_end(0), 3);
        assert_eq!(doc.span(0, 3).text, "ＭＣＳ", "evidence is the original text");
    }
}
