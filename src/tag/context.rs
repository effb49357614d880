//! The context of one record that decides whether a match is a mention (`context.toml`):
//!
//! - its **acting body**: for a table row, its district; for free text, the first body written as
//!   the subject of a clause (〇〇市医師会は…), else the first body named. `other_than_own_district`
//!   compares with it and `acting_body = { is = [...] }` filters on its kind;
//! - the **relation words** of each clause: in free text a partner rule with `needs_relation`
//!   counts only in a clause that has one (連携, 委託, 参加 …);
//! - the **proper names** that end in a head (…推進事業, …支援センター, …協議会, …システム): a match
//!   inside one, before its head, is part of the name and gives no tag, unless the rule names
//!   that kind of body.
//!
//! Everything is found in one pass per automaton and looked up by binary search, so a long
//! record costs no more per mention.

use super::compiled::{ActingBodyFilter, ContextIndex};
use super::doc::{Doc, Hit};
use crate::text::normalize_term;

/// How far a parenthetical after a body may run before its subject marker (〇〇医師会(会長:…)は).
const PARENTHETICAL_MAX_CHARS: usize = 40;
/// How long a body's name may be before its head, in characters.
const BODY_MAX_CHARS: usize = 16;

/// The body a passage says does the work.
#[derive(Debug, Clone)]
pub(crate) struct ActingBody {
    /// Normalised name without legal forms (鶴岡地区医師会), as compared with entities.
    pub name: String,
    /// Index into the kinds of `context.toml`; `None` for a table row's district.
    pub kind: Option<usize>,
}

/// A proper name that ends in a head: `[start, head_start)` is the part a match may lie in.
#[derive(Debug, Clone, Copy)]
struct Name {
    head_start: usize,
    head_end: usize,
    kind: usize,
}

/// Per-record context, computed once when the record is prepared.
#[derive(Debug, Default)]
pub(crate) struct DocContext {
    pub free_text: bool,
    pub acting_body: Option<ActingBody>,
    /// Starts of relation words (not inside a phrase that cancels them), sorted.
    relation_starts: Vec<usize>,
    /// Names by head start, sorted.
    names: Vec<Name>,
}

/// Hiragana that is not a common particle: part of a place name (みなと市, さいたま市).
fn is_place_kana(c: char) -> bool {
    ('\u{3041}'..='\u{3096}').contains(&c)
        && !matches!(c, 'は' | 'が' | 'を' | 'に' | 'で' | 'の' | 'へ' | 'も' | 'か' | 'ら')
}

/// Kanji, katakana, Latin letters and digits: what a body's or programme's name is made of.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, 'ー' | '々' | '〇' | 'ヶ' | 'ケ')
        || ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
        || ('\u{30A1}'..='\u{30FA}').contains(&c)
}

impl DocContext {
    /// Finds the context of `doc` into `self`, reusing its buffers.
    pub(crate) fn fill(&mut self, context: &ContextIndex, doc: &Doc<'_>) {
        self.free_text = doc.is_free_text();
        self.acting_body = match &doc.record.record.district {
            Some(district) => Some(ActingBody { name: normalize_term(district), kind: None }),
            None => find_acting_body(context, doc),
        };
        self.names.clear();
        self.names.extend(context.name_heads.find_iter(doc.folded()).filter_map(|m| {
            let end = doc.char_of_byte(m.end());
            // The head ends the name: 事業 in 事業所 or センター in センター長 does not.
            if doc.chars().get(end).is_some_and(|&c| is_name_char(c)) {
                return None;
            }
            Some(Name {
                head_start: doc.char_of_byte(m.start()),
                head_end: end,
                kind: context.name_head_kind[m.pattern().as_usize()],
            })
        }));
        self.relation_starts.clear();
        if self.free_text {
            // Relation words inside a centre's or programme's name relate nothing; filtered once
            // here so that each mention's test is one binary search.
            for m in context.relations.find_iter(doc.folded()) {
                if !context.relation_is_word[m.pattern().as_usize()] {
                    continue;
                }
                let start = doc.char_of_byte(m.start());
                let word = Hit::new(start, start + 1);
                let in_name = self
                    .name_after(context, doc, &word)
                    .is_some_and(|name| context.relation_blocked_in_names.contains(&name.kind));
                if !in_name {
                    self.relation_starts.push(start);
                }
            }
        }
    }

    /// Whether the hit's clause (。 ! ? or a line end on each side) has a relation word outside
    /// any proper name (連携 in 在宅医療・介護連携支援センター relates nothing).
    pub(crate) fn has_relation(&self, doc: &Doc<'_>, hit: &Hit) -> bool {
        let start = doc.clause_start(hit.start);
        let end = doc.status_end(hit.end.saturating_sub(1).max(hit.start));
        // A relation word inside the mention itself (介護連携, a concept) relates nothing.
        let before = self.relation_starts.partition_point(|&s| s < start);
        let inside = self.relation_starts.partition_point(|&s| s < hit.start);
        let after = self.relation_starts.partition_point(|&s| s < hit.end);
        let in_clause_before = !self.relation_starts[before..inside].is_empty();
        let in_clause_after = self.relation_starts.get(after).is_some_and(|&s| s < end);
        in_clause_before || in_clause_after
    }

    /// The proper name of a kind not in `allowed` that the hit lies inside, before its head:
    /// its kind (an index into `ContextIndex::name_kinds`) and where its head ends.
    pub(crate) fn inside_name(
        &self,
        context: &ContextIndex,
        doc: &Doc<'_>,
        hit: &Hit,
        allowed: &[usize],
    ) -> Option<(usize, usize)> {
        self.name_after(context, doc, hit)
            .filter(|name| !allowed.contains(&name.kind))
            .map(|name| (name.kind, name.head_end))
    }

    /// The proper name the hit lies inside, before its head, if any.
    fn name_after(&self, context: &ContextIndex, doc: &Doc<'_>, hit: &Hit) -> Option<Name> {
        let next = self.names.partition_point(|n| n.head_start < hit.end);
        let name = self.names.get(next)?;
        let inside = name.head_start - hit.end <= context.name_max_chars
            && (hit.end..name.head_start).all(|i| is_name_char(doc.chars()[i]) || doc.chars()[i] == '・');
        inside.then_some(*name)
    }

    /// Whether a rule with this filter applies (table rows: always).
    pub(crate) fn admits(&self, filter: &ActingBodyFilter) -> bool {
        if !self.free_text {
            return true;
        }
        // An unknown acting body (the passage never names who acts) filters nothing.
        let Some(kind) = self.acting_body.as_ref().and_then(|b| b.kind) else { return true };
        match filter {
            ActingBodyFilter::Any => true,
            ActingBodyFilter::Is(kinds) => kinds.contains(&kind),
            ActingBodyFilter::IsNot(kinds) => !kinds.contains(&kind),
        }
    }
}

/// A body named in the text: `[start, end)` in characters, its name and kind.
struct Body {
    start: usize,
    end: usize,
    name: String,
    kind: usize,
}

fn bodies(context: &ContextIndex, doc: &Doc<'_>) -> Vec<Body> {
    let mut bodies = Vec::new();
    for m in context.body_heads.find_iter(doc.folded()) {
        let head_start = doc.char_of_byte(m.start());
        let end = doc.char_of_byte(m.end());
        if doc.chars().get(end).is_some_and(|&c| is_name_char(c)) {
            continue; // 市 in 市内, 区 in 区部
        }
        let mut start = head_start;
        while start > 0
            && head_start - start < BODY_MAX_CHARS
            && (is_name_char(doc.chars()[start - 1]) || is_place_kana(doc.chars()[start - 1]))
        {
            start -= 1;
        }
        let name = organisation_name(context, doc.folded_slice(start, end));
        bodies.push(Body { start, end, name, kind: context.body_head_kind[m.pattern().as_usize()] });
    }
    bodies
}

/// The first body followed by a subject marker (after an optional parenthetical), reaching back
/// over bodies joined to it by と, および or a comma (AとBは: A); else the first body named.
fn find_acting_body(context: &ContextIndex, doc: &Doc<'_>) -> Option<ActingBody> {
    let bodies = bodies(context, doc);
    let subject = bodies.iter().position(|body| {
        let rest = skip_parenthetical(doc, body.end);
        let text = doc.folded_slice(rest, (rest + 4).min(doc.num_chars()));
        context.subject_markers.iter().any(|m| text.starts_with(m.as_str()))
    });
    let index = match subject {
        Some(mut index) => {
            while index > 0 && joined(context, doc, &bodies[index - 1], &bodies[index]) {
                index -= 1;
            }
            index
        }
        // No subject: the first body not written as a partner (〇〇と合同で, 〇〇に委託), if any.
        None => bodies.iter().position(|body| {
            let rest = skip_parenthetical(doc, body.end);
            let text = doc.folded_slice(rest, (rest + 2).min(doc.num_chars()));
            !context.partner_markers.iter().any(|m| text.starts_with(m.as_str()))
        })?,
    };
    bodies.get(index).map(|body| ActingBody { name: body.name.clone(), kind: Some(body.kind) })
}

fn skip_parenthetical(doc: &Doc<'_>, at: usize) -> usize {
    let mut at = at;
    while doc.chars().get(at) == Some(&' ') {
        at += 1;
    }
    if doc.chars().get(at) == Some(&'(') {
        let close = (at..doc.num_chars().min(at + PARENTHETICAL_MAX_CHARS)).find(|&i| doc.chars()[i] == ')');
        if let Some(close) = close {
            return close + 1;
        }
    }
    at
}

/// Whether `first` and `second` are coordinated: only a parenthetical, と/および/、, spaces and
/// legal forms between them.
fn joined(context: &ContextIndex, doc: &Doc<'_>, first: &Body, second: &Body) -> bool {
    let from = skip_parenthetical(doc, first.end);
    if from > second.start {
        return false;
    }
    let mut gap = doc.folded_slice(from, second.start).to_owned();
    for form in &context.legal_forms {
        gap = gap.replace(form.as_str(), "");
    }
    let gap: String = gap.chars().filter(|c| !matches!(c, ' ' | '、' | ',')).collect();
    matches!(gap.as_str(), "" | "と" | "および" | "及び" | "や")
}

/// An organisation's name without legal forms, and without a prefecture written before the
/// body's own place name (山形県鶴岡地区医師会 → 鶴岡地区医師会, 岐阜県医師会 stays).
pub(crate) fn organisation_name(context: &ContextIndex, name: &str) -> String {
    let mut name = name.trim().to_owned();
    loop {
        let before = name.len();
        for form in &context.legal_forms {
            if let Some(rest) = name.strip_prefix(form.as_str()) {
                name = rest.trim_start().to_owned();
            }
        }
        if name.len() == before {
            break;
        }
    }
    let name = strip_prefecture(context, &drop_leading_clause(context, &name));
    katakana_lookalikes(context, &name)
}

/// A kanji that looks like katakana (二, 口, 力 …) between katakana is that katakana: a typing or
/// extraction slip (テレコミュ二ケーション → テレコミュニケーション).
fn katakana_lookalikes(context: &ContextIndex, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let is_katakana =
        |c: Option<&char>| c.is_some_and(|c| ('\u{30A1}'..='\u{30FA}').contains(c) || *c == 'ー');
    (0..chars.len())
        .map(|i| {
            let twin = context.katakana_lookalikes.iter().find(|(kanji, _)| *kanji == chars[i]);
            match twin {
                Some(&(_, kana))
                    if i > 0 && is_katakana(chars.get(i - 1)) && is_katakana(chars.get(i + 1)) =>
                {
                    kana
                }
                _ => chars[i],
            }
        })
        .collect()
}

/// A run that reached back over a verb into the name (隣接する調布市, として江東区) starts at
/// the kanji after the last hiragana when at least two of them come before the head; a kana
/// name (みなと市医師会, くすのき会, ひまわり医院) stays whole.
fn drop_leading_clause(context: &ContextIndex, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let is_kana = |c: char| ('\u{3041}'..='\u{3096}').contains(&c);
    let Some(cut) = (1..chars.len()).rev().find(|&i| is_kana(chars[i - 1]) && !is_kana(chars[i])) else {
        return name.to_owned();
    };
    let rest: String = chars[cut..].iter().collect();
    // A municipal suffix belongs to the place (地区, 江東区), not to the head.
    let head_chars = head_suffix_chars(context, &rest, true);
    let before_head = chars.len() - cut - head_chars;
    if before_head >= 2 && !is_municipal_suffix(chars[cut]) { rest } else { name.to_owned() }
}

/// 区, 市, 町, 村 or 郡: the end of a place name.
fn is_municipal_suffix(c: char) -> bool {
    matches!(c, '区' | '市' | '町' | '村' | '郡')
}

/// How many characters at the end of `name` are a body head (医師会, 医院 …), or 0; with
/// `place_keeps_suffix`, a bare municipal suffix (区 in 地区) is not a head.
fn head_suffix_chars(context: &ContextIndex, name: &str, place_keeps_suffix: bool) -> usize {
    context
        .body_heads
        .find_iter(name)
        .filter(|m| m.end() == name.len())
        .map(|m| &name[m.start()..])
        .find(|head| {
            let mut chars = head.chars();
            let bare_suffix =
                matches!((chars.next(), chars.next()), (Some(c), None) if is_municipal_suffix(c));
            !(place_keeps_suffix && bare_suffix)
        })
        .map_or(0, |head| head.chars().count())
}

fn strip_prefecture(context: &ContextIndex, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let is_kanji = |c: &char| ('\u{4E00}'..='\u{9FFF}').contains(c);
    // A prefecture is 2 or 3 kanji and its suffix (山形県, 神奈川県, 東京都, 北海道).
    for length in 2..=3 {
        let Some(&suffix) = chars.get(length) else { break };
        let is_suffix = context.prefecture_suffixes.iter().any(|s| s.chars().eq(std::iter::once(suffix)));
        if !is_suffix || !chars[..length].iter().all(is_kanji) {
            continue;
        }
        let rest: String = chars[length + 1..].iter().collect();
        // Keep it when only a head follows (岐阜県医師会: the prefecture's own body).
        let head_chars = head_suffix_chars(context, &rest, false);
        let place_chars = rest.chars().count() - head_chars;
        if place_chars >= 2 && rest.chars().take(place_chars).all(|c| is_kanji(&c) || is_place_kana(c)) {
            return rest;
        }
        break;
    }
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::organisation_name;
    use crate::tag::Ruleset;

    fn ruleset() -> Ruleset {
        Ruleset::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dictionaries")).unwrap()
    }

    #[test]
    fn organisation_names_drop_legal_forms_prefectures_and_verbs() {
        let ruleset = ruleset();
        let name = |raw: &str| organisation_name(&ruleset.context, raw);
        assert_eq!(name("一般社団法人 秋川地区医師会"), "秋川地区医師会");
        assert_eq!(name("医療法人社団くすのき会"), "くすのき会");
        assert_eq!(name("福島県白河地区医師会"), "白河地区医師会");
        assert_eq!(name("神奈川県医師会"), "神奈川県医師会", "a prefecture's own association keeps its name");
        assert_eq!(name("隣接する北浜市医師会"), "北浜市医師会");
        assert_eq!(name("として江東区"), "江東区");
        assert_eq!(name("みなと市医師会"), "みなと市医師会", "a kana place name is a name, not a verb");
        assert_eq!(name("ひまわり医院"), "ひまわり医院");
        assert_eq!(name("テレコミュ二ケーション"), "テレコミュニケーション");
    }
}
