//! Every cell of every view, on random tagged records, against a recount written straight from
//! the records: its value (distinct associations, records or the strongest status) and its
//! drill-down members (exactly the records behind it).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use zaitaku::aggregate::{Aggregates, aggregate};
use zaitaku::model::{Evidence, Span};
use zaitaku::regions::Regions;
use zaitaku::tag::TagInfo;
use zaitaku::{Location, Record, Status, Tag, TaggedRecord, Warnings};

use super::harness::repo;

/// Four 区部 and two 多摩 associations, and one regions.toml does not know.
const DISTRICTS: [&str; 7] = [
    "中野区医師会",
    "新宿区医師会",
    "渋谷区医師会",
    "江東区医師会",
    "八王子市医師会",
    "町田市医師会",
    "架空村医師会",
];
const TAGS: [&str; 3] = ["tech.mcs", "tech.ivr", "staff.rinban"];
const ENTITIES: [Option<&str>; 3] = [None, Some("MCS"), Some("IVRy")];
const CATEGORIES: [&str; 3] = ["A", "B", "C"];

fn tag_infos() -> Vec<TagInfo> {
    TAGS.iter()
        .enumerate()
        .map(|(order, id)| TagInfo {
            id: (*id).into(),
            family: id.split('.').next().unwrap().into(),
            label: (*id).into(),
            order,
            origin: Location::file("taxonomy.toml"),
        })
        .collect()
}

fn span() -> Span {
    Span {
        text: "x".into(),
        text_nfkc: "x".into(),
        start_char_orig: 0,
        end_char_orig: 1,
        start_char_nfkc: 0,
        end_char_nfkc: 1,
    }
}

/// (district, program, categories, tags as (tag, status, entity)).
type Shape = (usize, usize, Vec<usize>, Vec<(usize, usize, usize)>);

fn shape() -> impl Strategy<Value = Shape> {
    (
        0..DISTRICTS.len(),
        0..2usize,
        prop::collection::btree_set(0..CATEGORIES.len(), 0..3).prop_map(|s| s.into_iter().collect()),
        prop::collection::btree_map(0..TAGS.len(), (0..Status::ALL.len(), 0..ENTITIES.len()), 0..3)
            .prop_map(|m| m.into_iter().map(|(t, (s, e))| (t, s, e)).collect()),
    )
}

fn records(shapes: &[Shape]) -> Vec<TaggedRecord> {
    shapes
        .iter()
        .enumerate()
        .map(|(i, (district, program, categories, tags))| TaggedRecord {
            record: Record {
                id: format!("r-{i:03}"),
                fiscal_year: Some(2024),
                district_no: Some(*district as u32 + 1),
                district: Some(DISTRICTS[*district].into()),
                program: Some(["P1", "P2"][*program].into()),
                categories: categories.iter().map(|&c| CATEGORIES[c].to_owned()).collect(),
                marks: 0,
                description: "x".into(),
                notes: vec![],
                source: None,
            },
            tags: tags
                .iter()
                .map(|&(t, s, e)| Tag {
                    tag: TAGS[t].into(),
                    status: Status::ALL[s],
                    entity: ENTITIES[e].map(Into::into),
                    evidence: vec![Evidence {
                        span: span(),
                        status: None,
                        cue: None,
                        rule: "r".into(),
                        rule_origin: "r:1".into(),
                    }],
                })
                .collect(),
        })
        .collect()
}

fn regions() -> &'static Regions {
    static REGIONS: std::sync::OnceLock<Regions> = std::sync::OnceLock::new();
    REGIONS.get_or_init(|| Regions::load(&repo("dictionaries")).unwrap())
}

fn has(record: &TaggedRecord, tag: &str) -> bool {
    record.tags.iter().any(|t| t.tag == tag)
}

fn district(record: &TaggedRecord) -> &str {
    record.record.district.as_deref().unwrap()
}

fn area(d: &str) -> String {
    regions().locate(d).map_or_else(|| "unknown".to_owned(), |p| p.area.clone())
}

/// Records (indices) matching `keep`.
fn members(records: &[TaggedRecord], keep: impl Fn(&TaggedRecord) -> bool) -> Vec<u32> {
    records.iter().enumerate().filter(|(_, r)| keep(r)).map(|(i, _)| i as u32).collect()
}

fn check(a: &Aggregates, records: &[TaggedRecord]) -> Result<(), TestCaseError> {
    let associations: BTreeSet<&str> = records.iter().map(district).collect();
    let with_tag =
        |tag: &str| -> BTreeSet<&str> { records.iter().filter(|r| has(r, tag)).map(district).collect() };
    for d in &associations {
        for tag in TAGS {
            let strongest = records
                .iter()
                .filter(|r| district(r) == *d)
                .flat_map(|r| r.tags.iter().filter(|t| t.tag == tag))
                .map(|t| t.status.rank())
                .min()
                .unwrap_or(0);
            let expected = members(records, |r| district(r) == *d && has(r, tag));
            prop_assert_eq!(
                a.district_tag_status.cell(d, tag),
                Some((strongest, expected.as_slice())),
                "{} {}",
                d,
                tag
            );
        }
    }
    for share in &a.area_shares {
        let in_group = |d: &str| area(d) == share.group;
        let total = associations.iter().filter(|d| in_group(d)).count() as u32;
        let n = with_tag(&share.tag).iter().filter(|d| in_group(d)).count() as u32;
        let expected = members(records, |r| area(district(r)) == share.group && has(r, &share.tag));
        prop_assert_eq!(
            (share.n, share.total, &share.members),
            (n, total, &expected),
            "{} {}",
            share.tag,
            share.group
        );
    }
    for a_tag in TAGS {
        for b_tag in TAGS {
            let both: BTreeSet<&str> = with_tag(a_tag).intersection(&with_tag(b_tag)).copied().collect();
            let expected =
                members(records, |r| both.contains(district(r)) && (has(r, a_tag) || has(r, b_tag)));
            prop_assert_eq!(
                a.cooccurrence.cell(a_tag, b_tag),
                Some((both.len() as u32, expected.as_slice())),
                "pair {} {}",
                a_tag,
                b_tag
            );
        }
        for status in Status::ALL {
            let expected = members(records, |r| r.tags.iter().any(|t| t.tag == a_tag && t.status == status));
            prop_assert_eq!(
                a.status_tag.cell(a_tag, status.name()),
                Some((expected.len() as u32, expected.as_slice()))
            );
        }
    }
    let mut entity_cells: BTreeMap<(&str, &str), Vec<u32>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        for entity in r.tags.iter().filter_map(|t| t.entity.as_deref()).collect::<BTreeSet<_>>() {
            entity_cells.entry((entity, district(r))).or_default().push(i as u32);
        }
    }
    for ((entity, d), expected) in &entity_cells {
        prop_assert_eq!(
            a.entity_district.cell(entity, d),
            Some((expected.len() as u32, expected.as_slice()))
        );
    }
    let entity_total: usize = a.entity_district.values.iter().flatten().map(|&v| v as usize).sum();
    prop_assert_eq!(entity_total, entity_cells.values().map(Vec::len).sum::<usize>());
    for program in ["P1", "P2"] {
        for category in CATEGORIES {
            let expected = members(records, |r| {
                r.record.program.as_deref() == Some(program)
                    && r.record.categories.iter().any(|c| c == category)
            });
            let cell = a.program_category.cell(program, category);
            if expected.is_empty() {
                prop_assert!(cell.is_none_or(|(n, m)| n == 0 && m.is_empty()));
            } else {
                prop_assert_eq!(cell, Some((expected.len() as u32, expected.as_slice())));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_cell_equals_a_recount_and_lists_exactly_its_records(shapes in prop::collection::vec(shape(), 1..40)) {
        let records = records(&shapes);
        let mut warnings = Warnings::default();
        let aggregates = aggregate(records.clone(), regions(), &tag_infos(), &mut warnings).unwrap();
        check(&aggregates, &records)?;
    }
}
