//! Markdown rendering of an evaluation and of a diff against a baseline.

use std::fmt::Write;

use super::{Diff, Evaluation, LOW_SUPPORT};

/// The evaluation as Markdown: summary, per-tag table, status confusion.
pub fn render_markdown(evaluation: &Evaluation) -> String {
    let mut out = String::new();
    let m = &evaluation.micro;
    let _ = writeln!(out, "# Evaluation ({} records)\n", evaluation.num_records);
    let _ = writeln!(out, "| measure | value | counts |\n|---|---:|---|");
    let _ = writeln!(out, "| micro precision | {:.3} | {} / {} |", m.precision(), m.tp, m.tp + m.fp);
    let _ = writeln!(out, "| micro recall | {:.3} | {} / {} |", m.recall(), m.tp, m.tp + m.fn_);
    let _ = writeln!(out, "| micro F1 | {:.3} | TP {} FP {} FN {} |", m.f1(), m.tp, m.fp, m.fn_);
    let _ = writeln!(out, "| macro precision | {:.3} | |", evaluation.macro_precision);
    let _ = writeln!(out, "| macro recall | {:.3} | |", evaluation.macro_recall);
    let _ = writeln!(out, "| macro F1 | {:.3} | |", evaluation.macro_f1);
    let _ = writeln!(
        out,
        "| status accuracy (over TP) | {:.3} | {} / {} |",
        evaluation.status_accuracy(),
        evaluation.status_correct,
        m.tp
    );
    let _ = writeln!(
        out,
        "| entity accuracy (over TP) | {:.3} | {} / {} |",
        evaluation.entity_accuracy(),
        evaluation.entity_correct,
        m.tp
    );
    let _ = writeln!(
        out,
        "| entity accuracy (over TP whose gold names one) | {:.3} | {} / {} |\n",
        evaluation.named_entity_accuracy(),
        evaluation.entity_named_correct,
        evaluation.entity_named_total
    );
    let _ = writeln!(
        out,
        "## Per tag\n\n| tag | TP | FP | FN | precision | recall | F1 | support | |\n|---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for (tag, c) in &evaluation.per_tag {
        let flag = if c.support() < LOW_SUPPORT { format!("support < {LOW_SUPPORT}") } else { String::new() };
        let _ = writeln!(
            out,
            "| {tag} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {flag} |",
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall(),
            c.f1(),
            c.support()
        );
    }
    let _ = writeln!(out, "\n## Status confusion (rows: gold, columns: predicted; true positives only)\n");
    let statuses = ["implemented", "trial", "planned", "considered", "suspended"];
    let _ = writeln!(
        out,
        "| gold \\ predicted | {} |\n|---|{}",
        statuses.join(" | "),
        "---:|".repeat(statuses.len())
    );
    for gold in statuses {
        let row = evaluation.status_confusion.get(gold);
        let cells: Vec<String> =
            statuses.iter().map(|p| row.and_then(|r| r.get(*p)).copied().unwrap_or(0).to_string()).collect();
        let _ = writeln!(out, "| {gold} | {} |", cells.join(" | "));
    }
    let errors: Vec<String> = evaluation
        .records
        .iter()
        .flat_map(|r| {
            let fns = r
                .gold
                .keys()
                .filter(|t| !r.predicted.contains_key(*t))
                .map(move |t| format!("| {} | {t} | FN | |", r.key));
            let fps = r
                .predicted
                .iter()
                .filter(|(t, _)| !r.gold.contains_key(*t))
                .map(move |(t, p)| format!("| {} | {t} | FP | {} |", r.key, p.rules.join(", ")));
            let wrong = r.gold.iter().filter_map(move |(t, label)| {
                let p = r.predicted.get(t)?;
                (p.status != label.status || p.entity != label.entity).then(|| {
                    format!(
                        "| {} | {t} | {} | {} |",
                        r.key,
                        if p.status != label.status {
                            format!("status {} (gold {})", p.status.name(), label.status.name())
                        } else {
                            format!("entity {:?} (gold {:?})", p.entity, label.entity)
                        },
                        p.rules.join(", ")
                    )
                })
            });
            fns.chain(fps).chain(wrong)
        })
        .collect();
    let _ = writeln!(
        out,
        "\n## Errors ({})\n\n| record | tag | error | rules |\n|---|---|---|---|",
        errors.len()
    );
    for line in errors {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The diff as Markdown: per-record changes with the rules responsible, then per-tag deltas.
pub fn render_diff_markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Changes since the baseline\n");
    let _ = writeln!(
        out,
        "micro F1 {:.3} → {:.3}; {} change(s), {} true positive(s) lost\n",
        diff.micro_f1.0,
        diff.micro_f1.1,
        diff.changes.len(),
        diff.num_tp_lost()
    );
    if !diff.changes.is_empty() {
        let _ = writeln!(out, "| record | tag | change | detail | rules |\n|---|---|---|---|---|");
        for c in &diff.changes {
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ =
                writeln!(out, "| {} | {} | {kind} | {} | {} |", c.key, c.tag, c.detail, c.rules.join(", "));
        }
    }
    if !diff.per_tag.is_empty() {
        let _ = writeln!(out, "\n| tag | TP | FP | FN | F1 |\n|---|---|---|---|---|");
        for (tag, (was, now)) in &diff.per_tag {
            let _ = writeln!(
                out,
                "| {tag} | {} → {} | {} → {} | {} → {} | {:.3} → {:.3} |",
                was.tp,
                now.tp,
                was.fp,
                now.fp,
                was.fn_,
                now.fn_,
                was.f1(),
                now.f1()
            );
        }
    }
    out
}
