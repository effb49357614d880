//! The main job: every input file in the data folder through the pipeline.
//!
//! Until the report stage exists, the job reads, tokenizes and summarises what it read.
//! Input files are found here (dotfiles and READMEs are not inputs) and read in name order, so
//! runs are reproducible.

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result, Warnings};
use crate::ingest::{self, Input};
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
    /// Recoverable problems.
    pub warnings: Warnings,
}

/// Runs the main job.
pub fn run(config: &JobConfig) -> Result<JobSummary> {
    let paths = input_files(&config.data_dir)?;
    let ingested = ingest::read_all(&paths)?;
    let tokenizer = Tokenizer::load(&config.dictionaries_dir)?;
    let mut districts: Vec<&str> = ingested.records.iter().filter_map(|r| r.district.as_deref()).collect();
    districts.sort_unstable();
    districts.dedup();
    let num_districts = districts.len();
    let mut fiscal_years: Vec<u16> = ingested.records.iter().filter_map(|r| r.fiscal_year).collect();
    fiscal_years.sort_unstable();
    fiscal_years.dedup();
    let num_records = ingested.records.len();
    let tokenized = tokenizer.tokenize(ingested.records)?;
    let num_tokens = tokenized.iter().map(|r| r.tokens.len()).sum();
    Ok(JobSummary {
        inputs: ingested.inputs,
        num_records,
        num_districts,
        fiscal_years,
        num_tokens,
        warnings: ingested.warnings,
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
