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
    let ingested = zaitaku::ingest::read_all(&files)?;
    report_warnings(global, ingested.warnings)?;
    let mut output = Output::open(args.output.as_deref())?;
    let written = (|| -> anyhow::Result<()> {
        for record in &ingested.records {
            serde_json::to_writer(output.writer(), record)?;
            output.writer().write_all(b"\n")?;
        }
        Ok(())
    })();
    match written {
        Ok(()) => output.finish(),
        Err(error) => {
            output.abandon();
            Err(error)
        }
    }
}
