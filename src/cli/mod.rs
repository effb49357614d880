//! Command-line plumbing: one file per subcommand, each with a clap `Args` and `run`.
//!
//! Exit codes: 0 on success (also when stdout is a closed pipe), 2 on any error, printed on one
//! line as `zaitaku: PATH:LINE: what is wrong`. Warnings go to stderr as
//! `zaitaku: warning: PATH:LINE: …`; `--strict` makes them errors.

mod check;
mod eval;
mod explain;
mod ingest;
mod kwic;
mod main_job;
mod output;
mod tag;
mod tokens;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Analyse the reports of Tokyo's home-medical-care program (東京都在宅医療推進強化事業).
///
/// With no subcommand, runs the main job: every file in --data through the pipeline.
#[derive(Debug, Parser)]
#[command(name = "zaitaku", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Flags every subcommand accepts, before or after its name.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Folder of input files for the main job.
    #[arg(long, global = true, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
    /// Folder of rules, aliases, regions and the user dictionary.
    #[arg(long, global = true, value_name = "DIR", default_value = "dictionaries")]
    pub dictionaries: PathBuf,
    /// Folder the report is written to.
    #[arg(long, global = true, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Treat warnings as errors (wins over --lenient).
    #[arg(long, global = true)]
    pub strict: bool,
    /// Read what can be placed: text the table reader cannot place (a row without a district, a
    /// cell outside every column) becomes a warning instead of an error.
    #[arg(long, global = true)]
    pub lenient: bool,
    /// Recompute every input file instead of reusing cached results (.zaitaku-cache/).
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read input files and print one JSON record per line.
    Ingest(ingest::IngestArgs),
    /// Print the tokens of every record as TSV.
    Tokens(tokens::TokensArgs),
    /// Tag records and print them with their tags as JSON lines.
    Tag(tag::TagArgs),
    /// Validate every file in the dictionaries folder.
    Check(check::CheckArgs),
    /// Score the rules against hand-labelled gold.
    Eval(eval::EvalArgs),
    /// Show every occurrence of a term, base form, regex, tag or rule in context.
    Kwic(kwic::KwicArgs),
    /// Explain why one record got (or did not get) each tag.
    Explain(explain::ExplainArgs),
}

/// Parses the command line, runs it and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads =
        cli.global.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // SAFETY: nothing else runs yet (no threads have been started), so changing the environment
    // cannot race; polars reads this once, when its pool starts, so --threads bounds it too.
    unsafe { std::env::set_var("POLARS_MAX_THREADS", threads.max(1).to_string()) };
    if let Some(threads) = cli.global.threads {
        if threads == 0 {
            eprintln!("zaitaku: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global() {
            eprintln!("zaitaku: cannot start {threads} threads: {e}");
            return ExitCode::from(2);
        }
    }
    let outcome = match cli.command {
        None => main_job::run(&cli.global),
        Some(Command::Ingest(args)) => ingest::run(&cli.global, &args),
        Some(Command::Tokens(args)) => tokens::run(&cli.global, &args),
        Some(Command::Tag(args)) => tag::run(&cli.global, &args),
        Some(Command::Check(args)) => check::run(&cli.global, &args),
        Some(Command::Eval(args)) => eval::run(&cli.global, &args),
        Some(Command::Explain(args)) => explain::run(&cli.global, &args),
        Some(Command::Kwic(args)) => kwic::run(&cli.global, &args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("zaitaku: {}", chain(&error));
            ExitCode::from(2)
        }
    }
}

/// Prints warnings, or fails on the first with `--strict`.
pub fn report_warnings(global: &GlobalArgs, warnings: zaitaku::Warnings) -> anyhow::Result<()> {
    for warning in warnings.as_slice() {
        eprintln!("zaitaku: warning: {warning}");
    }
    warnings.into_result(global.strict)?;
    Ok(())
}

/// How inputs are read, from the flags.
pub fn read_options(global: &GlobalArgs) -> zaitaku::ingest::ReadOptions {
    zaitaku::ingest::ReadOptions { lenient: global.lenient }
}

/// The error and its causes on one line; a cause its parent's message already quotes (an I/O
/// error's reason) is not repeated.
fn chain(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain().map(ToString::to_string) {
        if line.contains(&cause) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&cause);
    }
    line
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || matches!(
                cause.downcast_ref::<zaitaku::Error>(),
                Some(zaitaku::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe
            )
    })
}

/// The records of `files`, or of every input file in `--data` when none is given.
pub fn read_records(global: &GlobalArgs, files: &[PathBuf]) -> anyhow::Result<Vec<zaitaku::Record>> {
    let files = if files.is_empty() { zaitaku::job::input_files(&global.data)? } else { files.to_vec() };
    let ingested = zaitaku::ingest::read_all_with(&files, read_options(global))?;
    report_warnings(global, ingested.warnings)?;
    Ok(ingested.records)
}

/// `"; did you mean `X`?"` for the candidate closest to `name`, or nothing when none is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::normalized_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
    best.map(|(_, c)| format!("; did you mean `{c}`?")).unwrap_or_default()
}
