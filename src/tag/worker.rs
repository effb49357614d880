//! A [`Worker`] tags records one after another with the buffers of the previous record: the text
//! tables, the cues, the context, the pattern hits and the mentions are cleared, not freed, so a
//! record costs no allocation beyond its output. One per thread (vibrato's `Worker` is the model).

use super::compiled::{Ruleset, Scope, Unless};
use super::context::DocContext;
use super::doc::{Doc, Hit, TextTables};
use super::entity::Namer;
use super::explain::{
    CueFound, Explanation, Outcome, RuleMatch, TagDecision, cue_kind_name, entity_mode_name,
};
use super::matcher::Matcher;
use super::status::{self, CueMatch, Cues, MentionStatus, Refusal, RefusalKind};
use crate::model::{Evidence, Status, Tag, TaggedRecord, TokenizedRecord};
use crate::text::normalize_term;

/// A mention that survived its `unless` contexts, names, relations and negation.
#[derive(Debug)]
struct Mention {
    tag: usize,
    rule: usize,
    hit: Hit,
    status: MentionStatus,
    entity: Option<String>,
}

/// Tags records with one [`Ruleset`], reusing its buffers from record to record.
pub struct Worker<'r> {
    ruleset: &'r Ruleset,
    tables: TextTables,
    cues: Vec<CueMatch>,
    context: DocContext,
    matcher: Matcher,
    mentions: Vec<Mention>,
}

impl Ruleset {
    /// A worker for tagging records one by one (one per thread).
    pub fn worker(&self) -> Worker<'_> {
        Worker {
            ruleset: self,
            tables: TextTables::default(),
            cues: Vec::new(),
            context: DocContext::default(),
            matcher: Matcher::default(),
            mentions: Vec::new(),
        }
    }
}

impl Worker<'_> {
    /// Tags one record, moving it into the result (no copy of its text).
    pub fn tag(&mut self, record: TokenizedRecord) -> TaggedRecord {
        let tags = self.tags_of(&record);
        TaggedRecord { record: record.record, tags }
    }

    /// Every tag of one record, sorted by id, evidence sorted by offset.
    pub fn tags_of(&mut self, record: &TokenizedRecord) -> Vec<Tag> {
        self.run(record, None)
    }

    /// Why the record gets its tags: every rule match and what became of it, every cue, how
    /// each status and entity was chosen. Its `tags` are exactly [`Worker::tags_of`]'s.
    pub fn explain(&mut self, record: &TokenizedRecord) -> Explanation {
        let mut explanation = Explanation {
            record_id: record.record.id.clone(),
            district: record.record.district.clone(),
            fiscal_year: record.record.fiscal_year,
            free_text: false,
            acting_body: None,
            trial_frame: false,
            cues: Vec::new(),
            matches: Vec::new(),
            tags: Vec::new(),
        };
        self.run(record, Some(&mut explanation));
        explanation
    }

    /// Tags one record; with `explanation`, also records every decision into it (the tagging
    /// itself is the same either way).
    fn run(&mut self, record: &TokenizedRecord, explanation: Option<&mut Explanation>) -> Vec<Tag> {
        let ruleset = self.ruleset;
        // One step each, in order, every later one reading only what the earlier ones built.
        let doc = self.tables.prepare(record);
        status::find_cues(&ruleset.cues, &doc, &mut self.cues);
        self.context.fill(&ruleset.context, &doc);
        self.matcher.start(ruleset, &doc);

        let context = &self.context;
        let cues = Cues { index: &ruleset.cues, found: &self.cues, free_text: context.free_text };
        let namer = Namer {
            aliases: &ruleset.aliases,
            context: &ruleset.context,
            acting_body: context.acting_body.as_ref(),
        };
        let trial_frame = context.free_text && status::trial_frame(&cues, &doc);
        let judge = Judge { ruleset, doc: &doc, context, cues, namer, trial_frame };
        let tracing = explanation.is_some();
        let mut judged = Vec::new();
        self.mentions.clear();
        for (rule_index, rule) in ruleset.rules.iter().enumerate() {
            let admitted = context.admits(&rule.acting_body);
            // A rule the acting body rules out is evaluated only to explain what it would match.
            if !admitted && !tracing {
                continue;
            }
            // Evaluated first, then only read: the matcher is immutable while the hits are judged.
            self.matcher.eval(ruleset, &doc, rule.pattern);
            if self.matcher.computed(rule.pattern).is_empty() {
                continue;
            }
            for unless in &rule.unless {
                if let Unless::Near(pattern, _) = unless {
                    self.matcher.eval(ruleset, &doc, *pattern);
                }
            }
            for &hit in self.matcher.computed(rule.pattern) {
                let verdict = if admitted {
                    judge.mention(&self.matcher, rule_index, hit)
                } else {
                    Err(Block::ActingBody)
                };
                if tracing {
                    judged.push(Judged {
                        rule: rule_index,
                        hit,
                        verdict: verdict.as_ref().map(|m| (m.status, m.entity.clone())).map_err(|b| *b),
                    });
                }
                if let Ok(mention) = verdict {
                    self.mentions.push(mention);
                }
            }
        }

        self.mentions.sort_by(|a, b| {
            (a.tag, a.hit.start, std::cmp::Reverse(a.hit.end), a.rule).cmp(&(
                b.tag,
                b.hit.start,
                std::cmp::Reverse(b.hit.end),
                b.rule,
            ))
        });
        let mut tags = Vec::new();
        let mut decisions = Vec::new();
        for mentions in self.mentions.chunk_by_mut(|a, b| a.tag == b.tag) {
            // One evidence item per distinct span; a span inside an earlier, longer one adds
            // nothing. Mentions are sorted by start, so "inside an earlier one" is "ends before
            // the furthest end".
            let mut furthest_end = 0;
            let mut kept = 0;
            for i in 0..mentions.len() {
                if kept > 0 && mentions[i].hit.end <= furthest_end {
                    continue;
                }
                furthest_end = furthest_end.max(mentions[i].hit.end);
                mentions.swap(kept, i);
                kept += 1;
            }
            let kept = &mut mentions[..kept];
            let (status, resolution) = resolve_status(kept);
            let entity_index = kept.iter().position(|m| m.entity.is_some());
            if tracing {
                decisions.push(Decision {
                    resolution,
                    entity_index,
                    kept: kept.iter().map(|m| (m.rule, m.hit)).collect(),
                });
            }
            let entity = entity_index.and_then(|i| kept[i].entity.take());
            let evidence = kept
                .iter()
                .map(|m| {
                    let rule = &ruleset.rules[m.rule];
                    Evidence {
                        span: doc.span(m.hit.start, m.hit.end),
                        status: m.status.status,
                        cue: m.status.cue.map(|(start, end)| doc.span(start, end)),
                        rule: rule.name.clone(),
                        rule_origin: rule.evidence_origin.clone(),
                    }
                })
                .collect();
            tags.push(Tag { tag: ruleset.tags[kept[0].tag].id.clone(), status, entity, evidence });
        }
        if let Some(explanation) = explanation {
            judge.explain_into(explanation, &judged, &decisions, &tags);
        }
        tags
    }
}

/// What judging a match reads: the record's tables, context and cues, and the rules.
struct Judge<'a> {
    ruleset: &'a Ruleset,
    doc: &'a Doc<'a>,
    context: &'a DocContext,
    cues: Cues<'a>,
    namer: Namer<'a>,
    trial_frame: bool,
}

/// Why a match is not a mention.
#[derive(Debug, Clone, Copy)]
enum Block {
    /// The rule's `unless` number `index` (from 0) found `decoy`.
    Unless { index: usize, decoy: Hit },
    /// Inside a proper name of `kind` whose head ends at `end`.
    Name { kind: usize, end: usize },
    /// A partner rule in free text with no relation word in the clause.
    NoRelation,
    /// Negated, or governed by policy wording.
    Refused(Refusal),
    /// Names the record's own district or acting body.
    OwnDistrict,
    /// The rule does not apply to this acting body's kind.
    ActingBody,
}

/// One match as judged, for an explanation.
struct Judged {
    rule: usize,
    hit: Hit,
    verdict: Result<(MentionStatus, Option<String>), Block>,
}

impl Judge<'_> {
    /// The mention a match of rule `rule_index` is, or what blocks it.
    fn mention(&self, matcher: &Matcher, rule_index: usize, hit: Hit) -> Result<Mention, Block> {
        let (ruleset, doc, context) = (self.ruleset, self.doc, self.context);
        let rule = &ruleset.rules[rule_index];
        for (index, unless) in rule.unless.iter().enumerate() {
            let decoy = match unless {
                Unless::Inside(group) => matcher
                    .group(*group)
                    .iter()
                    .find(|decoy| decoy.start <= hit.start && hit.end <= decoy.end),
                Unless::Near(pattern, scope) => {
                    matcher.computed(*pattern).iter().find(|c| doc.in_scope(*scope, &hit, c))
                }
            };
            if let Some(&decoy) = decoy {
                return Err(Block::Unless { index, decoy });
            }
        }
        if let Some((kind, end)) = context.inside_name(&ruleset.context, doc, &hit, &rule.names) {
            return Err(Block::Name { kind, end });
        }
        if rule.needs_relation && context.free_text && !context.has_relation(doc, &hit) {
            return Err(Block::NoRelation);
        }
        let mut status = status::mention_status(&self.cues, doc, &hit).map_err(Block::Refused)?;
        if self.trial_frame && (status.status.is_none() || status.generic) {
            status.status = Some(Status::Trial);
        }
        let entity = self.namer.extract(doc, &rule.entity, &hit);
        if rule.other_than_own_district {
            let named = entity
                .as_deref()
                .map(normalize_term)
                .unwrap_or_else(|| doc.folded_slice(hit.start, hit.end).to_owned());
            if context.acting_body.as_ref().is_some_and(|body| body.name == named) {
                return Err(Block::OwnDistrict);
            }
        }
        Ok(Mention { tag: rule.tag, rule: rule_index, hit, status, entity })
    }

    /// Fills `explanation` from the matches as judged and the tags as decided.
    fn explain_into(
        &self,
        explanation: &mut Explanation,
        judged: &[Judged],
        decisions: &[Decision],
        tags: &[Tag],
    ) {
        let (ruleset, doc, context) = (self.ruleset, self.doc, self.context);
        explanation.free_text = context.free_text;
        explanation.acting_body = context.acting_body.as_ref().map(|b| b.name.clone());
        explanation.trial_frame = self.trial_frame;
        explanation.cues = self
            .cues
            .found
            .iter()
            .map(|cue| CueFound {
                kind: cue_kind_name(cue.kind),
                span: doc.span(cue.start, cue.end),
                clause: doc.span(doc.clause_start(cue.start), doc.status_end(cue.start)),
            })
            .collect();
        let in_evidence = |rule: usize, hit: Hit| decisions.iter().any(|d| d.kept.contains(&(rule, hit)));
        explanation.matches = judged
            .iter()
            .map(|j| {
                let rule = &ruleset.rules[j.rule];
                let outcome = match &j.verdict {
                    Ok((status, entity)) => Outcome::Kept {
                        status: status.status,
                        cue: status.cue.map(|(start, end)| doc.span(start, end)),
                        entity: entity.clone(),
                        in_evidence: in_evidence(j.rule, j.hit),
                    },
                    Err(block) => self.describe(rule, &j.hit, block),
                };
                RuleMatch {
                    rule: rule.name.clone(),
                    tag: ruleset.tags[rule.tag].id.clone(),
                    origin: rule.evidence_origin.clone(),
                    span: doc.span(j.hit.start, j.hit.end),
                    outcome,
                }
            })
            .collect();
        explanation.tags = tags
            .iter()
            .zip(decisions)
            .map(|(tag, Decision { resolution, entity_index, kept })| {
                let cue_of = |i: usize| {
                    tag.evidence[i].cue.as_ref().map(|c| format!(" (cue 「{}」)", c.text)).unwrap_or_default()
                };
                let resolution = match *resolution {
                    Resolution::Suspended(i) => format!(
                        "suspended: mention 「{}」 is suspended{} and no later mention resumes it",
                        tag.evidence[i].span.text,
                        cue_of(i)
                    ),
                    Resolution::Strongest(i) => {
                        let statuses: Vec<&str> =
                            tag.evidence.iter().map(|e| e.status.map_or("no cue", Status::name)).collect();
                        format!(
                            "{}: the strongest of its mentions' statuses [{}], from 「{}」{}",
                            tag.status.name(),
                            statuses.join(", "),
                            tag.evidence[i].span.text,
                            cue_of(i)
                        )
                    }
                    Resolution::NoCue => "implemented: no mention has a status cue".to_owned(),
                };
                let entity_from = entity_index.map(|i| {
                    let rule = &ruleset.rules[kept[i].0];
                    format!(
                        "from mention 「{}」 of rule {} (entity mode {}), the first mention naming one",
                        tag.evidence[i].span.text,
                        rule.name,
                        entity_mode_name(&rule.entity)
                    )
                });
                TagDecision { tag: tag.clone(), resolution, entity_from }
            })
            .collect();
    }

    /// A blocked match's outcome, in words and with the text that blocked it.
    fn describe(&self, rule: &super::compiled::Rule, hit: &Hit, block: &Block) -> Outcome {
        let (doc, context) = (self.doc, &self.ruleset.context);
        let blocked = |by: &'static str, reason: String, text: Option<(usize, usize)>| Outcome::Blocked {
            by,
            reason,
            trigger: text.map(|(start, end)| doc.span(start, end)),
        };
        match *block {
            Block::Unless { index, decoy } => {
                let kind = match rule.unless[index] {
                    Unless::Inside(_) => "inside".to_owned(),
                    Unless::Near(_, scope) => format!("near, within {}", scope_name(scope)),
                };
                blocked(
                    "unless",
                    format!("unless #{} ({kind}) of rule {} ({})", index + 1, rule.name, rule.evidence_origin),
                    Some((decoy.start, decoy.end)),
                )
            }
            Block::Name { kind, end } => blocked(
                "name",
                format!("inside a proper name of kind {} (context.toml), which the rule does not name", context.name_kinds[kind]),
                Some((hit.start, end)),
            ),
            Block::NoRelation => blocked(
                "relation",
                "a partner in free text needs a relation word (連携, 委託 …) in its clause; this clause has none".to_owned(),
                Some((doc.clause_start(hit.start), doc.status_end(hit.end.saturating_sub(1).max(hit.start)))),
            ),
            Block::Refused(refusal) => {
                let (by, reason) = match refusal.why {
                    RefusalKind::Negation => ("negation", "negated: the predicate after it is negated"),
                    RefusalKind::Policy => ("policy", "policy wording governs it before any action"),
                    RefusalKind::PolicyClause => ("policy", "its clause defines or lists requirements"),
                };
                blocked(by, reason.to_owned(), Some(refusal.cue))
            }
            Block::OwnDistrict => blocked(
                "own_district",
                "names the record's own district or acting body (other_than_own_district)".to_owned(),
                None,
            ),
            Block::ActingBody => blocked(
                "acting_body",
                "the rule's acting_body filter rules out the passage's acting body".to_owned(),
                None,
            ),
        }
    }
}

fn scope_name(scope: Scope) -> String {
    match scope {
        Scope::Record => "the record".to_owned(),
        Scope::Sentence => "the sentence".to_owned(),
        Scope::Tokens(n) => format!("{n} tokens"),
        Scope::Chars(n) => format!("{n} characters"),
    }
}

/// How one tag was decided, for an explanation: its resolution, which mention named the entity
/// and the mentions kept as evidence (rule, hit), in evidence order.
struct Decision {
    resolution: Resolution,
    entity_index: Option<usize>,
    kept: Vec<(usize, Hit)>,
}

/// How a tag's status was resolved (indexes into its evidence).
#[derive(Debug, Clone, Copy)]
enum Resolution {
    Suspended(usize),
    Strongest(usize),
    NoCue,
}

/// Suspended wins unless a later mention says the use resumed; otherwise the strongest status;
/// mentions without any cue count as implemented only when no mention has a cue.
fn resolve_status(mentions: &[Mention]) -> (Status, Resolution) {
    let last_suspended = mentions.iter().rposition(|m| m.status.status == Some(Status::Suspended));
    if let Some(index) = last_suspended
        && !mentions[index + 1..].iter().any(|m| m.status.resumed)
    {
        return (Status::Suspended, Resolution::Suspended(index));
    }
    mentions
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.status.status.map(|s| (s, i)))
        .filter(|(s, _)| *s != Status::Suspended)
        .min()
        .map_or((Status::Implemented, Resolution::NoCue), |(s, i)| (s, Resolution::Strongest(i)))
}
