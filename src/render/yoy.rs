//! The year-over-year part of the report: CSVs and charts of the change between two years.

use polars::prelude::*;

use super::charts::{self, Drawn};
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

/// The three change charts for the latest pair of years, drawn (not yet rasterised).
pub fn charts(years: &[Aggregates], change: &YearChanges) -> Result<Vec<Drawn>> {
    let latest = years.last().expect("a change needs two years");
    Ok(vec![
        charts::adoption_over_years(years)?,
        charts::changes_by_tag(latest, &change.by_tag, change.from, change.to)?,
        charts::status_transitions(&change.transitions, change.from, change.to)?,
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
        Column::new("status_changed".into(), c.iter().map(|x| x.status_changed()).collect::<Vec<_>>()),
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
    let by_tag = &change.by_tag;
    let count = |kind: ChangeKind| by_tag.iter().map(|t| t.counts[kind as usize]).collect::<Vec<_>>();
    let tag_summary = DataFrame::new_infer_height(vec![
        Column::new("fiscal_year_from".into(), vec![u32::from(change.from); by_tag.len()]),
        Column::new("fiscal_year_to".into(), vec![u32::from(change.to); by_tag.len()]),
        Column::new("tag".into(), by_tag.iter().map(|t| t.tag.clone()).collect::<Vec<_>>()),
        Column::new("label".into(), by_tag.iter().map(|t| label(latest, &t.tag)).collect::<Vec<_>>()),
        Column::new(ChangeKind::New.name().into(), count(ChangeKind::New)),
        Column::new(ChangeKind::Continued.name().into(), count(ChangeKind::Continued)),
        Column::new(ChangeKind::Dropped.name().into(), count(ChangeKind::Dropped)),
        Column::new("status_changed".into(), by_tag.iter().map(|t| t.status_changed).collect::<Vec<_>>()),
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
