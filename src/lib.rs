//! zaitaku: turns the reports of Tokyo's home-medical-care program (東京都在宅医療推進強化事業)
//! into analysis.
//!
//! The pipeline, one module per stage, each with one entry point taking the previous stage's
//! output:
//!
//! ```text
//! ingest::read_all(paths)        -> Ingested { records, .. }     (PDF text, CSV, JSON)
//! tokenize::Tokenizer::load(dir) -> .tokenize(records)            -> Vec<TokenizedRecord>
//! tag::Ruleset::load(dir)        -> .tag(tokenized)               -> Vec<TaggedRecord>
//! aggregate::aggregate(tagged)   -> frames;  render::render(..)   -> reports/
//! ```
//!
//! [`pipeline::tokenize_and_tag`] fuses the two text stages per record (tokens are dropped once
//! a record is tagged); [`ingest::batches`] streams records for inputs larger than memory.
//!
//! Types that cross a stage boundary live in [`model`]; errors and warnings in [`error`].
//! [`job`] wires the stages into the main job the binary runs with no subcommand.

#![deny(missing_docs)]

#[cfg(feature = "report")]
pub mod aggregate;
pub mod check;
pub mod columns;
pub mod error;
pub mod eval;
pub mod fuzzing;
pub mod ingest;
pub mod job;
pub mod kwic;
pub mod model;
pub mod pipeline;
pub mod regions;
#[cfg(feature = "report")]
pub mod render;
pub mod tag;
pub mod text;
pub mod tokenize;

/// The id of this build: a SHA-256 over the sources, `Cargo.lock` and the vendored IPADIC, set
/// by `build.rs`. Caches key on it, so a rebuilt tool never serves what an older build computed.
pub const BUILD_ID: &str = env!("ZAITAKU_BUILD_ID");

pub use error::{Diagnostic, Error, Location, Result, Severity, Warning, Warnings};
pub use model::{Record, Status, Tag, TaggedRecord, Token, TokenizedRecord};
