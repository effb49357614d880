//! `zaitaku` with no subcommand: the main job over `--data`.

use zaitaku::job::{self, JobConfig};

use super::{GlobalArgs, report_warnings};

/// Runs the main job and prints what it read.
pub fn run(global: &GlobalArgs) -> anyhow::Result<()> {
    let config = JobConfig {
        data_dir: global.data.clone(),
        dictionaries_dir: global.dictionaries.clone(),
        out_dir: global.out.clone(),
    };
    let summary = job::run(&config)?;
    let num_warnings = summary.warnings.len();
    report_warnings(global, summary.warnings)?;
    for input in &summary.inputs {
        let year = input.fiscal_year.map_or_else(|| "no fiscal year".to_owned(), |y| format!("FY{y}"));
        println!(
            "read {} ({}, {:?}, {year}): {} records",
            input.path,
            input.format.name(),
            input.encoding,
            input.num_records
        );
    }
    let years: Vec<String> = summary.fiscal_years.iter().map(ToString::to_string).collect();
    println!(
        "{} records from {} districts, fiscal year(s) {}; {} tokens; {num_warnings} warning(s). \
         The report stage is not built yet, so nothing was written to {}.",
        summary.num_records,
        summary.num_districts,
        if years.is_empty() { "none".to_owned() } else { years.join(", ") },
        summary.num_tokens,
        config.out_dir.display()
    );
    Ok(())
}
