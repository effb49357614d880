//! `zaitaku explain RECORD_ID [FILE...]`: why one record got (or did not get) its tags.

use std::path::PathBuf;

use clap::Args;

use super::output::Output;
use super::{GlobalArgs, did_you_mean, read_records};

/// For one record: every rule that matched, with its span and `file:line`, and whether it was
/// kept or blocked (by which `unless`, negation, policy, name or relation construct, quoting the
/// text that blocked it); every status cue and the clause it governs; how each tag's status was
/// resolved and its entity chosen.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The record's id, as `zaitaku tag` prints it (e.g. 2024-007).
    #[arg(value_name = "RECORD_ID")]
    record_id: String,
    /// Input files (default: every file in --data).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `zaitaku explain`.
pub fn run(global: &GlobalArgs, args: &ExplainArgs) -> anyhow::Result<()> {
    let records = read_records(global, &args.files)?;
    let Some(record) = records.iter().find(|r| r.id == args.record_id) else {
        let where_ = if args.files.is_empty() {
            global.data.display().to_string()
        } else {
            args.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        };
        anyhow::bail!(
            "no record `{}` in {where_} ({} records){}",
            args.record_id,
            records.len(),
            did_you_mean(&args.record_id, records.iter().map(|r| r.id.as_str()))
        );
    };
    let ruleset = zaitaku::tag::Ruleset::load(&global.dictionaries)?;
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?;
    let tokenized = tokenizer.worker().tokenize(record.clone())?;
    let explanation = ruleset.worker().explain(&tokenized);
    let text = if args.json {
        serde_json::to_string_pretty(&explanation)? + "\n"
    } else {
        explanation.render_text()
    };
    Output::write_with(args.output.as_deref(), |out| Ok(out.write_all(text.as_bytes())?))
}
