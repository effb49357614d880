//! `zaitaku eval --gold FILE [--baseline FILE]`: rule quality, and what changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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
    /// Add a table per rule: records it fires on, TP, FP, records where it is the only rule of
    /// its tag giving a true positive, overlap with the tag's other rules, and the rules that
    /// fire on no gold record (`rules` in the JSON).
    #[arg(long)]
    per_rule: bool,
    /// Exit with status 1 when true positives of the baseline are lost.
    #[arg(long, requires = "baseline")]
    fail_on_lost: bool,
}

/// Runs `zaitaku eval`.
pub fn run(global: &GlobalArgs, args: &EvalArgs) -> anyhow::Result<()> {
    let ruleset = zaitaku::tag::Ruleset::load(&global.dictionaries)?;
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?;
    let gold = zaitaku::eval::load_gold(&args.gold)?;
    let rule_index: BTreeMap<&str, usize> = ruleset.rules().enumerate().map(|(i, r)| (r.name, i)).collect();
    let records: Vec<zaitaku::Record> = gold.iter().map(|g| g.record.clone()).collect();
    // The stages one after the other, each over every record in parallel, so each is timed
    // alone; each is repeated within a small budget and the fastest run counts, so that one
    // pass over a few dozen records does not make the figure noise.
    let (tokenized, tokenize_seconds) = fastest(|| records.clone(), |input| tokenizer.tokenize(input));
    let tokenized = tokenized?;
    let (tagged, tag_seconds) = fastest(|| tokenized.clone(), |input| ruleset.tag(input));
    let speed = Speed::new(tagged.len(), tokenize_seconds, tag_seconds);
    let tag_ids: Vec<String> = ruleset.tags().iter().map(|t| t.id.clone()).collect();
    let evaluation = zaitaku::eval::evaluate(&gold, &tagged, &tag_ids);
    let rules = args.per_rule.then(|| {
        let fired: Vec<BTreeSet<usize>> = tokenized
            .par_iter()
            .map_init(
                || ruleset.worker(),
                |worker, record| {
                    let explanation = worker.explain(record);
                    explanation
                        .matches
                        .iter()
                        .filter(|m| m.outcome.is_kept())
                        .filter_map(|m| rule_index.get(m.rule.as_str()).copied())
                        .collect()
                },
            )
            .collect();
        let rules: Vec<_> = ruleset.rules().collect();
        zaitaku::eval::per_rule(&gold, &fired, &rules)
    });
    let (diff, baseline_speed) = match &args.baseline {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
            let baseline: zaitaku::eval::Evaluation = serde_json::from_str(&text)
                .with_context(|| format!("{}: not an `eval --json` output", path.display()))?;
            let baseline_speed = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| serde_json::from_value::<Speed>(v["speed"].clone()).ok());
            (Some(zaitaku::eval::diff(&baseline, &evaluation)), baseline_speed)
        }
        None => (None, None),
    };
    let text = if args.json {
        let mut value = serde_json::to_value(&evaluation)?;
        value["speed"] = serde_json::to_value(speed)?;
        if let Some(rules) = &rules {
            value["rules"] = serde_json::to_value(rules)?;
        }
        if let Some(diff) = &diff {
            value["diff"] = serde_json::to_value(diff)?;
        }
        if let Some(baseline) = &baseline_speed {
            value["speed_baseline"] = serde_json::to_value(baseline)?;
        }
        serde_json::to_string_pretty(&value)? + "\n"
    } else {
        let mut text = zaitaku::eval::render_markdown(&evaluation);
        text.push('\n');
        text.push_str(&speed.render_markdown(baseline_speed.as_ref()));
        if let Some(rules) = &rules {
            text.push('\n');
            text.push_str(&zaitaku::eval::render_rules_markdown(rules));
        }
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

/// Runs `step` on a fresh `input()` (made untimed) until 0.25 s have gone or ten runs; the last
/// output and the fastest run's seconds.
fn fastest<I, T>(input: impl Fn() -> I, step: impl Fn(I) -> T) -> (T, f64) {
    let timed = || {
        let input = input();
        let started = Instant::now();
        let output = step(input);
        (output, started.elapsed().as_secs_f64())
    };
    let budget = Instant::now();
    let (mut output, mut best) = timed();
    for _ in 1..10 {
        if budget.elapsed().as_secs_f64() > 0.25 {
            break;
        }
        let (next, seconds) = timed();
        output = next;
        best = best.min(seconds);
    }
    (output, best)
}

/// How fast the rules ran on the gold: a measurement, so it differs from run to run (it is left
/// out of what `--baseline` compares for gains and losses).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Speed {
    records: usize,
    tokenize_ms: f64,
    tag_ms: f64,
    /// Records per second through both stages.
    records_per_second: f64,
}

impl Speed {
    fn new(records: usize, tokenize_seconds: f64, tag_seconds: f64) -> Self {
        let total = tokenize_seconds + tag_seconds;
        Speed {
            records,
            tokenize_ms: tokenize_seconds * 1e3,
            tag_ms: tag_seconds * 1e3,
            records_per_second: if total > 0.0 { records as f64 / total } else { 0.0 },
        }
    }

    fn render_markdown(&self, baseline: Option<&Speed>) -> String {
        let change = |now: f64, then: f64| {
            if then > 0.0 {
                format!(" ({:+.0} % on the baseline's {then:.1})", (now / then - 1.0) * 100.0)
            } else {
                String::new()
            }
        };
        let (tokenize, tag, rate) = match baseline {
            Some(b) => (
                change(self.tokenize_ms, b.tokenize_ms),
                change(self.tag_ms, b.tag_ms),
                change(self.records_per_second, b.records_per_second),
            ),
            None => Default::default(),
        };
        format!(
            "## Speed on this gold ({} records, {} threads; the fastest of up to ten runs)\n\n| stage | ms |\n|---|---:|\n\
             | tokenizing | {:.1}{tokenize} |\n| tagging | {:.1}{tag} |\n| records/s (both) | {:.0}{rate} |\n",
            self.records,
            rayon::current_num_threads(),
            self.tokenize_ms,
            self.tag_ms,
            self.records_per_second,
        )
    }
}
