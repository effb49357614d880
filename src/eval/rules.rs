//! Per-rule statistics against gold, after Snorkel's labeling-function summary: which records a
//! rule fires on, how many of those the gold confirms, and whether any other rule of its tag
//! would have found them anyway.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::GoldRecord;
use crate::tag::RuleInfo;

/// What one rule does on a gold set. A rule *fires* on a record when at least one of its matches
/// is kept as a mention (not blocked by `unless`, negation, policy, a name or a relation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStats {
    /// The rule's name.
    pub rule: String,
    /// The tag it gives.
    pub tag: String,
    /// Where it is defined, `file:line`.
    pub origin: String,
    /// Records it fires on (coverage).
    pub records: usize,
    /// Of those, records whose gold has its tag.
    pub tp: usize,
    /// Of those, records whose gold lacks its tag.
    pub fp: usize,
    /// True positives no other rule of its tag fires on: what would be lost without it.
    pub only_tp: usize,
    /// Records it fires on where another rule of its tag fires too.
    pub overlap: usize,
}

/// Per-rule statistics, in rule order. `fired[i]` holds the indexes (into `rules`) of the rules
/// that fire on `gold[i]`.
pub fn per_rule(gold: &[GoldRecord], fired: &[BTreeSet<usize>], rules: &[RuleInfo<'_>]) -> Vec<RuleStats> {
    let mut stats: Vec<RuleStats> = rules
        .iter()
        .map(|r| RuleStats {
            rule: r.name.to_owned(),
            tag: r.tag.to_owned(),
            origin: r.origin.to_owned(),
            records: 0,
            tp: 0,
            fp: 0,
            only_tp: 0,
            overlap: 0,
        })
        .collect();
    for (record, fired) in gold.iter().zip(fired) {
        for &rule in fired {
            let tag = rules[rule].tag;
            let others = fired.iter().any(|&other| other != rule && rules[other].tag == tag);
            let stat = &mut stats[rule];
            stat.records += 1;
            if record.labels.contains_key(tag) {
                stat.tp += 1;
                if !others {
                    stat.only_tp += 1;
                }
            } else {
                stat.fp += 1;
            }
            if others {
                stat.overlap += 1;
            }
        }
    }
    stats
}

/// The per-rule table as Markdown, then the rules that fire on no gold record.
pub fn render_rules_markdown(stats: &[RuleStats]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Per rule\n\nA rule fires on a record when one of its matches is kept as a mention. \
         only TP: true positives no other rule of the tag fires on; overlap: records where another \
         rule of the tag fires too.\n\n\
         | rule | tag | records | TP | FP | precision | only TP | overlap | defined at |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---|"
    );
    for s in stats.iter().filter(|s| s.records > 0) {
        let precision = s.tp as f64 / s.records as f64;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {precision:.3} | {} | {} | {} |",
            s.rule, s.tag, s.records, s.tp, s.fp, s.only_tp, s.overlap, s.origin
        );
    }
    let silent: Vec<&RuleStats> = stats.iter().filter(|s| s.records == 0).collect();
    let _ = writeln!(out, "\n### Rules that fire on no gold record ({})\n", silent.len());
    for s in silent {
        let _ = writeln!(out, "- {} ({}, {})", s.rule, s.tag, s.origin);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::eval::Label;
    use crate::model::{Record, Status};

    fn gold(tags: &[&str]) -> GoldRecord {
        let record = Record {
            id: "g".into(),
            fiscal_year: None,
            district_no: None,
            district: None,
            program: None,
            categories: Vec::new(),
            marks: 0,
            description: String::new(),
            notes: Vec::new(),
            source: None,
        };
        let labels: BTreeMap<String, Label> = tags
            .iter()
            .map(|t| (t.to_string(), Label { status: Status::Implemented, entity: None }))
            .collect();
        GoldRecord { record, labels }
    }

    #[test]
    fn a_rule_alone_on_a_true_positive_earns_only_tp_and_a_shared_one_overlap() {
        let rules = [
            RuleInfo { name: "a.one", tag: "t.a", origin: "f:1" },
            RuleInfo { name: "a.two", tag: "t.a", origin: "f:2" },
            RuleInfo { name: "b.one", tag: "t.b", origin: "f:3" },
            RuleInfo { name: "b.never", tag: "t.b", origin: "f:4" },
        ];
        // Record 1: both rules of t.a fire (gold has t.a); record 2: only a.one fires (gold has
        // t.a); record 3: a.two and b.one fire, gold has neither.
        let gold = [gold(&["t.a"]), gold(&["t.a"]), gold(&[])];
        let fired = [BTreeSet::from([0, 1]), BTreeSet::from([0]), BTreeSet::from([1, 2])];
        let stats = per_rule(&gold, &fired, &rules);
        let row = |s: &RuleStats| (s.records, s.tp, s.fp, s.only_tp, s.overlap);
        assert_eq!(row(&stats[0]), (2, 2, 0, 1, 1));
        assert_eq!(row(&stats[1]), (2, 1, 1, 0, 1));
        assert_eq!(row(&stats[2]), (1, 0, 1, 0, 0), "b.one's overlap is with no rule of its own tag");
        assert_eq!(row(&stats[3]), (0, 0, 0, 0, 0));
        assert!(render_rules_markdown(&stats).contains("- b.never (t.b, f:4)"));
    }
}
