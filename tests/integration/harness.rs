//! Small helpers: paths into the repo, a temporary work dir, running the binary, full diffs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path relative to the repository root.
pub fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The FY2024 seed table in `data/`.
pub fn seed() -> PathBuf {
    repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt")
}

/// A fresh temporary directory, removed when dropped.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Runs the `zaitaku` binary with `args` in `cwd`.
pub fn zaitaku(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zaitaku")).args(args).current_dir(cwd).output().expect("runs zaitaku")
}

/// Stdout of a run as UTF-8.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// Stderr of a run as UTF-8.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// Asserts equality and prints both values in full when they differ.
#[track_caller]
pub fn assert_same(label: &str, expected: &str, actual: &str) {
    if expected != actual {
        panic!("{label} differs\n--- expected\n{expected}\n--- actual\n{actual}\n");
    }
}

/// A record with only an id and a description, as free text from elsewhere arrives.
pub fn passage(id: &str, description: &str) -> zaitaku::Record {
    zaitaku::Record {
        id: id.into(),
        fiscal_year: None,
        district_no: None,
        district: None,
        program: None,
        categories: vec![],
        marks: 0,
        description: description.into(),
        notes: vec![],
        source: None,
    }
}
