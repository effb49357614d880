//! The binary as a user runs it: ingest, tokens, the main job, global flags, --strict.

use super::harness::{repo, seed, stderr, stdout, workdir, zaitaku};

#[test]
fn ingest_prints_one_json_record_per_line_with_the_contract_keys() {
    let dir = workdir();
    let output = zaitaku(dir.path(), &["ingest", seed().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 58);
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "{\"id\":\"2024-001\",\"fiscal_year\":2024,\"district_no\":1,\"district\":\"小石川医師会\",\
         \"program\":\"24時間診療体制推進事業\",\"categories\":[\"①往診支援事業者連携\"],\"marks\":1,\
         \"description\":\"往診を支援する事業者と契約し、本事業への参画を希望した医療機関の夜間休日の往診を代行した。\
         ファーストコールはかかりつけ医・主治医が対応。\"}"
    );
}

#[test]
fn ingest_output_file_and_stdin_round_trip() {
    let dir = workdir();
    let seed = seed();
    let output = zaitaku(dir.path(), &["ingest", seed.to_str().unwrap(), "-o", "records.jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(dir.path().join("records.jsonl")).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["records.jsonl"], "no temporary file left behind");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zaitaku"))
        .args(["ingest", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), written.as_bytes()).unwrap();
    let again = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), written);
}

#[test]
fn tokens_prints_tsv_with_a_header_and_offsets() {
    let dir = workdir();
    let dictionaries = repo("dictionaries");
    let output = zaitaku(
        dir.path(),
        &["tokens", seed().to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id\tsurface\tpos\tbase_form\tstart_char_orig\tend_char_orig\tstart_char_nfkc\tend_char_nfkc")
    );
    assert_eq!(lines.next(), Some("2024-001\t往診\t名詞,サ変接続,*,*\t往診\t0\t2\t0\t2"));
    assert!(text.lines().all(|line| line.split('\t').count() == 8));
}

#[test]
fn main_job_summarises_the_data_folder_with_global_flags_after_or_before() {
    let dir = workdir();
    let data = repo("data");
    let dictionaries = repo("dictionaries");
    let output = zaitaku(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--dictionaries",
            dictionaries.to_str().unwrap(),
            "--threads",
            "1",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("58 records from 32 associations, fiscal year(s) 2024"), "{text}");

    let output = zaitaku(dir.path(), &["ingest", "--threads", "2", seed().to_str().unwrap(), "--strict"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn strict_turns_warnings_into_errors() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("extra.csv"),
        "district,program,categories,description,colour\nA,P,①X,text,red\n",
    )
    .unwrap();
    let output = zaitaku(dir.path(), &["ingest", "extra.csv"]);
    assert!(output.status.success());
    assert_eq!(stderr(&output), "zaitaku: warning: extra.csv:1: unknown column \"colour\" ignored\n");
    let output = zaitaku(dir.path(), &["ingest", "extra.csv", "--strict"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).ends_with(
        "zaitaku: 1 warning(s) with --strict; the first: extra.csv:1: unknown column \"colour\" ignored\n"
    ));
}

#[test]
fn ingest_piped_into_tag_gives_tags_with_evidence() {
    let dir = workdir();
    let ingest = std::process::Command::new(env!("CARGO_BIN_EXE_zaitaku"))
        .args(["ingest", seed().to_str().unwrap()])
        .output()
        .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zaitaku"))
        .args(["tag", "--dictionaries", repo("dictionaries").to_str().unwrap()])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &ingest.stdout).unwrap();
    let tagged = child.wait_with_output().unwrap();
    assert!(tagged.status.success());
    let text = String::from_utf8(tagged.stdout).unwrap();
    assert_eq!(text.lines().count(), 58);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "2024-001");
    let tag = &first["tags"][0];
    assert_eq!(tag["tag"], "partner.house_call_vendor");
    assert_eq!(tag["status"], "implemented");
    let evidence = &tag["evidence"][0];
    for key in [
        "text",
        "text_nfkc",
        "start_char_orig",
        "end_char_orig",
        "start_char_nfkc",
        "end_char_nfkc",
        "cue",
        "rule",
        "rule_origin",
    ] {
        assert!(evidence.get(key).is_some(), "evidence has {key}: {evidence}");
    }
    // `tag` output is valid ingest input again.
    let again = zaitaku::ingest::read_bytes("tagged.jsonl", text.as_bytes()).unwrap();
    assert_eq!(again.records.len(), 58);
}

#[test]
fn tag_in_gold_format_scores_perfectly_against_itself() {
    let dir = workdir();
    let dictionaries = repo("dictionaries");
    let output = zaitaku(
        dir.path(),
        &[
            "tag",
            "--format",
            "gold",
            seed().to_str().unwrap(),
            "--dictionaries",
            dictionaries.to_str().unwrap(),
            "-o",
            "draft.jsonl",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let output = zaitaku(
        dir.path(),
        &["eval", "--gold", "draft.jsonl", "--dictionaries", dictionaries.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("| micro F1 | 1.000 |"), "{}", stdout(&output));
}

#[test]
fn eval_against_a_baseline_lists_what_changed_with_the_rule() {
    let dir = workdir();
    let dictionaries = repo("dictionaries");
    let gold = repo("tests/gold/r06.jsonl");
    let output = zaitaku(
        dir.path(),
        &[
            "eval",
            "--gold",
            gold.to_str().unwrap(),
            "--json",
            "-o",
            "base.json",
            "--dictionaries",
            dictionaries.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // A rule author removes MCS's full name and the shortest spelling: every MCS true positive goes.
    let edited = dir.path().join("dictionaries");
    std::fs::create_dir_all(edited.join("rules")).unwrap();
    for entry in std::fs::read_dir(&dictionaries).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, edited.join(path.file_name().unwrap())).unwrap();
        }
    }
    for family in ["tech", "staff", "partner", "hub"] {
        let text = std::fs::read_to_string(dictionaries.join(format!("rules/{family}.toml"))).unwrap();
        let text = text.replace("  { terms = [\"MCS\"] },\n", "");
        std::fs::write(edited.join(format!("rules/{family}.toml")), text).unwrap();
    }
    let output = zaitaku(
        dir.path(),
        &[
            "eval",
            "--gold",
            gold.to_str().unwrap(),
            "--baseline",
            "base.json",
            "--fail-on-lost",
            "--dictionaries",
            "dictionaries",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "losing true positives fails");
    let text = stdout(&output);
    assert!(
        text.contains("| 浅草医師会|24時間診療体制推進事業|1 | tech.mcs | tp_lost |  | mcs.name |"),
        "{text}"
    );
    assert!(stderr(&output).contains("true positive(s) of the baseline lost"));
}
