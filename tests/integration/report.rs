//! The main job end to end: the report's files, byte-identical across runs and thread counts,
//! the previous report kept when a run fails, and the page in a real browser.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::harness::{repo, stderr, stdout, workdir, zaitaku};

/// Runs the main job on the repo's data into `out`, with extra flags.
fn run_job(cwd: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    run_job_on(cwd, &repo("data"), out, extra)
}

/// Runs the main job on the data folder `data` into `out`, with the repo's dictionaries.
fn run_job_on(cwd: &Path, data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let dictionaries = repo("dictionaries");
    let mut args = vec![
        "--data",
        data.to_str().unwrap(),
        "--dictionaries",
        dictionaries.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    zaitaku(cwd, &args)
}

/// Every file under `dir` with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn the_main_job_writes_the_whole_report() {
    let dir = workdir();
    let out = dir.path().join("reports");
    let output = run_job(dir.path(), &out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("58 records from 32 associations, fiscal year(s) 2024"), "{summary}");
    let files: Vec<String> = snapshot(&out).keys().map(|p| p.display().to_string()).collect();
    for expected in [
        "index.html",
        "records.csv",
        "tags.csv",
        "records.parquet",
        "tags.parquet",
        "district_tag.csv",
        "tag_medical_area.csv",
        "tag_area.csv",
        "area_comparison.csv",
        "program_category.csv",
        "status_tag.csv",
        "cooccurrence.csv",
        "entity_district.csv",
        "charts/district_tag.svg",
        "charts/district_tag.png",
        "charts/area_prevalence.png",
        "charts/medical_area.png",
        "charts/status_by_tag.png",
        "charts/program_category.png",
        "charts/cooccurrence.png",
        "fonts/BIZUDPGothic-Regular.ttf",
        "fonts/OFL.txt",
    ] {
        assert!(files.contains(&expected.to_owned()), "{expected} missing from {files:?}");
    }
    let csv = std::fs::read(out.join("tags.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "CSV has a BOM for Japanese Excel");
    assert!(
        !dir.path().read_dir().unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains("staging")),
        "no staging folder left"
    );
    // records.csv is readable again by ingest.
    let again = zaitaku::ingest::read(&out.join("records.csv")).unwrap();
    assert_eq!(again.records.len(), 58);
    assert!(again.warnings.is_empty(), "{}", again.warnings);
    // Every relative link and image of the page resolves.
    let html = String::from_utf8(std::fs::read(out.join("index.html")).unwrap()).unwrap();
    for attribute in ["href=\"", "src=\""] {
        for piece in html.split(attribute).skip(1) {
            let target = piece.split('"').next().unwrap();
            if target.starts_with('#') || target.is_empty() {
                continue;
            }
            assert!(out.join(target).is_file(), "{target} does not resolve");
        }
    }
}

#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    let dir = workdir();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    assert!(run_job(dir.path(), &one, &["--threads", "1"]).status.success());
    assert!(run_job(dir.path(), &two, &["--threads", "2"]).status.success());
    let (a, b) = (snapshot(&one), snapshot(&two));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs between --threads 1 and 2", path.display());
    }
    assert!(run_job(dir.path(), &two, &[]).status.success());
    assert!(snapshot(&two) == a, "a second run gives the same bytes");
}

#[test]
fn a_failed_run_leaves_the_previous_report_intact() {
    let dir = workdir();
    let out = dir.path().join("reports");
    assert!(run_job(dir.path(), &out, &[]).status.success());
    let before = snapshot(&out);
    // Broken rules: the run fails before anything is written.
    let dictionaries = dir.path().join("dictionaries");
    std::fs::create_dir_all(dictionaries.join("rules")).unwrap();
    for entry in std::fs::read_dir(repo("dictionaries")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dictionaries.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(dictionaries.join("rules/broken.toml"), "[[rule]]\nname = \"x\"\n").unwrap();
    let data = repo("data");
    let output = zaitaku(
        dir.path(),
        &["--data", data.to_str().unwrap(), "--dictionaries", "dictionaries", "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(snapshot(&out) == before, "the previous report is untouched");
}

pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ZAITAKU_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.is_file())
    })
}

pub fn headless(chromium: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .output()
        .expect("chromium runs")
}

/// Opens the report in headless Chromium: no console errors, every image loads, and the
/// drill-down reached by URL shows the evidence. Saves a screenshot to
/// `$CARGO_TARGET_TMPDIR/report-screenshot.png` (`target/tmp/` unless `CARGO_TARGET_DIR` moves it).
#[test]
fn the_report_works_in_a_real_browser() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("ZAITAKU_REQUIRE_BROWSER").is_none(),
            "ZAITAKU_REQUIRE_BROWSER is set but no chromium was found (install Debian's chromium)"
        );
        eprintln!(
            "\n*** SKIPPED the_report_works_in_a_real_browser: no chromium on PATH (CI sets ZAITAKU_REQUIRE_BROWSER=1) ***\n"
        );
        return;
    };
    let dir = workdir();
    let out = dir.path().join("reports");
    assert!(run_job(dir.path(), &out, &[]).status.success());
    let page = out.join("index.html").canonicalize().unwrap();
    let url = format!(
        "file://{}#drill=district_tag%7C%E5%B0%8F%E7%9F%B3%E5%B7%9D%E5%8C%BB%E5%B8%AB%E4%BC%9A%7Cpartner.house_call_vendor",
        page.display()
    );
    let profile = dir.path().join("profile");
    let dom = headless(&chromium, &profile, &["--dump-dom", &url]);
    let html = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(html.contains("data-loaded=\"yes\""), "the page ran its script:\n{log}");
    assert!(html.contains("data-images=\"6\""), "six charts on the page");
    assert!(
        html.contains("data-broken=\"\""),
        "every image loads: {}",
        html.split("data-broken=\"").nth(1).unwrap_or("").split('"').next().unwrap_or("")
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let drill = html.split("id=\"drill-records\"").nth(1).expect("drill-down rendered");
    assert!(drill.contains("data-id=\"2024-001\""), "the drill-down lists record 2024-001");
    assert!(
        drill.contains("<mark class=\"\" title=\"往診支援事業者"),
        "evidence highlighted: {}",
        &drill[..drill.len().min(2000)]
    );

    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let shot = headless(
        &chromium,
        &profile,
        &["--window-size=1400,1800", &format!("--screenshot={}", screenshot.display()), &url],
    );
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    assert!(std::fs::metadata(&screenshot).map(|m| m.len() > 10_000).unwrap_or(false), "screenshot saved");
}

/// At corpus scale the page stays bounded: a cell with 300 records shows 100 and says how many
/// there are; 250 untagged records list 200 by name and point to records.csv; a cell over all
/// 550 records shows records other cells already show instead of inlining more.
#[test]
fn the_drill_down_is_bounded_per_cell_at_scale() {
    let dir = workdir();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut lines = String::new();
    for n in 0..550 {
        let description = if n < 300 {
            "MCSで多職種の情報共有を行った。"
        } else {
            "会議を開催した。"
        };
        lines.push_str(
            &serde_json::json!({
                "id": format!("2024-{n:04}"), "fiscal_year": 2024, "district_no": 1,
                "district": "小石川医師会", "program": "24時間診療体制推進事業",
                "categories": ["①往診支援事業者連携"], "description": description,
            })
            .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(data.join("many.jsonl"), lines).unwrap();
    let out = dir.path().join("reports");
    let output = run_job_on(dir.path(), &data, &out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let json = html.split("<script id=\"data\" type=\"application/json\">").nth(1).unwrap();
    let json = json.split("</script>").next().unwrap().replace("<\\/", "</");
    let page: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cell = &page["cells"]["district_tag|小石川医師会|tech.mcs"];
    assert_eq!(cell[0], 300, "the cell counts every record");
    assert_eq!(cell[1].as_array().unwrap().len(), 100, "and shows 100");
    let untagged = &page["cells"]["record|2024-0300|"];
    assert_eq!(untagged[0], 1, "a listed untagged record has its own cell");
    assert!(page["cells"].get("record|2024-0549|").is_none(), "the 201st untagged record is not listed");
    assert!(html.contains("… and 50 more: records.csv has them all"), "the page says where the rest are");
    let everything = &page["cells"]["program_category|24時間診療体制推進事業|①往診支援事業者連携"];
    assert_eq!(everything[0], 550);
    let inlined = page["records"].as_array().unwrap().len();
    assert_eq!(inlined, 300, "100 tagged + 200 listed untagged records inlined, not 550");
}

/// The order of the records inside an input does not change the report: the seed's records
/// as JSON Lines, forwards and reversed, give the same files; only the input's hash differs
/// (provenance.json and the page's provenance line).
#[test]
fn reports_do_not_depend_on_the_order_of_records() {
    let dir = workdir();
    let ingested = zaitaku(dir.path(), &["ingest", super::harness::seed().to_str().unwrap()]);
    assert!(ingested.status.success(), "{}", stderr(&ingested));
    let lines: Vec<String> = stdout(&ingested).lines().map(str::to_owned).collect();
    let mut reports = Vec::new();
    for (name, ordered) in [("forwards", lines.clone()), ("reversed", lines.iter().rev().cloned().collect())]
    {
        let data = dir.path().join(format!("data-{name}"));
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("r06.jsonl"), ordered.join("\n") + "\n").unwrap();
        let out = dir.path().join(format!("reports-{name}"));
        let output = run_job_on(dir.path(), &data, &out, &["--no-cache"]);
        assert!(output.status.success(), "{}", stderr(&output));
        reports.push(snapshot(&out));
    }
    let without_provenance = |path: &Path, bytes: &[u8]| -> String {
        let text = String::from_utf8_lossy(bytes);
        if path.extension().is_some_and(|e| e == "html") {
            text.lines().filter(|line| !line.starts_with("<p class=\"muted\">zaitaku ")).collect()
        } else {
            text.into_owned()
        }
    };
    assert_eq!(reports[0].keys().collect::<Vec<_>>(), reports[1].keys().collect::<Vec<_>>());
    for (path, bytes) in &reports[0] {
        if path == Path::new("provenance.json") {
            continue;
        }
        assert!(
            without_provenance(path, bytes) == without_provenance(path, &reports[1][path]),
            "{} depends on the order of the records",
            path.display()
        );
    }
}
