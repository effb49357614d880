//! A new fiscal year arrives: FY2024 (the real table) and FY2025 (`tests/fixtures/r07_…`, written
//! for this project) in one data folder give per-year views and the year-over-year change.

use std::path::{Path, PathBuf};

use super::harness::{repo, stderr, stdout, workdir, zaitaku};

/// A data folder holding the given repo files.
fn data_with(dir: &Path, files: &[&str]) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for file in files {
        let source = repo(file);
        std::fs::copy(&source, data.join(source.file_name().unwrap())).unwrap();
    }
    data
}

fn run(dir: &Path, data: &Path, extra: &[&str]) -> std::process::Output {
    let dictionaries = repo("dictionaries");
    let mut args = vec!["--data", data.to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap()];
    args.extend_from_slice(extra);
    zaitaku(dir, &args)
}

/// The rows of `yoy/changes.csv` as "district tag change status_from→status_to".
fn changes(reports: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(reports.join("yoy/changes.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name).unwrap();
    let (d, t, c, f, to) =
        (column("district"), column("tag"), column("change"), column("status_from"), column("status_to"));
    reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| format!("{} {} {} {}→{}", &r[d], &r[t], &r[c], &r[f], &r[to]))
        .collect()
}

const BOTH_YEARS: [&str; 2] =
    ["data/r06_tokyo_zaitaku_jigyo_ichiran.txt", "tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt"];

#[test]
fn two_years_give_per_year_views_and_the_changes_written_into_the_fixture() {
    let dir = workdir();
    let data = data_with(dir.path(), &BOTH_YEARS);
    std::fs::write(data.join("README.md"), "notes for the analyst").unwrap();
    std::fs::write(data.join(".DS_Store"), [0u8, 1, 2]).unwrap();
    let output = run(dir.path(), &data, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("fiscal year(s) 2024, 2025"), "{}", stdout(&output));
    let reports = dir.path().join("reports");
    for file in [
        "years/2024/index.html",
        "years/2024/district_tag.csv",
        "years/2024/charts/district_tag.png",
        "years/2025/index.html",
        "years/2025/tags.csv",
        "yoy/changes.csv",
        "yoy/changes_2024_2025.csv",
        "yoy/associations_one_year.csv",
        "yoy/tag_summary.csv",
        "yoy/area_summary.csv",
        "yoy/charts/adoption.png",
        "yoy/charts/changes.svg",
        "yoy/charts/status_transitions.png",
    ] {
        assert!(reports.join(file).is_file(), "{file} missing");
    }
    let rows = changes(&reports);
    for expected in [
        // The vendor tie-up was negated in FY2025 (連携は今年度は行わなかった): dropped.
        "江東区医師会 partner.house_call_vendor dropped implemented→",
        // The tablet loan ended (貸与は終了し): a continued tag, now suspended.
        "江東区医師会 tech.device continued implemented→suspended",
        // MCS was on hold in FY2024 and resumed (再開) in FY2025.
        "西多摩医師会 tech.mcs continued suspended→implemented",
        "目黒区医師会 tech.ivr continued implemented→suspended",
        "杉並区医師会 tech.remote_monitoring continued implemented→suspended",
        // A vendor selected in FY2024 (planned), contracted in FY2025.
        "渋谷区医師会 partner.house_call_vendor continued planned→implemented",
        "渋谷区医師会 staff.vendor_night_cover new →implemented",
        "足立区医師会 tech.info_platform new →implemented",
        "小石川医師会 partner.house_call_vendor continued implemented→implemented",
    ] {
        assert!(rows.iter().any(|r| r == expected), "missing {expected:?} in\n{}", rows.join("\n"));
    }
    // Associations seen in one year only are listed apart and never counted as drops.
    let one_year = std::fs::read_to_string(reports.join("yoy/associations_one_year.csv")).unwrap();
    for line in [
        "中野区医師会,2025",
        "北区医師会,2025",
        "府中市医師会,2025",
        "練馬区医師会,2024",
        "荒川区医師会,2024",
    ] {
        assert!(one_year.contains(line), "{line} missing from\n{one_year}");
    }
    assert!(!rows.iter().any(|r| r.starts_with("練馬区医師会") || r.starts_with("中野区医師会")));
    // The top-level tidy tables hold both years.
    let records = std::fs::read_to_string(reports.join("records.csv")).unwrap();
    assert!(records.contains("2024-001") && records.contains("2025-019"));
    // The page links both years and lists the changes with a drill-down to both years.
    let page = std::fs::read_to_string(reports.join("index.html")).unwrap();
    assert!(
        page.contains("href=\"years/2024/index.html\"") && page.contains("Year-over-year: FY2024 → FY2025")
    );
    assert!(page.contains("#drill=yoy|"), "change rows drill down");
    // The top page's tables are FY2025's, so are their drill-downs; a change row spans both years.
    let json = page.split("<script id=\"data\" type=\"application/json\">").nth(1).unwrap();
    let data: serde_json::Value =
        serde_json::from_str(&json.split("</script>").next().unwrap().replace("<\\/", "</")).unwrap();
    let years_of = |prefix: &str| -> std::collections::BTreeSet<u64> {
        let cells = data["cells"].as_object().unwrap();
        let shown = cells
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .flat_map(|(_, cell)| cell[1].as_array().unwrap());
        shown
            .map(|i| data["records"][i.as_u64().unwrap() as usize]["fiscal_year"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(years_of("district_tag|"), [2025].into(), "the tables' drill-downs show FY2025");
    assert_eq!(years_of("yoy|"), [2024, 2025].into(), "the change rows' drill-downs show both years");
}

#[test]
fn a_year_given_as_csv_next_to_a_year_given_as_pdf_text_gives_the_same_changes() {
    let dir = workdir();
    let pdf = dir.path().join("pdf");
    std::fs::create_dir_all(&pdf).unwrap();
    let data = data_with(&pdf, &BOTH_YEARS);
    assert!(run(&pdf, &data, &["--no-cache"]).status.success());

    // FY2025 as the CSV an analyst would export (Japanese headers, 年度 column, Shift_JIS).
    let mixed = dir.path().join("mixed");
    let data = data_with(&mixed, &BOTH_YEARS[..1]);
    let records = zaitaku::ingest::read(&repo(BOTH_YEARS[1])).unwrap().records;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["地区医師会名", "事業種別", "事業区分", "事業内容", "年度", "○の数"]).unwrap();
    for r in &records {
        let marks = r.marks.to_string();
        let categories = r.categories.join("\n");
        writer
            .write_record([
                r.district.as_deref().unwrap(),
                r.program.as_deref().unwrap(),
                &categories,
                &r.description,
                "令和7年度",
                &marks,
            ])
            .unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    std::fs::write(data.join("fy2025_export.csv"), bytes).unwrap();
    let output = run(&mixed, &data, &["--no-cache"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(changes(&mixed.join("reports")), changes(&pdf.join("reports")));
}

#[test]
fn a_year_given_as_the_published_pdf_next_to_a_year_given_as_text_gives_the_same_changes() {
    if std::process::Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(std::env::var_os("ZAITAKU_REQUIRE_PDFTOTEXT").is_none(), "pdftotext is required here");
        eprintln!("\n*** SKIPPED a_year_given_as_the_published_pdf…: no pdftotext (poppler-utils) ***\n");
        return;
    }
    let dir = workdir();
    let text = dir.path().join("text");
    std::fs::create_dir_all(&text).unwrap();
    let data = data_with(&text, &BOTH_YEARS);
    assert!(run(&text, &data, &["--no-cache"]).status.success());

    let pdf = dir.path().join("pdf");
    let data = data_with(&pdf, &[BOTH_YEARS[0], "tests/fixtures/made/r07_chromium_portrait.pdf"]);
    let output = run(&pdf, &data, &["--no-cache"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!changes(&pdf.join("reports")).is_empty());
    assert_eq!(changes(&pdf.join("reports")), changes(&text.join("reports")));
}

#[test]
fn two_files_for_one_year_are_an_error_naming_both() {
    let dir = workdir();
    let data = data_with(dir.path(), &BOTH_YEARS[..1]);
    std::fs::copy(repo(BOTH_YEARS[0]), data.join("r06_copy.txt")).unwrap();
    let output = run(dir.path(), &data, &["--no-cache"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("r06_tokyo_zaitaku_jigyo_ichiran.txt: fiscal year 2024 is also in")
            && message.contains("r06_copy.txt"),
        "{message}"
    );
    assert!(!dir.path().join("reports").exists(), "nothing written");
}

#[test]
fn a_file_without_a_fiscal_year_is_an_error() {
    let dir = workdir();
    let data = data_with(dir.path(), &BOTH_YEARS[..1]);
    std::fs::write(
        data.join("passages.jsonl"),
        "{\"district\": \"中野区医師会\", \"text\": \"MCSを導入した。\"}\n",
    )
    .unwrap();
    let output = run(dir.path(), &data, &["--no-cache"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("passages.jsonl:1: no fiscal year for this record"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_second_run_reuses_the_cache_and_a_rule_change_invalidates_it() {
    let dir = workdir();
    let data = data_with(dir.path(), &BOTH_YEARS);
    let first = run(dir.path(), &data, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!stdout(&first).contains("from the cache"));
    let index = std::fs::read(dir.path().join("reports/index.html")).unwrap();
    let png = std::fs::read(dir.path().join("reports/charts/district_tag.png")).unwrap();
    // Each chart drawn is kept once, as its PNG (6 per year and 3 of the change); the SVG is
    // written from the chart's scene on every run, which costs less than reading it back.
    let charts = dir.path().join(".zaitaku-cache/charts");
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), 6 * 2 + 3);
    let second = run(dir.path(), &data, &[]);
    assert!(stdout(&second).contains("(2 from the cache)"), "{}", stdout(&second));
    assert_eq!(
        std::fs::read(dir.path().join("reports/index.html")).unwrap(),
        index,
        "same report from the cache"
    );
    assert_eq!(std::fs::read(dir.path().join("reports/charts/district_tag.png")).unwrap(), png);
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), 6 * 2 + 3, "the same charts: no new entry");
    // A copy of the dictionaries with one more term is another key: nothing is reused.
    let dictionaries = dir.path().join("dictionaries");
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to.join("rules")).unwrap();
        for sub in ["", "rules"] {
            for entry in std::fs::read_dir(from.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    std::fs::copy(&path, to.join(sub).join(path.file_name().unwrap())).unwrap();
                }
            }
        }
    };
    copy(&repo("dictionaries"), &dictionaries);
    let rules = std::fs::read_to_string(dictionaries.join("rules/tech.toml"))
        .unwrap()
        .replace("\"アイヴリー\"", "\"アイヴリー\", \"アイブリイ\"");
    std::fs::write(dictionaries.join("rules/tech.toml"), rules).unwrap();
    let third = zaitaku(dir.path(), &["--data", data.to_str().unwrap(), "--dictionaries", "dictionaries"]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(!stdout(&third).contains("from the cache"), "{}", stdout(&third));
}

/// The change table's drill-down, in headless Chromium: both years' records with their evidence.
#[test]
fn the_change_drill_down_shows_both_years_in_a_browser() {
    let Some(chromium) = super::report::chromium() else {
        assert!(
            std::env::var_os("ZAITAKU_REQUIRE_BROWSER").is_none(),
            "ZAITAKU_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!(
            "\n*** SKIPPED the_change_drill_down_shows_both_years_in_a_browser: no chromium on PATH ***\n"
        );
        return;
    };
    let dir = workdir();
    let data = data_with(dir.path(), &BOTH_YEARS);
    assert!(run(dir.path(), &data, &["--no-cache"]).status.success());
    let page = dir.path().join("reports/index.html").canonicalize().unwrap();
    // #drill=yoy|西多摩医師会|tech.mcs
    let url = format!(
        "file://{}#drill=yoy%7C%E8%A5%BF%E5%A4%9A%E6%91%A9%E5%8C%BB%E5%B8%AB%E4%BC%9A%7Ctech.mcs",
        page.display()
    );
    let dom = super::report::headless(&chromium, &dir.path().join("profile"), &["--dump-dom", &url]);
    let html = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(log.lines().all(|l| !l.contains(":CONSOLE")), "console: {log}");
    assert!(
        html.contains("data-loaded=\"yes\"") && html.contains("data-broken=\"\""),
        "page and images load"
    );
    let drill = html.split("id=\"drill-records\"").nth(1).expect("drill-down rendered");
    assert!(
        drill.contains("FY2024 · 西多摩医師会") && drill.contains("FY2025 · 西多摩医師会"),
        "{}",
        &drill[..drill.len().min(1500)]
    );
    assert!(drill.contains("保留") && drill.contains("再開"), "both years' status cues are shown");
}
