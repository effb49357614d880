//! Entity names: the NFKC form of a proper name, per the rule's entity mode.
//!
//! - `alias` (the default): a name from `aliases.toml` found in the mention (Iver → IVRy); else none;
//! - `name`: an alias, else the mention itself without company affixes (株式会社, (株) …);
//! - `quoted`: an alias, else the 「」 name containing the mention or opening right after it
//!   (システム「まごころネット八王子」), else the mention with its place-name prefix
//!   (江東区 + 在宅医療連携センター); a generic noun with none of these gives none;
//! - `nearby_quoted`: as `quoted`, but the 「」 may open up to 24 characters after the mention in
//!   its sentence (AIを活用したアプリ「カロママ プラス」);
//! - `quoted` and `nearby_quoted` also take a Latin or katakana name in parentheses right after a
//!   generic mention (往診を支援する事業者（コールドクター）);
//! - `{ fixed = "MCS" }`; `{ capture = "entity", suffix = "医師会" }` (a regex's named group).

use super::compiled::{AliasIndex, ContextIndex, EntityMode};
use super::context::{ActingBody, is_name_char, organisation_name};
use super::doc::{Doc, Hit};
use crate::text::normalize_term;

/// How far after a mention a bracketed name may open and still name it (`nearby_quoted`).
const QUOTE_AFTER_CHARS: usize = 24;
/// The same for `quoted`: the bracket opens right after the mention.
const QUOTE_RIGHT_AFTER_CHARS: usize = 1;
/// How long a place run before a body head may be (宮崎市郡 + 医師会病院).
const PLACE_RUN_MAX_CHARS: usize = 8;
/// How many nouns may stand between a place name and the mention (江東区|在宅|医療|連携センター).
const PLACE_PREFIX_MAX_NOUNS: usize = 4;
/// A bracketed name is at most this long; also bounds the search, so long records stay linear.
const MAX_NAME_CHARS: usize = 64;
const COMPANY_AFFIXES: [&str; 6] = ["株式会社", "(株)", "有限会社", "(有)", "合同会社", "一般社団法人"];

/// What naming an entity reads: the alias table, the name heads, and who acts in the passage.
#[derive(Clone, Copy)]
pub(crate) struct Namer<'a> {
    pub aliases: &'a AliasIndex,
    pub context: &'a ContextIndex,
    pub acting_body: Option<&'a ActingBody>,
}

impl Namer<'_> {
    /// The entity the mention at `hit` names under `mode`, if any.
    pub(crate) fn extract(&self, doc: &Doc<'_>, mode: &EntityMode, hit: &Hit) -> Option<String> {
        let own_place = |name: String| own_place(self.acting_body, name);
        let aliases = self.aliases;
        match mode {
            EntityMode::None => None,
            EntityMode::Fixed(name) => Some(name.clone()),
            EntityMode::Alias => alias_in(aliases, doc, hit.start, hit.end),
            EntityMode::Name => alias_in(aliases, doc, hit.start, hit.end).or_else(|| {
                let text = strip_company_affixes(doc.nfkc_slice(hit.start, hit.end));
                (!text.is_empty()).then_some(text)
            }),
            EntityMode::Quoted => alias_in(aliases, doc, hit.start, hit.end)
                .or_else(|| containing_quote(doc, hit).map(own_place))
                .or_else(|| named_body(self.context, doc, hit))
                .or_else(|| quoted_name(doc, hit, QUOTE_RIGHT_AFTER_CHARS).map(own_place))
                .or_else(|| parenthesized_name(doc, hit))
                .or_else(|| latin_name_after(doc, hit))
                .or_else(|| place_prefixed(doc, hit, self.acting_body)),
            EntityMode::NearbyQuoted => alias_in(aliases, doc, hit.start, hit.end)
                .or_else(|| quoted_name(doc, hit, QUOTE_AFTER_CHARS).map(own_place))
                .or_else(|| place_prefixed(doc, hit, self.acting_body)),
            EntityMode::Capture { suffix } => {
                let (start, end) = hit.capture?;
                let captured = organisation_name(self.context, doc.nfkc_slice(start, end));
                if captured.is_empty() {
                    return None;
                }
                let name = format!("{captured}{suffix}");
                let normalized = normalize_term(&name);
                Some(lookup(aliases, &normalized).unwrap_or(name))
            }
        }
    }
}

fn lookup(aliases: &AliasIndex, normalized: &str) -> Option<String> {
    aliases
        .patterns
        .binary_search_by(|p| p.as_str().cmp(normalized))
        .ok()
        .map(|i| aliases.canonical[i].clone())
}

/// The first alias occurring inside `[start, end)`, as a whole word for Latin names.
fn alias_in(aliases: &AliasIndex, doc: &Doc<'_>, start: usize, end: usize) -> Option<String> {
    let slice = doc.folded_slice(start, end);
    aliases.automaton.find_iter(slice).find_map(|m| {
        let before = slice[..m.start()].chars().next_back();
        let after = slice[m.end()..].chars().next();
        let pattern = &aliases.patterns[m.pattern().as_usize()];
        let latin_start = pattern.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let latin_end = pattern.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
        if (latin_start && before.is_some_and(|c| c.is_ascii_alphanumeric()))
            || (latin_end && after.is_some_and(|c| c.is_ascii_alphanumeric()))
        {
            return None;
        }
        Some(aliases.canonical[m.pattern().as_usize()].clone())
    })
}

fn strip_company_affixes(text: &str) -> String {
    let mut name = text.trim().to_owned();
    for affix in COMPANY_AFFIXES {
        name = name.replace(affix, "");
    }
    name.trim().to_owned()
}

/// The 「」 name that contains the mention, when there is one.
fn containing_quote(doc: &Doc<'_>, hit: &Hit) -> Option<String> {
    quoted_name(doc, hit, 0)
}

/// A body named by the place written before it (柏 + 歯科医師会, 宮崎市郡 + 医師会病院): the mention
/// ends in a body head of `context.toml` and kanji or katakana run up to it from a boundary.
fn named_body(context: &ContextIndex, doc: &Doc<'_>, hit: &Hit) -> Option<String> {
    let mention = doc.folded_slice(hit.start, hit.end);
    let ends_in_head = context.body_heads.find_iter(mention).any(|m| {
        m.end() == mention.len()
            && context.named_by_place.contains(&context.body_head_kind[m.pattern().as_usize()])
    });
    if !ends_in_head {
        return None;
    }
    let mut start = hit.start;
    while start > 0 && hit.start - start < PLACE_RUN_MAX_CHARS && is_name_char(doc.chars()[start - 1]) {
        start -= 1;
    }
    if start == hit.start || doc.chars().get(start.wrapping_sub(1)).is_some_and(|c| is_name_char(*c)) {
        return None;
    }
    let place = doc.folded_slice(start, hit.start);
    if context.generic_places.iter().any(|g| g == place) {
        return None; // 市内病院, 近隣病院: where, not which
    }
    let name = organisation_name(context, doc.nfkc_slice(start, hit.end));
    (name.chars().count() > hit.end - hit.start).then_some(name)
}

/// A Latin product name written right after a generic mention (電子カルテNet4U).
fn latin_name_after(doc: &Doc<'_>, hit: &Hit) -> Option<String> {
    let rest = doc.nfkc_slice(hit.end, (hit.end + MAX_NAME_CHARS).min(doc.num_chars()));
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_with_letter && name.chars().count() >= 3).then_some(name)
}

/// The 「」 (or 『』) name that contains the mention, or that opens soon after it.
fn quoted_name(doc: &Doc<'_>, hit: &Hit, max_gap: usize) -> Option<String> {
    let chars = doc.chars();
    let sentence = doc.sentence(hit.start);
    // Containing: an opening bracket before the start with no closing one in between.
    let open = (0..hit.start)
        .rev()
        .take(MAX_NAME_CHARS)
        .take_while(|&i| !matches!(chars[i], '」' | '』' | '。' | '\n'))
        .find(|&i| matches!(chars[i], '「' | '『'));
    if let Some(open) = open
        && let Some(close) =
            (hit.end..chars.len()).take(MAX_NAME_CHARS).find(|&i| matches!(chars[i], '」' | '』'))
        && !(open + 1..hit.start).any(|i| matches!(chars[i], '「' | '『'))
    {
        let name = doc.nfkc_slice(open + 1, close).trim();
        // 「AI」 is the generic word in quotes, not a proper name.
        if name == doc.nfkc_slice(hit.start, hit.end) {
            return None;
        }
        return Some(name.to_owned());
    }
    let open = (hit.end..chars.len().min(hit.end + max_gap))
        .take_while(|&i| doc.sentence(i) == sentence)
        .find(|&i| matches!(chars[i], '「' | '『'))?;
    let close = (open + 1..chars.len()).take(MAX_NAME_CHARS).find(|&i| matches!(chars[i], '」' | '』'))?;
    Some(doc.nfkc_slice(open + 1, close).trim().to_owned())
}

/// A name in parentheses right after a generic mention: 往診を支援する事業者（コールドクター）.
/// Only Latin, digits and katakana count as a name, so （スタッフ1名） or （かかりつけ医） do not.
fn parenthesized_name(doc: &Doc<'_>, hit: &Hit) -> Option<String> {
    let rest = doc.nfkc_slice(hit.end, doc.num_chars());
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    let name = inner[..close].trim();
    // Kana and Latin only: a product's name (まんでネット), not a gloss in kanji (かかりつけ医).
    let is_name_char = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '.' | '-' | '・' | 'ー')
            || ('\u{30A0}'..='\u{30FF}').contains(&c)
            || ('\u{3041}'..='\u{3096}').contains(&c)
    };
    let has_letters = name.chars().any(|c| !c.is_ascii_digit() && c != ' ');
    (!name.is_empty() && name.chars().count() <= 20 && has_letters && name.chars().all(is_name_char))
        .then(|| name.to_owned())
}

/// The mention with the place name written before it (豊島区 + 看護師会; 江東区 + 在宅医療 +
/// 連携センター): contiguous nouns back to a proper noun, with or without a 区/市/町/村 suffix.
fn place_prefixed(doc: &Doc<'_>, hit: &Hit, acting_body: Option<&ActingBody>) -> Option<String> {
    let tokens = doc.tokens();
    let mut index = tokens.partition_point(|t| t.end_char_nfkc <= hit.start).checked_sub(1)?;
    let mut expected_end = hit.start;
    let mut nouns = 0;
    while nouns <= PLACE_PREFIX_MAX_NOUNS {
        let token = &tokens[index];
        if token.end_char_nfkc != expected_end {
            return None;
        }
        // A middle dot joining two nouns inside the name (在宅医療・介護連携支援センター), not
        // one that lists names before the mention (江東区・連携センター).
        if token.surface.as_ref() == "・" && expected_end != hit.start {
            expected_end = token.start_char_nfkc;
            index = index.checked_sub(1)?;
            continue;
        }
        if !token.pos.starts_with("名詞") {
            return None;
        }
        nouns += 1;
        // A bare 市 or 町 opening the name after a boundary is the acting municipality's own
        // (市在宅医療・介護連携支援センター), as in a bracketed name ([`own_place`]).
        let opens_name = index == 0 || !tokens[index - 1].pos.starts_with("名詞");
        if opens_name
            && expected_end != hit.start
            && matches!(token.surface.as_ref(), "市" | "町" | "村" | "区" | "県")
        {
            let name = doc.nfkc_slice(token.start_char_nfkc, hit.end).to_owned();
            let named = own_place(acting_body, name.clone());
            return (named != name).then_some(named);
        }
        if token.pos.starts_with("名詞,接尾,地域") {
            let place = index.checked_sub(1)?;
            let place_token = &tokens[place];
            if place_token.pos.starts_with("名詞,固有名詞")
                && place_token.end_char_nfkc == token.start_char_nfkc
            {
                return Some(doc.nfkc_slice(place_token.start_char_nfkc, hit.end).to_owned());
            }
            return None;
        }
        if token.pos.starts_with("名詞,固有名詞,地域") {
            return Some(doc.nfkc_slice(token.start_char_nfkc, hit.end).to_owned());
        }
        expected_end = token.start_char_nfkc;
        index = index.checked_sub(1)?;
    }
    None
}

/// A name that starts with a bare 市, 町, 村 or 県 (「市医療介護連携センター」) is the acting
/// municipality's own: it takes the acting body's place name (三島市 → 三島市医療介護連携センター).
fn own_place(acting_body: Option<&ActingBody>, name: String) -> String {
    let mut chars = name.chars();
    let (Some(first), Some(second)) = (chars.next(), chars.next()) else { return name };
    let Some(body) = acting_body.filter(|b| b.kind.is_some()) else { return name };
    let bare_place =
        matches!(first, '市' | '町' | '村' | '県' | '区') && is_name_char(second) && !second.is_ascii();
    if bare_place && body.name.chars().count() > 1 && body.name.ends_with(first) {
        return format!("{}{}", body.name, &name[first.len_utf8()..]);
    }
    name
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

    use super::*;
    use crate::tag::doc::{TextTables, passage};

    fn automaton(patterns: &[&str]) -> AhoCorasick {
        AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(patterns).unwrap()
    }

    /// An alias table of two products, spellings folded and sorted as `compile.rs` stores them.
    fn aliases() -> AliasIndex {
        let mut pairs = [("ai問診", "AI問診ベータ"), ("tsunagu", "ツナグ"), ("つなぐ", "ツナグ")];
        pairs.sort();
        AliasIndex {
            automaton: automaton(&pairs.iter().map(|p| p.0).collect::<Vec<_>>()),
            canonical: pairs.iter().map(|p| p.1.to_owned()).collect(),
            patterns: pairs.iter().map(|p| p.0.to_owned()).collect(),
        }
    }

    /// A context with one body head (医師会) and nothing else.
    fn context() -> ContextIndex {
        ContextIndex {
            body_kinds: vec!["association".to_owned()],
            body_heads: automaton(&["医師会"]),
            body_head_kind: vec![0],
            subject_markers: vec!["は".to_owned()],
            partner_markers: Vec::new(),
            relations: automaton(&[]),
            relation_is_word: Vec::new(),
            relation_blocked_in_names: Vec::new(),
            name_kinds: Vec::new(),
            name_heads: automaton(&[]),
            name_head_kind: Vec::new(),
            name_max_chars: 0,
            legal_forms: vec!["一般社団法人".to_owned()],
            prefecture_suffixes: vec!["県".to_owned()],
            katakana_lookalikes: Vec::new(),
            named_by_place: vec![0],
            generic_places: Vec::new(),
        }
    }

    /// The entity of the first occurrence of `mention` in `text` under `mode`.
    fn entity(text: &str, mention: &str, mode: &EntityMode) -> Option<String> {
        let (aliases, context) = (aliases(), context());
        let record = passage(text);
        let mut tables = TextTables::default();
        let doc = tables.prepare(&record);
        let start = doc.char_of_byte(doc.folded().find(mention).expect("mention in text"));
        let hit = Hit::new(start, start + mention.chars().count());
        Namer { aliases: &aliases, context: &context, acting_body: None }.extract(&doc, mode, &hit)
    }

    #[test]
    fn an_alias_inside_the_mention_names_it_in_any_width_or_case() {
        assert_eq!(
            entity("連絡ツールＴＳＵＮＡＧＵを導入", "連絡ツールtsunagu", &EntityMode::Alias).as_deref(),
            Some("ツナグ")
        );
        assert_eq!(
            entity("予診にai問診を使う", "ai問診", &EntityMode::Alias).as_deref(),
            Some("AI問診ベータ")
        );
        assert_eq!(entity("連絡ツールを導入", "連絡ツール", &EntityMode::Alias), None, "no alias, no entity");
    }

    #[test]
    fn a_latin_alias_must_be_a_whole_word() {
        assert_eq!(entity("xtsunaguyを導入", "xtsunaguy", &EntityMode::Alias), None);
    }

    #[test]
    fn quoted_takes_the_bracketed_name_or_the_place_before_a_body_head() {
        assert_eq!(
            entity("連絡ツール「まちなかネット」を導入", "連絡ツール", &EntityMode::Quoted).as_deref(),
            Some("まちなかネット")
        );
        assert_eq!(
            entity("、北浜医師会と連携", "医師会", &EntityMode::Quoted).as_deref(),
            Some("北浜医師会")
        );
    }

    #[test]
    fn name_drops_company_affixes_and_fixed_is_fixed() {
        assert_eq!(
            entity("株式会社ミライ往診と契約", "株式会社ミライ往診", &EntityMode::Name).as_deref(),
            Some("ミライ往診")
        );
        assert_eq!(
            entity("電話の一次受付", "一次受付", &EntityMode::Fixed("X".to_owned())).as_deref(),
            Some("X")
        );
    }
}
