//! The FY2024 report, byte for byte: its tables, `provenance.json` and pages are committed under
//! `tests/golden/fy2024/` and a change shows as a unified diff of the rows that moved; charts,
//! Parquet and the font are binary and pinned by `tests/golden/fy2024_report.sha256`.
//! `ZAITAKU_BLESS=1` rewrites both (then review `git diff`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::harness::{repo, stderr, workdir};

/// Report files kept as text goldens; everything else is hashed.
fn is_text_golden(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("csv" | "json" | "html"))
}

fn report_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != ".gitkeep") {
                files.insert(path.strip_prefix(dir).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn diff(name: &str, expected: &str, actual: &str) -> String {
    let diff = similar::TextDiff::from_lines(expected, actual);
    let unified = diff.unified_diff().context_radius(2).header(&format!("golden/{name}"), name).to_string();
    // Enough to see what moved without flooding the terminal.
    let lines: Vec<&str> = unified.lines().collect();
    let shown = lines.len().min(80);
    let more = if lines.len() > shown {
        format!("\n… {} more diff lines", lines.len() - shown)
    } else {
        String::new()
    };
    format!("{}{more}", lines[..shown].join("\n"))
}

#[test]
fn the_fy2024_report_matches_its_golden_files() {
    let dir = workdir();
    let out = dir.path().join("reports");
    let dictionaries = repo("dictionaries");
    let output = Command::new(env!("CARGO_BIN_EXE_zaitaku"))
        .args(["--data", repo("data").to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--no-cache"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let written = report_files(&out);

    let golden_dir = repo("tests/golden/fy2024");
    let hashes_file = repo("tests/golden/fy2024_report.sha256");
    let hashes: String = written
        .iter()
        .filter(|(path, _)| !is_text_golden(path))
        .map(|(path, bytes)| format!("{}  {}\n", hex(&Sha256::digest(bytes)), path.display()))
        .collect();
    if std::env::var_os("ZAITAKU_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&golden_dir);
        for (path, bytes) in written.iter().filter(|(path, _)| is_text_golden(path)) {
            let target = golden_dir.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        std::fs::write(&hashes_file, &hashes).unwrap();
    }

    let mut failures = Vec::new();
    let committed = report_files(&golden_dir);
    for (path, bytes) in written.iter().filter(|(path, _)| is_text_golden(path)) {
        let name = path.display().to_string();
        match committed.get(path) {
            None => failures.push(format!("{name}: new file, not in tests/golden/fy2024/")),
            Some(expected) if expected != bytes => failures.push(diff(
                &name,
                &String::from_utf8_lossy(expected),
                &String::from_utf8_lossy(bytes),
            )),
            Some(_) => {}
        }
    }
    for path in committed.keys().filter(|p| !written.contains_key(*p)) {
        failures.push(format!("{}: in tests/golden/fy2024/ but no longer written", path.display()));
    }
    let expected_hashes = std::fs::read_to_string(&hashes_file).expect("committed hashes");
    if expected_hashes != hashes {
        failures.push(diff("fy2024_report.sha256", &expected_hashes, &hashes));
    }
    assert!(
        failures.is_empty(),
        "the FY2024 report changed (ZAITAKU_BLESS=1 cargo test rewrites the goldens on purpose):\n\n{}",
        failures.join("\n\n")
    );
}
