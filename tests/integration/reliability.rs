//! No run loses a report: a full disk, an output path that is a file, and SIGKILL at exact points
//! while the report is written leave every file either the previous version or the new complete
//! one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::harness::{repo, stderr, workdir};

fn job(cwd: &Path, data: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zaitaku"));
    let dictionaries = repo("dictionaries");
    command
        .args(["--data", data.to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--no-cache"])
        .current_dir(cwd);
    command
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// A data folder with FY2024 only, and one with FY2024 and FY2025 (a different report).
fn two_datasets(dir: &Path) -> (PathBuf, PathBuf) {
    let one = dir.join("data1");
    let two = dir.join("data2");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&two).unwrap();
    let seed = repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt");
    std::fs::copy(&seed, one.join("r06.txt")).unwrap();
    std::fs::copy(&seed, two.join("r06.txt")).unwrap();
    std::fs::copy(repo("tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt"), two.join("r07.txt")).unwrap();
    (one, two)
}

#[test]
fn an_output_path_that_is_a_file_is_an_error() {
    let dir = workdir();
    let (one, _) = two_datasets(dir.path());
    std::fs::write(dir.path().join("occupied"), "not a folder").unwrap();
    let output = job(dir.path(), &one, &dir.path().join("occupied")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("occupied: the output path is a file, not a folder"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("occupied")).unwrap(), "not a folder");
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_previous_report() {
    let dir = workdir();
    let (one, two) = two_datasets(dir.path());
    let out = dir.path().join("reports");
    assert!(job(dir.path(), &one, &out).output().unwrap().status.success());
    let before = files(&out);
    let output = job(dir.path(), &two, &out).env("ZAITAKU_FAULT_WRITE_AFTER", "7").output().unwrap();
    if !cfg!(debug_assertions) {
        // `cargo test --release` runs the release binary, which must not read test hooks.
        assert!(output.status.success(), "a release binary obeyed a fault hook: {}", stderr(&output));
        return;
    }
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("No space left on device"), "{}", stderr(&output));
    assert!(files(&out) == before, "previous report intact");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!leftovers.iter().any(|n| n.to_string_lossy().contains("staging")), "{leftovers:?}");
}

/// SIGKILL at several exact points while writing: while staging, and while renaming into place.
#[test]
fn a_killed_run_leaves_each_file_old_or_new_and_no_temporary_file() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the release binary has no pause hook (see the full-disk test)");
        return;
    }
    let dir = workdir();
    let (one, two) = two_datasets(dir.path());
    let reference = dir.path().join("reference");
    assert!(job(dir.path(), &two, &reference).output().unwrap().status.success());
    let new = files(&reference);
    for point in ["stage:0", "stage:20", "publish:0", "publish:25", "publish:60"] {
        let out = dir.path().join(format!("reports-{}", point.replace(':', "-")));
        assert!(job(dir.path(), &one, &out).output().unwrap().status.success());
        let old = files(&out);
        let mut child = job(dir.path(), &two, &out).env("ZAITAKU_PAUSE_AT", point).spawn().unwrap();
        let marker = dir.path().join(format!(
            ".{}.staging-{}.paused",
            out.file_name().unwrap().to_string_lossy(),
            child.id()
        ));
        let waited = (0..600).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            marker.exists()
        });
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(waited, "{point}: the run never reached its pause point");
        for (path, bytes) in files(&out) {
            let name = path.to_string_lossy();
            assert!(
                !name.contains("staging") && !name.contains(".tmp"),
                "{point}: temporary file {name} in the report"
            );
            assert!(
                old.get(&path) == Some(&bytes) || new.get(&path) == Some(&bytes),
                "{point}: {name} is neither old nor new"
            );
        }
        // The next run cleans the killed run's staging folder and completes the report.
        assert!(job(dir.path(), &two, &out).output().unwrap().status.success());
        assert!(files(&out).iter().all(|(p, b)| new.get(p) == Some(b)));
        assert!(
            !std::fs::read_dir(dir.path()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".staging-"))
        );
    }
}

/// Every subcommand's stdout on a full device: exit 2 naming `<stdout>`, never a panic.
#[test]
fn stdout_on_a_full_disk_is_an_error_naming_stdout() {
    let dir = workdir();
    let seed = repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt");
    let seed = seed.to_str().unwrap();
    let dictionaries = repo("dictionaries");
    let dictionaries = dictionaries.to_str().unwrap();
    let out = dir.path().join("reports");
    let runs: [&[&str]; 5] = [
        &["ingest", seed],
        &["tokens", seed],
        &["tag", seed],
        &["check"],
        &["--data", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()],
    ];
    std::fs::copy(seed, dir.path().join("r06.txt")).unwrap();
    for args in runs {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_zaitaku"))
            .args(args)
            .args(["--dictionaries", dictionaries])
            .current_dir(dir.path())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert_eq!(
            stderr(&output),
            "zaitaku: <stdout>: cannot write: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

/// `-o` onto a named pipe writes into the pipe (a reader gets every record) and leaves it a
/// pipe; a rename would have replaced it with a regular file.
#[test]
fn an_output_that_is_a_named_pipe_is_written_in_place() {
    let dir = workdir();
    let fifo = dir.path().join("records.pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let seed = repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt");
    let output = Command::new(env!("CARGO_BIN_EXE_zaitaku"))
        .args(["ingest", seed.to_str().unwrap(), "-o", fifo.to_str().unwrap()])
        .output()
        .unwrap();
    if !output.status.success() {
        // Release the reader, still waiting for a writer, so the test fails instead of hanging.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo));
    }
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(reader.join().unwrap().lines().count(), 58);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

/// `-o` through a symbolic link replaces the file it points to and keeps the link; `-o` onto a
/// directory is an error that leaves it alone.
#[test]
fn an_output_through_a_symlink_keeps_the_link_and_a_directory_is_refused() {
    let dir = workdir();
    std::fs::write(dir.path().join("real.jsonl"), "old\n").unwrap();
    std::os::unix::fs::symlink("real.jsonl", dir.path().join("link.jsonl")).unwrap();
    let seed = repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt");
    let seed = seed.to_str().unwrap();
    let output = super::harness::zaitaku(dir.path(), &["ingest", seed, "-o", "link.jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::symlink_metadata(dir.path().join("link.jsonl")).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(dir.path().join("real.jsonl")).unwrap().lines().count(), 58);

    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let output = super::harness::zaitaku(dir.path(), &["ingest", seed, "-o", "folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "zaitaku: folder: is a directory, not a file\n");
    assert_eq!(std::fs::read_dir(dir.path().join("folder")).unwrap().count(), 0);
}

/// A rerun leaves the files whose bytes did not change as they are (same inode), and replaces
/// the others: the report is the new one either way.
#[test]
fn a_rerun_replaces_only_the_files_that_changed() {
    use std::os::unix::fs::MetadataExt;
    let dir = workdir();
    let (one, two) = two_datasets(dir.path());
    let out = dir.path().join("reports");
    let inode = |relative: &str| std::fs::metadata(out.join(relative)).unwrap().ino();
    assert!(job(dir.path(), &one, &out).output().unwrap().status.success());
    let (chart, page) = (inode("years/2024/charts/district_tag.png"), inode("index.html"));
    assert!(job(dir.path(), &one, &out).output().unwrap().status.success());
    assert_eq!(inode("years/2024/charts/district_tag.png"), chart, "same bytes: left in place");
    assert_eq!(inode("index.html"), page);
    // FY2025 arrives: the top page changes, FY2024's own chart does not.
    assert!(job(dir.path(), &two, &out).output().unwrap().status.success());
    assert_eq!(inode("years/2024/charts/district_tag.png"), chart);
    assert_ne!(inode("index.html"), page, "changed bytes: replaced");
    let reference = dir.path().join("reference");
    assert!(job(dir.path(), &two, &reference).output().unwrap().status.success());
    assert_eq!(files(&out), files(&reference));
}
