//! Pattern evaluation on one record: mentions of each rule, their status and entity, resolved
//! into the record's tags.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::context::DocContext;
use super::status::{self, CueMatch, MentionStatus};
use super::{Pattern, Ruleset, Scope, TokenSpec, Unless, entity};
use crate::model::{Evidence, Span, Status, Tag, Token, TokenizedRecord};
use crate::text::{fold_char, normalize_term, normalizes_to};

/// A match in NFKC character offsets, with an optional capture (for entities from a regex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub capture: Option<(usize, usize)>,
}

/// One record prepared for matching.
pub(crate) struct Doc<'a> {
    pub record: &'a TokenizedRecord,
    /// NFKC + case-folded text; same character offsets as the NFKC text.
    pub folded: String,
    /// Byte offset of each character of `folded` (plus the end).
    byte_of_char: Vec<usize>,
    /// The folded text's characters.
    pub chars: Vec<char>,
    /// Byte offset of each character of the original description (plus the end), so evidence
    /// is sliced in constant time however long the record.
    orig_byte_of_char: Vec<usize>,
    /// Sentence number of each character (ends after 。．！？!? newline ・).
    sentence_of_char: Vec<u32>,
    /// Start and end (exclusive) of each sentence, in characters.
    sentence_bounds: Vec<(usize, usize)>,
    /// End (exclusive) of the status scope (the clause) that contains each character
    /// (。．！？!? newline).
    status_end_of_char: Vec<usize>,
    /// Start of the clause that contains each character.
    clause_start_of_char: Vec<usize>,
    /// For each character: the index of the first token ending after it.
    token_at_char: Vec<usize>,
    pub cues: Vec<CueMatch>,
    /// Acting body, relation words and names (free-text context).
    pub context: DocContext,
}

impl<'a> Doc<'a> {
    fn new(ruleset: &Ruleset, record: &'a TokenizedRecord) -> Self {
        // One pass over the NFKC text fills the per-character tables, each allocated once.
        let nfkc = &record.text.text;
        let num_chars = record.text.num_chars();
        let description = &record.record.description;
        let mut orig_byte_of_char = Vec::with_capacity(description.len() / 2 + 1);
        orig_byte_of_char.extend(description.char_indices().map(|(b, _)| b));
        orig_byte_of_char.push(description.len());
        // NFKC has made the full-width full stop '．' (which ends a sentence in much Japanese
        // technical writing) the '.' of decimals and URLs; the original character tells them apart.
        let was_full_stop = |i: usize| {
            let (start, end) = record.text.to_orig(i, i + 1);
            end == start + 1 && description[orig_byte_of_char[start]..].starts_with('．')
        };
        let mut folded = String::with_capacity(nfkc.len());
        let mut chars = Vec::with_capacity(num_chars);
        let mut byte_of_char = Vec::with_capacity(num_chars + 1);
        let mut sentence_of_char = Vec::with_capacity(num_chars);
        let mut sentence_bounds = Vec::new();
        let mut clause_ends = Vec::new();
        let mut sentence = 0u32;
        let mut sentence_start = 0;
        for (i, c) in nfkc.chars().map(fold_char).enumerate() {
            byte_of_char.push(folded.len());
            folded.push(c);
            chars.push(c);
            sentence_of_char.push(sentence);
            let ends_clause = matches!(c, '。' | '!' | '?' | '\n') || (c == '.' && was_full_stop(i));
            if ends_clause {
                clause_ends.push(i + 1);
            }
            if ends_clause || c == '・' {
                sentence += 1;
                sentence_bounds.push((sentence_start, i + 1));
                sentence_start = i + 1;
            }
        }
        byte_of_char.push(folded.len());
        sentence_bounds.push((sentence_start, chars.len()));
        let mut status_end_of_char = Vec::with_capacity(chars.len());
        let mut clause_start_of_char = Vec::with_capacity(chars.len());
        let mut clause_start = 0;
        for end in clause_ends.iter().copied().chain(std::iter::once(chars.len())) {
            status_end_of_char.resize(end, end);
            clause_start_of_char.resize(end, clause_start);
            clause_start = end;
        }
        let tokens = &record.tokens;
        let mut token_at_char = Vec::with_capacity(num_chars);
        let mut t = 0;
        for c in 0..num_chars {
            while t < tokens.len() && tokens[t].end_char_nfkc <= c {
                t += 1;
            }
            token_at_char.push(t);
        }
        let mut doc = Self {
            record,
            folded,
            byte_of_char,
            chars,
            orig_byte_of_char,
            sentence_of_char,
            sentence_bounds,
            status_end_of_char,
            clause_start_of_char,
            token_at_char,
            cues: Vec::new(),
            context: DocContext::default(),
        };
        doc.cues = status::find_cues(ruleset, &doc);
        doc.context = DocContext::new(ruleset, &doc);
        doc
    }

    pub fn num_chars(&self) -> usize {
        self.byte_of_char.len() - 1
    }

    pub fn char_of_byte(&self, byte: usize) -> usize {
        self.byte_of_char.partition_point(|&b| b < byte)
    }

    pub fn folded_slice(&self, start: usize, end: usize) -> &str {
        &self.folded[self.byte_of_char[start]..self.byte_of_char[end]]
    }

    pub fn nfkc_slice(&self, start: usize, end: usize) -> &str {
        let text = &self.record.text;
        &text.text[text.byte_of_char(start)..text.byte_of_char(end)]
    }

    pub fn sentence(&self, char_index: usize) -> u32 {
        self.sentence_of_char.get(char_index).copied().unwrap_or(u32::MAX)
    }

    /// The hits of `list` (sorted by start) that can be in `scope` of `anchor`: those starting in
    /// its sentence, found by binary search, so a long record costs no more per mention.
    pub fn candidates<'l>(&self, list: &'l [Hit], anchor: &Hit, scope: Scope) -> &'l [Hit] {
        if matches!(scope, Scope::Record) {
            return list;
        }
        let Some(&(start, end)) = self.sentence_bounds.get(self.sentence(anchor.start) as usize) else {
            return &[];
        };
        let from = list.partition_point(|h| h.start < start);
        let to = list.partition_point(|h| h.start < end);
        &list[from..to.max(from)]
    }

    pub fn status_end(&self, char_index: usize) -> usize {
        self.status_end_of_char.get(char_index).copied().unwrap_or(self.num_chars())
    }

    pub fn clause_start(&self, char_index: usize) -> usize {
        self.clause_start_of_char.get(char_index).copied().unwrap_or(0)
    }

    pub fn tokens(&self) -> &[Token] {
        &self.record.tokens
    }

    /// Tokens strictly between two hits (0 when they touch or overlap).
    fn token_gap(&self, first: &Hit, second: &Hit) -> usize {
        let (a, b) = if first.start <= second.start { (first, second) } else { (second, first) };
        if b.start < a.end {
            return 0;
        }
        let after_a = self.token_at_char.get(a.end.saturating_sub(1)).map_or(0, |t| t + 1);
        let at_b = self.token_at_char.get(b.start).copied().unwrap_or(self.tokens().len());
        at_b.saturating_sub(after_a)
    }

    fn in_scope(&self, scope: Scope, a: &Hit, b: &Hit) -> bool {
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
        let (start_orig, end_orig) = text.to_orig(start, end);
        let byte =
            |c: usize| self.orig_byte_of_char.get(c).copied().unwrap_or(self.record.record.description.len());
        Span {
            text: self.record.record.description[byte(start_orig)..byte(end_orig.max(start_orig))].to_owned(),
            text_nfkc: self.nfkc_slice(start, end).to_owned(),
            start_char_orig: start_orig,
            end_char_orig: end_orig,
            start_char_nfkc: start,
            end_char_nfkc: end,
        }
    }
}

/// Evaluates patterns on one doc, remembering results (a rule used by several others runs once).
struct Evaluator<'r, 'd> {
    ruleset: &'r Ruleset,
    doc: &'d Doc<'d>,
    groups: Vec<Vec<Hit>>,
    memo: Vec<Option<Rc<[Hit]>>>,
    /// Shared by every pattern without hits (most of them), so they allocate nothing.
    no_hits: Rc<[Hit]>,
}

impl<'r, 'd> Evaluator<'r, 'd> {
    fn new(ruleset: &'r Ruleset, doc: &'d Doc<'d>) -> Self {
        let terms = &ruleset.terms;
        let mut all: Vec<Vec<Hit>> = vec![Vec::new(); terms.num_groups];
        for m in terms.automaton.find_overlapping_iter(doc.folded.as_str()) {
            let term = m.pattern().as_usize();
            let start = doc.char_of_byte(m.start());
            let end = doc.char_of_byte(m.end());
            let (left_ascii, right_ascii) = terms.term_edges_ascii[term];
            let before = doc.folded[..m.start()].chars().next_back();
            let after = doc.folded[m.end()..].chars().next();
            if (left_ascii && before.is_some_and(|c| c.is_ascii_alphanumeric()))
                || (right_ascii && after.is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue; // inside a longer Latin word: "AI" in "mail"
            }
            for &group in &terms.groups_of_term[term] {
                all[group].push(Hit { start, end, capture: None });
            }
        }
        let groups = all.into_iter().map(leftmost_longest).collect();
        Self { ruleset, doc, groups, memo: vec![None; ruleset.patterns.len()], no_hits: Rc::from([]) }
    }

    /// The hits of pattern `id`, computed once per record and shared.
    fn eval(&mut self, id: usize) -> Rc<[Hit]> {
        if let Some(hits) = &self.memo[id] {
            return Rc::clone(hits);
        }
        let ruleset = self.ruleset;
        let hits: Vec<Hit> = match &ruleset.patterns[id] {
            Pattern::Terms(group) => self.groups[*group].clone(),
            Pattern::Tokens(specs) => match_tokens(self.doc, specs),
            Pattern::Regex(pattern) => {
                let folded = self.doc.folded.as_str();
                let possible = pattern.required.as_ref().is_none_or(|required| required.is_match(folded));
                if possible { regex_hits(self.doc, &pattern.regex) } else { Vec::new() }
            }
            Pattern::Ref(rule) => {
                let hits = self.eval(ruleset.rules[*rule].pattern);
                self.memo[id] = Some(Rc::clone(&hits));
                return hits;
            }
            Pattern::Any(parts) => {
                let mut hits: Vec<Hit> = Vec::new();
                for &part in parts {
                    hits.extend_from_slice(&self.eval(part));
                }
                hits.sort();
                hits.dedup();
                hits
            }
            Pattern::All { parts, scope, ordered } => {
                let lists: Vec<Rc<[Hit]>> = parts.iter().map(|&p| self.eval(p)).collect();
                combine(self.doc, &lists, *scope, *ordered)
            }
        };
        let hits: Rc<[Hit]> = if hits.is_empty() { Rc::clone(&self.no_hits) } else { hits.into() };
        self.memo[id] = Some(Rc::clone(&hits));
        hits
    }
}

/// Every non-empty match of `regex`, with its `entity` group as the capture.
fn regex_hits(doc: &Doc<'_>, regex: &regex::Regex) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in regex.captures_iter(&doc.folded) {
        let whole = caps.get(0).expect("group 0 always exists");
        if whole.is_empty() {
            continue;
        }
        let capture = caps.name("entity").map(|m| (doc.char_of_byte(m.start()), doc.char_of_byte(m.end())));
        hits.push(Hit {
            start: doc.char_of_byte(whole.start()),
            end: doc.char_of_byte(whole.end()),
            capture,
        });
    }
    hits
}

/// Leftmost-longest, non-overlapping selection within one term list.
fn leftmost_longest(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut chosen: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        if chosen.last().is_none_or(|last| hit.start >= last.end) {
            chosen.push(hit);
        }
    }
    chosen
}

fn token_matches(spec: &TokenSpec, token: &Token) -> bool {
    spec.base.as_ref().is_none_or(|base| normalizes_to(&token.base_form, base))
        && spec
            .surface
            .as_ref()
            .is_none_or(|surface| token.surface.chars().map(fold_char).eq(surface.chars()))
        && spec.pos.as_ref().is_none_or(|pos| token.pos.starts_with(pos.as_str()))
}

fn match_tokens(doc: &Doc<'_>, specs: &[TokenSpec]) -> Vec<Hit> {
    let tokens = doc.tokens();
    let mut hits = Vec::new();
    if tokens.len() < specs.len() {
        return hits;
    }
    for i in 0..=tokens.len() - specs.len() {
        if specs.iter().zip(&tokens[i..]).all(|(spec, token)| token_matches(spec, token)) {
            hits.push(Hit {
                start: tokens[i].start_char_nfkc,
                end: tokens[i + specs.len() - 1].end_char_nfkc,
                capture: None,
            });
        }
    }
    hits
}

/// `all`: for each hit of the first part, the nearest hit of every other part within the scope
/// (after the previous part when ordered); the result covers them all.
fn combine(doc: &Doc<'_>, lists: &[Rc<[Hit]>], scope: Scope, ordered: bool) -> Vec<Hit> {
    let mut hits = Vec::new();
    'anchors: for anchor in lists[0].iter() {
        let mut start = anchor.start;
        let mut end = anchor.end;
        let mut previous = *anchor;
        for list in &lists[1..] {
            let candidate = doc
                .candidates(list, anchor, scope)
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
        hits.push(Hit { start, end, capture: anchor.capture });
    }
    hits.sort();
    hits.dedup();
    hits
}

/// A mention that survived its `unless` contexts and negation.
struct Mention {
    rule: usize,
    hit: Hit,
    status: MentionStatus,
    entity: Option<String>,
}

/// Every tag of one record, sorted by id, evidence sorted by offset.
pub(crate) fn tag_record(ruleset: &Ruleset, record: &TokenizedRecord) -> Vec<Tag> {
    let doc = Doc::new(ruleset, record);
    let mut evaluator = Evaluator::new(ruleset, &doc);
    let context = &doc.context;
    let acting_body = context.acting_body.as_ref().map(|b| b.name.as_str());
    let trial_frame = context.free_text && status::trial_frame(ruleset, &doc);
    let mut by_tag: BTreeMap<usize, Vec<Mention>> = BTreeMap::new();
    for (rule_index, rule) in ruleset.rules.iter().enumerate() {
        if !context.admits(&rule.acting_body) {
            continue;
        }
        let hits = evaluator.eval(rule.pattern);
        'hits: for &hit in hits.iter() {
            for unless in &rule.unless {
                let cancelled = match unless {
                    Unless::Inside(group) => evaluator.groups[*group]
                        .iter()
                        .any(|decoy| decoy.start <= hit.start && hit.end <= decoy.end),
                    Unless::Near(pattern, scope) => {
                        let context = evaluator.eval(*pattern);
                        context.iter().any(|c| doc.in_scope(*scope, &hit, c))
                    }
                };
                if cancelled {
                    continue 'hits;
                }
            }
            if context.inside_name(ruleset, &doc, &hit, &rule.names) {
                continue;
            }
            if rule.needs_relation && context.free_text && !context.has_relation(&doc, &hit) {
                continue;
            }
            let Some(mut status) = status::mention_status(ruleset, &doc, &hit) else { continue };
            if trial_frame && (status.status.is_none() || status.generic) {
                status.status = Some(Status::Trial);
            }
            let entity = entity::extract(ruleset, &doc, &rule.entity, &hit);
            if rule.other_than_own_district {
                let named = entity
                    .as_deref()
                    .map(normalize_term)
                    .unwrap_or_else(|| doc.folded_slice(hit.start, hit.end).to_owned());
                if acting_body == Some(named.as_str()) {
                    continue;
                }
            }
            by_tag.entry(rule.tag).or_default().push(Mention { rule: rule_index, hit, status, entity });
        }
    }

    let mut tags = Vec::with_capacity(by_tag.len());
    for (tag_index, mut mentions) in by_tag {
        mentions.sort_by(|a, b| {
            a.hit.start.cmp(&b.hit.start).then(b.hit.end.cmp(&a.hit.end)).then(a.rule.cmp(&b.rule))
        });
        // One evidence item per distinct span; a span inside an earlier, longer one adds nothing.
        // Mentions are sorted by start, so "inside an earlier one" is "ends before the furthest end".
        let mut kept: Vec<Mention> = Vec::with_capacity(mentions.len());
        let mut furthest_end = 0;
        for mention in mentions {
            if !kept.is_empty() && mention.hit.end <= furthest_end {
                continue;
            }
            furthest_end = furthest_end.max(mention.hit.end);
            kept.push(mention);
        }
        let status = resolve_status(&kept);
        let entity = kept.iter().find_map(|m| m.entity.clone());
        let evidence = kept
            .iter()
            .map(|m| {
                let rule = &ruleset.rules[m.rule];
                Evidence {
                    span: doc.span(m.hit.start, m.hit.end),
                    status: m.status.status,
                    cue: m.status.cue.map(|(start, end)| doc.span(start, end)),
                    rule: rule.name.clone(),
                    rule_origin: rule.evidence_origin.clone(),
                }
            })
            .collect();
        tags.push(Tag { tag: ruleset.tags[tag_index].id.clone(), status, entity, evidence });
    }
    tags
}

/// Suspended wins unless a later mention says the use resumed; otherwise the strongest status;
/// mentions without any cue count as implemented only when no mention has a cue.
fn resolve_status(mentions: &[Mention]) -> Status {
    let last_suspended = mentions.iter().rposition(|m| m.status.status == Some(Status::Suspended));
    if let Some(index) = last_suspended
        && !mentions[index + 1..].iter().any(|m| m.status.resumed)
    {
        return Status::Suspended;
    }
    mentions
        .iter()
        .filter_map(|m| m.status.status)
        .filter(|s| *s != Status::Suspended)
        .min()
        .unwrap_or(Status::Implemented)
}
