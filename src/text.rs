//! NFKC normalisation that remembers where every normalised character came from.
//!
//! Matching happens on NFKC text (so ＩＶＲｙ and IVRy are one term), but evidence must point into
//! the description the user reads. [`NormalizedText`] keeps, for each NFKC character, the span of
//! original characters it came from.
//!
//! How: the original is cut into segments that NFKC cannot merge across, a segment boundary being
//! any character whose NFKD form starts with a starter (canonical combining class 0) that composes
//! with nothing before it (so Hangul vowel jamo stay with their consonant). Each segment is
//! normalised alone, and every character it yields maps to the whole segment. So `ｶﾞ` (two
//! originals) → `ガ` (one) maps to both, and `㈱` (one) → `(株)` (three) maps three times to one.
//! Most characters of Japanese text are their own NFKC form and a segment alone, and take a
//! fast path.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

/// A text in NFKC with a map back to the original, in characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalizedText {
    /// The NFKC text.
    pub text: String,
    /// For NFKC character `i`: the original characters `[start, end)` it came from.
    spans_orig: Vec<(u32, u32)>,
    /// For NFKC character `i`: its byte offset in `text` (plus one entry for the end).
    byte_of_char: Vec<u32>,
}

impl NormalizedText {
    /// Normalises `original` to NFKC and builds the offset map.
    pub fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut spans_orig = Vec::with_capacity(original.len() / 2);
        let mut byte_of_char = Vec::with_capacity(original.len() / 2 + 1);
        let mut segment: Vec<char> = Vec::new();
        let mut chars = original.chars().peekable();
        let mut position = 0u32;
        while let Some(c) = chars.next() {
            let start = position;
            position += 1;
            if is_nfkc_starter(c) && chars.peek().is_none_or(|&next| starts_segment(next)) {
                // Most characters of Japanese text: already NFKC and alone in their segment.
                byte_of_char.push(text.len() as u32);
                text.push(c);
                spans_orig.push((start, position));
                continue;
            }
            segment.clear();
            segment.push(c);
            while let Some(&next) = chars.peek()
                && !starts_segment(next)
            {
                segment.push(next);
                chars.next();
                position += 1;
            }
            for normalized in segment.iter().copied().nfkc() {
                byte_of_char.push(text.len() as u32);
                text.push(normalized);
                spans_orig.push((start, position));
            }
        }
        byte_of_char.push(text.len() as u32);
        Self { text, spans_orig, byte_of_char }
    }

    /// Number of characters in the NFKC text.
    pub fn num_chars(&self) -> usize {
        self.spans_orig.len()
    }

    /// Maps an NFKC character span `[start, end)` to the original characters it came from.
    ///
    /// An empty span maps to an empty span at the start of its character's segment.
    pub fn to_orig(&self, start_char_nfkc: usize, end_char_nfkc: usize) -> (usize, usize) {
        let num_chars = self.spans_orig.len();
        if num_chars == 0 {
            return (0, 0);
        }
        let orig_end_of_text = self.spans_orig[num_chars - 1].1 as usize;
        let start = match self.spans_orig.get(start_char_nfkc) {
            Some(&(start, _)) => start as usize,
            None => orig_end_of_text,
        };
        if end_char_nfkc <= start_char_nfkc {
            return (start, start);
        }
        let end = match self.spans_orig.get(end_char_nfkc - 1) {
            Some(&(_, end)) => end as usize,
            None => orig_end_of_text,
        };
        (start, end)
    }

    /// The character index of byte offset `byte` in the NFKC text (which must be a char boundary).
    pub fn char_of_byte(&self, byte: usize) -> usize {
        self.byte_of_char.partition_point(|&b| (b as usize) < byte)
    }

    /// The byte offset of NFKC character `char_index` (the text's length past the end).
    pub fn byte_of_char(&self, char_index: usize) -> usize {
        self.byte_of_char.get(char_index).copied().unwrap_or(self.text.len() as u32) as usize
    }
}

/// Whether NFKC may start a new segment at `c` (nothing before it can compose with it).
fn starts_segment(c: char) -> bool {
    if is_nfkc_starter(c) {
        return true;
    }
    match c.nfkd().next() {
        // A starter that may compose with what precedes it (Hangul vowel and final jamo, some
        // Indic vowel signs) has NFC quick-check "maybe": it continues the segment.
        Some(first) => {
            canonical_combining_class(first) == 0 && is_nfc_quick(std::iter::once(first)) == IsNormalized::Yes
        }
        None => true,
    }
}

/// Whether `c` is its own NFKC form and a starter: then it starts a segment, and a segment of
/// `c` alone normalises to `c` (a test checks this against the slow path for every character).
fn is_nfkc_starter(c: char) -> bool {
    // The ranges are Japanese text's common characters, answered without table lookups.
    matches!(c, '\0'..='\x7f' | '、' | '。' | 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '一'..='鿿')
        || (canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// Case-folds NFKC text one character to one character (so offsets stay valid): each character
/// becomes its lowercase form when that is a single character, and stays as it is otherwise.
pub fn fold(nfkc: &str) -> String {
    nfkc.chars().map(fold_char).collect()
}

/// [`fold`] for one character.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if ('\u{3000}'..'\u{A000}').contains(&c) {
        return c; // kana, CJK symbols and ideographs have no case (a test checks every one)
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ => c,
    }
}

/// NFKC then [`fold`]: the form literal terms are matched in.
pub fn normalize_term(term: &str) -> String {
    fold(&term.nfkc().collect::<String>())
}

/// Slices `s` by character offsets `[start, end)`; out-of-range offsets are clamped.
pub fn slice_chars(s: &str, start: usize, end: usize) -> &str {
    let mut indices = s.char_indices().map(|(byte, _)| byte).chain(std::iter::once(s.len()));
    let start_byte = indices.nth(start).unwrap_or(s.len());
    let end_byte = if end > start { indices.nth(end - start - 1).unwrap_or(s.len()) } else { start_byte };
    &s[start_byte..end_byte]
}

/// Orders strings as people read numbered ids: runs of ASCII digits compare as numbers, so
/// `r-9` < `r-10`; ties (`7` vs `007`) fall back to plain string order, so the order is total.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digits = first.is_ascii_digit();
            let end = rest.find(|c: char| c.is_ascii_digit() != digits).unwrap_or(rest.len());
            let (chunk, tail) = rest.split_at(end);
            rest = tail;
            Some((digits, chunk))
        })
    }
    let (mut xs, mut ys) = (chunks(a), chunks(b));
    loop {
        let order = match (xs.next(), ys.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some((true, x)), Some((true, y))) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            (Some((_, x)), Some((_, y))) => x.cmp(y),
        };
        if order.is_ne() {
            return order;
        }
    }
}

/// Display width in half-width units: 2 for wide (CJK, full-width) characters, else 1.
///
/// Table layout decisions (has a 事業区分 cell wrapped?) depend on how full a column is.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    let c = c as u32;
    // Half-width katakana and forms are narrow; nearly everything else from U+2460 on that
    // appears in Japanese documents (circled digits, CJK, kana, full-width forms) is wide.
    !(0xFF61..=0xFFDC).contains(&c) && !(0xFFE8..=0xFFEE).contains(&c) && c >= 0x2460
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_as_people_number_them() {
        let mut ids =
            vec!["r-10", "r-9", "2024-010", "2024-002", "r-009", "r", "r-9a", "a10b2", "a10b10", "a9"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            ["2024-002", "2024-010", "a9", "a10b2", "a10b10", "r", "r-009", "r-9", "r-9a", "r-10"]
        );
        assert_eq!(natural_cmp("7", "007"), "7".cmp("007"), "equal numbers fall back to string order");
    }

    #[test]
    fn base_forms_compare_in_normal_form() {
        // A token pattern's base form matches a token's when both normalise to the same term.
        assert_eq!(normalize_term("ＩＶＲ"), normalize_term("IVR"));
        assert_eq!(normalize_term("か\u{3099}"), "が");
        assert_eq!(normalize_term("ﾀｲｷ"), "タイキ");
        assert_ne!(normalize_term("Ａ"), normalize_term("b"));
    }

    #[test]
    fn japanese_ranges_have_no_case() {
        let cased: Vec<char> =
            ('\u{3000}'..'\u{A000}').filter(|c| c.to_lowercase().ne(std::iter::once(*c))).collect();
        assert_eq!(cased, Vec::<char>::new());
    }

    #[test]
    fn fast_path_agrees_with_full_normalisation_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_nfkc_starter(c)) {
            let slow =
                canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
            assert!(slow, "U+{:04X} is in a fast range but not an NFKC starter", c as u32);
            let first_of_nfkd = c.nfkd().next().expect("a character decomposes to at least one");
            assert_eq!(canonical_combining_class(first_of_nfkd), 0, "U+{:04X} starts no segment", c as u32);
            assert_eq!(c.to_string().nfkc().collect::<String>(), c.to_string(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn full_width_latin_maps_one_to_one() {
        let text = NormalizedText::new("ＩＶＲｙを導入");
        assert_eq!(text.text, "IVRyを導入");
        assert_eq!(text.to_orig(0, 4), (0, 4));
        assert_eq!(text.to_orig(4, 7), (4, 7));
    }

    #[test]
    fn half_width_voiced_kana_merges_two_originals_into_one() {
        let original = "ﾌｧｽﾄﾄﾞｸﾀｰ社";
        let text = NormalizedText::new(original);
        assert_eq!(text.text, "ファストドクター社");
        assert_eq!(text.num_chars(), 9);
        // ド (NFKC char 4) comes from ﾄﾞ (original chars 4..6).
        assert_eq!(text.to_orig(4, 5), (4, 6));
        assert_eq!(slice_chars(original, 0, 9), "ﾌｧｽﾄﾄﾞｸﾀｰ");
        assert_eq!(text.to_orig(0, 8), (0, 9));
    }

    #[test]
    fn one_original_expanding_to_many_maps_back_to_itself() {
        let text = NormalizedText::new("㈱セコム");
        assert_eq!(text.text, "(株)セコム");
        assert_eq!(text.to_orig(0, 3), (0, 1));
        assert_eq!(text.to_orig(1, 2), (0, 1));
        assert_eq!(text.to_orig(3, 6), (1, 4));
    }

    #[test]
    fn byte_and_char_offsets_round_trip() {
        let text = NormalizedText::new("MCSを導入");
        assert_eq!(text.char_of_byte(3), 3);
        assert_eq!(text.char_of_byte(6), 4);
        assert_eq!(text.byte_of_char(4), 6);
        assert_eq!(text.byte_of_char(99), text.text.len());
    }

    #[test]
    fn empty_text_has_empty_map() {
        let text = NormalizedText::new("");
        assert_eq!(text.num_chars(), 0);
        assert_eq!(text.to_orig(0, 0), (0, 0));
    }

    #[test]
    fn display_width_counts_wide_characters_twice() {
        assert_eq!(display_width("③デジタル技術を活用した24"), 26);
        assert_eq!(display_width("ﾃｽﾄ"), 3);
    }
}
