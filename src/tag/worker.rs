//! A [`Worker`] tags records one after another with the buffers of the previous record: the text
//! tables, the cues, the context, the pattern hits and the mentions are cleared, not freed, so a
//! record costs no allocation beyond its output. One per thread (vibrato's `Worker` is the model).

use super::compiled::{Ruleset, Unless};
use super::context::DocContext;
use super::doc::{Hit, TextTables};
use super::entity::Namer;
use super::matcher::Matcher;
use super::status::{self, CueMatch, Cues, MentionStatus};
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
        let acting_body = context.acting_body.as_ref().map(|b| b.name.as_str());
        let trial_frame = context.free_text && status::trial_frame(&cues, &doc);
        self.mentions.clear();
        for (rule_index, rule) in ruleset.rules.iter().enumerate() {
            if !context.admits(&rule.acting_body) {
                continue;
            }
            // Evaluated first, then only read: the matcher is immutable while the hits are judged.
            self.matcher.eval(ruleset, &doc, rule.pattern);
            for unless in &rule.unless {
                if let Unless::Near(pattern, _) = unless {
                    self.matcher.eval(ruleset, &doc, *pattern);
                }
            }
            let matcher = &self.matcher;
            for &hit in matcher.computed(rule.pattern) {
                let cancelled = rule.unless.iter().any(|unless| match unless {
                    Unless::Inside(group) => matcher
                        .group(*group)
                        .iter()
                        .any(|decoy| decoy.start <= hit.start && hit.end <= decoy.end),
                    Unless::Near(pattern, scope) => {
                        matcher.computed(*pattern).iter().any(|c| doc.in_scope(*scope, &hit, c))
                    }
                });
                if cancelled || context.inside_name(&ruleset.context, &doc, &hit, &rule.names) {
                    continue;
                }
                if rule.needs_relation && context.free_text && !context.has_relation(&doc, &hit) {
                    continue;
                }
                let Some(mut status) = status::mention_status(&cues, &doc, &hit) else { continue };
                if trial_frame && (status.status.is_none() || status.generic) {
                    status.status = Some(Status::Trial);
                }
                let entity = namer.extract(&doc, &rule.entity, &hit);
                if rule.other_than_own_district {
                    let named = entity
                        .as_deref()
                        .map(normalize_term)
                        .unwrap_or_else(|| doc.folded_slice(hit.start, hit.end).to_owned());
                    if acting_body == Some(named.as_str()) {
                        continue;
                    }
                }
                self.mentions.push(Mention { tag: rule.tag, rule: rule_index, hit, status, entity });
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
            let status = resolve_status(kept);
            let entity = kept.iter_mut().find_map(|m| m.entity.take());
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
        tags
    }
}

/// Suspended wins unless a later mention says the use resumed; otherwise the strongest status;
/// mentions without any cue count as implemented only when no mention has a cue.
fn resolve_status(mentions: &[Mention]) -> Status {
    let last_suspended = mentions.iter().rposition(|m| m.status.status == Some(Status::Suspended));
    if let Some(index) = last_suspended
        && !mentions[index + 1..].iter().any(|m| m.status.resumed)
    {
        return Status::Suspended;
    }
    mentions
        .iter()
        .filter_map(|m| m.status.status)
        .filter(|s| *s != Status::Suspended)
        .min()
        .unwrap_or(Status::Implemented)
}
