//! The rule author's workbench: `kwic` to read a word in context, `explain` to see why a record
//! got its tags, `eval --per-rule` to see which rule earns its keep.

use super::harness::{repo, seed, stderr, stdout, workdir, zaitaku};

/// Three invented table rows, in wording no rule was written from.
fn invented_rows(dir: &std::path::Path) -> std::path::PathBuf {
    let rows = [
        ("x-1", "架空区医師会", "夜間はＡＢＣ社に委託。昼はabcの窓口で受けた。"),
        ("x-2", "仮想市医師会", "abcdという別の名前の仕組みを試した。\n・ABCを見直した。"),
        ("x-3", "架空区医師会", "当直の医師が待機して、翌朝まで待機した。"),
    ];
    let lines: Vec<String> = rows
        .iter()
        .map(|(id, district, description)| {
            serde_json::json!({"id": id, "fiscal_year": 2031, "district": district, "description": description})
                .to_string()
        })
        .collect();
    let path = dir.join("rows.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn kwic(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let dictionaries = repo("dictionaries");
    let mut all = vec!["kwic", "--dictionaries", dictionaries.to_str().unwrap()];
    all.extend_from_slice(args);
    zaitaku(dir, &all)
}

#[test]
fn kwic_finds_a_term_in_any_width_or_case_and_sorts_by_what_follows() {
    let dir = workdir();
    let rows = invented_rows(dir.path());
    let output = kwic(dir.path(), &["abc", rows.to_str().unwrap(), "--format", "tsv", "--width", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "record_id\tdistrict\tfiscal_year\tleft\tmatch\tright\ttag\trule\tstatus\n\
         x-1\t架空区医師会\t2031\t。昼は\tabc\tの窓口\t\t\t\n\
         x-2\t仮想市医師会\t2031\t。 ・\tABC\tを見直\t\t\t\n\
         x-1\t架空区医師会\t2031\t夜間は\tＡＢＣ\t社に委\t\t\t\n",
        "abcd is a longer Latin word; the line break is a space; の < を < 社 by code point"
    );
    assert_eq!(
        stderr(&output).trim(),
        "zaitaku: kwic: 3 hit(s) in 2 record(s); by year: FY2031 3; by district: 架空区医師会 2, 仮想市医師会 1"
    );
}

#[test]
fn kwic_in_document_order_and_by_base_form() {
    let dir = workdir();
    let rows = invented_rows(dir.path());
    let output = kwic(dir.path(), &["abc", rows.to_str().unwrap(), "--format", "tsv", "--sort", "doc"]);
    let ids: Vec<String> =
        stdout(&output).lines().skip(1).map(|l| l.split('\t').next().unwrap().to_owned()).collect();
    assert_eq!(ids, ["x-1", "x-1", "x-2"]);

    // 待機する as a base form finds the conjugated 待機して and 待機した, and nothing else.
    let output =
        kwic(dir.path(), &["--base", "待機する", rows.to_str().unwrap(), "--format", "tsv", "--sort", "doc"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let matches: Vec<String> =
        stdout(&output).lines().skip(1).map(|l| l.split('\t').nth(4).unwrap().to_owned()).collect();
    assert_eq!(matches, ["待機し", "待機し"]);
}

#[test]
fn kwic_by_tag_lists_each_evidence_with_its_rule_and_the_records_status() {
    let dir = workdir();
    let fy2025 = repo("tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt");
    let output = kwic(dir.path(), &["--tag", "tech.mcs", fy2025.to_str().unwrap(), "--format", "tsv"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row[6], "tech.mcs", "{row:?}");
        assert!(!row[7].is_empty() && !row[8].is_empty(), "rule and status are given: {row:?}");
    }
    let spellings: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[4]).collect();
    assert!(
        spellings.contains("MCS") && spellings.contains("ＭＣＳ"),
        "both widths are caught: {spellings:?}"
    );
}

#[test]
fn kwic_refuses_bad_queries_in_one_line_with_the_closest_name() {
    let dir = workdir();
    let seed = seed();
    let seed = seed.to_str().unwrap();
    for (args, expected) in [
        (vec!["--tag", "tech.mc", seed], "did you mean `tech.mcs`?"),
        (vec!["--rule", "ivr.prodct", seed], "did you mean `ivr.product`?"),
        (vec!["--regex", "(待機", seed], "invalid regex `(待機`"),
        (vec!["輪番", "--tag", "staff.rinban", seed], "exactly one of PATTERN, --tag ID or --rule NAME"),
        (vec!["--tag", "staff.rinban", "--rule", "rinban.name", seed], "exactly one of"),
        (vec!["", seed], "PATTERN is empty"),
        (vec!["--tag", "staff.rinban", "no/such/table.txt"], "no/such/table.txt: no such file"),
        (vec!["輪番", "no/such/table.txt"], "no/such/table.txt"),
    ] {
        let output = kwic(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains(expected), "{args:?}: {message}");
        // The operating system's reason once, not once per layer of the error.
        assert!(message.matches("(os error").count() <= 1, "{message}");
    }
}

#[test]
fn a_regex_written_in_capitals_gets_a_hint_that_regexes_see_the_folded_text() {
    let dir = workdir();
    let rows = invented_rows(dir.path());
    let output = kwic(dir.path(), &["--regex", "ABC|ＡＢＣ", rows.to_str().unwrap()]);
    assert!(output.status.success());
    assert!(stderr(&output).contains("try `abc|abc`"), "{}", stderr(&output));
    let output = kwic(dir.path(), &["--regex", "abc", rows.to_str().unwrap()]);
    assert!(!stderr(&output).contains("folded text"), "{}", stderr(&output));
}

#[test]
fn explain_shows_the_ivr_rule_its_status_and_where_it_is_defined() {
    let dir = workdir();
    let dictionaries = repo("dictionaries");
    let seed = seed();
    let args = [
        "explain",
        "2024-007",
        seed.to_str().unwrap(),
        "--json",
        "--dictionaries",
        dictionaries.to_str().unwrap(),
    ];
    let output = zaitaku(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let explanation: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let iver = explanation["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"] == "Iver")
        .expect("a match on Iver");
    assert_eq!(iver["tag"], "tech.ivr");
    assert_eq!(iver["outcome"], "kept");
    assert_eq!(iver["status"], "implemented");
    assert_eq!(iver["cue"]["text"], "導入");
    assert!(iver["origin"].as_str().unwrap().starts_with("dictionaries/rules/tech.toml:"), "{iver}");
    let ivr = explanation["tags"].as_array().unwrap().iter().find(|t| t["tag"] == "tech.ivr").unwrap();
    assert_eq!(ivr["entity"], "IVRy");
    assert!(ivr["entity_from"].as_str().unwrap().contains("Iver"), "{ivr}");
    assert!(ivr["resolution"].as_str().unwrap().starts_with("implemented"), "{ivr}");
}

#[test]
fn explain_shows_a_refused_decoy_and_what_refused_it() {
    let dir = workdir();
    let dictionaries = repo("dictionaries");
    let fy2025 = repo("tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt");
    // 目黒区医師会's first row of FY2025: an ambulance's waiting time (救急車の待機時間) is no
    // standby doctor.
    let args =
        ["explain", "2025-009", fy2025.to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap()];
    let output = zaitaku(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let blocked = text
        .lines()
        .skip_while(|l| !(l.contains("staff.taikii") && l.contains("「待機」")))
        .nth(1)
        .unwrap_or_else(|| panic!("a staff.taikii match on 待機:\n{text}"));
    assert!(blocked.contains("BLOCKED by unless") && blocked.contains("「待機時間」"), "{blocked}");
    assert!(
        !text.lines().skip_while(|l| !l.starts_with("tags")).any(|l| l.contains("staff.taikii")),
        "{text}"
    );
}

#[test]
fn explain_of_a_missing_record_names_the_closest_id() {
    let dir = workdir();
    let seed = seed();
    let output = zaitaku(dir.path(), &["explain", "2024-07", seed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("no record `2024-07`") && message.contains("did you mean `2024-007`?"),
        "{message}"
    );
}

#[test]
fn an_explanation_has_exactly_the_tags_of_tagging() {
    let dictionaries = repo("dictionaries");
    let ruleset = zaitaku::tag::Ruleset::load(&dictionaries).unwrap();
    let tokenizer = zaitaku::tokenize::Tokenizer::load(&dictionaries).unwrap();
    let mut records = zaitaku::ingest::read(&seed()).unwrap().records;
    records.extend(
        zaitaku::ingest::read(&repo("tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt")).unwrap().records,
    );
    let mut worker = ruleset.worker();
    for record in tokenizer.tokenize(records).unwrap() {
        let explanation = worker.explain(&record);
        let explained: Vec<zaitaku::Tag> = explanation.tags.iter().map(|d| d.tag.clone()).collect();
        assert_eq!(explained, worker.tags_of(&record), "{}", record.record.id);
        // Every evidence item is a kept match of its rule.
        for tag in &explained {
            for evidence in &tag.evidence {
                assert!(
                    explanation.matches.iter().any(|m| m.rule == evidence.rule
                        && m.span == evidence.span
                        && matches!(m.outcome, zaitaku::tag::Outcome::Kept { in_evidence: true, .. })),
                    "{}: {} {:?}",
                    record.record.id,
                    evidence.rule,
                    evidence.span.text
                );
            }
        }
    }
}

#[test]
fn eval_per_rule_gives_each_rules_coverage_and_what_it_alone_finds() {
    let dir = workdir();
    let dictionaries = repo("dictionaries");
    let gold = repo("tests/gold/r06.jsonl");
    let args = [
        "eval",
        "--gold",
        gold.to_str().unwrap(),
        "--per-rule",
        "--json",
        "--dictionaries",
        dictionaries.to_str().unwrap(),
    ];
    let output = zaitaku(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let evaluation: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let rules = evaluation["rules"].as_array().unwrap();
    let ruleset = zaitaku::tag::Ruleset::load(&dictionaries).unwrap();
    assert_eq!(rules.len(), ruleset.num_rules(), "every rule has a row, firing or not");
    let n =
        |rule: &serde_json::Value, key: &str| rule[key].as_u64().unwrap_or_else(|| panic!("{key} in {rule}"));
    for rule in rules {
        assert_eq!(n(rule, "tp") + n(rule, "fp"), n(rule, "records"), "{rule}");
        assert!(n(rule, "only_tp") <= n(rule, "tp"), "{rule}");
        assert!(n(rule, "overlap") <= n(rule, "records"), "{rule}");
        let tag = rule["tag"].as_str().unwrap();
        let tag_tp = evaluation["per_tag"][tag]["tp"].as_u64().unwrap();
        assert!(n(rule, "tp") <= tag_tp, "a rule finds no more than its tag: {rule}");
    }
    // A tag with one rule that fires: that rule's records are the tag's predictions, and every
    // true positive is its alone.
    let rules_of =
        |tag: &str| rules.iter().filter(|r| r["tag"] == tag && n(r, "records") > 0).collect::<Vec<_>>();
    let mcs = rules_of("tech.mcs");
    assert_eq!(mcs.len(), 1);
    let counts = &evaluation["per_tag"]["tech.mcs"];
    assert_eq!(n(mcs[0], "records"), counts["tp"].as_u64().unwrap() + counts["fp"].as_u64().unwrap());
    assert_eq!(n(mcs[0], "only_tp"), counts["tp"].as_u64().unwrap());
    assert!(evaluation["speed"]["records_per_second"].as_f64().unwrap() > 0.0);

    // The Markdown lists the rules that fire on no gold record, and the speed with its change.
    std::fs::write(dir.path().join("base.json"), stdout(&output)).unwrap();
    let args = [
        "eval",
        "--gold",
        gold.to_str().unwrap(),
        "--per-rule",
        "--baseline",
        "base.json",
        "--dictionaries",
        dictionaries.to_str().unwrap(),
    ];
    let output = zaitaku(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("### Rules that fire on no gold record"), "{text}");
    assert!(text.contains("| tagging | ") && text.contains("on the baseline's"), "{text}");
}
