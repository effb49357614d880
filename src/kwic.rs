//! Keyword in context: every occurrence of a term, a base form, a regex, or the evidence of a
//! tag or rule, with the original text on either side (KH Coder's concordance). What a rule
//! author reads before writing a rule, and after, to see what it catches.
//!
//! Terms match as rule terms do: in the NFKC, case-folded text (ＩＶＲｙ finds ivry), and a term
//! that starts or ends with a Latin letter or digit not inside a longer Latin word. Context is
//! always cut from the original description, by characters.

use regex::Regex;

use crate::model::{Record, Status, TaggedRecord, Token};
use crate::text::{NormalizedText, fold, normalize_term};

/// What to look for.
#[derive(Debug, Clone)]
pub enum Query {
    /// A literal, matched like a rule term (give it as written; it is normalised here).
    Term(String),
    /// A run of tokens whose base forms (原形), joined, are this (normalised): 待機する finds
    /// 待機し and 待機して.
    Base(String),
    /// A regex over the NFKC, case-folded text, as rule regexes run.
    Regex(Regex),
    /// Every evidence span of this tag.
    Tag(String),
    /// Every evidence span this rule gave.
    Rule(String),
}

impl Query {
    /// A term query, normalised as rule terms are.
    pub fn term(pattern: &str) -> Self {
        Query::Term(normalize_term(pattern))
    }

    /// A base-form query, normalised as rule base forms are.
    pub fn base(pattern: &str) -> Self {
        Query::Base(normalize_term(pattern))
    }

    /// Whether matching needs the record's tokens.
    pub fn needs_tokens(&self) -> bool {
        matches!(self, Query::Base(_) | Query::Tag(_) | Query::Rule(_))
    }

    /// Whether matching needs the record's tags.
    pub fn needs_tags(&self) -> bool {
        matches!(self, Query::Tag(_) | Query::Rule(_))
    }
}

/// One hit with its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The record's id.
    pub record_id: String,
    /// Its district (none for free text).
    pub district: Option<String>,
    /// Its fiscal year.
    pub fiscal_year: Option<u16>,
    /// Up to `width` characters of the original text before the match (line breaks as spaces).
    pub left: String,
    /// The match, as in the original text.
    pub matched: String,
    /// Up to `width` characters after it.
    pub right: String,
    /// For a tag or rule query: the tag, the rule and the tag's status on the record.
    pub tag: Option<String>,
    /// The rule that gave the evidence.
    pub rule: Option<String>,
    /// The tag's (resolved) status on this record.
    pub status: Option<Status>,
    /// Where the match starts in the original description, in characters.
    pub start_char_orig: usize,
}

/// The hits of a text query (term, base form or regex) in one record. `tokens` is read only by
/// a base-form query.
pub fn find_in_text(
    query: &Query,
    record: &Record,
    text: &NormalizedText,
    tokens: &[Token],
    width: usize,
) -> Vec<Line> {
    let folded = fold(&text.text);
    let char_of_byte = |byte: usize| folded[..byte].chars().count();
    let mut spans_nfkc: Vec<(usize, usize)> = Vec::new();
    match query {
        Query::Term(term) if !term.is_empty() => {
            let first_ascii = term.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
            let last_ascii = term.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
            for (byte, _) in folded.match_indices(term.as_str()) {
                let end = byte + term.len();
                let before = folded[..byte].chars().next_back();
                let after = folded[end..].chars().next();
                if (first_ascii && before.is_some_and(|c| c.is_ascii_alphanumeric()))
                    || (last_ascii && after.is_some_and(|c| c.is_ascii_alphanumeric()))
                {
                    continue;
                }
                spans_nfkc.push((char_of_byte(byte), char_of_byte(end)));
            }
        }
        Query::Regex(regex) => {
            spans_nfkc.extend(
                regex
                    .find_iter(&folded)
                    .filter(|m| !m.is_empty())
                    .map(|m| (char_of_byte(m.start()), char_of_byte(m.end()))),
            );
        }
        Query::Base(base) if !base.is_empty() => {
            for first in 0..tokens.len() {
                let mut joined = String::new();
                for (last, token) in tokens.iter().enumerate().skip(first) {
                    joined.push_str(&normalize_term(&token.base_form));
                    if joined == *base {
                        spans_nfkc.push((tokens[first].start_char_nfkc, token.end_char_nfkc));
                        break;
                    }
                    if !base.starts_with(joined.as_str()) || last + 1 - first > 16 {
                        break;
                    }
                }
            }
        }
        _ => {}
    }
    spans_nfkc
        .into_iter()
        .map(|(start, end)| {
            let (start, end) = text.to_orig(start, end);
            line(record, start, end, width, None)
        })
        .collect()
}

/// The evidence spans of a tag or rule query in one tagged record, with the tag's status.
pub fn find_in_tags(query: &Query, tagged: &TaggedRecord, width: usize) -> Vec<Line> {
    let mut lines = Vec::new();
    for tag in &tagged.tags {
        for evidence in &tag.evidence {
            let wanted = match query {
                Query::Tag(id) => tag.tag == *id,
                Query::Rule(name) => evidence.rule == *name,
                _ => false,
            };
            if wanted {
                let context = Some((tag.tag.as_str(), evidence.rule.as_str(), tag.status));
                lines.push(line(
                    &tagged.record,
                    evidence.span.start_char_orig,
                    evidence.span.end_char_orig,
                    width,
                    context,
                ));
            }
        }
    }
    lines.sort_by_key(|l| l.start_char_orig);
    lines
}

fn line(record: &Record, start: usize, end: usize, width: usize, tag: Option<(&str, &str, Status)>) -> Line {
    let chars: Vec<char> = record.description.chars().collect();
    let end = end.min(chars.len());
    let start = start.min(end);
    let flat = |slice: &[char]| -> String {
        slice.iter().map(|&c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect()
    };
    Line {
        record_id: record.id.clone(),
        district: record.district.clone(),
        fiscal_year: record.fiscal_year,
        left: flat(&chars[start.saturating_sub(width)..start]),
        matched: flat(&chars[start..end]),
        right: flat(&chars[end..(end + width).min(chars.len())]),
        tag: tag.map(|t| t.0.to_owned()),
        rule: tag.map(|t| t.1.to_owned()),
        status: tag.map(|t| t.2),
        start_char_orig: start,
    }
}

/// Sorts lines by their right context, the KWIC convention (then by match, left context read
/// backwards, and where they are), so the ways a word is used stand together.
pub fn sort_by_right_context(lines: &mut [Line]) {
    lines.sort_by(|a, b| {
        a.right
            .cmp(&b.right)
            .then_with(|| a.matched.cmp(&b.matched))
            .then_with(|| a.left.chars().rev().cmp(b.left.chars().rev()))
            .then_with(|| crate::text::natural_cmp(&a.record_id, &b.record_id))
            .then_with(|| a.start_char_orig.cmp(&b.start_char_orig))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(description: &str) -> Record {
        Record {
            id: "r-1".into(),
            fiscal_year: Some(2030),
            district_no: Some(1),
            district: Some("架空区医師会".into()),
            program: None,
            categories: Vec::new(),
            marks: 0,
            description: description.into(),
            notes: Vec::new(),
            source: None,
        }
    }

    fn terms(query: &str, description: &str, width: usize) -> Vec<(String, String, String)> {
        let record = record(description);
        let text = NormalizedText::new(description);
        find_in_text(&Query::term(query), &record, &text, &[], width)
            .into_iter()
            .map(|l| (l.left, l.matched, l.right))
            .collect()
    }

    #[test]
    fn a_term_matches_full_width_and_capitals_and_keeps_the_original_text() {
        let hits = terms("abc", "夜はＡＢＣで受け、昼はAbcで受けた", 3);
        assert_eq!(
            hits,
            vec![
                ("夜は".into(), "ＡＢＣ".into(), "で受け".into()),
                ("、昼は".into(), "Abc".into(), "で受け".into())
            ]
        );
    }

    #[test]
    fn a_latin_term_is_not_found_inside_a_longer_word() {
        assert!(terms("abc", "abcdを使う", 5).is_empty());
        assert_eq!(terms("abc", "「abc」を使う", 1).len(), 1);
    }

    #[test]
    fn context_stops_at_the_record_edges_and_flattens_line_breaks() {
        assert_eq!(terms("当番", "当番\n・夜間", 4), vec![("".into(), "当番".into(), " ・夜間".into())]);
    }

    #[test]
    fn lines_sort_by_what_follows_the_match() {
        let record = record("甲を導入。乙を検討。丙を委託。");
        let text = NormalizedText::new(&record.description);
        let regex = Regex::new("[甲乙丙]").unwrap();
        let mut lines = find_in_text(&Query::Regex(regex), &record, &text, &[], 3);
        sort_by_right_context(&mut lines);
        let order: Vec<&str> = lines.iter().map(|l| l.matched.as_str()).collect();
        // 委 U+59D4 < 導 U+5C0E < 検 U+691C.
        assert_eq!(order, ["丙", "甲", "乙"]);
    }
}
