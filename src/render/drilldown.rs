//! The data behind the page's drill-down, bounded whatever the corpus size: for every cell the
//! page links to (`view|row|col`), the number of records and up to [`RECORDS_PER_CELL`] of them;
//! only the records some cell shows are inlined, at most [`INLINED_RECORDS`] (or
//! [`RECORDS_PER_CELL_FLOOR`] per cell, if that is more). A cell shows records other cells
//! already show first, so one record serves many cells. A 58-record table inlines all of them;
//! at 17,400 records the page stays a few MB, and a cell says when tags.csv has more.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::aggregate::{Aggregates, Matrix};
use crate::model::TaggedRecord;

/// Records a drill-down lists per cell at most; the page says when a cell has more.
pub const RECORDS_PER_CELL: usize = 100;

/// Records every cell shows (if it has them) even when [`INLINED_RECORDS`] is spent.
pub const RECORDS_PER_CELL_FLOOR: usize = 3;

/// Records inlined in one page, beyond each cell's floor.
pub const INLINED_RECORDS: usize = 2_000;

/// Untagged records the page lists by name (each links to its own drill-down).
pub const UNTAGGED_LISTED: usize = 200;

#[derive(Serialize)]
struct PageData<'a> {
    tags: Vec<TagData<'a>>,
    records: Vec<RecordData<'a>>,
    /// `view|row|col` → (records in the cell, indices into `records` of those shown).
    cells: BTreeMap<String, (usize, Vec<usize>)>,
}

#[derive(Serialize)]
struct TagData<'a> {
    id: &'a str,
    label: &'a str,
    family: &'a str,
}

#[derive(Serialize)]
struct RecordData<'a> {
    id: &'a str,
    fiscal_year: Option<u16>,
    district_no: Option<u32>,
    district: Option<&'a str>,
    program: Option<&'a str>,
    categories: &'a [String],
    marks: u32,
    description: &'a str,
    tags: Vec<RecordTag<'a>>,
}

#[derive(Serialize)]
struct RecordTag<'a> {
    tag: &'a str,
    status: &'static str,
    entity: Option<&'a str>,
    evidence: Vec<EvidenceData<'a>>,
}

#[derive(Serialize)]
struct EvidenceData<'a> {
    s: usize,
    e: usize,
    rule: &'a str,
    origin: &'a str,
    cue: Option<(usize, usize)>,
}

/// The untagged records of `a` the page lists: the first [`UNTAGGED_LISTED`], in report order.
pub fn untagged_listed(a: &Aggregates) -> Vec<&TaggedRecord> {
    let wanted: BTreeSet<&str> = a.untagged.iter().take(UNTAGGED_LISTED).map(String::as_str).collect();
    a.tagged.iter().filter(|t| wanted.contains(t.record.id.as_str())).collect()
}

/// The page's drill-down data as JSON, safe inside a `<script>` element. `years` are the
/// records the drill-down can reach (every year on the top page): the year-over-year cells span
/// them all, every other cell holds the records of `a`'s year. `listed_untagged` are the
/// untagged records the page links to ([`untagged_listed`]).
pub fn page_data(a: &Aggregates, years: &[Aggregates], listed_untagged: &[&TaggedRecord]) -> String {
    let records: Vec<(&Aggregates, &TaggedRecord)> =
        years.iter().flat_map(|year| year.tagged.iter().map(move |t| (year, t))).collect();
    let listed: BTreeSet<&str> = listed_untagged.iter().map(|t| t.record.id.as_str()).collect();
    let cells = cell_members(a, years, &listed);
    let (shown_by_cell, shown) = choose_shown(&cells);
    let position: BTreeMap<usize, usize> = shown.iter().enumerate().map(|(new, &old)| (old, new)).collect();
    let data = PageData {
        tags: a.tag_infos.iter().map(|t| TagData { id: &t.id, label: &t.label, family: &t.family }).collect(),
        records: shown.iter().map(|&i| record_data(records[i].1)).collect(),
        cells: cells
            .iter()
            .zip(shown_by_cell)
            .map(|((key, members), chosen)| {
                (key.clone(), (members.len(), chosen.iter().map(|i| position[i]).collect()))
            })
            .collect(),
    };
    // `</` inside a script element would end it.
    serde_json::to_string(&data).unwrap_or_else(|_| "{}".into()).replace("</", "<\\/")
}

/// Which records each cell shows (in page order) and all the records shown. Two passes over
/// the cells in key order: first up to the floor each, then up to [`RECORDS_PER_CELL`] while the
/// page's budget lasts; in both, records already shown are taken before new ones.
fn choose_shown(cells: &BTreeMap<String, Vec<usize>>) -> (Vec<Vec<usize>>, BTreeSet<usize>) {
    let mut shown = BTreeSet::new();
    let mut chosen: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    for (limit, budgeted) in [(RECORDS_PER_CELL_FLOOR, false), (RECORDS_PER_CELL, true)] {
        for (members, chosen) in cells.values().zip(&mut chosen) {
            let reused: Vec<usize> =
                members.iter().copied().filter(|m| shown.contains(m)).take(limit).collect();
            for &member in reused.iter().chain(members) {
                if chosen.len() >= limit {
                    break;
                }
                if chosen.contains(&member) {
                    continue;
                }
                if !shown.contains(&member) {
                    if budgeted && shown.len() >= INLINED_RECORDS {
                        break;
                    }
                    shown.insert(member);
                }
                chosen.push(member);
            }
        }
    }
    for list in &mut chosen {
        list.sort_unstable();
    }
    (chosen, shown)
}

/// Every cell a page links to, with the indices of its records in page order (`years`' records
/// one after the other), read from the cells aggregation made: district × tag, area × tag,
/// 二次保健医療圏 × tag, tag × status, program × 事業区分, tag × tag, entity × district, one
/// untagged record, and an association's tag across years.
fn cell_members(
    a: &Aggregates,
    years: &[Aggregates],
    listed_untagged: &BTreeSet<&str>,
) -> BTreeMap<String, Vec<usize>> {
    let bases: Vec<usize> = years
        .iter()
        .scan(0, |next, year| {
            let base = *next;
            *next += year.tagged.len();
            Some(base)
        })
        .collect();
    let page_year = years
        .iter()
        .position(|y| std::ptr::eq(y, a))
        .or_else(|| years.iter().position(|y| y.fiscal_year == a.fiscal_year))
        .unwrap_or(0);
    let base = bases.get(page_year).copied().unwrap_or(0);
    let mut cells: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut add = |key: String, members: &[u32], base: usize| {
        if !members.is_empty() {
            cells.entry(key).or_default().extend(members.iter().map(|&m| base + m as usize));
        }
    };
    let views: [(&str, &Matrix); 5] = [
        ("district_tag", &a.district_tag_status),
        ("status", &a.status_tag),
        ("program_category", &a.program_category),
        ("pair", &a.cooccurrence),
        ("entity", &a.entity_district),
    ];
    for (view, matrix) in views {
        for (row, col, members) in matrix.cells_with_members() {
            add(format!("{view}|{row}|{col}"), members, base);
        }
    }
    for (view, shares) in [("area", &a.area_shares), ("medical_area", &a.medical_area_shares)] {
        for share in shares {
            add(format!("{view}|{}|{}", share.group, share.tag), &share.members, base);
        }
    }
    for (index, t) in a.tagged.iter().enumerate() {
        if listed_untagged.contains(t.record.id.as_str()) {
            add(format!("record|{}|", t.record.id), &[index as u32], base);
        }
    }
    // An association's tag across years: years are in order, so the members stay ascending.
    for (year, base) in years.iter().zip(bases) {
        for (district, tag, members) in year.district_tag_status.cells_with_members() {
            add(format!("yoy|{district}|{tag}"), members, base);
        }
    }
    cells
}

fn record_data(t: &TaggedRecord) -> RecordData<'_> {
    RecordData {
        id: &t.record.id,
        fiscal_year: t.record.fiscal_year,
        district_no: t.record.district_no,
        district: t.record.district.as_deref(),
        program: t.record.program.as_deref(),
        categories: &t.record.categories,
        marks: t.record.marks,
        description: &t.record.description,
        tags: t
            .tags
            .iter()
            .map(|tag| RecordTag {
                tag: &tag.tag,
                status: tag.status.name(),
                entity: tag.entity.as_deref(),
                evidence: tag
                    .evidence
                    .iter()
                    .map(|e| EvidenceData {
                        s: e.span.start_char_orig,
                        e: e.span.end_char_orig,
                        rule: &e.rule,
                        origin: &e.rule_origin,
                        cue: e.cue.as_ref().map(|c| (c.start_char_orig, c.end_char_orig)),
                    })
                    .collect(),
            })
            .collect(),
    }
}
