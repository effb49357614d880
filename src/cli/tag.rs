//! `zaitaku tag FILE...`: records with their tags, one JSON object per line.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::Output;
use super::{GlobalArgs, report_warnings};

/// Tag records (any input format) and print one JSON object per record per line: the record's
/// fields plus `tags`, each with status, entity and evidence.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Input files; `-` (or none) reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// `json`: full records with evidence; `gold`: the gold-file format (tags as
    /// {id: {status, entity}}), a starting point for labelling a new year.
    #[arg(long, value_enum, default_value_t = TagFormat::Json)]
    format: TagFormat,
}

/// Output formats of `zaitaku tag`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum TagFormat {
    Json,
    Gold,
}

/// Runs `zaitaku tag`.
pub fn run(global: &GlobalArgs, args: &TagArgs) -> anyhow::Result<()> {
    let files = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let ruleset = zaitaku::tag::Ruleset::load(&global.dictionaries)?;
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?;
    let ingested = zaitaku::ingest::read_all(&files)?;
    report_warnings(global, ingested.warnings)?;
    let tagged = ruleset.tag(tokenizer.tokenize(ingested.records)?);

    Output::write_with(args.output.as_deref(), |out| {
        for record in &tagged {
            match args.format {
                TagFormat::Json => serde_json::to_writer(&mut *out, record)?,
                TagFormat::Gold => serde_json::to_writer(&mut *out, &zaitaku::eval::to_gold(record))?,
            }
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}
