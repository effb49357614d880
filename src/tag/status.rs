//! Status of a mention, decided by the cues that follow it (`dictionaries/cues.toml`).
//!
//! Japanese puts the predicate after its object, so the cues are read from the end of the mention
//! to the end of its sentence. Neighbouring cues form one *predicate* when at most
//! `compound_gap_chars` characters (and no punctuation) separate them: 構築を予定, 導入を検討,
//! 検討を開始, 選定・購入を行った.
//!
//! - A predicate's status is that of its last cue, skipping *generic* verbs (実施, 行った, 開始 …),
//!   which take the status of the cue before them and count as implemented alone; a trial cue
//!   anywhere in it turns an implemented one into a trial (試験的に導入).
//! - A purpose marker after a predicate (ように, ため) makes it planned, unless the clause it leads
//!   into follows without punctuation, which then decides (…実施できるようシステム構築した is
//!   implemented; …構築するため、 stays planned).
//! - A negation after a predicate (していない, 至らなかった) cancels it: a negated predicate that
//!   contains a considered cue gives considered, any other is skipped, and a mention whose every
//!   predicate is negated, or that is followed closely by a negation, gives no tag.
//! - The mention's status is that of its first predicate; a later predicate in the same sentence
//!   that suspends (保留, 休止) overrides it, and a resumption after that (再開) restores
//!   implemented.
//! - An *existing* marker just before the mention (既存の) makes it implemented whatever follows.

use super::compiled::{CueIndex, CueKind};
use super::doc::{Doc, Hit};
use crate::model::Status;

/// How far after a mention a negation may stand with no predicate between (事業者（オンコール）との
/// 連携は今年度は行わなかった), in characters; brackets may intervene, commas may not.
const DIRECT_NEGATION_CHARS: usize = 24;
/// How far an action noun may stand before a policy word and still be its topic (導入することが必要).
const NOMINALISED_GAP_CHARS: usize = 8;

/// One cue occurrence, in NFKC character offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CueMatch {
    pub start: usize,
    pub end: usize,
    pub kind: CueKind,
    pub generic: bool,
    /// Says full operation after a trial (本格運用).
    pub full_operation: bool,
}

/// The status one mention gives, and the cue that decided it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MentionStatus {
    /// `None` when no cue follows the mention in its sentence.
    pub status: Option<Status>,
    pub cue: Option<(usize, usize)>,
    /// The status came from a resumption (再開) after a suspension.
    pub resumed: bool,
    /// The status came from a generic verb alone (実施, 開始): a trial frame may qualify it.
    pub generic: bool,
}

/// Why a mention gives no tag, and the cue that says so (`zaitaku explain` quotes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub why: RefusalKind,
    pub cue: (usize, usize),
}

/// The construct that refused a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    /// Every predicate after it is negated, or a negation follows it closely.
    Negation,
    /// Policy wording governs it (連携が重要): free text only.
    Policy,
    /// Its clause is a definition or a list of requirements (とは, 求められる事項): free text only.
    PolicyClause,
}

/// The cues found in one record, and the index that says how close cues must stand: all that
/// status reads.
#[derive(Clone, Copy)]
pub(crate) struct Cues<'a> {
    pub index: &'a CueIndex,
    /// Sorted by start.
    pub found: &'a [CueMatch],
    /// Free text (prose) has policy wording and announced actions; a table row has neither.
    pub free_text: bool,
}

/// Every cue in the record, leftmost-longest, into `found` (cleared first).
pub(crate) fn find_cues(index: &CueIndex, doc: &Doc<'_>, found: &mut Vec<CueMatch>) {
    found.clear();
    found.extend(index.automaton.find_iter(doc.folded()).map(|m| {
        let cue = m.pattern().as_usize();
        CueMatch {
            start: doc.char_of_byte(m.start()),
            end: doc.char_of_byte(m.end()),
            kind: index.kinds[cue],
            generic: index.generic[cue],
            full_operation: index.full_operation[cue],
        }
    }));
}

/// A run of status cues read as one predicate.
struct Predicate {
    status: Status,
    cue: (usize, usize),
    /// Where the predicate (and any negation or purpose marker after it) ends.
    end: usize,
    /// A purpose marker follows (構築できるように): the clause it heads decides, if it follows
    /// without punctuation.
    purpose: bool,
    negated: bool,
    /// The negation that follows it, when `negated`.
    negation: Option<(usize, usize)>,
    has_considered: bool,
    suspends: bool,
    resumes: bool,
    /// Decided by a generic verb alone (実施, 行った).
    generic: bool,
    /// Holds a full-operation cue (本格運用, 本格導入).
    full_operation: bool,
}

fn is_separator(c: char) -> bool {
    matches!(c, '、' | ',' | '。' | '.' | '!' | '?' | '\n' | '(' | ')' | '「' | '」' | ':' | ';')
}

fn gap_is_open(doc: &Doc<'_>, start: usize, end: usize, max: usize) -> bool {
    end >= start && end - start <= max && !doc.folded_slice(start, end).chars().any(is_separator)
}

/// Predicates starting at or after `from` and before `until`, in order.
fn predicates(cues: &Cues<'_>, doc: &Doc<'_>, from: usize, until: usize) -> Vec<Predicate> {
    // Cues are sorted by start: the range is two binary searches, not a scan of the record.
    let first = cues.found.partition_point(|c| c.start < from);
    let last = cues.found.partition_point(|c| c.start < until).max(first);
    let in_range: Vec<&CueMatch> = cues.found[first..last]
        .iter()
        .filter(|c| {
            matches!(c.kind, CueKind::Status(_) | CueKind::Resumed | CueKind::Negation | CueKind::Purpose)
        })
        .collect();
    let mut predicates = Vec::new();
    let mut i = 0;
    while i < in_range.len() {
        if !matches!(in_range[i].kind, CueKind::Status(_) | CueKind::Resumed) {
            i += 1;
            continue;
        }
        let mut members = vec![in_range[i]];
        let mut j = i + 1;
        while j < in_range.len()
            && matches!(in_range[j].kind, CueKind::Status(_) | CueKind::Resumed)
            && gap_is_open(
                doc,
                members[members.len() - 1].end,
                in_range[j].start,
                cues.index.compound_gap_chars,
            )
        {
            members.push(in_range[j]);
            j += 1;
        }
        let last_end = members[members.len() - 1].end;
        let mut negation = None;
        let mut purpose = false;
        let mut k = j;
        while k < in_range.len() && matches!(in_range[k].kind, CueKind::Negation | CueKind::Purpose) {
            if !gap_is_open(doc, last_end, in_range[k].start, cues.index.negation_gap_chars) {
                break;
            }
            match in_range[k].kind {
                CueKind::Negation => negation = negation.or(Some((in_range[k].start, in_range[k].end))),
                _ => purpose = true,
            }
            k += 1;
        }
        let mut predicate = predicate_of(&members, negation, purpose);
        predicate.end = if k > j { in_range[k - 1].end } else { last_end };
        predicates.push(predicate);
        i = k.max(j);
    }
    predicates
}

fn predicate_of(members: &[&CueMatch], negation: Option<(usize, usize)>, purpose: bool) -> Predicate {
    let statuses: Vec<(Status, &CueMatch)> = members
        .iter()
        .filter_map(|c| match c.kind {
            CueKind::Status(status) => Some((status, *c)),
            _ => None,
        })
        .collect();
    let has_considered = statuses.iter().any(|(s, _)| *s == Status::Considered);
    let last_suspension = members.iter().rposition(|c| c.kind == CueKind::Status(Status::Suspended));
    let resumes_after =
        |from: usize| members[from..].iter().position(|c| c.kind == CueKind::Resumed).map(|p| p + from);
    // `end` is filled in by the caller, which knows where the markers after the predicate stop.
    let predicate = |status: Status, cue: &CueMatch, suspends: bool, resumes: bool| Predicate {
        status,
        cue: (cue.start, cue.end),
        end: 0,
        purpose,
        negated: negation.is_some(),
        negation,
        has_considered,
        suspends,
        resumes,
        generic: cue.generic,
        full_operation: members.iter().any(|c| c.full_operation),
    };
    if let Some(s) = last_suspension {
        return match resumes_after(s) {
            Some(r) => predicate(Status::Implemented, members[r], false, true),
            None => predicate(Status::Suspended, members[s], true, false),
        };
    }
    // The last non-generic cue decides (選定・購入を行った is implemented, 構築を予定 planned), but a
    // trial marker anywhere in the predicate qualifies an action (試験的に導入 is a trial).
    let last = statuses.iter().rev().find(|(_, c)| !c.generic).or(statuses.first());
    let trial = statuses.iter().find(|(s, _)| *s == Status::Trial);
    let decisive = match (last, trial) {
        (Some((Status::Implemented, _)), Some(trial)) => Some(trial),
        (last, _) => last,
    };
    let Some(&(mut status, cue)) = decisive else {
        // Only a resumption (再開).
        return predicate(Status::Implemented, members[0], false, true);
    };
    if purpose && status == Status::Implemented {
        status = Status::Planned;
    }
    predicate(status, cue, false, false)
}

/// The status of the mention at `hit`, or why it gives no tag (negated, or policy in free text).
pub(crate) fn mention_status(cues: &Cues<'_>, doc: &Doc<'_>, hit: &Hit) -> Result<MentionStatus, Refusal> {
    let sentence = doc.sentence(hit.start);
    let clause_start = doc.clause_start(hit.start);
    let until = doc.status_end(hit.end.saturating_sub(1).max(hit.start));
    let clause_first = cues.found.partition_point(|c| c.start < clause_start);
    let clause_last = cues.found.partition_point(|c| c.start < until).max(clause_first);
    let clause_cues = &cues.found[clause_first..clause_last];
    // Free text: a definition or a list of requirements anywhere in the clause is not an action
    // (とは, 求められる事項), nor is a mention governed by policy wording (a table row is the
    // association's own scheme, so it has neither).
    let free_text = cues.free_text;
    if free_text && let Some(c) = clause_cues.iter().find(|c| c.kind == CueKind::PolicyClause) {
        return Err(Refusal { why: RefusalKind::PolicyClause, cue: (c.start, c.end) });
    }
    // Policy after the mention before any predicate (連携が重要, 推奨されています): not an action.
    let after = clause_cues.iter().filter(|c| c.start >= hit.end);
    let first_policy = after.clone().find(|c| c.kind == CueKind::Policy).map(|c| (c.start, c.end));
    let first_status = after.clone().find(|c| matches!(c.kind, CueKind::Status(_)) && !c.generic);
    if let Some(policy_cue) = first_policy.filter(|_| free_text) {
        let policy = policy_cue.0;
        // An action named as a noun before the policy word is still policy (導入することが必要).
        let nominalised = |cue: &CueMatch| {
            cue.end <= policy
                && policy - cue.end <= NOMINALISED_GAP_CHARS
                && gap_is_open(doc, cue.end, policy, NOMINALISED_GAP_CHARS)
                && (doc.folded_slice(cue.end, policy).contains("こと")
                    || doc.folded_slice(cue.end, policy).contains('の'))
        };
        if first_status.is_none_or(|status| policy < status.start || nominalised(status)) {
            return Err(Refusal { why: RefusalKind::Policy, cue: policy_cue });
        }
    }
    // The use ended at a date written before it in the clause (3月31日までは…): suspended.
    if let Some(ended) = clause_cues.iter().find(|c| c.kind == CueKind::EndedBefore && c.end <= hit.start) {
        return Ok(MentionStatus {
            status: Some(Status::Suspended),
            cue: Some((ended.start, ended.end)),
            resumed: false,
            generic: false,
        });
    }
    // The nearest cue ending before the mention, walking back only while it could still be close.
    let before = cues.found.partition_point(|c| c.start < hit.start);
    let existing = cues.found[..before]
        .iter()
        .rev()
        .take_while(|c| c.end + cues.index.existing_gap_chars >= hit.start)
        .find(|c| c.kind == CueKind::Existing && c.end <= hit.start && doc.sentence(c.start) == sentence);
    if let Some(existing) = existing {
        return Ok(MentionStatus {
            status: Some(Status::Implemented),
            cue: Some((existing.start, existing.end)),
            resumed: false,
            generic: false,
        });
    }
    let predicates = predicates(cues, doc, hit.end, until);
    if predicates.first().is_some_and(|p| !p.negated)
        && let Some(negation) = direct_negation(cues, doc, hit, until, predicates[0].cue.0)
    {
        return Err(Refusal { why: RefusalKind::Negation, cue: negation });
    }
    let mut result = MentionStatus::default();
    let mut negated_seen = None;
    let mut decided_at = None;
    for (index, predicate) in predicates.iter().enumerate() {
        if predicate.negated {
            if predicate.has_considered {
                result = MentionStatus {
                    status: Some(Status::Considered),
                    cue: Some(predicate.cue),
                    resumed: false,
                    generic: false,
                };
                decided_at = Some(index);
                break;
            }
            negated_seen = negated_seen.or(predicate.negation);
            continue;
        }
        // A purpose clause (…できるよう) is decided by the predicate it leads into, when that
        // follows without punctuation (…実施できるようシステム構築した → implemented).
        let mut chosen = index;
        while predicates[chosen].purpose
            && let Some(next) = predicates.get(chosen + 1)
            && !next.negated
            && gap_is_open(doc, predicates[chosen].end, next.cue.0, usize::MAX)
        {
            chosen += 1;
        }
        let predicate = &predicates[chosen];
        let mut status = predicate.status;
        // In free text an action verb in the dictionary form announces it (導入する, 構築します).
        if cues.free_text
            && status == Status::Implemented
            && !predicate.generic
            && announced_at(cues, predicate.cue.1)
        {
            status = Status::Planned;
        }
        result = MentionStatus {
            status: Some(status),
            cue: Some(predicate.cue),
            resumed: predicate.resumes,
            generic: predicate.generic,
        };
        decided_at = Some(chosen);
        break;
    }
    if let Some(index) = decided_at {
        for later in &predicates[index + 1..] {
            if later.negated {
                continue;
            }
            if later.suspends {
                result = MentionStatus {
                    status: Some(Status::Suspended),
                    cue: Some(later.cue),
                    resumed: false,
                    generic: false,
                };
            } else if later.full_operation
                && result.status == Some(Status::Trial)
                && !only_announced(cues, doc, later.cue.0)
            {
                // The trial, then full operation done (試験的に設置した後、本格運用に移行した).
                result = MentionStatus {
                    status: Some(Status::Implemented),
                    cue: Some(later.cue),
                    resumed: false,
                    generic: false,
                };
            } else if later.resumes && result.status == Some(Status::Suspended) {
                result = MentionStatus {
                    status: Some(Status::Implemented),
                    cue: Some(later.cue),
                    resumed: true,
                    generic: false,
                };
            }
        }
        return Ok(result);
    }
    let negation = negated_seen
        .or_else(|| direct_negation(cues, doc, hit, until, predicates.first().map_or(until, |p| p.cue.0)));
    match negation {
        Some(negation) => Err(Refusal { why: RefusalKind::Negation, cue: negation }),
        None => Ok(result),
    }
}

/// A negation right after the mention, before any predicate and with no comma between, cancels
/// it (連携は行っていない; 待機医を置かずに…体制とした).
fn direct_negation(
    cues: &Cues<'_>,
    doc: &Doc<'_>,
    hit: &Hit,
    until: usize,
    first_predicate: usize,
) -> Option<(usize, usize)> {
    let near = cues.found.partition_point(|c| c.start < hit.end);
    cues.found[near..]
        .iter()
        .take_while(|c| c.start < until.min(first_predicate) && c.start - hit.end <= DIRECT_NEGATION_CHARS)
        .find(|c| {
            c.kind == CueKind::Negation
                && !doc.folded_slice(hit.end, c.start).contains(['、', ',', '。', '\n'])
        })
        .map(|c| (c.start, c.end))
}

/// Whether an announced form (する, します) starts right at `at`.
fn announced_at(cues: &Cues<'_>, at: usize) -> bool {
    let index = cues.found.partition_point(|c| c.start < at);
    cues.found.get(index).is_some_and(|c| c.start == at && c.kind == CueKind::Announced)
}

/// Whether free text is framed as a trial: it has a trial predicate (実証実験, 試験運用), and no
/// full operation (本格運用) after the last one except one only announced (本格運用を開始します).
pub(crate) fn trial_frame(cues: &Cues<'_>, doc: &Doc<'_>) -> bool {
    // Predicates, not bare cues: 試験運用開始を目指して is a plan, not a trial.
    let predicates = predicates(cues, doc, 0, doc.num_chars());
    let Some(last_trial) = predicates.iter().rposition(|p| p.status == Status::Trial && !p.negated) else {
        return false;
    };
    let trial_end = predicates[last_trial].end;
    let first = cues.found.partition_point(|c| c.start < trial_end);
    let Some(full) = cues.found[first..].iter().position(|c| c.full_operation).map(|p| p + first) else {
        return true;
    };
    only_announced(cues, doc, cues.found[full].start)
}

/// Whether the full operation whose cue starts at `start` is only announced or planned in its
/// clause (本格運用を開始します, 本格導入を予定), not done.
fn only_announced(cues: &Cues<'_>, doc: &Doc<'_>, start: usize) -> bool {
    let full = cues.found.partition_point(|c| c.start < start);
    let clause_end = doc.status_end(start);
    cues.found[(full + 1).min(cues.found.len())..]
        .iter()
        .take_while(|c| c.start < clause_end)
        .any(|c| c.kind == CueKind::Announced || c.kind == CueKind::Status(Status::Planned))
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    use super::*;
    use crate::tag::doc::{TextTables, passage};

    /// A cue index of a handful of words, with the gaps the shipped `cues.toml` uses.
    fn index(words: &[(&str, CueKind, bool)]) -> CueIndex {
        let patterns: Vec<&str> = words.iter().map(|(w, _, _)| *w).collect();
        CueIndex {
            automaton: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(patterns)
                .unwrap(),
            kinds: words.iter().map(|(_, k, _)| *k).collect(),
            generic: words.iter().map(|(_, _, g)| *g).collect(),
            full_operation: vec![false; words.len()],
            compound_gap_chars: 4,
            negation_gap_chars: 4,
            existing_gap_chars: 6,
        }
    }

    fn vocabulary() -> CueIndex {
        index(&[
            ("設け", CueKind::Status(Status::Implemented), false),
            ("見込み", CueKind::Status(Status::Planned), false),
            ("協議", CueKind::Status(Status::Considered), false),
            ("中断", CueKind::Status(Status::Suspended), false),
            ("実施", CueKind::Status(Status::Implemented), true),
            ("ていない", CueKind::Negation, false),
            ("従来の", CueKind::Existing, false),
        ])
    }

    /// The status of the first occurrence of `mention` in `text` under the cues of `index`
    /// (`None` when it gives no tag).
    fn status_in(index: &CueIndex, free_text: bool, text: &str, mention: &str) -> Option<Option<Status>> {
        let record = passage(text);
        let mut tables = TextTables::default();
        let doc = tables.prepare(&record);
        let mut found = Vec::new();
        find_cues(index, &doc, &mut found);
        let cues = Cues { index, found: &found, free_text };
        let start = doc.char_of_byte(doc.folded().find(mention).expect("mention in text"));
        let hit = Hit::new(start, start + mention.chars().count());
        mention_status(&cues, &doc, &hit).ok().map(|s| s.status)
    }

    /// The status of the first occurrence of `mention` in a table row's `text`.
    fn status_of(text: &str, mention: &str) -> Option<Option<Status>> {
        status_in(&vocabulary(), false, text, mention)
    }

    #[test]
    fn the_last_decisive_cue_of_a_predicate_gives_the_status() {
        assert_eq!(status_of("窓口を設け、運用した", "窓口"), Some(Some(Status::Implemented)));
        assert_eq!(status_of("窓口の設置は来年度の見込み", "窓口"), Some(Some(Status::Planned)));
        assert_eq!(
            status_of("窓口について協議を実施", "窓口"),
            Some(Some(Status::Considered)),
            "a generic verb takes the cue before it"
        );
    }

    #[test]
    fn a_negated_predicate_gives_no_tag_and_no_cue_counts_as_unknown() {
        assert_eq!(status_of("窓口は設けていない", "窓口"), None);
        assert_eq!(status_of("窓口がある", "窓口"), Some(None));
    }

    #[test]
    fn a_later_suspension_wins_and_an_existing_marker_means_in_use() {
        assert_eq!(status_of("窓口を設けたが、その後中断", "窓口"), Some(Some(Status::Suspended)));
        assert_eq!(status_of("従来の窓口で協議", "窓口"), Some(Some(Status::Implemented)));
    }

    #[test]
    fn cues_stop_at_the_end_of_the_clause() {
        assert_eq!(status_of("窓口がある。来年度に協議", "窓口"), Some(None));
    }

    #[test]
    fn full_operation_done_after_a_trial_is_implemented_and_only_announced_stays_a_trial() {
        let mut index = index(&[
            ("試行", CueKind::Status(Status::Trial), false),
            ("本稼働", CueKind::Status(Status::Implemented), false),
            ("します", CueKind::Announced, false),
        ]);
        index.full_operation = vec![false, true, false];
        let status = |text: &str| status_in(&index, true, text, "端末");
        assert_eq!(status("端末を試行し、秋に本稼働させた"), Some(Some(Status::Implemented)));
        assert_eq!(status("端末を試行し、秋に本稼働します"), Some(Some(Status::Trial)));
        assert_eq!(status("端末を試行した"), Some(Some(Status::Trial)));
    }
}
