//! Why a record got the tags it got: every rule match with what happened to it, every cue and
//! the clause it governs, how each tag's status and entity were chosen. Built by
//! [`Worker::explain`](super::Worker::explain) from the same pass that tags, so an explanation
//! can never disagree with the tags it explains.

use serde::Serialize;

use super::compiled::{CueKind, EntityMode};
use crate::model::{Span, Status, Tag};

/// Everything the tagger decided about one record.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The record's id.
    pub record_id: String,
    /// Its district, if a table row.
    pub district: Option<String>,
    /// Its fiscal year, if known.
    pub fiscal_year: Option<u16>,
    /// Free text (no district): policy wording, relations and the acting body apply.
    pub free_text: bool,
    /// Who acts in the record: the district of a table row, the body a passage names.
    pub acting_body: Option<String>,
    /// A passage framed as a trial turns uncued mentions into trials.
    pub trial_frame: bool,
    /// Every status cue in the record, in text order.
    pub cues: Vec<CueFound>,
    /// Every match of every rule, in rule order then text order.
    pub matches: Vec<RuleMatch>,
    /// The tags the record got (exactly what `zaitaku tag` gives), with how each was decided.
    pub tags: Vec<TagDecision>,
}

/// One cue and the clause it sits in (what it can govern).
#[derive(Debug, Clone, Serialize)]
pub struct CueFound {
    /// `status:implemented`, `negation`, `policy`, … (see `dictionaries/cues.toml`).
    pub kind: String,
    /// The cue itself.
    pub span: Span,
    /// Its clause: from the previous 、 or sentence start to the end of the status search.
    pub clause: Span,
}

/// One match of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMatch {
    /// The rule's stable name.
    pub rule: String,
    /// The tag it gives.
    pub tag: String,
    /// Where the rule is defined, `file:line`.
    pub origin: String,
    /// The matched text.
    #[serde(flatten)]
    pub span: Span,
    /// Kept as a mention, or blocked.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What happened to a match.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A mention of its tag.
    Kept {
        /// The status this mention alone gives (null: no cue).
        status: Option<Status>,
        /// The cue that decided it.
        cue: Option<Span>,
        /// The entity this mention names.
        entity: Option<String>,
        /// Listed as evidence; false when another mention of the same tag covers it (the same span or a longer one).
        in_evidence: bool,
    },
    /// Not a mention.
    Blocked {
        /// The construct: `unless`, `name`, `relation`, `negation`, `policy`, `own_district`,
        /// `acting_body`.
        by: &'static str,
        /// What blocked it, in words.
        reason: String,
        /// The text that blocked it (the decoy, the name, the negation), when there is one.
        trigger: Option<Span>,
    },
}

impl Outcome {
    /// Whether the match became a mention.
    pub fn is_kept(&self) -> bool {
        matches!(self, Outcome::Kept { .. })
    }
}

/// One tag of the record and how it was decided.
#[derive(Debug, Clone, Serialize)]
pub struct TagDecision {
    /// The tag as `zaitaku tag` gives it.
    #[serde(flatten)]
    pub tag: Tag,
    /// How its status was resolved over its mentions.
    pub resolution: String,
    /// How its entity was chosen, if it has one.
    pub entity_from: Option<String>,
}

/// The name a cue kind has in `cues.toml`'s sections.
pub(crate) fn cue_kind_name(kind: CueKind) -> String {
    match kind {
        CueKind::Status(status) => format!("status:{}", status.name()),
        CueKind::Resumed => "resumed".to_owned(),
        CueKind::Negation => "negation".to_owned(),
        CueKind::Purpose => "purpose".to_owned(),
        CueKind::Existing => "existing".to_owned(),
        CueKind::Policy => "policy".to_owned(),
        CueKind::PolicyClause => "policy_clause".to_owned(),
        CueKind::EndedBefore => "ended_before".to_owned(),
        CueKind::Announced => "announced".to_owned(),
    }
}

/// A rule's entity mode as written in its file.
pub(crate) fn entity_mode_name(mode: &EntityMode) -> String {
    match mode {
        EntityMode::None => "none".to_owned(),
        EntityMode::Alias => "alias".to_owned(),
        EntityMode::Name => "name".to_owned(),
        EntityMode::Quoted => "quoted".to_owned(),
        EntityMode::NearbyQuoted => "nearby_quoted".to_owned(),
        EntityMode::Fixed(name) => format!("fixed = {name:?}"),
        EntityMode::Capture { suffix } => format!("capture (suffix {suffix:?})"),
    }
}

impl Explanation {
    /// The explanation as text for a terminal: the record, its cues, each match and each tag.
    pub fn render_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let quote =
            |span: &Span| format!("「{}」 [{}..{})", span.text, span.start_char_orig, span.end_char_orig);
        let _ = writeln!(
            out,
            "record {} · {} · {}",
            self.record_id,
            self.district.as_deref().unwrap_or("(free text)"),
            self.fiscal_year.map_or_else(|| "year unknown".to_owned(), |y| format!("FY{y}"))
        );
        let _ = writeln!(
            out,
            "acting body: {}{}",
            self.acting_body.as_deref().unwrap_or("(none named)"),
            if self.trial_frame { " · framed as a trial (uncued mentions count as trial)" } else { "" }
        );
        let _ = writeln!(out, "\ncues ({}):", self.cues.len());
        for cue in &self.cues {
            let _ = writeln!(out, "  {:<22} {}  clause 「{}」", cue.kind, quote(&cue.span), cue.clause.text);
        }
        let _ = writeln!(out, "\nmatches ({}):", self.matches.len());
        for m in &self.matches {
            let _ = writeln!(out, "  {} {} ({}) {}", m.tag, m.rule, m.origin, quote(&m.span));
            match &m.outcome {
                Outcome::Kept { status, cue, entity, in_evidence } => {
                    let status = match (status, cue) {
                        (Some(status), Some(cue)) => format!("{} by cue 「{}」", status.name(), cue.text),
                        (Some(status), None) => status.name().to_owned(),
                        (None, _) => "no cue".to_owned(),
                    };
                    let entity = entity.as_deref().map(|e| format!(", entity {e}")).unwrap_or_default();
                    let evidence = if *in_evidence {
                        ""
                    } else {
                        " (within another mention of the tag, as long or longer: not listed as evidence)"
                    };
                    let _ = writeln!(out, "    kept: {status}{entity}{evidence}");
                }
                Outcome::Blocked { by, reason, trigger } => {
                    let text = trigger.as_ref().map(|t| format!(": 「{}」", t.text)).unwrap_or_default();
                    let _ = writeln!(out, "    BLOCKED by {by}: {reason}{text}");
                }
            }
        }
        let _ = writeln!(out, "\ntags ({}):", self.tags.len());
        for decision in &self.tags {
            let tag = &decision.tag;
            let entity = tag.entity.as_deref().unwrap_or("-");
            let _ = writeln!(out, "  {} {} entity {}", tag.tag, tag.status.name(), entity);
            let _ = writeln!(out, "    status: {}", decision.resolution);
            if let Some(from) = &decision.entity_from {
                let _ = writeln!(out, "    entity: {from}");
            }
            for evidence in &tag.evidence {
                let _ = writeln!(
                    out,
                    "    evidence 「{}」 {} ({})",
                    evidence.span.text, evidence.rule, evidence.rule_origin
                );
            }
        }
        out
    }
}
