//! `zaitaku` with no subcommand: the main job over `--data`, writing the report to `--out`.

use std::io::{IsTerminal, Write};

use anyhow::Context;

use zaitaku::job::{self, JobConfig};

use super::{GlobalArgs, report_warnings};

/// Runs the main job: a progress bar on a terminal, then a one-paragraph summary.
pub fn run(global: &GlobalArgs) -> anyhow::Result<()> {
    let config = JobConfig {
        data_dir: global.data.clone(),
        dictionaries_dir: global.dictionaries.clone(),
        out_dir: global.out.clone(),
        cache_dir: (!global.no_cache).then(|| job::DEFAULT_CACHE_DIR.into()),
        read_options: super::read_options(global),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(job::STAGES.len() as u64 - 1);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    // ZAITAKU_TIMINGS=1 prints when each stage starts and the peak memory so far, for profiling.
    let timings = std::env::var_os("ZAITAKU_TIMINGS").map(|_| std::time::Instant::now());
    let progress = |stage: &str| {
        if let Some(start) = timings {
            eprintln!(
                "zaitaku: timing: {stage} at {:.1} ms, peak {}",
                start.elapsed().as_secs_f64() * 1e3,
                peak_memory().unwrap_or_else(|| "unknown".to_owned())
            );
        }
        if let Some(bar) = &bar {
            if stage != job::STAGES[0] {
                bar.inc(1);
            }
            bar.set_message(stage.to_owned());
        }
    };
    let summary = job::run(&config, &progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary?;
    let num_warnings = summary.warnings.len();
    report_warnings(global, summary.warnings)?;
    let inputs: Vec<String> = summary
        .inputs
        .iter()
        .map(|i| {
            let year = i.fiscal_year.map_or_else(|| "no fiscal year".to_owned(), |y| format!("FY{y}"));
            format!("{} ({}, {year}, {} records)", i.path, i.format.name(), i.num_records)
        })
        .collect();
    let years: Vec<String> = summary.fiscal_years.iter().map(ToString::to_string).collect();
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Read {}{}: {} records from {} associations, fiscal year(s) {}; {} tokens; {} record-tag pairs, {} records with no tag. \
         Wrote {} files to {} (open {}). {num_warnings} warning(s).",
        inputs.join(", "),
        if summary.num_cached > 0 {
            format!(" ({} from the cache)", summary.num_cached)
        } else {
            String::new()
        },
        summary.num_records,
        summary.num_districts,
        years.join(", "),
        summary.num_tokens,
        summary.num_tags,
        summary.num_untagged,
        summary.files.len(),
        config.out_dir.display(),
        config.out_dir.join("index.html").display()
    )
    .and_then(|()| stdout.flush())
    .context("<stdout>: cannot write")?;
    Ok(())
}

/// The process's peak resident memory so far (Linux's `VmHWM`), for `ZAITAKU_TIMINGS`.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(format!("{:.1} MiB", kib / 1024.0))
}
