//! Rule quality against hand-labelled gold, and what changed since a saved baseline.
//!
//! The gold format is that of `tests/gold/r06.jsonl`: records with `tags` as
//! `{id: {"status", "entity"}}`. The gold's own descriptions are tagged and scored per
//! (record, tag) pair: per-tag TP/FP/FN, precision, recall, F1 and support; micro and macro
//! averages; status and entity accuracy over true positives, with a status confusion table.
//! Records are aligned by id when the gold has ids, else by (district, program) in order.
//!
//! [`Evaluation`] serializes to JSON with every record's predictions and the rules behind them,
//! so a later run can be compared with it ([`diff`]): what was gained or lost, per record and tag,
//! with the rule responsible.

mod report;
mod rules;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::model::{Status, TaggedRecord};

pub use report::{render_diff_markdown, render_markdown};
pub use rules::{RuleStats, per_rule, render_rules_markdown};

/// Tags with fewer gold examples than this are flagged: their scores say little.
pub const LOW_SUPPORT: usize = 5;

/// A gold label: status and entity of one tag of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The labelled status.
    pub status: Status,
    /// The labelled entity, if any.
    pub entity: Option<String>,
}

/// A predicted tag with the rules that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prediction {
    /// The predicted status.
    pub status: Status,
    /// The predicted entity.
    pub entity: Option<String>,
    /// The rules whose mentions gave this tag.
    pub rules: Vec<String>,
}

/// One gold record with its labels.
#[derive(Debug, Clone)]
pub struct GoldRecord {
    /// The record, as ingest reads it from the gold line.
    pub record: crate::model::Record,
    /// Its labels by tag id.
    pub labels: BTreeMap<String, Label>,
}

/// Reads a gold file (JSON Lines).
pub fn load_gold(path: &Path) -> Result<Vec<GoldRecord>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    let records = crate::ingest::read_bytes(&name, &bytes)?.records;
    let text = String::from_utf8_lossy(&bytes);
    let mut labels_per_line = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        #[derive(Deserialize)]
        struct GoldLine {
            #[serde(default)]
            tags: BTreeMap<String, Label>,
        }
        let parsed: GoldLine = serde_json::from_str(line)
            .map_err(|e| Error::input(Location::at(name.clone(), index + 1), format!("gold labels: {e}")))?;
        labels_per_line.push(parsed.tags);
    }
    if labels_per_line.len() != records.len() {
        return Err(Error::input(
            Location::file(name),
            "every gold line must be a record with a description",
        ));
    }
    Ok(records
        .into_iter()
        .zip(labels_per_line)
        .map(|(record, labels)| GoldRecord { record, labels })
        .collect())
}

/// The gold-file form of a tagged record (`zaitaku tag --format gold`).
pub fn to_gold(record: &TaggedRecord) -> serde_json::Value {
    let r = &record.record;
    let tags: serde_json::Map<String, serde_json::Value> = record
        .tags
        .iter()
        .map(|t| (t.tag.clone(), serde_json::json!({ "status": t.status, "entity": t.entity })))
        .collect();
    serde_json::json!({
        "id": r.id,
        "fiscal_year": r.fiscal_year,
        "district_no": r.district_no,
        "district": r.district,
        "program": r.program,
        "categories": r.categories,
        "marks": r.marks,
        "description": r.description,
        "tags": tags,
    })
}

/// TP, FP and FN counts with the ratios derived from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    /// tp / (tp + fp); 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / (tp + fn); 0 when there is no gold.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    /// Gold examples: tp + fn.
    pub fn support(&self) -> usize {
        self.tp + self.fn_
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// One record's gold and predictions, keyed for alignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordResult {
    /// Alignment key: the id, or `district|program|n`.
    pub key: String,
    /// The district, for display.
    pub district: Option<String>,
    /// The program, for display.
    pub program: Option<String>,
    /// Gold labels.
    pub gold: BTreeMap<String, Label>,
    /// Predictions.
    pub predicted: BTreeMap<String, Prediction>,
}

/// Everything `zaitaku eval` measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Number of records scored.
    pub num_records: usize,
    /// Counts per tag id (every tag of the taxonomy or the gold).
    pub per_tag: BTreeMap<String, Counts>,
    /// Counts over all (record, tag) pairs.
    pub micro: Counts,
    /// Mean precision, recall and F1 over tags with support or predictions.
    pub macro_precision: f64,
    /// See `macro_precision`.
    pub macro_recall: f64,
    /// See `macro_precision`.
    pub macro_f1: f64,
    /// Status right, over true positives.
    pub status_correct: usize,
    /// Entity right (both null counts), over true positives.
    pub entity_correct: usize,
    /// True positives whose gold names an entity (not null).
    #[serde(default)]
    pub entity_named_total: usize,
    /// Of those, the entity right.
    #[serde(default)]
    pub entity_named_correct: usize,
    /// `gold status -> predicted status -> count`, over true positives.
    pub status_confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per record, for diffs.
    pub records: Vec<RecordResult>,
}

impl Evaluation {
    /// Status accuracy over true positives.
    pub fn status_accuracy(&self) -> f64 {
        ratio(self.status_correct, self.micro.tp)
    }
    /// Entity accuracy over true positives.
    pub fn entity_accuracy(&self) -> f64 {
        ratio(self.entity_correct, self.micro.tp)
    }
    /// Entity accuracy over true positives whose gold names an entity: the harder measure,
    /// since a rule that never names anything scores well on the other one.
    pub fn named_entity_accuracy(&self) -> f64 {
        ratio(self.entity_named_correct, self.entity_named_total)
    }
}

/// The alignment key of each record: its id for free text (no district), else
/// district|program|n (table gold has no ids: rows are aligned in document order).
fn keys<'a>(records: impl Iterator<Item = &'a crate::model::Record>) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    records
        .map(|record| {
            if record.district.is_none() {
                return record.id.clone();
            }
            let base = format!(
                "{}|{}",
                record.district.as_deref().unwrap_or(""),
                record.program.as_deref().unwrap_or("")
            );
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            format!("{base}|{n}")
        })
        .collect()
}

/// Scores `predicted` (the gold's records, tagged) against `gold`, for the tags in `tag_ids`.
pub fn evaluate(gold: &[GoldRecord], predicted: &[TaggedRecord], tag_ids: &[String]) -> Evaluation {
    let gold_keys = keys(gold.iter().map(|g| &g.record));
    let predicted_keys = keys(predicted.iter().map(|p| &p.record));
    let by_key: BTreeMap<&String, &TaggedRecord> = predicted_keys.iter().zip(predicted).collect();

    let mut per_tag: BTreeMap<String, Counts> =
        tag_ids.iter().map(|t| (t.clone(), Counts::default())).collect();
    let mut status_confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let (mut status_correct, mut entity_correct) = (0, 0);
    let (mut entity_named_total, mut entity_named_correct) = (0, 0);
    let mut records = Vec::with_capacity(gold.len());
    for (key, gold_record) in gold_keys.iter().zip(gold) {
        let predictions: BTreeMap<String, Prediction> = by_key
            .get(key)
            .map(|tagged| {
                tagged
                    .tags
                    .iter()
                    .map(|t| {
                        let mut rules: Vec<String> = t.evidence.iter().map(|e| e.rule.clone()).collect();
                        rules.sort();
                        rules.dedup();
                        (t.tag.clone(), Prediction { status: t.status, entity: t.entity.clone(), rules })
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (tag, label) in &gold_record.labels {
            let counts = per_tag.entry(tag.clone()).or_default();
            match predictions.get(tag) {
                Some(prediction) => {
                    counts.tp += 1;
                    *status_confusion
                        .entry(label.status.name().to_owned())
                        .or_default()
                        .entry(prediction.status.name().to_owned())
                        .or_default() += 1;
                    status_correct += usize::from(prediction.status == label.status);
                    entity_correct += usize::from(prediction.entity == label.entity);
                    if label.entity.is_some() {
                        entity_named_total += 1;
                        entity_named_correct += usize::from(prediction.entity == label.entity);
                    }
                }
                None => counts.fn_ += 1,
            }
        }
        for tag in predictions.keys() {
            if !gold_record.labels.contains_key(tag) {
                per_tag.entry(tag.clone()).or_default().fp += 1;
            }
        }
        records.push(RecordResult {
            key: key.clone(),
            district: gold_record.record.district.clone(),
            program: gold_record.record.program.clone(),
            gold: gold_record.labels.clone(),
            predicted: predictions,
        });
    }
    let micro = per_tag.values().fold(Counts::default(), |acc, c| Counts {
        tp: acc.tp + c.tp,
        fp: acc.fp + c.fp,
        fn_: acc.fn_ + c.fn_,
    });
    let active: Vec<&Counts> = per_tag.values().filter(|c| c.tp + c.fp + c.fn_ > 0).collect();
    let mean = |f: fn(&Counts) -> f64| {
        if active.is_empty() { 0.0 } else { active.iter().map(|c| f(c)).sum::<f64>() / active.len() as f64 }
    };
    Evaluation {
        num_records: gold.len(),
        macro_precision: mean(Counts::precision),
        macro_recall: mean(Counts::recall),
        macro_f1: mean(Counts::f1),
        per_tag,
        micro,
        status_correct,
        entity_correct,
        entity_named_total,
        entity_named_correct,
        status_confusion,
        records,
    }
}

/// The kind of a change between a baseline and the current run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A true positive the baseline did not have.
    TpGained,
    /// A baseline true positive now missed.
    TpLost,
    /// A new false positive.
    FpAdded,
    /// A baseline false positive now gone.
    FpRemoved,
    /// A true positive in both, with another status.
    StatusChanged,
    /// A true positive in both, with another entity.
    EntityChanged,
}

/// One change for one record and tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The record key.
    pub key: String,
    /// The tag id.
    pub tag: String,
    /// Before → after (status or entity), for changes of those.
    pub detail: String,
    /// The rules responsible: the current ones for gains and additions, the baseline's for losses.
    pub rules: Vec<String>,
}

/// Per-record changes and per-tag count deltas between two evaluations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Every change, by record order then tag.
    pub changes: Vec<Change>,
    /// Tags whose counts changed: (baseline, current).
    pub per_tag: BTreeMap<String, (Counts, Counts)>,
    /// Micro F1 before and after.
    pub micro_f1: (f64, f64),
}

impl Diff {
    /// How many baseline true positives are now lost.
    pub fn num_tp_lost(&self) -> usize {
        self.changes.iter().filter(|c| c.kind == ChangeKind::TpLost).count()
    }
}

/// What changed from `baseline` to `current`.
pub fn diff(baseline: &Evaluation, current: &Evaluation) -> Diff {
    let before: BTreeMap<&str, &RecordResult> =
        baseline.records.iter().map(|r| (r.key.as_str(), r)).collect();
    let mut changes = Vec::new();
    let empty = BTreeMap::new();
    for now in &current.records {
        let (old_predicted, old_gold) =
            before.get(now.key.as_str()).map_or((&empty, &now.gold), |r| (&r.predicted, &r.gold));
        let _ = old_gold;
        let tags: std::collections::BTreeSet<&String> =
            now.predicted.keys().chain(old_predicted.keys()).collect();
        for tag in tags {
            let in_gold = now.gold.get(tag);
            let was = old_predicted.get(tag);
            let is = now.predicted.get(tag);
            let mut push = |kind, detail: String, rules: Vec<String>| {
                changes.push(Change { kind, key: now.key.clone(), tag: tag.clone(), detail, rules });
            };
            match (in_gold, was, is) {
                (Some(_), None, Some(p)) => push(ChangeKind::TpGained, String::new(), p.rules.clone()),
                (Some(_), Some(p), None) => push(ChangeKind::TpLost, String::new(), p.rules.clone()),
                (None, None, Some(p)) => push(ChangeKind::FpAdded, String::new(), p.rules.clone()),
                (None, Some(p), None) => push(ChangeKind::FpRemoved, String::new(), p.rules.clone()),
                (Some(label), Some(old), Some(new)) => {
                    if old.status != new.status {
                        push(
                            ChangeKind::StatusChanged,
                            format!(
                                "{} → {} (gold {})",
                                old.status.name(),
                                new.status.name(),
                                label.status.name()
                            ),
                            new.rules.clone(),
                        );
                    }
                    if old.entity != new.entity {
                        push(
                            ChangeKind::EntityChanged,
                            format!("{:?} → {:?} (gold {:?})", old.entity, new.entity, label.entity),
                            new.rules.clone(),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    let mut per_tag = BTreeMap::new();
    for (tag, now) in &current.per_tag {
        let was = baseline.per_tag.get(tag).copied().unwrap_or_default();
        if was != *now {
            per_tag.insert(tag.clone(), (was, *now));
        }
    }
    Diff { changes, per_tag, micro_f1: (baseline.micro.f1(), current.micro.f1()) }
}
