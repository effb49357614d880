//! `zaitaku tag FILE...`: records with their tags, one JSON object per line.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

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

/// Records tokenized, tagged and written per batch: memory stays flat however long a JSON Lines
/// input is, and a batch is large enough to keep every thread busy.
const BATCH_RECORDS: usize = 2048;

/// Runs `zaitaku tag`.
pub fn run(global: &GlobalArgs, args: &TagArgs) -> anyhow::Result<()> {
    let files = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let ruleset = zaitaku::tag::Ruleset::load(&global.dictionaries)?;
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?;
    let mut batches = zaitaku::ingest::batches(&files, BATCH_RECORDS);

    Output::write_with(args.output.as_deref(), move |out| {
        for batch in &mut batches {
            let tagged = zaitaku::pipeline::tokenize_and_tag(&tokenizer, &ruleset, batch?)?;
            // Serialising is a fifth of the work: done by the workers, written in order.
            let lines = tagged
                .records
                .par_iter()
                .map(|record| {
                    let mut line = Vec::with_capacity(4096);
                    match args.format {
                        TagFormat::Json => serde_json::to_writer(&mut line, record)?,
                        TagFormat::Gold => serde_json::to_writer(&mut line, &zaitaku::eval::to_gold(record))?,
                    }
                    line.push(b'\n');
                    Ok(line)
                })
                .collect::<Result<Vec<Vec<u8>>, serde_json::Error>>()?;
            for line in &lines {
                out.write_all(line)?;
            }
        }
        let (_inputs, warnings) = batches.finish();
        report_warnings(global, warnings)
    })
}
