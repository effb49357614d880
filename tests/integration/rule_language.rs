//! The rule language construct by construct, with rule files written in the test: what a rule
//! author writes and what it finds. The taxonomy, cues and aliases are the shipped ones.

use std::path::Path;

use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;
use zaitaku::{Record, Status};

use super::harness::{repo, workdir};

/// A dictionaries folder with the shipped taxonomy, cues and aliases and the given rule file.
fn dictionaries_with(dir: &Path, rules: &str) {
    for file in
        ["taxonomy.toml", "cues.toml", "aliases.toml", "context.toml", "user_dictionary.csv", "regions.toml"]
    {
        std::fs::copy(repo(&format!("dictionaries/{file}")), dir.join(file)).unwrap();
    }
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/test.toml"), rules).unwrap();
}

/// Tags `text` with `rules`; returns (tag, status, entity, evidence texts) per tag.
fn tag(rules: &str, text: &str) -> Vec<(String, Status, Option<String>, Vec<String>)> {
    let dir = workdir();
    dictionaries_with(dir.path(), rules);
    let ruleset = Ruleset::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let record = Record {
        id: "t-001".into(),
        fiscal_year: None,
        district_no: None,
        district: Some("中野区医師会".into()),
        program: None,
        categories: vec![],
        marks: 0,
        description: text.into(),
        notes: vec![],
        source: None,
    };
    let tokenized = Tokenizer::load(&repo("dictionaries")).unwrap().tokenize(vec![record]).unwrap();
    ruleset.tag(tokenized)[0]
        .tags
        .iter()
        .map(|t| {
            (
                t.tag.clone(),
                t.status,
                t.entity.clone(),
                t.evidence.iter().map(|e| e.span.text.clone()).collect(),
            )
        })
        .collect()
}

fn tag_ids(rules: &str, text: &str) -> Vec<String> {
    tag(rules, text).into_iter().map(|(t, ..)| t).collect()
}

#[test]
fn literal_terms_match_full_width_katakana_and_case_variants() {
    let rules = "[[rule]]\nname = \"ivr\"\ntag = \"tech.ivr\"\nmatch = { terms = [\"IVRy\"] }\n";
    for text in ["ＩＶＲｙを導入した。", "Ivryを導入した。", "IVRYを導入した。"] {
        let found = tag(rules, text);
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(found[0].2.as_deref(), Some("IVRy"), "entity from the alias table");
    }
    assert!(
        tag_ids(rules, "IVRyzを導入した。").is_empty(),
        "a Latin term does not match inside a longer word"
    );
}

#[test]
fn a_longer_term_of_one_tag_does_not_hide_a_shorter_term_of_another() {
    let rules = "[[rule]]\nname = \"station\"\ntag = \"partner.visiting_nurse\"\nmatch = { terms = [\"訪問看護ステーション\"] }\n\n\
                 [[rule]]\nname = \"nursing\"\ntag = \"staff.nurse_first_call\"\nmatch = { terms = [\"訪問看護\"] }\n\n\
                 [[rule]]\nname = \"hospital\"\ntag = \"partner.hospital\"\nmatch = { terms = [\"医師会病院\"] }\n\n\
                 [[rule]]\nname = \"association\"\ntag = \"partner.other_association\"\nmatch = { terms = [\"医師会\"] }\n";
    assert_eq!(
        tag_ids(rules, "訪問看護ステーションと医師会病院が連携した。"),
        ["partner.hospital", "partner.other_association", "partner.visiting_nurse", "staff.nurse_first_call"]
    );
}

#[test]
fn token_terms_match_base_forms_and_pos() {
    let rules = "[[rule]]\nname = \"standby\"\ntag = \"staff.taikii\"\nmatch = { tokens = [{ base = \"待機\" }, { base = \"する\" }] }\n\n\
                 [[rule]]\nname = \"noun_only\"\ntag = \"staff.toban\"\nmatch = { tokens = [{ surface = \"当番\", pos = \"名詞\" }] }\n";
    assert_eq!(tag_ids(rules, "医師が待機します。当番を決めた。"), ["staff.taikii", "staff.toban"]);
    assert_eq!(tag_ids(rules, "医師が待機した。"), ["staff.taikii"]);
}

#[test]
fn all_within_a_token_window_ordered_or_not() {
    let near = "[[rule]]\nname = \"near\"\ntag = \"tech.online_care\"\n\
                match = { all = [{ terms = [\"オンライン\"] }, { terms = [\"診療\"] }], within = { tokens = 2 } }\n";
    assert_eq!(tag_ids(near, "オンラインにて診療を行った。").len(), 1);
    assert_eq!(tag_ids(near, "診療をオンラインで行った。").len(), 1, "unordered: either order");
    assert!(
        tag_ids(near, "オンラインの研修会を開催し、後日に在宅での診療を行った。").is_empty(),
        "too far apart"
    );
    let seq = near.replace("within = { tokens = 2 }", "within = { tokens = 2 }, ordered = true");
    assert!(tag_ids(&seq, "診療をオンラインで行った。").is_empty(), "ordered: seq");
}

#[test]
fn sentence_scope_stops_at_maru_full_width_stop_newline_and_nakaguro() {
    let rules = "[[rule]]\nname = \"s\"\ntag = \"staff.vendor_night_cover\"\n\
                 match = { all = [{ terms = [\"外部事業者\"] }, { terms = [\"夜間\"] }], within = \"sentence\" }\n";
    assert_eq!(tag_ids(rules, "夜間は外部事業者に依頼した。").len(), 1);
    assert!(tag_ids(rules, "夜間の体制を見直した。外部事業者と契約した。").is_empty());
    assert!(tag_ids(rules, "夜間\n外部事業者と契約した。").is_empty());
    assert!(tag_ids(rules, "夜間・外部事業者").is_empty());
    assert!(tag_ids(rules, "夜間の体制を見直した．外部事業者と契約した．").is_empty(), "full-width stop");
    assert_eq!(
        tag_ids(rules, "夜間は0.5日分を外部事業者に任せた。").len(),
        1,
        "a decimal point ends nothing"
    );
}

#[test]
fn any_regex_and_a_rule_that_reuses_another() {
    let rules = "[[rule]]\nname = \"vendor\"\ntag = \"partner.house_call_vendor\"\nmatch = { any = [{ terms = [\"往診業者\"] }, { regex = '往診(?:代行|支援)会社' }] }\n\n\
                 [[rule]]\nname = \"vendor_at_night\"\ntag = \"staff.vendor_night_cover\"\n\
                 match = { all = [{ rule = \"vendor\" }, { terms = [\"夜間\"] }], within = \"sentence\" }\n";
    assert_eq!(
        tag_ids(rules, "夜間は往診代行会社が対応した。"),
        ["partner.house_call_vendor", "staff.vendor_night_cover"]
    );
    assert_eq!(tag_ids(rules, "往診業者と契約した。"), ["partner.house_call_vendor"]);
}

#[test]
fn unless_inside_and_unless_near_cancel_decoys() {
    let rules = "[[rule]]\nname = \"oncall\"\ntag = \"partner.house_call_vendor\"\nmatch = { terms = [\"オンコール\"] }\n\
                 unless = [{ inside = [\"オンコール体制\"] }]\n\n\
                 [[rule]]\nname = \"standby\"\ntag = \"staff.taikii\"\nmatch = { terms = [\"待機\"] }\n\
                 unless = [{ near = { terms = [\"救急車\"] }, within = \"sentence\" }]\n";
    assert!(tag_ids(rules, "24時間のオンコール体制を構築した。").is_empty());
    assert_eq!(tag_ids(rules, "オンコールに往診を依頼した。"), ["partner.house_call_vendor"]);
    assert!(tag_ids(rules, "救急車の待機を減らした。").is_empty());
    assert_eq!(tag_ids(rules, "医師が待機した。"), ["staff.taikii"]);
}

#[test]
fn status_comes_from_the_cues_after_each_mention_and_resolves_per_record() {
    let rules = "[[rule]]\nname = \"mcs\"\ntag = \"tech.mcs\"\nmatch = { terms = [\"MCS\"] }\nentity = { fixed = \"MCS\" }\n";
    let status = |text: &str| tag(rules, text).first().map(|t| t.1);
    assert_eq!(status("MCSを導入した。"), Some(Status::Implemented));
    assert_eq!(status("MCSは導入していない。"), None);
    assert_eq!(status("MCSの導入を検討したが導入には至らなかった。"), Some(Status::Considered));
    assert_eq!(status("MCSを導入したが稼働を保留している。"), Some(Status::Suspended));
    assert_eq!(status("MCSの導入を予定していたが保留とした。"), Some(Status::Suspended));
    assert_eq!(status("MCSの運用を保留していたが再開した。"), Some(Status::Implemented));
    assert_eq!(status("MCSの検討を開始した。"), Some(Status::Considered));
    assert_eq!(status("MCSの運用を開始する予定。"), Some(Status::Planned));
    assert_eq!(status("MCSを整備し、MCSによる連絡を試行した。"), Some(Status::Implemented), "strongest wins");
    assert_eq!(status("MCSを試験的に導入した。"), Some(Status::Trial));
    assert_eq!(status("MCSで連絡を取り合う。"), Some(Status::Implemented), "a plain description");
}

#[test]
fn entities_from_brackets_and_place_prefixes() {
    let rules = "[[rule]]\nname = \"desk\"\ntag = \"hub.consultation_desk\"\nmatch = { terms = [\"相談窓口\", \"連携センター\"] }\nentity = \"quoted\"\n";
    assert_eq!(tag(rules, "「みどり在宅相談窓口」を開設した。")[0].2.as_deref(), Some("みどり在宅相談窓口"));
    assert_eq!(
        tag(rules, "江東区在宅医療連携センターを設置した。")[0].2.as_deref(),
        Some("江東区在宅医療連携センター")
    );
    assert_eq!(tag(rules, "相談窓口を設置した。")[0].2, None, "a generic noun has no entity");
}
