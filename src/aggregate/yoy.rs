//! Year-over-year change between consecutive fiscal years, per association and tag.
//!
//! An association's tag is present in a year when any of its records has it (status: the
//! strongest). For associations that reported in both years, a tag is `new` (only in the later
//! year), `continued` (both; its status may have changed) or `dropped` (only in the earlier year).
//! Associations that reported in only one of the two years are listed apart: they did not report,
//! so their tags did not "drop".
//!
//! Presence and status are read from each year's district × tag cells ([`Aggregates`]), not
//! counted again; the per-tag counts and the status transitions are computed here once.

use super::{Aggregates, Members};
use crate::model::Status;

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
    /// The association's records with the tag in the earlier year (indices into its `tagged`).
    pub members_from: Members,
    /// The same in the later year.
    pub members_to: Members,
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
    /// Per tag (the later year's taxonomy order): new, continued and dropped associations, and
    /// how many of the continued changed status.
    pub by_tag: Vec<TagChanges>,
    /// `transitions[from][to]`: association × tag pairs by status rank in the earlier and the
    /// later year (0 = absent), over every change.
    pub transitions: [[u32; 6]; 6],
}

/// One tag's changes between two years.
#[derive(Debug, Clone, PartialEq)]
pub struct TagChanges {
    /// Tag id.
    pub tag: String,
    /// New, continued and dropped, indexed by [`ChangeKind`].
    pub counts: [u32; 3],
    /// Continued with another status.
    pub status_changed: u32,
}

impl Change {
    /// Continued, with another status in the later year.
    pub fn status_changed(&self) -> bool {
        self.change == ChangeKind::Continued && self.status_from != self.status_to
    }
}

/// The strongest status, evidence texts and records of an association's tag in one year.
fn presence<'a>(year: &'a Aggregates, district: &str, tag: &str) -> Option<(Status, String, &'a [u32])> {
    let (rank, members) = year.district_tag_status.cell(district, tag)?;
    let status = Status::from_rank(rank)?;
    let evidence: Vec<&str> = year
        .records_of(members)
        .flat_map(|t| t.tags.iter().filter(|x| x.tag == tag))
        .flat_map(|x| x.evidence.iter().map(|e| e.span.text.as_str()))
        .collect();
    Some((status, evidence.join(" / "), members))
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
            let was = presence(earlier, &association.district, &info.id);
            let is = presence(later, &association.district, &info.id);
            let change = match (&was, &is) {
                (None, Some(_)) => ChangeKind::New,
                (Some(_), Some(_)) => ChangeKind::Continued,
                (Some(_), None) => ChangeKind::Dropped,
                (None, None) => continue,
            };
            let (status_from, evidence_from, members_from) = split(was);
            let (status_to, evidence_to, members_to) = split(is);
            changes.push(Change {
                district: association.district.clone(),
                area: association.area.clone(),
                medical_area: association.medical_area.clone(),
                tag: info.id.clone(),
                change,
                status_from,
                status_to,
                evidence_from,
                evidence_to,
                members_from,
                members_to,
            });
        }
    }
    let by_tag = later
        .tag_infos
        .iter()
        .map(|info| {
            let of_tag = || changes.iter().filter(|c| c.tag == info.id);
            let mut counts = [0; 3];
            for c in of_tag() {
                counts[c.change as usize] += 1;
            }
            TagChanges {
                tag: info.id.clone(),
                counts,
                status_changed: of_tag().filter(|c| c.status_changed()).count() as u32,
            }
        })
        .collect();
    let mut transitions = [[0; 6]; 6];
    for c in &changes {
        let rank = |s: Option<Status>| s.map_or(0, Status::rank) as usize;
        transitions[rank(c.status_from)][rank(c.status_to)] += 1;
    }
    YearChanges { from, to, changes, only_in_one_year, by_tag, transitions }
}

fn split(presence: Option<(Status, String, &[u32])>) -> (Option<Status>, String, Members) {
    match presence {
        Some((status, evidence, members)) => (Some(status), evidence, members.to_vec()),
        None => (None, String::new(), Vec::new()),
    }
}
