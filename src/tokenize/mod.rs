//! Tokenize: [`Record`]s → [`TokenizedRecord`]s, with lindera and an IPADIC embedded in the
//! binary plus the domain user dictionary from `dictionaries/`.
//!
//! The description is NFKC-normalised first ([`NormalizedText`]) and tokenized; every token
//! carries character offsets in both the NFKC text and the original description.
//!
//! What can fail: a malformed user dictionary (every bad row is reported with its line). The
//! embedded dictionary is built at compile time and checked by its format version at load.
//! Deliberately not done here: stop-word removal or any filtering; tagging decides what matters.

mod ipadic;
pub mod user_dictionary;

use std::path::Path;
use std::sync::Arc;

use lindera::dictionary::UserDictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::builder::DictionaryBuilder;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Error, Location, Result};
use crate::model::{Record, Token, TokenizedRecord};
use crate::text::NormalizedText;

/// IPADIC detail indices: four POS levels, then conjugation type and form, then the base form.
const POS_LEVELS: usize = 4;
const BASE_FORM_INDEX: usize = 6;

/// A loaded tokenizer, shared read-only by all worker threads.
#[derive(Clone)]
pub struct Tokenizer {
    segmenter: Segmenter,
}

impl Tokenizer {
    /// Loads the embedded IPADIC and `user_dictionary.csv` from `dictionaries_dir`.
    pub fn load(dictionaries_dir: &Path) -> Result<Self> {
        let path = dictionaries_dir.join(user_dictionary::FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Self::with_user_dictionary(&path.display().to_string(), &text)
    }

    /// Loads the embedded IPADIC with a user dictionary given as CSV text (`name` is used in
    /// messages).
    pub fn with_user_dictionary(name: &str, csv_text: &str) -> Result<Self> {
        let dictionary = ipadic::load().map_err(|e| Error::Dictionary {
            location: Location::file("<embedded IPADIC>"),
            message: e.to_string(),
        })?;
        let (rows, problems) = user_dictionary::validate(name, csv_text);
        if !problems.is_empty() {
            return Err(Error::from_diagnostics(&problems, Location::file(name), "cannot load"));
        }
        let user_dictionary: Option<UserDictionary> = if rows.is_empty() {
            None
        } else {
            let built = DictionaryBuilder::new((*dictionary.metadata).clone())
                .build_user_dict_from_reader(rows.as_bytes())
                .map_err(|e| Error::Dictionary { location: Location::file(name), message: e.to_string() })?;
            Some(built)
        };
        Ok(Self { segmenter: Segmenter::new(Mode::Normal, dictionary, user_dictionary) })
    }

    /// Tokenizes every record in parallel (rayon), keeping the input order.
    pub fn tokenize(&self, records: Vec<Record>) -> Result<Vec<TokenizedRecord>> {
        records.into_par_iter().map_init(|| self.worker(), |worker, record| worker.tokenize(record)).collect()
    }

    /// A single-threaded worker with its own reusable lattice and word cache.
    pub fn worker(&self) -> TokenizerWorker {
        TokenizerWorker { worker: self.segmenter.new_worker(), words: FxHashMap::default() }
    }
}

/// Surface, part of speech and base form of one dictionary word, shared by all its tokens.
#[derive(Clone)]
struct WordInfo {
    /// `None` for unknown words, whose surface is whatever text they cover.
    surface: Option<Arc<str>>,
    pos: Arc<str>,
    /// `None` for unknown words, whose base form is their surface.
    base_form: Option<Arc<str>>,
}

/// A dictionary word: lindera's word id with the lexicon it belongs to.
type WordKey = (u32, bool, bool);

/// Tokenizes records one at a time, reusing its lattice between calls.
///
/// Reading a word's details from the dictionary (a CSV-like parse and several allocations) was
/// a third of tokenizing; a corpus uses a few thousand distinct words, so each worker parses
/// each word once.
pub struct TokenizerWorker {
    worker: lindera::worker::SegmentWorker,
    words: FxHashMap<WordKey, WordInfo>,
}

impl TokenizerWorker {
    /// Normalises and tokenizes one record.
    pub fn tokenize(&mut self, record: Record) -> Result<TokenizedRecord> {
        let text = NormalizedText::new(&record.description);
        let tokens = self.tokenize_text(&text).map_err(|message| {
            let location = record.source.clone().unwrap_or_else(|| Location::file(record.id.clone()));
            Error::input(location, format!("tokenizing record {}: {message}", record.id))
        })?;
        Ok(TokenizedRecord { record, text, tokens })
    }

    /// lindera alone on `text`: how many tokens it finds, without offsets or word details. The
    /// baseline the tokenize and tag stages are measured against (`benches/stages.rs`).
    pub fn count_lindera_tokens(&mut self, text: &str) -> std::result::Result<usize, String> {
        self.worker.segment(text).map(|tokens| tokens.len()).map_err(|e| e.to_string())
    }

    /// Tokenizes an already normalised text.
    pub fn tokenize_text(&mut self, text: &NormalizedText) -> std::result::Result<Vec<Token>, String> {
        let lindera_tokens = self.worker.segment(&text.text).map_err(|e| e.to_string())?;
        let mut tokens = Vec::with_capacity(lindera_tokens.len());
        // Tokens come in text order: character offsets are counted forward, not searched.
        let mut cursor = (0usize, 0usize); // (byte, char) in the NFKC text
        let mut char_of_byte = |byte: usize| {
            if byte < cursor.0 {
                cursor = (byte, text.char_of_byte(byte));
            } else {
                cursor = (byte, cursor.1 + text.text[cursor.0..byte].chars().count());
            }
            cursor.1
        };
        for mut token in lindera_tokens {
            let word = &token.word_id;
            let key = (word.id(), word.is_system(), word.is_unknown());
            let info = match self.words.get(&key) {
                Some(info) => info.clone(),
                None => {
                    let info = word_info(&mut token);
                    self.words.insert(key, info.clone());
                    info
                }
            };
            let surface = match info.surface {
                Some(surface) if *surface == *token.surface => surface,
                _ => Arc::from(token.surface.as_ref()),
            };
            let start_char_nfkc = char_of_byte(token.byte_start);
            let end_char_nfkc = char_of_byte(token.byte_end);
            let (start_char_orig, end_char_orig) = text.to_orig(start_char_nfkc, end_char_nfkc);
            let base_form = info.base_form.unwrap_or_else(|| surface.clone());
            tokens.push(Token {
                surface,
                pos: info.pos,
                base_form,
                start_char_orig,
                end_char_orig,
                start_char_nfkc,
                end_char_nfkc,
            });
        }
        Ok(tokens)
    }
}

/// Reads a word's part of speech and base form from the dictionary.
fn word_info(token: &mut lindera::token::Token<'_>) -> WordInfo {
    let is_unknown = token.word_id.is_unknown();
    let details = token.details();
    let pos = (0..POS_LEVELS).map(|i| details.get(i).copied().unwrap_or("*")).collect::<Vec<_>>().join(",");
    let base_form = match details.get(BASE_FORM_INDEX) {
        Some(&base) if !is_unknown && base != "*" && !base.is_empty() => Some(Arc::from(base)),
        _ => None,
    };
    let surface = (!is_unknown).then(|| Arc::from(token.surface.as_ref()));
    WordInfo { surface, pos: Arc::from(pos), base_form }
}
