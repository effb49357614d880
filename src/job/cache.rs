//! The per-file cache of the main job: one JSON file per input, named by a key over everything
//! that decides the tags (the file's path and bytes, the rules, how it is read, and the build).
//!
//! The build id is set by `build.rs` from the sources and `Cargo.lock`: the crate version stays
//! 0.1.0 while the code changes, so keying on it would serve tags a previous build computed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::discovery::hex;
use crate::error::{Location, Warnings};
use crate::ingest::{Input, ReadOptions};
use crate::model::TaggedRecord;

/// What one input file gives, and what the cache stores for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FileResult {
    pub input: Input,
    pub warnings: Warnings,
    pub records: Vec<CachedRecord>,
    pub num_tokens: usize,
}

/// A tagged record with its input location (which `Record` does not serialize).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CachedRecord {
    pub tagged: TaggedRecord,
    pub source: Option<Location>,
}

pub use crate::BUILD_ID;

/// A cache folder as one build of the tool sees it; without a folder nothing is cached.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: Option<PathBuf>,
    build_id: String,
}

impl Cache {
    /// The cache of this build in `dir`.
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self::of_build(dir, BUILD_ID)
    }

    /// The cache in `dir` as the build `build_id` sees it.
    pub fn of_build(dir: Option<PathBuf>, build_id: &str) -> Self {
        Self { dir, build_id: build_id.to_owned() }
    }

    /// The entry for `path` (whose bytes hash to `input_hash`) read with `options` under the
    /// rules hashing to `rules_hash`; `None` without a cache folder.
    pub fn entry(
        &self,
        path: &Path,
        input_hash: &str,
        rules_hash: &str,
        options: ReadOptions,
    ) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        // The path is part of the key: cached warnings and record locations name the file.
        let key = hex(&Sha256::digest(format!(
            "{}:{input_hash}:{rules_hash}:{}:lenient={}",
            path.display(),
            self.build_id,
            options.lenient
        )));
        Some(dir.join(format!("{}.json", &key[..32])))
    }

    /// A cached result, or `None` when there is none or it cannot be read (then it is recomputed).
    pub fn load(entry: &Path) -> Option<FileResult> {
        let bytes = std::fs::read(entry).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Best effort: a cache that cannot be written only costs time on the next run.
    pub fn store(entry: &Path, result: &FileResult) {
        let Some(dir) = entry.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(json) = serde_json::to_vec(result) else { return };
        let temporary = entry.with_extension(format!("tmp-{}", std::process::id()));
        if std::fs::write(&temporary, json).is_ok() && std::fs::rename(&temporary, entry).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> FileResult {
        FileResult {
            input: Input {
                path: "data/r06.txt".into(),
                format: crate::ingest::Format::Csv,
                encoding: crate::ingest::Encoding::Utf8,
                fiscal_year: Some(2024),
                num_records: 0,
            },
            warnings: Warnings::default(),
            records: Vec::new(),
            num_tokens: 7,
        }
    }

    #[test]
    fn a_result_cached_by_one_build_is_not_served_to_another() {
        let dir = tempfile::tempdir().unwrap();
        let path = Path::new("data/r06.txt");
        let older = Cache::of_build(Some(dir.path().to_owned()), "build-a");
        let newer = Cache::of_build(Some(dir.path().to_owned()), "build-b");
        let stored = older.entry(path, "input", "rules", ReadOptions::default()).unwrap();
        Cache::store(&stored, &result());

        let again = older.entry(path, "input", "rules", ReadOptions::default()).unwrap();
        assert_eq!(Cache::load(&again).map(|r| r.num_tokens), Some(7), "the same build reuses its entry");
        let other = newer.entry(path, "input", "rules", ReadOptions::default()).unwrap();
        assert!(Cache::load(&other).is_none(), "another build recomputes");
    }

    #[test]
    fn the_build_id_is_a_hash_of_the_sources() {
        assert_eq!(BUILD_ID.len(), 64);
        assert!(BUILD_ID.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
