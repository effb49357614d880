//! The main job: every input file in the data folder through the whole pipeline, and the report.
//!
//! Input files are found here (dotfiles and READMEs are not inputs) and read in name order, so
//! runs are reproducible. Every record must have a fiscal year (from the title, the file name or a
//! column); the report shows the latest year. The report records the tool version, the content
//! hash of the rules and of every input, so a figure can be traced back to what produced it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Location, Result, Warnings};
use crate::ingest::{self, Input};
use crate::tag::Ruleset;
use crate::tokenize::Tokenizer;

/// Where the main job reads and writes.
#[derive(Debug, Clone)]
pub struct JobConfig {
    /// The folder of input files (`data/`).
    pub data_dir: PathBuf,
    /// The folder of rules and dictionaries (`dictionaries/`).
    pub dictionaries_dir: PathBuf,
    /// Where reports go (`reports/`).
    pub out_dir: PathBuf,
}

/// What a run read and produced.
#[derive(Debug, Clone)]
pub struct JobSummary {
    /// One entry per input file.
    pub inputs: Vec<Input>,
    /// Records read.
    pub num_records: usize,
    /// Distinct districts among them.
    pub num_districts: usize,
    /// Fiscal years present, ascending.
    pub fiscal_years: Vec<u16>,
    /// Tokens in all descriptions.
    pub num_tokens: usize,
    /// Record × tag pairs.
    pub num_tags: usize,
    /// Records with no tag.
    pub num_untagged: usize,
    /// Files written, relative to the output folder (empty without the `report` feature).
    pub files: Vec<PathBuf>,
    /// Recoverable problems.
    pub warnings: Warnings,
}

/// The stages of the main job, for progress reporting.
pub const STAGES: [&str; 6] = ["read", "tokenize", "tag", "aggregate", "render", "done"];

/// Runs the main job; `progress` is told each stage as it starts.
pub fn run(config: &JobConfig, progress: &dyn Fn(&str)) -> Result<JobSummary> {
    progress(STAGES[0]);
    let paths = input_files(&config.data_dir)?;
    let ingested = ingest::read_all(&paths)?;
    let mut warnings = ingested.warnings;
    if let Some(record) = ingested.records.iter().find(|r| r.fiscal_year.is_none()) {
        let location = record.source.clone().unwrap_or_else(|| Location::file(record.id.clone()));
        return Err(Error::input(
            location,
            "no fiscal year for this record: the main job needs one (a 令和N年度 title, a file name such as r07_…, or a 年度 column)",
        ));
    }
    let tokenizer = Tokenizer::load(&config.dictionaries_dir)?;
    let ruleset = Ruleset::load(&config.dictionaries_dir)?;
    let mut districts: Vec<&str> = ingested.records.iter().filter_map(|r| r.district.as_deref()).collect();
    districts.sort_unstable();
    districts.dedup();
    let num_districts = districts.len();
    let mut fiscal_years: Vec<u16> = ingested.records.iter().filter_map(|r| r.fiscal_year).collect();
    fiscal_years.sort_unstable();
    fiscal_years.dedup();
    let num_records = ingested.records.len();

    progress(STAGES[1]);
    let tokenized = tokenizer.tokenize(ingested.records)?;
    let num_tokens = tokenized.iter().map(|r| r.tokens.len()).sum();
    progress(STAGES[2]);
    let tagged = ruleset.tag(tokenized);
    let num_tags = tagged.iter().map(|r| r.tags.len()).sum();
    let num_untagged = tagged.iter().filter(|r| r.tags.is_empty()).count();

    #[cfg(feature = "report")]
    let files = {
        progress(STAGES[3]);
        let regions = crate::regions::Regions::load(&config.dictionaries_dir)?;
        let latest = fiscal_years.last().copied();
        let of_latest: Vec<crate::model::TaggedRecord> =
            tagged.into_iter().filter(|r| r.record.fiscal_year == latest).collect();
        let aggregates = crate::aggregate::aggregate(&of_latest, &regions, ruleset.tags(), &mut warnings)?;
        progress(STAGES[4]);
        let context = crate::render::ReportContext {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_hash: dictionaries_hash(&config.dictionaries_dir)?,
            inputs: paths
                .iter()
                .map(|p| Ok((p.display().to_string(), file_hash(p)?)))
                .collect::<Result<Vec<_>>>()?,
            warnings: warnings.as_slice().iter().map(ToString::to_string).collect(),
        };
        crate::render::render(&aggregates, &context, &config.out_dir)?.files
    };
    #[cfg(not(feature = "report"))]
    let files = {
        drop(tagged);
        Vec::new()
    };
    progress(STAGES[5]);
    Ok(JobSummary {
        inputs: ingested.inputs,
        num_records,
        num_districts,
        fiscal_years,
        num_tokens,
        num_tags,
        num_untagged,
        files,
        warnings,
    })
}

/// The input files of a data folder, sorted by name; dotfiles and README files are skipped.
pub fn input_files(data_dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(data_dir).map_err(|e| Error::io(data_dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(data_dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.to_lowercase().starts_with("readme") {
            continue;
        }
        let path = entry.path();
        if path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(Error::input(
            Location::file(data_dir.display().to_string()),
            "no input files (put the pdftotext output, a CSV or a JSON file of the program table here)",
        ));
    }
    Ok(paths)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file, first 16 hex digits (enough to trace, short enough to read).
pub fn file_hash(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(hex(&Sha256::digest(&bytes))[..16].to_owned())
}

/// SHA-256 over every file of the dictionaries folder that rules are read from (paths and
/// contents, in path order; the vendored IPADIC source is covered by the tool version).
pub fn dictionaries_hash(dir: &Path) -> Result<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).map_err(|e| Error::io(&current, e))? {
            let path = entry.map_err(|e| Error::io(&current, e))?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "ipadic") {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = Sha256::new();
    for path in &files {
        let relative = path.strip_prefix(dir).unwrap_or(path);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(std::fs::read(path).map_err(|e| Error::io(path, e))?);
        hasher.update([0]);
    }
    Ok(hex(&hasher.finalize())[..16].to_owned())
}
