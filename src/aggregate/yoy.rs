//! Year-over-year change between consecutive fiscal years, per association and tag.
//!
//! An association's tag is present in a year when any of its records has it (status: the
//! strongest). For associations that reported in both years, a tag is `new` (only in the later
//! year), `continued` (both; its status may have changed) or `dropped` (only in the earlier year).
//! Associations that reported in only one of the two years are listed apart: they did not report,
//! so their tags did not "drop".

use std::collections::BTreeMap;

use super::Aggregates;
use crate::model::{Status, TaggedRecord};

/// Whether a tag appeared, stayed or went between two years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Present in the later year only.
    New,
    /// Present in both years.
    Continued,
    /// Present in the earlier year only.
    Dropped,
}

impl ChangeKind {
    /// The name used in CSV and the page.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Continued => "continued",
            ChangeKind::Dropped => "dropped",
        }
    }
}

/// One association × tag between two years.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The association (canonical name).
    pub district: String,
    /// Its area and 二次保健医療圏 (in the later year).
    pub area: String,
    /// See `area`.
    pub medical_area: String,
    /// Tag id.
    pub tag: String,
    /// new, continued or dropped.
    pub change: ChangeKind,
    /// Strongest status in the earlier year, if present.
    pub status_from: Option<Status>,
    /// Strongest status in the later year, if present.
    pub status_to: Option<Status>,
    /// The evidence texts of the earlier year, joined.
    pub evidence_from: String,
    /// The evidence texts of the later year, joined.
    pub evidence_to: String,
}

/// Everything that changed between two consecutive fiscal years.
#[derive(Debug, Clone, PartialEq)]
pub struct YearChanges {
    /// The earlier year.
    pub from: u16,
    /// The later year.
    pub to: u16,
    /// Per association (in the later year's order) and tag (taxonomy order).
    pub changes: Vec<Change>,
    /// Associations that reported in only one of the two years, with that year.
    pub only_in_one_year: Vec<(String, u16)>,
}

/// Strongest status and evidence texts of each (association, tag) in one year.
fn presence(year: &Aggregates) -> BTreeMap<(String, String), (Status, Vec<String>)> {
    let mut present: BTreeMap<(String, String), (Status, Vec<String>)> = BTreeMap::new();
    for TaggedRecord { record, tags } in &year.tagged {
        let Some(district) = &record.district else { continue };
        for tag in tags {
            let entry =
                present.entry((district.clone(), tag.tag.clone())).or_insert((tag.status, Vec::new()));
            entry.0 = strongest(entry.0, tag.status);
            entry.1.extend(tag.evidence.iter().map(|e| e.span.text.clone()));
        }
    }
    present
}

/// implemented > trial > planned > considered; suspended only when nothing else is.
fn strongest(a: Status, b: Status) -> Status {
    match (a, b) {
        (Status::Suspended, other) | (other, Status::Suspended) => other,
        (a, b) => a.min(b),
    }
}

/// Changes for every pair of consecutive years; `years` is sorted by fiscal year.
pub fn year_over_year(years: &[Aggregates]) -> Vec<YearChanges> {
    years
        .windows(2)
        .filter_map(|pair| {
            let (earlier, later) = (&pair[0], &pair[1]);
            let (from, to) = (earlier.fiscal_year?, later.fiscal_year?);
            Some(compare(earlier, later, from, to))
        })
        .collect()
}

fn compare(earlier: &Aggregates, later: &Aggregates, from: u16, to: u16) -> YearChanges {
    let before = presence(earlier);
    let after = presence(later);
    let reported_before: Vec<&str> = earlier.associations.iter().map(|a| a.district.as_str()).collect();
    let reported_after: Vec<&str> = later.associations.iter().map(|a| a.district.as_str()).collect();
    let mut only_in_one_year = Vec::new();
    for district in &reported_before {
        if !reported_after.contains(district) {
            only_in_one_year.push(((*district).to_owned(), from));
        }
    }
    for district in &reported_after {
        if !reported_before.contains(district) {
            only_in_one_year.push(((*district).to_owned(), to));
        }
    }
    let mut changes = Vec::new();
    for association in later.associations.iter().filter(|a| reported_before.contains(&a.district.as_str())) {
        for info in &later.tag_infos {
            let key = (association.district.clone(), info.id.clone());
            let (was, is) = (before.get(&key), after.get(&key));
            let change = match (was, is) {
                (None, Some(_)) => ChangeKind::New,
                (Some(_), Some(_)) => ChangeKind::Continued,
                (Some(_), None) => ChangeKind::Dropped,
                (None, None) => continue,
            };
            changes.push(Change {
                district: association.district.clone(),
                area: association.area.clone(),
                medical_area: association.medical_area.clone(),
                tag: info.id.clone(),
                change,
                status_from: was.map(|w| w.0),
                status_to: is.map(|i| i.0),
                evidence_from: was.map(|w| w.1.join(" / ")).unwrap_or_default(),
                evidence_to: is.map(|i| i.1.join(" / ")).unwrap_or_default(),
            });
        }
    }
    YearChanges { from, to, changes, only_in_one_year }
}
