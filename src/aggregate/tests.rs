//! Aggregation on a tiny hand-made corpus whose every count is worked out by hand in the
//! comments: four associations in 2024 (two in 区部, two in 多摩), three of them again in 2025.

use std::path::Path;

use super::yoy::{ChangeKind, year_over_year};
use super::*;
use crate::error::Location;
use crate::model::{Evidence, Record, Span, Tag};

fn regions() -> Regions {
    Regions::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("dictionaries")).unwrap()
}

fn tag_infos() -> Vec<TagInfo> {
    [("tech.mcs", "tech", 0), ("tech.ivr", "tech", 1), ("staff.rinban", "staff", 0)]
        .into_iter()
        .map(|(id, family, order)| TagInfo {
            id: id.into(),
            family: family.into(),
            label: id.into(),
            order,
            origin: Location::file("taxonomy.toml"),
        })
        .collect()
}

fn tag(id: &str, status: Status, entity: Option<&str>) -> Tag {
    let span = Span {
        text: id.into(),
        text_nfkc: id.into(),
        start_char_orig: 0,
        end_char_orig: 1,
        start_char_nfkc: 0,
        end_char_nfkc: 1,
    };
    Tag {
        tag: id.into(),
        status,
        entity: entity.map(Into::into),
        evidence: vec![Evidence {
            span,
            status: None,
            cue: None,
            rule: "r".into(),
            rule_origin: "r:1".into(),
        }],
    }
}

fn record(year: u16, id: &str, no: u32, district: &str, categories: &[&str], tags: Vec<Tag>) -> TaggedRecord {
    TaggedRecord {
        record: Record {
            id: id.into(),
            fiscal_year: Some(year),
            district_no: Some(no),
            district: Some(district.into()),
            program: Some("24時間診療体制推進事業".into()),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            marks: 0,
            description: "…".into(),
            notes: vec![],
            source: None,
        },
        tags,
    }
}

use Status::{Considered, Implemented, Planned, Trial};

/// 2024: 中野 (区部) has MCS twice (implemented, trial) and 輪番 planned; 新宿 (区部) MCS;
/// 八王子 (多摩) 輪番; 町田 (多摩) nothing.
fn fy2024() -> Vec<TaggedRecord> {
    vec![
        record(
            2024,
            "a",
            1,
            "中野区医師会",
            &["A", "B"],
            vec![tag("staff.rinban", Planned, None), tag("tech.mcs", Implemented, Some("MCS"))],
        ),
        record(2024, "b", 1, "中野区医師会", &["A"], vec![tag("tech.mcs", Trial, Some("MCS"))]),
        record(2024, "c", 2, "新宿区医師会", &["B"], vec![tag("tech.mcs", Implemented, None)]),
        record(2024, "d", 3, "八王子市医師会", &["B"], vec![tag("staff.rinban", Implemented, None)]),
        record(2024, "e", 4, "町田市医師会", &["B"], vec![]),
    ]
}

/// 2025: 中野 MCS again (輪番 gone); 新宿 輪番 considered (MCS gone); 八王子 輪番 and IVR trial;
/// 町田 did not report.
fn fy2025() -> Vec<TaggedRecord> {
    vec![
        record(2025, "f", 1, "中野区医師会", &["A"], vec![tag("tech.mcs", Implemented, None)]),
        record(2025, "g", 2, "新宿区医師会", &["A"], vec![tag("staff.rinban", Considered, None)]),
        record(
            2025,
            "h",
            3,
            "八王子市医師会",
            &["A"],
            vec![tag("staff.rinban", Implemented, None), tag("tech.ivr", Trial, None)],
        ),
    ]
}

fn aggregated(records: &[TaggedRecord]) -> Aggregates {
    let mut warnings = Warnings::default();
    let aggregates = aggregate(records.to_vec(), &regions(), &tag_infos(), &mut warnings).unwrap();
    assert!(warnings.is_empty(), "{warnings}");
    aggregates
}

fn share<'a>(shares: &'a [Share], tag: &str, group: &str) -> &'a Share {
    shares.iter().find(|s| s.tag == tag && s.group == group).unwrap()
}

#[test]
fn an_association_is_present_with_its_strongest_status_and_all_its_records() {
    let a = aggregated(&fy2024());
    assert_eq!(
        a.district_tag_status.rows,
        ["中野区医師会", "新宿区医師会", "八王子市医師会", "町田市医師会"]
    );
    assert_eq!(a.district_tag_status.cols, ["tech.mcs", "tech.ivr", "staff.rinban"]);
    // 中野's MCS: implemented (rank 1) beats trial; both records behind it.
    assert_eq!(
        a.district_tag_status.cell("中野区医師会", "tech.mcs"),
        Some((Implemented.rank(), &[0, 1][..]))
    );
    assert_eq!(a.district_tag_status.cell("中野区医師会", "staff.rinban"), Some((Planned.rank(), &[0][..])));
    assert_eq!(a.district_tag_status.cell("町田市医師会", "tech.mcs"), Some((0, &[][..])));
}

#[test]
fn a_share_counts_associations_over_those_that_reported() {
    let a = aggregated(&fy2024());
    // MCS in 区部: 中野 and 新宿 of the 2 reporting there; three records.
    let mcs = share(&a.area_shares, "tech.mcs", "区部");
    assert_eq!((mcs.n, mcs.total, mcs.members.as_slice()), (2, 2, &[0, 1, 2][..]));
    assert_eq!(mcs.share(), 1.0);
    // 輪番 in 多摩: 八王子 of 八王子 and 町田.
    let rinban = share(&a.area_shares, "staff.rinban", "多摩");
    assert_eq!((rinban.n, rinban.total, rinban.members.as_slice()), (1, 2, &[3][..]));
    assert_eq!(share(&a.medical_area_shares, "tech.mcs", "区西部").n, 2);
}

#[test]
fn fisher_p_of_two_against_none() {
    let a = aggregated(&fy2024());
    // MCS: 区部 2 of 2, 多摩 0 of 2. Tables with these margins: a = 0, 1, 2 with probabilities
    // 1/6, 4/6, 1/6; two-sided p = 1/6 + 1/6.
    let mcs = a.area_comparisons.iter().find(|c| c.tag == "tech.mcs").unwrap();
    assert_eq!((mcs.ku, mcs.tama), ((2, 2), (0, 2)));
    assert!((mcs.p - 1.0 / 3.0).abs() < 1e-9, "{}", mcs.p);
    assert!(mcs.small_cells());
}

#[test]
fn cooccurrence_counts_associations_with_both_and_lists_their_records() {
    let a = aggregated(&fy2024());
    // Only 中野 has MCS and 輪番: one association, its records a and b.
    assert_eq!(a.cooccurrence.cell("tech.mcs", "staff.rinban"), Some((1, &[0, 1][..])));
    assert_eq!(a.cooccurrence.cell("staff.rinban", "tech.mcs"), Some((1, &[0, 1][..])));
    // The diagonal: associations with the tag (中野, 新宿).
    assert_eq!(a.cooccurrence.cell("tech.mcs", "tech.mcs"), Some((2, &[0, 1, 2][..])));
    assert_eq!(a.cooccurrence.cell("tech.ivr", "tech.ivr"), Some((0, &[][..])));
}

#[test]
fn record_views_count_records() {
    let a = aggregated(&fy2024());
    assert_eq!(a.status_tag.cell("tech.mcs", "implemented"), Some((2, &[0, 2][..])));
    assert_eq!(a.status_tag.cell("tech.mcs", "trial"), Some((1, &[1][..])));
    assert_eq!(a.program_category.cell("24時間診療体制推進事業", "B"), Some((4, &[0, 2, 3, 4][..])));
    // Records a and b both name MCS for 中野.
    assert_eq!(a.entity_district.cell("MCS", "中野区医師会"), Some((2, &[0, 1][..])));
    assert_eq!(a.untagged, ["e"]);
}

#[test]
fn year_over_year_counts_new_continued_dropped_and_status_transitions() {
    let years = [aggregated(&fy2024()), aggregated(&fy2025())];
    let changes = year_over_year(&years);
    assert_eq!(changes.len(), 1);
    let change = &changes[0];
    assert_eq!((change.from, change.to), (2024, 2025));
    assert_eq!(change.only_in_one_year, [("町田市医師会".to_owned(), 2024)]);
    let counts: Vec<(&str, [u32; 3])> = change.by_tag.iter().map(|t| (t.tag.as_str(), t.counts)).collect();
    // [new, continued, dropped]: MCS continued at 中野, dropped at 新宿; IVR new at 八王子;
    // 輪番 dropped at 中野, new at 新宿, continued at 八王子.
    assert_eq!(counts, [("tech.mcs", [0, 1, 1]), ("tech.ivr", [1, 0, 0]), ("staff.rinban", [1, 1, 1])]);
    assert!(change.by_tag.iter().all(|t| t.status_changed == 0));
    // Rows: rank in 2024 (0 = absent), columns: in 2025.
    let mut expected = [[0; 6]; 6];
    expected[1][1] = 2; // MCS at 中野, 輪番 at 八王子: implemented → implemented
    expected[1][0] = 1; // MCS at 新宿: implemented → absent
    expected[0][2] = 1; // IVR at 八王子: absent → trial
    expected[3][0] = 1; // 輪番 at 中野: planned → absent
    expected[0][4] = 1; // 輪番 at 新宿: absent → considered
    assert_eq!(change.transitions, expected);
    let nakano_mcs =
        change.changes.iter().find(|c| c.district == "中野区医師会" && c.tag == "tech.mcs").unwrap();
    assert_eq!(nakano_mcs.change, ChangeKind::Continued);
    assert_eq!(
        (nakano_mcs.members_from.as_slice(), nakano_mcs.members_to.as_slice()),
        (&[0, 1][..], &[0][..])
    );
}
