//! `zaitaku ingest FILE...`: one JSON record per line.

use std::path::PathBuf;

use clap::Args;

use super::output::Output;
use super::{GlobalArgs, report_warnings};

/// Read input files (pdftotext output of the table, CSV or JSON) and print one JSON object per
/// record per line: id, fiscal_year, district_no, district, program, categories, marks,
/// description.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Input files; `-` (or none) reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `zaitaku ingest`.
pub fn run(global: &GlobalArgs, args: &IngestArgs) -> anyhow::Result<()> {
    let files = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let ingested = zaitaku::ingest::read_all_with(&files, super::read_options(global))?;
    report_warnings(global, ingested.warnings)?;

    Output::write_with(args.output.as_deref(), |out| {
        for record in &ingested.records {
            serde_json::to_writer(&mut *out, record)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}
