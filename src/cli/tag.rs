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

/// Records tokenized, tagged and written per batch: memory stays flat however long a JSON Lines
/// input is, and a batch is large enough to keep every thread busy.
const BATCH_RECORDS: usize = 2048;

/// Runs `zaitaku tag`.
///
/// Reading is serial (a table is parsed whole, JSON Lines line by line), so it overlaps the
/// parallel work: the first batch is read while the rules compile, and each next batch while
/// the current one is tokenized, tagged and serialised.
pub fn run(global: &GlobalArgs, args: &TagArgs) -> anyhow::Result<()> {
    let files = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let mut batches =
        zaitaku::ingest::batches(&files, BATCH_RECORDS).with_options(super::read_options(global));
    let (loaded, first) = rayon::join(
        || -> anyhow::Result<_> {
            Ok((
                zaitaku::tag::Ruleset::load(&global.dictionaries)?,
                zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?,
            ))
        },
        || batches.next(),
    );
    let (ruleset, tokenizer) = loaded?;
    let serialise = |record: zaitaku::TaggedRecord| -> Result<Vec<u8>, serde_json::Error> {
        let mut line = Vec::with_capacity(4096);
        match args.format {
            TagFormat::Json => serde_json::to_writer(&mut line, &record)?,
            TagFormat::Gold => serde_json::to_writer(&mut line, &zaitaku::eval::to_gold(&record))?,
        }
        line.push(b'\n');
        Ok(line)
    };

    Output::write_with(args.output.as_deref(), move |out| {
        let mut next = first;
        while let Some(batch) = next {
            let batch = batch?;
            let (lines, following) = rayon::join(
                || zaitaku::pipeline::tokenize_tag_and_map(&tokenizer, &ruleset, batch, serialise),
                || batches.next(),
            );
            for line in lines?.0 {
                out.write_all(&line?)?;
            }
            next = following;
        }
        let (_inputs, warnings) = batches.finish();
        report_warnings(global, warnings)
    })
}
