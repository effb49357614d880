//! `zaitaku check` on broken dictionaries: every problem in one run, `PATH:LINE: message`,
//! sorted, then one summary line; exit 2 on any error.

use std::path::Path;

use super::harness::{repo, stderr, stdout, workdir, zaitaku};

fn copy_shipped(dir: &Path) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    for file in
        ["taxonomy.toml", "cues.toml", "aliases.toml", "context.toml", "user_dictionary.csv", "regions.toml"]
    {
        std::fs::copy(repo(&format!("dictionaries/{file}")), dir.join(file)).unwrap();
    }
    for family in ["tech", "staff", "partner", "hub"] {
        let file = format!("rules/{family}.toml");
        std::fs::copy(repo(&format!("dictionaries/{file}")), dir.join(&file)).unwrap();
    }
}

#[test]
fn the_shipped_dictionaries_check_clean() {
    let output = zaitaku(&repo(""), &["check"]);
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
    let summary = stdout(&output).lines().last().unwrap().to_owned();
    assert!(
        summary.starts_with("ok: ") && summary.ends_with(" rules for 36 tags; 0 error(s), 0 warning(s)"),
        "{summary}"
    );
}

#[test]
fn every_problem_is_listed_sorted_with_its_line() {
    let dir = workdir();
    copy_shipped(dir.path());
    std::fs::write(
        dir.path().join("rules/zz_broken.toml"),
        r#"# a rule file with one problem of each kind
[[rule]]
name = "typo_tag"
tag = "tech.ivrr"
match = { terms = ["IVR電話"] }

[[rule]]
name = "dangling"
tag = "tech.ivr"
match = { rule = "no.such.rule" }

[[rule]]
name = "twice"
tag = "tech.ehr"
match = { terms = ["カルテ", "カルテ"] }

[[rule]]
name = "shadowed"
tag = "tech.ai"
match = { terms = ["AIツール"] }
unless = [{ inside = ["AIツール"] }]

[[rule]]
name = "unknown_key"
tag = "tech.ai"
match = { terms = ["AI"], window = 3 }
"#,
    )
    .unwrap();
    let aliases = std::fs::read_to_string(dir.path().join("aliases.toml")).unwrap()
        + "\n[[entity]]\nname = \"IVR\"\naliases = [\"Iver\"]\n";
    std::fs::write(dir.path().join("aliases.toml"), aliases).unwrap();
    let cues = std::fs::read_to_string(dir.path().join("cues.toml")).unwrap() + "\ntrail = [\"試行\"]\n";
    std::fs::write(dir.path().join("cues.toml"), cues).unwrap();

    let dictionaries = dir.path().to_str().unwrap();
    let output = zaitaku(dir.path(), &["check", "--dictionaries", dictionaries]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output).replace(dictionaries, "D");
    let lines: Vec<&str> = text.lines().collect();
    let expected_starts = [
        "D/aliases.toml:",
        "D/cues.toml:",
        "D/rules/zz_broken.toml:10:9: error: reference to undefined rule \"no.such.rule\"",
        "D/rules/zz_broken.toml:15:9: error: term \"カルテ\" is listed twice",
        "D/rules/zz_broken.toml:26:27: error: unknown field `window`",
        "D/rules/zz_broken.toml:4:7: error: unknown tag id \"tech.ivrr\"",
    ];
    for start in expected_starts {
        assert!(lines.iter().any(|l| l.starts_with(start)), "missing {start:?} in:\n{text}");
    }
    assert!(text.contains("error: alias \"Iver\" has two targets: \"IVRy\""), "{text}");
    assert!(text.contains("unknown field `trail`"), "{text}");
    // Sorted by file, then by line number (4 before 10); each line is PATH:LINE:COLUMN.
    let positions: Vec<(String, usize)> = lines[..lines.len() - 1]
        .iter()
        .map(|l| {
            let mut parts = l.splitn(3, ':');
            (parts.next().unwrap().to_owned(), parts.next().unwrap().parse().unwrap())
        })
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted, "problems are sorted by path and line");
    assert!(lines.last().unwrap().starts_with("failed: "), "{text}");
    assert!(stderr(&output).contains("the dictionaries have errors"));

    // Every other subcommand refuses to load the same rules, naming every error (not warnings).
    let output = zaitaku(
        dir.path(),
        &[
            "tag",
            "--dictionaries",
            dictionaries,
            repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output).replace(dictionaries, "D");
    assert!(
        errors.contains("6 error(s) in the dictionaries (`zaitaku check` lists warnings too)"),
        "{errors}"
    );
    for line in [
        "D/aliases.toml:105:1: alias \"Iver\" has two targets",
        "D/cues.toml:85:1: unknown field `trail`",
        "D/rules/zz_broken.toml:4:7: unknown tag id \"tech.ivrr\"",
        "D/rules/zz_broken.toml:10:9: reference to undefined rule",
        "D/rules/zz_broken.toml:15:9: term \"カルテ\" is listed twice",
        "D/rules/zz_broken.toml:26:27: unknown field `window`",
    ] {
        assert!(errors.lines().any(|l| l.starts_with(line)), "missing {line:?} in:\n{errors}");
    }
    assert!(!errors.contains("decoy"), "warnings stay out of the error: {errors}");
}

#[test]
fn a_shadowed_decoy_is_a_warning_not_an_error() {
    let dir = workdir();
    copy_shipped(dir.path());
    std::fs::write(
        dir.path().join("rules/zz_shadow.toml"),
        "[[rule]]\nname = \"shadowed\"\ntag = \"tech.ai\"\nmatch = { terms = [\"AIツール\"] }\nunless = [{ inside = [\"AIツール\"] }]\n",
    )
    .unwrap();
    let output = zaitaku(dir.path(), &["check", "--dictionaries", dir.path().to_str().unwrap()]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.contains("zz_shadow.toml:5:11: warning: decoy \"aiツール\" equals a term of the rule"),
        "{text}"
    );
}

/// A decoy holding none of the rule's terms excludes nothing, unless the rule also matches by a
/// regex (whose hits the decoy may contain).
#[test]
fn a_decoy_without_the_rules_terms_is_a_warning_only_for_a_rule_of_terms_alone() {
    let dir = workdir();
    copy_shipped(dir.path());
    let rule = |name: &str, matcher: &str| {
        format!(
            "[[rule]]\nname = \"{name}\"\ntag = \"tech.ai\"\nmatch = {matcher}\nunless = [{{ inside = [\"推論装置群\"] }}]\n"
        )
    };
    let terms_only = rule("terms_only", "{ terms = [\"推論ツール\"] }");
    let with_regex = rule("with_regex", "{ any = [{ terms = [\"推論ツール\"] }, { regex = '推論装置' }] }");
    std::fs::write(dir.path().join("rules/zz_decoys.toml"), format!("{terms_only}\n{with_regex}")).unwrap();
    let output = zaitaku(dir.path(), &["check", "--dictionaries", dir.path().to_str().unwrap()]);
    assert!(output.status.success());
    let text = stdout(&output);
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("contains no term of the rule")).collect();
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(warnings[0].contains("zz_decoys.toml:5:"), "the terms-only rule's decoy: {text}");
}

#[test]
fn the_free_text_constructs_are_checked_with_their_lines() {
    let dir = workdir();
    copy_shipped(dir.path());
    std::fs::write(
        dir.path().join("rules/zz_context.toml"),
        r#"[[rule]]
name = "relation_on_a_technology"
tag = "tech.ai"
needs_relation = true
match = { terms = ["AIツール"] }

[[rule]]
name = "unknown_body_kind"
tag = "partner.dental"
match = { terms = ["歯科チーム"] }
acting_body = { is_not = ["dentists_guild"] }

[[rule]]
name = "both_filters"
tag = "partner.pharmacy"
match = { terms = ["薬局チーム"] }
acting_body = { is = ["clinic"], is_not = ["hospital"] }

[[rule]]
name = "unknown_name_kind"
tag = "hub.consultation_desk"
match = { terms = ["相談ブース"] }
names = ["booth"]
"#,
    )
    .unwrap();
    let context = std::fs::read_to_string(dir.path().join("context.toml")).unwrap().replace(
        "inside_names_of = [\"programme\", \"centre\", \"council\"]",
        "inside_names_of = [\"programme\", \"festival\"]",
    );
    std::fs::write(dir.path().join("context.toml"), context).unwrap();
    let dictionaries = dir.path().to_str().unwrap();
    let output = zaitaku(dir.path(), &["check", "--dictionaries", dictionaries]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output).replace(dictionaries, "D");
    for expected in [
        "D/rules/zz_context.toml:4:18: error: `needs_relation` applies to partner tags, not to tech.ai",
        "D/rules/zz_context.toml:11:15: error: unknown acting_body kind \"dentists_guild\"",
        "D/rules/zz_context.toml:17:15: error: `acting_body` needs exactly one of `is` or `is_not`",
        "D/rules/zz_context.toml:23:9: error: unknown names kind \"booth\"",
        "error: unknown names kind \"festival\" in relation.inside_names_of",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// A misspelt key inside an entity or a `within` table is an error, as it is everywhere else,
/// not a silently ignored field.
#[test]
fn a_misspelt_key_in_an_entity_or_a_window_is_an_error() {
    let dir = workdir();
    copy_shipped(dir.path());
    std::fs::write(
        dir.path().join("rules/zz_keys.toml"),
        r#"[[rule]]
name = "suffix_misspelt"
tag = "partner.house_call_vendor"
match = { regex = '(?P<entity>[ァ-ヶ]+)往診' }
entity = { capture = "entity", sufix = "社" }

[[rule]]
name = "window_misspelt"
tag = "tech.ai"
match = { all = [{ terms = ["AI"] }, { terms = ["問診"] }], within = { token = 3 } }
"#,
    )
    .unwrap();
    let dictionaries = dir.path().to_str().unwrap();
    let output = zaitaku(dir.path(), &["check", "--dictionaries", dictionaries]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output).replace(dictionaries, "D");
    assert!(text.contains("D/rules/zz_keys.toml:5:10: error: an entity mode"), "{text}");
    assert!(text.contains("with no other key"), "{text}");
    assert!(
        text.contains(
            "D/rules/zz_keys.toml:10:68: error: \"sentence\", \"record\", { tokens = N } or { chars = N }"
        ),
        "{text}"
    );
}
