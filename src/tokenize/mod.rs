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

use lindera::dictionary::UserDictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::builder::DictionaryBuilder;
use rayon::prelude::*;

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
        if let Some(first) = problems.as_slice().first() {
            return Err(Error::Dictionary {
                location: first.location.clone(),
                message: format!(
                    "{} ({} problem(s) in all; run `zaitaku check`)",
                    first.message,
                    problems.len()
                ),
            });
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

    /// A single-threaded worker with its own reusable lattice.
    pub fn worker(&self) -> TokenizerWorker {
        TokenizerWorker { worker: self.segmenter.new_worker() }
    }
}

/// Tokenizes records one at a time, reusing its lattice between calls.
pub struct TokenizerWorker {
    worker: lindera::worker::SegmentWorker,
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

    /// Tokenizes an already normalised text.
    pub fn tokenize_text(&mut self, text: &NormalizedText) -> std::result::Result<Vec<Token>, String> {
        let lindera_tokens = self.worker.segment(&text.text).map_err(|e| e.to_string())?;
        let mut tokens = Vec::with_capacity(lindera_tokens.len());
        for mut token in lindera_tokens {
            let surface = token.surface.to_string();
            let start_char_nfkc = text.char_of_byte(token.byte_start);
            let end_char_nfkc = text.char_of_byte(token.byte_end);
            let (start_char_orig, end_char_orig) = text.to_orig(start_char_nfkc, end_char_nfkc);
            let details = token.details();
            let pos =
                (0..POS_LEVELS).map(|i| details.get(i).copied().unwrap_or("*")).collect::<Vec<_>>().join(",");
            let base_form = match details.get(BASE_FORM_INDEX) {
                Some(&base) if base != "*" && !base.is_empty() => base.to_owned(),
                _ => surface.clone(),
            };
            tokens.push(Token {
                surface,
                pos,
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
