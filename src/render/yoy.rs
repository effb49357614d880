//! The year-over-year part of the report: CSVs and charts of the change between two years.

use polars::prelude::*;

use super::charts::{self, Chart};
use crate::aggregate::Aggregates;
use crate::aggregate::yoy::{ChangeKind, YearChanges};
use crate::error::Result;
use crate::model::Status;

fn status_name(status: Option<Status>) -> &'static str {
    status.map_or("", Status::name)
}

fn label(latest: &Aggregates, id: &str) -> String {
    latest.tag_infos.iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label.clone())
}

/// New, continued and dropped counts per tag, in taxonomy order.
pub fn counts_by_tag(latest: &Aggregates, change: &YearChanges) -> Vec<(String, [u32; 3])> {
    latest
        .tag_infos
        .iter()
        .map(|info| {
            let mut counts = [0; 3];
            for c in change.changes.iter().filter(|c| c.tag == info.id) {
                counts[c.change as usize] += 1;
            }
            (info.id.clone(), counts)
        })
        .collect()
}

/// (none) + statuses, earlier × later, over every association × tag that changed or continued.
pub fn transition_matrix(change: &YearChanges) -> [[u32; 6]; 6] {
    let index =
        |s: Option<Status>| s.map_or(0, |s| Status::ALL.iter().position(|x| *x == s).unwrap_or(0) + 1);
    let mut matrix = [[0; 6]; 6];
    for c in &change.changes {
        matrix[index(c.status_from)][index(c.status_to)] += 1;
    }
    matrix
}

/// The three change charts for the latest pair of years.
pub fn charts(years: &[Aggregates], change: &YearChanges) -> Result<Vec<Chart>> {
    let latest = years.last().expect("a change needs two years");
    Ok(vec![
        charts::adoption_over_years(years)?,
        charts::changes_by_tag(latest, &counts_by_tag(latest, change), change.from, change.to)?,
        charts::status_transitions(&transition_matrix(change), change.from, change.to)?,
    ])
}

/// changes, associations_one_year, tag_summary and area_summary tables of one pair of years.
pub fn frames(latest: &Aggregates, change: &YearChanges) -> PolarsResult<Vec<(&'static str, DataFrame)>> {
    let c = &change.changes;
    let n = c.len();
    let changes = DataFrame::new_infer_height(vec![
        Column::new("fiscal_year_from".into(), vec![u32::from(change.from); n]),
        Column::new("fiscal_year_to".into(), vec![u32::from(change.to); n]),
        Column::new("district".into(), c.iter().map(|x| x.district.clone()).collect::<Vec<_>>()),
        Column::new("area".into(), c.iter().map(|x| x.area.clone()).collect::<Vec<_>>()),
        Column::new("medical_area".into(), c.iter().map(|x| x.medical_area.clone()).collect::<Vec<_>>()),
        Column::new("tag".into(), c.iter().map(|x| x.tag.clone()).collect::<Vec<_>>()),
        Column::new("label".into(), c.iter().map(|x| label(latest, &x.tag)).collect::<Vec<_>>()),
        Column::new("change".into(), c.iter().map(|x| x.change.name()).collect::<Vec<_>>()),
        Column::new("status_from".into(), c.iter().map(|x| status_name(x.status_from)).collect::<Vec<_>>()),
        Column::new("status_to".into(), c.iter().map(|x| status_name(x.status_to)).collect::<Vec<_>>()),
        Column::new(
            "status_changed".into(),
            c.iter()
                .map(|x| x.change == ChangeKind::Continued && x.status_from != x.status_to)
                .collect::<Vec<_>>(),
        ),
        Column::new("evidence_from".into(), c.iter().map(|x| x.evidence_from.clone()).collect::<Vec<_>>()),
        Column::new("evidence_to".into(), c.iter().map(|x| x.evidence_to.clone()).collect::<Vec<_>>()),
    ])?;
    let one = &change.only_in_one_year;
    let only = DataFrame::new_infer_height(vec![
        Column::new("fiscal_year_from".into(), vec![u32::from(change.from); one.len()]),
        Column::new("fiscal_year_to".into(), vec![u32::from(change.to); one.len()]),
        Column::new("district".into(), one.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>()),
        Column::new("reported_in".into(), one.iter().map(|(_, y)| u32::from(*y)).collect::<Vec<_>>()),
    ])?;
    let counts = counts_by_tag(latest, change);
    let status_changed = |tag: &str| {
        c.iter()
            .filter(|x| x.tag == tag && x.change == ChangeKind::Continued && x.status_from != x.status_to)
            .count() as u32
    };
    let tag_summary = DataFrame::new_infer_height(vec![
        Column::new("fiscal_year_from".into(), vec![u32::from(change.from); counts.len()]),
        Column::new("fiscal_year_to".into(), vec![u32::from(change.to); counts.len()]),
        Column::new("tag".into(), counts.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()),
        Column::new("label".into(), counts.iter().map(|(t, _)| label(latest, t)).collect::<Vec<_>>()),
        Column::new("new".into(), counts.iter().map(|(_, k)| k[0]).collect::<Vec<_>>()),
        Column::new("continued".into(), counts.iter().map(|(_, k)| k[1]).collect::<Vec<_>>()),
        Column::new("dropped".into(), counts.iter().map(|(_, k)| k[2]).collect::<Vec<_>>()),
        Column::new(
            "status_changed".into(),
            counts.iter().map(|(t, _)| status_changed(t)).collect::<Vec<_>>(),
        ),
    ])?;
    // Per area: the same counts, through a polars group-by over the changes table.
    let area_summary = changes
        .clone()
        .lazy()
        .group_by_stable([
            col("fiscal_year_from"),
            col("fiscal_year_to"),
            col("area"),
            col("tag"),
            col("label"),
        ])
        .agg([
            col("change").eq(lit("new")).sum().cast(DataType::UInt32).alias("new"),
            col("change").eq(lit("continued")).sum().cast(DataType::UInt32).alias("continued"),
            col("change").eq(lit("dropped")).sum().cast(DataType::UInt32).alias("dropped"),
        ])
        .sort(["area", "tag"], SortMultipleOptions::default().with_maintain_order(true))
        .collect()?;
    Ok(vec![
        ("changes", changes),
        ("associations_one_year", only),
        ("tag_summary", tag_summary),
        ("area_summary", area_summary),
    ])
}
