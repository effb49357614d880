//! The main job: every input file in the data folder through the whole pipeline, and the report.
//!
//! Input files are found here (dotfiles and READMEs are not inputs) and read in name order, so
//! runs are reproducible. Every record needs a fiscal year (from the title, the file name or a
//! column), and one fiscal year comes from one file only: two files for the same year are an
//! error naming both, never a silent merge. Association names are normalised (and renamed per
//! `renames.toml`) before years are compared.
//!
//! Incremental runs: each file's tagged records are cached under `cache_dir` ([`cache`]), keyed
//! by the file, the rules and the build, so a changed input, a changed rule or a new build never
//! reuses a stale result. A cache entry that cannot be read is recomputed.
//!
//! The report records the tool version and the content hashes of the rules and of every input, so
//! a figure can be traced back to what produced it.

mod cache;
mod discovery;

pub use cache::BUILD_ID;
pub use discovery::{dictionaries_hash, input_files};

use std::collections::BTreeMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use cache::{Cache, CachedRecord, FileResult};

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

/// Runs the main job; `progress` is told each stage as it starts.
pub fn run(config: &JobConfig, progress: &dyn Fn(&str)) -> Result<JobSummary> {
    progress(STAGES[0]);
    let paths = input_files(&config.data_dir)?;
    let ruleset = Ruleset::load(&config.dictionaries_dir)?;
    let regions = Regions::load(&config.dictionaries_dir)?;
    let rules_hash = dictionaries_hash(&config.dictionaries_dir)?;
    let cache = Cache::new(config.cache_dir.clone());
    let files = read_and_tag(&paths, config, &ruleset, &rules_hash, &cache)?;
    let num_cached = files.iter().filter(|f| f.from_cache).count();
    let input_hashes = files.iter().map(|f| (f.file_name.clone(), f.input_hash[..16].to_owned())).collect();
    let Assembled { tagged, inputs, fiscal_years, num_tokens, warnings } =
        assemble(files.into_iter().map(|f| f.result).collect(), &regions)?;
    #[cfg(feature = "report")]
    let mut warnings = warnings; // aggregation adds its own

    let mut districts: Vec<&str> = tagged.iter().filter_map(|r| r.record.district.as_deref()).collect();
    districts.sort_unstable();
    districts.dedup();
    let num_districts = districts.len();
    let num_records = tagged.len();
    let num_tags = tagged.iter().map(|r| r.tags.len()).sum();
    let num_untagged = tagged.iter().filter(|r| r.tags.is_empty()).count();

    #[cfg(feature = "report")]
    let files = {
        progress(STAGES[1]);
        let mut years = Vec::with_capacity(fiscal_years.len());
        // Sorted by year in `assemble`: each year's records are moved, not copied, into its
        // aggregates (split off from the last year back, aggregated in year order).
        let mut tagged = tagged;
        let mut by_year = Vec::with_capacity(fiscal_years.len());
        while let Some(last) = tagged.last() {
            let year = last.record.fiscal_year;
            let from = tagged.partition_point(|r| r.record.fiscal_year < year);
            by_year.push(tagged.split_off(from));
        }
        for of_year in by_year.into_iter().rev() {
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
        let chart_cache = config.cache_dir.as_ref().map(|dir| dir.join("charts"));
        crate::render::render(&years, &changes, &context, &config.out_dir, chart_cache.as_deref())?.files
    };
    #[cfg(not(feature = "report"))]
    let files = {
        let _: Vec<(String, String)> = input_hashes;
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

/// One input file's result, with where it came from.
struct ReadFile {
    /// The file name alone: the report must not depend on where the data folder is.
    file_name: String,
    /// SHA-256 of its bytes.
    input_hash: String,
    from_cache: bool,
    result: FileResult,
}

/// Reads, tokenizes and tags each file, or takes its result from the cache; the tokenizer is
/// loaded only when some file is not cached.
fn read_and_tag(
    paths: &[PathBuf],
    config: &JobConfig,
    ruleset: &Ruleset,
    rules_hash: &str,
    cache: &Cache,
) -> Result<Vec<ReadFile>> {
    let mut tokenizer: Option<Tokenizer> = None;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let input_hash = discovery::hex(&Sha256::digest(&bytes));
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let entry = cache.entry(path, &input_hash, rules_hash, config.read_options);
        if let Some(result) = entry.as_deref().and_then(Cache::load) {
            files.push(ReadFile { file_name, input_hash, from_cache: true, result });
            continue;
        }
        if tokenizer.is_none() {
            tokenizer = Some(Tokenizer::load(&config.dictionaries_dir)?);
        }
        let tokenizer = tokenizer.as_ref().expect("loaded just above");
        let ingested = ingest::read_bytes_with(&path.display().to_string(), &bytes, config.read_options)?;
        let input = ingested.inputs.into_iter().next().expect("read_bytes reports its one input");
        let sources: Vec<Option<Location>> = ingested.records.iter().map(|r| r.source.clone()).collect();
        let tagged = crate::pipeline::tokenize_and_tag(tokenizer, ruleset, ingested.records)?;
        let num_tokens = tagged.num_tokens;
        let records = tagged
            .records
            .into_iter()
            .zip(sources)
            .map(|(tagged, source)| CachedRecord { tagged, source })
            .collect();
        let result = FileResult { input, warnings: ingested.warnings, records, num_tokens };
        if let Some(entry) = &entry {
            Cache::store(entry, &result);
        }
        files.push(ReadFile { file_name, input_hash, from_cache: false, result });
    }
    Ok(files)
}

/// Every file's records as one corpus, checked and in report order.
struct Assembled {
    /// Sorted by fiscal year, then record id.
    tagged: Vec<TaggedRecord>,
    inputs: Vec<Input>,
    /// Ascending.
    fiscal_years: Vec<u16>,
    num_tokens: usize,
    warnings: Warnings,
}

/// Joins the files' records: each needs a fiscal year, a year comes from one file only, ids are
/// unique, districts take their canonical names.
fn assemble(results: Vec<FileResult>, regions: &Regions) -> Result<Assembled> {
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
    Ok(Assembled { tagged, inputs, fiscal_years: years_by_file.into_keys().collect(), num_tokens, warnings })
}
