//! The main job: every input file in the data folder through the whole pipeline, and the report.
//!
//! Input files are found here (dotfiles and READMEs are not inputs) and read in name order, so
//! runs are reproducible. Every record needs a fiscal year (from the title, the file name or a
//! column), and one fiscal year comes from one file only: two files for the same year are an
//! error naming both, never a silent merge. Association names are normalised (and renamed per
//! `renames.toml`) before years are compared.
//!
//! Incremental runs: each file's tagged records are cached under `cache_dir`, keyed by the SHA-256
//! of the file, of every rules file and of the tool version, so a changed input, a changed rule or
//! a new build never reuses a stale result. A cache entry that cannot be read is recomputed.
//!
//! The report records the tool version and the content hashes of the rules and of every input, so
//! a figure can be traced back to what produced it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Location, Result, Warnings};
use crate::ingest::{self, Input};
use crate::model::TaggedRecord;
use crate::regions::Regions;
use crate::tag::Ruleset;
use crate::text::natural_cmp;
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
    /// Where per-file results are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// How inputs are read (`--lenient`).
    pub read_options: ingest::ReadOptions,
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
    /// Input files whose results came from the cache.
    pub num_cached: usize,
    /// Files written, relative to the output folder (empty without the `report` feature).
    pub files: Vec<PathBuf>,
    /// Recoverable problems.
    pub warnings: Warnings,
}

/// The stages of the main job, for progress reporting.
pub const STAGES: [&str; 5] = ["read and tag", "aggregate", "render", "publish", "done"];

/// The default cache folder, beside `data/` and `reports/` (git-ignored, safe to delete).
pub const DEFAULT_CACHE_DIR: &str = ".zaitaku-cache";

/// What one input file gives, and what the cache stores for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileResult {
    input: Input,
    warnings: Warnings,
    records: Vec<CachedRecord>,
    num_tokens: usize,
}

/// A tagged record with its input location (which `Record` does not serialize).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedRecord {
    tagged: TaggedRecord,
    source: Option<Location>,
}

/// Runs the main job; `progress` is told each stage as it starts.
pub fn run(config: &JobConfig, progress: &dyn Fn(&str)) -> Result<JobSummary> {
    progress(STAGES[0]);
    let paths = input_files(&config.data_dir)?;
    let ruleset = Ruleset::load(&config.dictionaries_dir)?;
    let regions = Regions::load(&config.dictionaries_dir)?;
    let rules_hash = dictionaries_hash(&config.dictionaries_dir)?;
    let mut tokenizer: Option<Tokenizer> = None;

    let mut results = Vec::with_capacity(paths.len());
    let mut input_hashes = Vec::with_capacity(paths.len());
    let mut num_cached = 0;
    for path in &paths {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let input_hash = hex(&Sha256::digest(&bytes));
        // File names only: the report must not depend on where the data folder is.
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        input_hashes.push((file_name, input_hash[..16].to_owned()));
        // The path is part of the key: cached warnings and record locations name the file.
        let key = hex(&Sha256::digest(format!(
            "{}:{input_hash}:{rules_hash}:{}:lenient={}",
            path.display(),
            env!("CARGO_PKG_VERSION"),
            config.read_options.lenient
        )));
        let cache_file = config.cache_dir.as_ref().map(|dir| dir.join(format!("{}.json", &key[..32])));
        if let Some(result) = cache_file.as_deref().and_then(read_cache) {
            num_cached += 1;
            results.push(result);
            continue;
        }
        if tokenizer.is_none() {
            tokenizer = Some(Tokenizer::load(&config.dictionaries_dir)?);
        }
        let tokenizer = tokenizer.as_ref().expect("loaded just above");
        let ingested = ingest::read_bytes_with(&path.display().to_string(), &bytes, config.read_options)?;
        let input = ingested.inputs.into_iter().next().expect("read_bytes reports its one input");
        let sources: Vec<Option<Location>> = ingested.records.iter().map(|r| r.source.clone()).collect();
        let tagged = crate::pipeline::tokenize_and_tag(tokenizer, &ruleset, ingested.records)?;
        let num_tokens = tagged.num_tokens;
        let records = tagged
            .records
            .into_iter()
            .zip(sources)
            .map(|(tagged, source)| CachedRecord { tagged, source })
            .collect();
        let result = FileResult { input, warnings: ingested.warnings, records, num_tokens };
        if let Some(file) = &cache_file {
            write_cache(file, &result);
        }
        results.push(result);
    }

    let mut warnings = Warnings::default();
    let mut inputs = Vec::new();
    let mut tagged: Vec<TaggedRecord> = Vec::new();
    let mut num_tokens = 0;
    let mut years_by_file: BTreeMap<u16, String> = BTreeMap::new();
    for result in results {
        warnings.extend(result.warnings);
        num_tokens += result.num_tokens;
        for cached in result.records {
            let mut record = cached.tagged;
            record.record.source = cached.source;
            let Some(year) = record.record.fiscal_year else {
                let location =
                    record.record.source.clone().unwrap_or_else(|| Location::file(result.input.path.clone()));
                return Err(Error::input(
                    location,
                    "no fiscal year for this record: the main job needs one (a 令和N年度 title, a file name such as r07_…, or a 年度 column)",
                ));
            };
            if let Some(other) = years_by_file.insert(year, result.input.path.clone())
                && other != result.input.path
            {
                return Err(Error::input(
                    Location::file(result.input.path.clone()),
                    format!(
                        "fiscal year {year} is also in {other}: one file per fiscal year (remove or rename one)"
                    ),
                ));
            }
            record.record.district = record.record.district.as_deref().map(|d| regions.canonical(d));
            tagged.push(record);
        }
        inputs.push(result.input);
    }
    ingest::check_unique_ids(tagged.iter().map(|t| &t.record))?;
    // The report lists records by year and id, not in whatever order the inputs held them, so
    // reordering a CSV or JSON input changes nothing but the input's hash.
    tagged.sort_by(|a, b| {
        a.record.fiscal_year.cmp(&b.record.fiscal_year).then_with(|| natural_cmp(&a.record.id, &b.record.id))
    });

    let mut districts: Vec<&str> = tagged.iter().filter_map(|r| r.record.district.as_deref()).collect();
    districts.sort_unstable();
    districts.dedup();
    let num_districts = districts.len();
    let fiscal_years: Vec<u16> = years_by_file.keys().copied().collect();
    let num_records = tagged.len();
    let num_tags = tagged.iter().map(|r| r.tags.len()).sum();
    let num_untagged = tagged.iter().filter(|r| r.tags.is_empty()).count();

    #[cfg(feature = "report")]
    let files = {
        progress(STAGES[1]);
        let mut years = Vec::with_capacity(fiscal_years.len());
        // Sorted by year above, so each year is one slice: no copy of the records.
        for of_year in tagged.chunk_by(|a, b| a.record.fiscal_year == b.record.fiscal_year) {
            years.push(crate::aggregate::aggregate(of_year, &regions, ruleset.tags(), &mut warnings)?);
        }
        let changes = crate::aggregate::yoy::year_over_year(&years);
        progress(STAGES[2]);
        let context = crate::render::ReportContext {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_hash: rules_hash[..16].to_owned(),
            inputs: input_hashes,
            warnings: warnings.as_slice().iter().map(ToString::to_string).collect(),
        };
        crate::render::render(&years, &changes, &context, &config.out_dir)?.files
    };
    #[cfg(not(feature = "report"))]
    let files = {
        let _ = (&regions, input_hashes);
        Vec::new()
    };
    progress(STAGES[4]);
    Ok(JobSummary {
        inputs,
        num_records,
        num_districts,
        fiscal_years,
        num_tokens,
        num_tags,
        num_untagged,
        num_cached,
        files,
        warnings,
    })
}

/// A cache entry, or `None` when there is none or it cannot be read (then it is recomputed).
fn read_cache(file: &Path) -> Option<FileResult> {
    let bytes = std::fs::read(file).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Best effort: a cache that cannot be written only costs time on the next run.
fn write_cache(file: &Path, result: &FileResult) {
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(json) = serde_json::to_vec(result) else { return };
    let temporary = file.with_extension(format!("tmp-{}", std::process::id()));
    if std::fs::write(&temporary, json).is_ok() && std::fs::rename(&temporary, file).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// The input files of a data folder, sorted by name; dotfiles and README files are skipped.
pub fn input_files(data_dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(data_dir).map_err(|e| Error::io(data_dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(data_dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // `~$…` is the lock file a spreadsheet program keeps beside a workbook it has open.
        if name.starts_with('.') || name.starts_with("~$") || name.to_lowercase().starts_with("readme") {
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
            "no input files (put the program table here: the PDF from the 東京都 site, an Excel workbook, a CSV, a JSON file or pdftotext's text)",
        ));
    }
    Ok(paths)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    Ok(hex(&hasher.finalize()))
}
