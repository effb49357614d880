//! Tokenize and tag fused per record, for callers that do not need the tokens afterwards.
//!
//! [`Tokenizer::tokenize`] then [`Ruleset::tag`] holds every record's tokens at once (about
//! 25 bytes of tokens per byte of text); here each record's tokens are dropped as soon as it is
//! tagged, so memory holds one record's tokens per thread.

use rayon::prelude::*;

use crate::error::Result;
use crate::model::{Record, TaggedRecord};
use crate::tag::Ruleset;
use crate::tokenize::Tokenizer;

/// Tagged records in input order, with how many tokens they had.
#[derive(Debug, Clone, Default)]
pub struct Tagged {
    /// One per input record, in order.
    pub records: Vec<TaggedRecord>,
    /// Tokens over all records (for summaries).
    pub num_tokens: usize,
}

/// Tokenizes and tags `records` in parallel (rayon), keeping their order.
pub fn tokenize_and_tag(tokenizer: &Tokenizer, ruleset: &Ruleset, records: Vec<Record>) -> Result<Tagged> {
    let (records, num_tokens) = tokenize_tag_and_map(tokenizer, ruleset, records, |record| record)?;
    Ok(Tagged { records, num_tokens })
}

/// Like [`tokenize_and_tag`], then `finish` on each tagged record in the same parallel pass
/// (e.g. serialising it), so the threads do not wait for each other between the two; returns
/// the results in input order and the number of tokens.
pub fn tokenize_tag_and_map<T: Send>(
    tokenizer: &Tokenizer,
    ruleset: &Ruleset,
    records: Vec<Record>,
    finish: impl Fn(TaggedRecord) -> T + Sync,
) -> Result<(Vec<T>, usize)> {
    let results: Vec<(T, usize)> = records
        .into_par_iter()
        .map_init(
            || (tokenizer.worker(), ruleset.worker()),
            |(tokenizer, tagger), record| {
                let tokenized = tokenizer.tokenize(record)?;
                let num_tokens = tokenized.tokens.len();
                Ok((finish(tagger.tag(tokenized)), num_tokens))
            },
        )
        .collect::<Result<_>>()?;
    let num_tokens = results.iter().map(|(_, n)| n).sum();
    Ok((results.into_iter().map(|(result, _)| result).collect(), num_tokens))
}
