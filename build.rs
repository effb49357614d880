//! Builds the IPADIC system dictionary from the source vendored in `dictionaries/ipadic/` into
//! `OUT_DIR`, so `src/tokenize` can embed it with `lindera_dictionary::embedded_dictionary!`.
//!
//! Why not lindera's `embed-ipadic` feature: it downloads the dictionary at build time, which
//! fails offline and would silently change the dictionary upstream. Building from a vendored
//! `.tar.xz` needs no network, no environment variable set by hand and no particular working
//! directory, and the built format always follows the lindera version that reads it.
//!
//! The vendored `metadata.json` belongs to one lindera version (`lindera-version.txt`). The
//! crates are pinned to it in `Cargo.toml`; this script also checks `Cargo.lock` and stops with a
//! clear message if they ever disagree.
//!
//! It also sets `ZAITAKU_BUILD_ID`: a SHA-256 over the sources, `build.rs`, `Cargo.toml`,
//! `Cargo.lock` and the vendored IPADIC, which the main job puts into its cache key so that a
//! rebuilt tool never serves tags an older build cached (the crate version alone does not change).
//! Since the script then re-runs on every source change, the dictionary is rebuilt only when its
//! own inputs changed (a stamp in `OUT_DIR` holds their hash).

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;
use sha2::{Digest, Sha256};

const IPADIC_DIR: &str = "dictionaries/ipadic";
const LINDERA_CRATES: [&str; 2] = ["lindera", "lindera-dictionary"];

fn main() {
    if let Err(message) = run() {
        // A build script reports failure by exiting non-zero; the message is what the user sees.
        eprintln!("error: zaitaku build.rs: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let ipadic_dir = manifest_dir.join(IPADIC_DIR);
    let source_archive = ipadic_dir.join("ipadic-src.tar.xz");
    let metadata_path = ipadic_dir.join("metadata.json");
    let version_path = ipadic_dir.join("lindera-version.txt");
    let lock_path = manifest_dir.join("Cargo.lock");
    for path in [&source_archive, &metadata_path, &version_path, &lock_path] {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    for path in BUILD_ID_INPUTS {
        println!("cargo::rerun-if-changed={path}");
    }

    check_lindera_version(&version_path, &lock_path)?;

    let out_dir = PathBuf::from(env("OUT_DIR")?);
    println!("cargo::rustc-env=LINDERA_WORKDIR={}", out_dir.display());
    println!("cargo::rustc-env=ZAITAKU_BUILD_ID={}", build_id(&manifest_dir)?);

    let built_dir = out_dir.join("lindera-ipadic");
    let stamp_path = out_dir.join("lindera-ipadic.stamp");
    let dictionary_inputs = hash_files(&[&source_archive, &metadata_path, &version_path])?;
    if built_dir.exists() && fs::read_to_string(&stamp_path).is_ok_and(|stamp| stamp == dictionary_inputs) {
        return Ok(());
    }
    let source_dir = out_dir.join("ipadic-src");
    for dir in [&source_dir, &built_dir] {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
    }

    unpack_xz_tar(&source_archive, &source_dir)?;

    let metadata_bytes =
        fs::read(&metadata_path).map_err(|e| format!("cannot read {}: {e}", metadata_path.display()))?;
    let metadata: Metadata = serde_json::from_slice(&metadata_bytes).map_err(|e| {
        format!(
            "{} does not fit lindera-dictionary's Metadata ({e}); was it copied from another \
             lindera version?",
            metadata_path.display()
        )
    })?;
    DictionaryBuilder::new(metadata)
        .build_dictionary(&source_dir, &built_dir)
        .map_err(|e| format!("building IPADIC from {}: {e}", source_archive.display()))?;
    fs::remove_dir_all(&source_dir).map_err(|e| format!("cannot remove {}: {e}", source_dir.display()))?;
    fs::write(&stamp_path, dictionary_inputs)
        .map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
    Ok(())
}

/// What the build id covers, relative to the manifest folder (folders are walked).
const BUILD_ID_INPUTS: [&str; 5] = ["src", "build.rs", "Cargo.toml", "Cargo.lock", IPADIC_DIR];

/// SHA-256 over the relative paths and contents of every file of [`BUILD_ID_INPUTS`].
fn build_id(manifest_dir: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    for input in BUILD_ID_INPUTS {
        collect_files(&manifest_dir.join(input), &mut files)?;
    }
    files.sort();
    let mut hasher = Sha256::new();
    for path in &files {
        let relative = path.strip_prefix(manifest_dir).unwrap_or(path);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(read(path)?);
        hasher.update([0]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hash_files(paths: &[&Path]) -> Result<String, String> {
    let mut hasher = Sha256::new();
    for path in paths {
        hasher.update(read(path)?);
        hasher.update([0]);
    }
    Ok(hex(&hasher.finalize()))
}

fn collect_files(path: &Path, into: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_dir() {
        let entries = fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", path.display()))?;
            collect_files(&entry.path(), into)?;
        }
    } else if path.is_file() {
        into.push(path.to_owned());
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

/// Fails when a lindera crate in `Cargo.lock` is not the version the vendored metadata is for.
fn check_lindera_version(version_path: &Path, lock_path: &Path) -> Result<(), String> {
    let wanted = fs::read_to_string(version_path)
        .map_err(|e| format!("cannot read {}: {e}", version_path.display()))?;
    let wanted = wanted
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .ok_or_else(|| format!("{} names no version", version_path.display()))?
        .to_owned();
    let lock =
        fs::read_to_string(lock_path).map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    for name in LINDERA_CRATES {
        let locked = locked_versions(&lock, name);
        if locked.is_empty() {
            return Err(format!("{name} is not in {}", lock_path.display()));
        }
        if let Some(other) = locked.iter().find(|v| **v != wanted) {
            return Err(format!(
                "Cargo.lock has {name} {other}, but {} is for lindera {wanted}. Pin lindera \
                 crates to ={wanted} in Cargo.toml, or re-vendor metadata.json from \
                 lindera-ipadic {other} and update {}",
                version_path.display(),
                version_path.display()
            ));
        }
    }
    Ok(())
}

/// Every version of package `name` in a Cargo.lock (there may be several).
fn locked_versions<'a>(lock: &'a str, name: &str) -> Vec<&'a str> {
    let name_line = format!("name = \"{name}\"");
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line
            && let Some(version_line) = lines.next()
            && let Some(version) =
                version_line.trim().strip_prefix("version = \"").and_then(|rest| rest.strip_suffix('"'))
        {
            versions.push(version);
        }
    }
    versions
}

fn unpack_xz_tar(archive: &Path, into: &Path) -> Result<(), String> {
    let file = fs::File::open(archive).map_err(|e| format!("cannot open {}: {e}", archive.display()))?;
    let mut tar_bytes = Vec::with_capacity(70 << 20);
    lzma_rs::xz_decompress(&mut BufReader::new(file), &mut tar_bytes)
        .map_err(|e| format!("cannot decompress {}: {e:?}", archive.display()))?;
    tar::Archive::new(&tar_bytes[..])
        .unpack(into)
        .map_err(|e| format!("cannot unpack {}: {e}", archive.display()))
}
