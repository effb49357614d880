//! The table as it is published (a PDF) and as analysts keep it (a workbook): PDFs of the FY2024
//! records from two writers in four layouts and an openpyxl workbook give the gold's records;
//! every way such a file can be unreadable gets its own one-line error and writes nothing.
//!
//! Fixtures and the script that made them: `tests/fixtures/made/`. Reading a PDF needs poppler's
//! pdftotext: without it these tests say SKIPPED (CI installs it and sets
//! ZAITAKU_REQUIRE_PDFTOTEXT=1, which makes its absence a failure).

use std::path::Path;

use super::harness::{repo, stderr, workdir, zaitaku};

/// Whether pdftotext can run here; panics when CI requires it.
fn have_pdftotext(test: &str) -> bool {
    let found = std::process::Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("ZAITAKU_REQUIRE_PDFTOTEXT").is_none(),
            "ZAITAKU_REQUIRE_PDFTOTEXT is set but pdftotext was not found (install poppler-utils)"
        );
        eprintln!("\n*** SKIPPED {test}: no pdftotext on PATH (Debian: poppler-utils; CI requires it) ***\n");
    }
    found
}

/// What the issue compares: district, program, categories, marks and description, with runs
/// of white space as one space (pdftotext gives words, not the kind of space between them).
fn comparable(records: &[zaitaku::Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let description = r
                .description
                .split([' ', '\u{3000}', '\u{2003}'])
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "{} | {} | {} | {} | {}",
                r.district.as_deref().unwrap_or(""),
                r.program.as_deref().unwrap_or(""),
                r.categories.join(" / "),
                r.marks,
                description
            )
        })
        .collect()
}

fn gold() -> Vec<String> {
    let text = std::fs::read_to_string(repo("tests/gold/r06.jsonl")).unwrap();
    let records: Vec<zaitaku::Record> = text
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let mut record = super::harness::passage("", v["description"].as_str().unwrap());
            record.district = v["district"].as_str().map(str::to_owned);
            record.program = v["program"].as_str().map(str::to_owned);
            record.categories =
                v["categories"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
            record.marks = v["marks"].as_u64().unwrap() as u32;
            record
        })
        .collect();
    comparable(&records)
}

#[track_caller]
fn assert_gives_the_gold(fixture: &str) {
    let ingested = zaitaku::ingest::read(&repo(fixture)).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    let furniture =
        |w: &zaitaku::Warning| w.to_string().contains("in the bottom margin dropped (page furniture)");
    assert!(ingested.warnings.as_slice().iter().all(furniture), "{fixture}: {}", ingested.warnings);
    assert_eq!(ingested.inputs[0].fiscal_year, Some(2024), "{fixture}");
    let (expected, actual) = (gold(), comparable(&ingested.records));
    let wrong: Vec<String> = expected
        .iter()
        .zip(&actual)
        .enumerate()
        .filter(|(_, (e, a))| e != a)
        .map(|(i, (e, a))| format!("record {}:\n  gold {e}\n  read {a}", i + 1))
        .collect();
    assert!(
        wrong.is_empty() && expected.len() == actual.len(),
        "{fixture}: {} records\n{}",
        actual.len(),
        wrong.join("\n")
    );
}

#[test]
fn chromium_printing_an_html_table_with_merged_districts_and_row_numbers_gives_the_gold() {
    if have_pdftotext("chromium_numbered") {
        assert_gives_the_gold("tests/fixtures/made/r06_chromium_numbered.pdf");
    }
}

#[test]
fn chromium_printing_another_layout_with_districts_repeated_and_cells_at_the_top_gives_the_gold() {
    if have_pdftotext("chromium_repeated") {
        assert_gives_the_gold("tests/fixtures/made/r06_chromium_repeated.pdf");
    }
}

#[test]
fn libreoffice_exporting_a_workbook_with_merged_cells_across_page_breaks_gives_the_gold() {
    if have_pdftotext("libreoffice") {
        assert_gives_the_gold("tests/fixtures/made/r06_libreoffice.pdf");
    }
}

#[test]
fn chromium_with_its_print_defaults_bottom_aligned_and_tight_rows_gives_the_gold() {
    if have_pdftotext("print_defaults") {
        assert_gives_the_gold("tests/fixtures/made/r06_chromium_print_defaults.pdf");
        let warnings = zaitaku::ingest::read(&repo("tests/fixtures/made/r06_chromium_print_defaults.pdf"))
            .unwrap()
            .warnings;
        assert!(!warnings.is_empty(), "the page's address under each page is dropped with a warning");
    }
}

#[test]
fn a_workbook_with_a_notes_sheet_a_title_row_and_merged_district_cells_gives_the_gold() {
    assert_gives_the_gold("tests/fixtures/made/r06_workbook.xlsx");
}

#[test]
fn a_portrait_borderless_bottom_aligned_fy2025_pdf_gives_the_records_of_its_text() {
    if !have_pdftotext("fy2025_portrait") {
        return;
    }
    let text = zaitaku::ingest::read(&repo("tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt")).unwrap();
    let pdf = zaitaku::ingest::read(&repo("tests/fixtures/made/r07_chromium_portrait.pdf")).unwrap();
    assert_eq!(pdf.inputs[0].fiscal_year, Some(2025));
    assert_eq!(comparable(&pdf.records), comparable(&text.records));
    let ids: Vec<&str> = pdf.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"2025-001"));
}

/// Runs the main job on a data folder holding only `fixture`, expecting it to fail.
fn main_job_refuses(fixture: &str) -> String {
    let dir = workdir();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(repo(fixture), data.join(Path::new(fixture).file_name().unwrap())).unwrap();
    let dictionaries = repo("dictionaries");
    let output = zaitaku(
        dir.path(),
        &["--data", data.to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap(), "--no-cache"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{fixture}: {message}");
    assert_eq!(message.lines().count(), 1, "{fixture}: one line, got {message}");
    assert!(message.contains(Path::new(fixture).file_name().unwrap().to_str().unwrap()), "{message}");
    assert!(!dir.path().join("reports").exists(), "{fixture}: nothing is written");
    message
}

#[test]
fn unreadable_pdfs_each_say_why_in_one_line_and_write_nothing() {
    if !have_pdftotext("unreadable_pdfs") {
        return;
    }
    for (fixture, says) in [
        ("tests/fixtures/made/bad/scanned.pdf", "no text layer: this looks like scanned images"),
        ("tests/fixtures/made/bad/encrypted.pdf", "is encrypted"),
        ("tests/fixtures/made/bad/truncated.pdf", "truncated or corrupt"),
        (
            "tests/fixtures/made/bad/no_header.pdf",
            "no table header (地区医師会名, 事業種別, 事業区分, 事業内容) on any of its 1 page(s); found \"在宅医療",
        ),
    ] {
        let message = main_job_refuses(fixture);
        assert!(message.contains(says), "{fixture}: {message}");
    }
}

#[test]
fn unreadable_workbooks_each_say_why_in_one_line_and_write_nothing() {
    for (fixture, says) in [
        ("tests/fixtures/made/bad/encrypted.xlsx", "is encrypted"),
        ("tests/fixtures/made/bad/truncated.xlsx", "truncated or corrupt"),
        ("tests/fixtures/made/bad/no_header.xlsx", "no sheet has the table's header"),
    ] {
        let message = main_job_refuses(fixture);
        assert!(message.contains(says), "{fixture}: {message}");
    }
}

#[test]
fn pdftotext_of_another_layout_stops_the_run_unless_lenient() {
    let fixture = "tests/fixtures/made/bad/r06_other_layout_pdftotext.txt";
    let message = main_job_refuses(fixture);
    assert!(message.contains("give zaitaku the PDF itself"), "{message}");
    assert!(message.contains("--lenient"), "{message}");

    let lenient =
        zaitaku::ingest::read_all_with(&[repo(fixture)], zaitaku::ingest::ReadOptions { lenient: true })
            .unwrap();
    assert!(!lenient.warnings.is_empty());
    assert!(lenient.warnings.as_slice().iter().all(|w| w.to_string().contains("skipped (--lenient)")));
}

#[test]
fn a_missing_or_slow_pdftotext_is_named_with_what_to_do() {
    let dir = workdir();
    let pdf = repo("tests/fixtures/made/r06_chromium_numbered.pdf");
    let run = |program: &Path, timeout: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_zaitaku"))
            .args(["ingest", pdf.to_str().unwrap()])
            .env("ZAITAKU_PDFTOTEXT", program)
            .env("ZAITAKU_PDF_TIMEOUT", timeout)
            .output()
            .unwrap()
    };
    let missing = run(&dir.path().join("no-such-pdftotext"), "60");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("apt-get install poppler-utils"), "{}", stderr(&missing));

    let slow = dir.path().join("slow-pdftotext");
    std::fs::write(&slow, "#!/bin/sh\nsleep 5\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
        let started = std::time::Instant::now();
        let stopped = run(&slow, "0.3");
        assert_eq!(stopped.status.code(), Some(2));
        assert!(stderr(&stopped).contains("ran past its limit of 0.3 s"), "{}", stderr(&stopped));
        assert!(started.elapsed() < std::time::Duration::from_secs(4), "the limit stops it");
    }
}
