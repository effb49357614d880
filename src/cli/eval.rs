//! `zaitaku eval --gold FILE [--baseline FILE]`: rule quality, and what changed.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::GlobalArgs;
use super::output::Output;

/// Tag the gold's own descriptions and score them against its labels: per-tag TP/FP/FN,
/// precision, recall, F1, support; micro and macro averages; status and entity accuracy.
/// With --baseline (an earlier `eval --json`), list what was gained or lost per record and tag,
/// with the rule responsible. Markdown on stdout; JSON with --json.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold file (JSON Lines with `tags` as {id: {status, entity}}).
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// An earlier `zaitaku eval --json` output to compare with.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Print JSON (the format --baseline reads) instead of Markdown.
    #[arg(long)]
    json: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with status 1 when true positives of the baseline are lost.
    #[arg(long, requires = "baseline")]
    fail_on_lost: bool,
}

/// Runs `zaitaku eval`.
pub fn run(global: &GlobalArgs, args: &EvalArgs) -> anyhow::Result<()> {
    let ruleset = zaitaku::tag::Ruleset::load(&global.dictionaries)?;
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?;
    let gold = zaitaku::eval::load_gold(&args.gold)?;
    let records = gold.iter().map(|g| g.record.clone()).collect();
    let tagged = zaitaku::pipeline::tokenize_and_tag(&tokenizer, &ruleset, records)?.records;
    let tag_ids: Vec<String> = ruleset.tags().iter().map(|t| t.id.clone()).collect();
    let evaluation = zaitaku::eval::evaluate(&gold, &tagged, &tag_ids);
    let diff = match &args.baseline {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
            let baseline: zaitaku::eval::Evaluation = serde_json::from_str(&text)
                .with_context(|| format!("{}: not an `eval --json` output", path.display()))?;
            Some(zaitaku::eval::diff(&baseline, &evaluation))
        }
        None => None,
    };
    let text = if args.json {
        let mut value = serde_json::to_value(&evaluation)?;
        if let Some(diff) = &diff {
            value["diff"] = serde_json::to_value(diff)?;
        }
        serde_json::to_string_pretty(&value)? + "\n"
    } else {
        let mut text = zaitaku::eval::render_markdown(&evaluation);
        if let Some(diff) = &diff {
            text.push('\n');
            text.push_str(&zaitaku::eval::render_diff_markdown(diff));
        }
        text
    };
    Output::write_with(args.output.as_deref(), |out| Ok(out.write_all(text.as_bytes())?))?;
    if args.fail_on_lost
        && let Some(diff) = &diff
        && diff.num_tp_lost() > 0
    {
        anyhow::bail!("{} true positive(s) of the baseline lost (see the table above)", diff.num_tp_lost());
    }
    Ok(())
}
