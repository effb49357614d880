//! Pattern evaluation on one record: the hits of every pattern a rule asks for, each computed
//! once per record (a rule used by several others runs once), into buffers kept between records.

use super::compiled::{Pattern, PatternId, RegexPattern, Ruleset, Scope, TermIndex, TokenSpec};
use super::doc::{Doc, Hit};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::model::Token;
use crate::text::{fold_char, normalize_term};

/// Where a pattern's hits are: a term group's list, or a range of the arena.
#[derive(Debug, Clone, Copy)]
enum Hits {
    Group(usize),
    Arena(usize, usize),
}

/// The evaluator's buffers; [`Matcher::start`] readies them for a record.
#[derive(Debug, Default)]
pub(crate) struct Matcher {
    /// Hits of each term group on the current record (leftmost-longest within the group).
    groups: Vec<Vec<Hit>>,
    /// Groups with hits on the current record, so clearing costs what was found.
    touched: Vec<usize>,
    /// Every computed pattern's hits, back to back.
    arena: Vec<Hit>,
    memo: Vec<Option<Hits>>,
    /// Whether the current record contains one of each regex prefilter slot's literals.
    possible: Vec<bool>,
    scratch: Vec<Hit>,
    /// For each token of the current record, the id of its normalised base form among the
    /// rules' ([`NO_BASE`] if none); emptied by [`Matcher::start`], filled by the first token
    /// pattern.
    token_bases: Vec<u32>,
    /// Raw base form → its id, across records: a dictionary word's base form is normalised once.
    base_ids: FxHashMap<Arc<str>, u32>,
}

/// A token whose base form no token pattern names.
const NO_BASE: u32 = u32::MAX;
/// Distinct raw base forms remembered before the cache starts afresh (memory stays bounded on a
/// corpus of many unknown words).
const BASE_CACHE_ENTRIES: usize = 1 << 16;

impl Matcher {
    /// Scans the record for every term of every group (one pass of one automaton) and forgets
    /// the previous record's results.
    pub fn start(&mut self, ruleset: &Ruleset, doc: &Doc<'_>) {
        let terms: &TermIndex = &ruleset.terms;
        if self.groups.len() != terms.num_groups {
            self.groups = vec![Vec::new(); terms.num_groups];
        }
        for &group in &self.touched {
            self.groups[group].clear();
        }
        self.touched.clear();
        self.arena.clear();
        self.memo.clear();
        self.memo.resize(ruleset.patterns.len(), None);
        self.possible.clear();
        self.possible.resize(terms.num_slots, false);
        self.token_bases.clear();

        let folded = doc.folded();
        for m in terms.automaton.find_overlapping_iter(folded) {
            let term = m.pattern().as_usize();
            for &slot in &terms.slots_of_term[term] {
                self.possible[slot] = true;
            }
            if terms.groups_of_term[term].is_empty() {
                continue;
            }
            let (left_ascii, right_ascii) = terms.term_edges_ascii[term];
            if (left_ascii
                && folded[..m.start()].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric()))
                || (right_ascii
                    && folded[m.end()..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue; // inside a longer Latin word: "AI" in "mail"
            }
            let hit = Hit::new(doc.char_of_byte(m.start()), doc.char_of_byte(m.end()));
            for &group in &terms.groups_of_term[term] {
                let list = &mut self.groups[group];
                if list.is_empty() {
                    self.touched.push(group);
                }
                list.push(hit);
            }
        }
        for &group in &self.touched {
            leftmost_longest(&mut self.groups[group]);
        }
    }

    /// The hits of term group `group` on the current record.
    pub fn group(&self, group: usize) -> &[Hit] {
        &self.groups[group]
    }

    fn slice(&self, hits: Hits) -> &[Hit] {
        match hits {
            Hits::Group(group) => &self.groups[group],
            Hits::Arena(from, to) => &self.arena[from..to],
        }
    }

    /// Computes the hits of pattern `id` on this record (once: later calls find them done);
    /// read them with [`Matcher::computed`].
    pub fn eval(&mut self, ruleset: &Ruleset, doc: &Doc<'_>, id: PatternId) {
        self.eval_hits(ruleset, doc, id);
    }

    fn eval_hits(&mut self, ruleset: &Ruleset, doc: &Doc<'_>, id: PatternId) -> Hits {
        if let Some(hits) = self.memo[id] {
            return hits;
        }
        let hits = match &ruleset.patterns[id] {
            Pattern::Terms(group) => Hits::Group(*group),
            Pattern::Ref(rule) => self.eval_hits(ruleset, doc, ruleset.rules[*rule].pattern),
            Pattern::Tokens(specs) => {
                if self.token_bases.len() != doc.tokens().len() {
                    self.fill_token_bases(ruleset, doc);
                }
                let from = self.arena.len();
                match_tokens(doc, specs, &self.token_bases, &mut self.arena);
                Hits::Arena(from, self.arena.len())
            }
            Pattern::Regex(pattern) => {
                let from = self.arena.len();
                if pattern.required.is_none_or(|slot| self.possible[slot]) {
                    regex_hits(doc, pattern, &mut self.arena);
                }
                Hits::Arena(from, self.arena.len())
            }
            Pattern::All { parts, .. } if !self.all_parts_found(ruleset, doc, parts) => {
                Hits::Arena(self.arena.len(), self.arena.len())
            }
            Pattern::Any(parts) | Pattern::All { parts, .. } => {
                for &part in parts {
                    self.eval_hits(ruleset, doc, part);
                }
                let mut out = std::mem::take(&mut self.scratch);
                out.clear();
                match &ruleset.patterns[id] {
                    Pattern::All { scope, ordered, .. } => {
                        self.combine(doc, parts, *scope, *ordered, &mut out)
                    }
                    _ => {
                        for &part in parts {
                            out.extend_from_slice(self.computed(part));
                        }
                        out.sort();
                        out.dedup();
                    }
                }
                let hits = self.push(&out);
                self.scratch = out;
                hits
            }
        };
        self.memo[id] = Some(hits);
        hits
    }

    /// Whether every part of an `all` has a hit, looking at term groups (already found by
    /// [`Matcher::start`]) before evaluating regexes and token patterns, and stopping at the
    /// first part without one: most rules' anchors are absent from most records.
    fn all_parts_found(&mut self, ruleset: &Ruleset, doc: &Doc<'_>, parts: &[PatternId]) -> bool {
        let group_empty = |id: PatternId| matches!(ruleset.patterns[id], Pattern::Terms(group) if self.groups[group].is_empty());
        if parts.iter().any(|&part| group_empty(part)) {
            return false;
        }
        parts.iter().all(|&part| {
            let hits = self.eval_hits(ruleset, doc, part);
            !self.slice(hits).is_empty()
        })
    }

    /// The hits of a pattern already evaluated on this record.
    pub fn computed(&self, id: PatternId) -> &[Hit] {
        self.slice(self.memo[id].expect("parts are evaluated before their whole"))
    }

    /// `all`: for each hit of the first part, the nearest hit of every other part within the
    /// scope (after the previous part when ordered); the result covers them all.
    fn combine(&self, doc: &Doc<'_>, parts: &[PatternId], scope: Scope, ordered: bool, out: &mut Vec<Hit>) {
        'anchors: for anchor in self.computed(parts[0]) {
            let mut start = anchor.start;
            let mut end = anchor.end;
            let mut previous = *anchor;
            for &part in &parts[1..] {
                let candidate = doc
                    .candidates(self.computed(part), anchor, scope)
                    .iter()
                    .filter(|hit| doc.in_scope(scope, anchor, hit) && (!ordered || hit.start >= previous.end))
                    .min_by_key(|hit| hit.start.abs_diff(previous.start));
                match candidate {
                    Some(hit) => {
                        start = start.min(hit.start);
                        end = end.max(hit.end);
                        previous = *hit;
                    }
                    None => continue 'anchors,
                }
            }
            out.push(Hit { start, end, capture: anchor.capture });
        }
        out.sort();
        out.dedup();
    }

    /// The base-form id of every token of the record.
    fn fill_token_bases(&mut self, ruleset: &Ruleset, doc: &Doc<'_>) {
        if self.base_ids.len() > BASE_CACHE_ENTRIES {
            self.base_ids.clear();
        }
        for token in doc.tokens() {
            let id = match self.base_ids.get(&*token.base_form) {
                Some(&id) => id,
                None => {
                    let id = ruleset
                        .token_bases
                        .get(&normalize_term(&token.base_form))
                        .copied()
                        .unwrap_or(NO_BASE);
                    self.base_ids.insert(token.base_form.clone(), id);
                    id
                }
            };
            self.token_bases.push(id);
        }
    }

    fn push(&mut self, hits: &[Hit]) -> Hits {
        let from = self.arena.len();
        self.arena.extend_from_slice(hits);
        Hits::Arena(from, self.arena.len())
    }
}

/// Every non-empty match of the pattern's regex, with its `entity` group as the capture.
fn regex_hits(doc: &Doc<'_>, pattern: &RegexPattern, out: &mut Vec<Hit>) {
    let regex = &pattern.regex;
    if !pattern.captures_entity {
        let matches = regex.find_iter(doc.folded()).filter(|m| !m.is_empty());
        out.extend(matches.map(|m| Hit::new(doc.char_of_byte(m.start()), doc.char_of_byte(m.end()))));
        return;
    }
    for caps in regex.captures_iter(doc.folded()) {
        let whole = caps.get(0).expect("group 0 always exists");
        if whole.is_empty() {
            continue;
        }
        let capture = caps.name("entity").map(|m| (doc.char_of_byte(m.start()), doc.char_of_byte(m.end())));
        out.push(Hit { start: doc.char_of_byte(whole.start()), end: doc.char_of_byte(whole.end()), capture });
    }
}

/// Leftmost-longest, non-overlapping selection within one term list, in place.
fn leftmost_longest(hits: &mut Vec<Hit>) {
    hits.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept = 0;
    for i in 0..hits.len() {
        if kept == 0 || hits[i].start >= hits[kept - 1].end {
            hits[kept] = hits[i];
            kept += 1;
        }
    }
    hits.truncate(kept);
}

fn token_matches(spec: &TokenSpec, token: &Token, base: u32) -> bool {
    spec.base.is_none_or(|id| id == base)
        && spec
            .surface
            .as_ref()
            .is_none_or(|surface| token.surface.chars().map(fold_char).eq(surface.chars()))
        && spec.pos.as_ref().is_none_or(|pos| token.pos.starts_with(pos.as_str()))
}

fn match_tokens(doc: &Doc<'_>, specs: &[TokenSpec], bases: &[u32], out: &mut Vec<Hit>) {
    let tokens = doc.tokens();
    if tokens.len() < specs.len() {
        return;
    }
    for i in 0..=tokens.len() - specs.len() {
        let mut pairs = specs.iter().zip(&tokens[i..]).zip(&bases[i..]);
        if pairs.all(|((spec, token), &base)| token_matches(spec, token, base)) {
            out.push(Hit::new(tokens[i].start_char_nfkc, tokens[i + specs.len() - 1].end_char_nfkc));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftmost_longest_keeps_the_longer_of_two_overlapping_terms() {
        let mut hits = vec![Hit::new(4, 6), Hit::new(0, 2), Hit::new(0, 4), Hit::new(3, 5)];
        leftmost_longest(&mut hits);
        assert_eq!(hits, vec![Hit::new(0, 4), Hit::new(4, 6)]);
    }
}
