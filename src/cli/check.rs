//! `zaitaku check`: validate every file in the dictionaries folder.

use std::io::Write;

use anyhow::Context;
use clap::Args;

use super::GlobalArgs;

/// Validate every file in --dictionaries (taxonomy, rules, cues, aliases, user dictionary) and
/// report every problem as PATH:LINE: message, sorted, then a summary. Exit 2 on any error.
#[derive(Debug, Args)]
pub struct CheckArgs {}

/// Runs `zaitaku check`.
pub fn run(global: &GlobalArgs, _args: &CheckArgs) -> anyhow::Result<()> {
    let report = zaitaku::check::check(&global.dictionaries);
    let mut stdout = std::io::stdout().lock();
    let printed = report
        .problems
        .iter()
        .try_for_each(|problem| writeln!(stdout, "{}", problem.with_severity()))
        .and_then(|()| writeln!(stdout, "{}", report.summary()))
        .and_then(|()| stdout.flush());
    printed.context("<stdout>: cannot write")?;
    if report.num_errors() > 0 || (global.strict && !report.problems.is_empty()) {
        anyhow::bail!("{}: the dictionaries have errors (listed above)", global.dictionaries.display());
    }
    Ok(())
}
