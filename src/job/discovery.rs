//! Which files the main job reads, and the hash of the rules it tags them with.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Location, Result};

/// The input files of a data folder, sorted by name; dotfiles, README files and spreadsheet
/// lock files are skipped.
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

/// SHA-256 over every file of the dictionaries folder that rules are read from (paths and
/// contents, in path order; the vendored IPADIC source is covered by the build id).
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

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
