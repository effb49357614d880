//! `zaitaku tokens FILE...`: every token as TSV.

use std::path::PathBuf;

use clap::Args;

use super::output::Output;
use super::{GlobalArgs, report_warnings};

/// Print the tokens of every record as TSV with a header: record id, surface (NFKC), IPADIC POS
/// (four levels, comma-separated), base form, and character offsets [start, end) in the original
/// description and in its NFKC form.
#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Input files; `-` (or none) reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

const HEADER: &str =
    "id\tsurface\tpos\tbase_form\tstart_char_orig\tend_char_orig\tstart_char_nfkc\tend_char_nfkc\n";

/// Runs `zaitaku tokens`.
pub fn run(global: &GlobalArgs, args: &TokensArgs) -> anyhow::Result<()> {
    let files = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let ingested = zaitaku::ingest::read_all_with(&files, super::read_options(global))?;
    report_warnings(global, ingested.warnings)?;
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?;
    let tokenized = tokenizer.tokenize(ingested.records)?;

    Output::write_with(args.output.as_deref(), |out| {
        out.write_all(HEADER.as_bytes())?;
        for record in &tokenized {
            for token in &record.tokens {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    record.record.id,
                    token.surface,
                    token.pos,
                    token.base_form,
                    token.start_char_orig,
                    token.end_char_orig,
                    token.start_char_nfkc,
                    token.end_char_nfkc
                )?;
            }
        }
        Ok(())
    })
}
