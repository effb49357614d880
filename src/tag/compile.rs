//! The builder: reads every file of `dictionaries/`, reports every problem in one pass (sorted
//! `PATH:LINE: message`), and compiles the immutable [`Ruleset`] once: one aho-corasick automaton
//! for all literal terms, one for the status cues, one for aliases, regexes compiled once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use rustc_hash::FxHashMap;
use toml::Spanned;

use super::compiled::{
    ActingBodyFilter, AliasIndex, ContextIndex, CueIndex, CueKind, EntityMode, Pattern, PatternId,
    RegexPattern, Rule, Ruleset, Scope, TagInfo, TermIndex, TokenSpec, Unless,
};
use super::config::{
    ActingBodyFilterConfig, AliasFile, CaptureEntity, ContextFile, CueFile, EntityConfig, FixedEntity,
    KindConfig, PatternConfig, RuleFile, ScopeConfig, TaxonomyFile, TokenSpecConfig, WindowConfig,
};
use crate::error::{Diagnostic, Location};
use crate::text::normalize_term;

/// Where each dictionaries file lives, relative to the dictionaries folder.
pub const TAXONOMY_FILE: &str = "taxonomy.toml";
/// Status cues.
pub const CUES_FILE: &str = "cues.toml";
/// Entity aliases.
pub const ALIASES_FILE: &str = "aliases.toml";
/// Free-text context: acting bodies, relation words, name heads.
pub const CONTEXT_FILE: &str = "context.toml";
/// Folder of rule files.
pub const RULES_DIR: &str = "rules";

/// A problem found while loading the rules.
pub type Problem = Diagnostic;

/// The text of one TOML file, or of one `[[rule]]` table of it (`first_line` > 1).
struct SourceFile {
    path: String,
    text: String,
    /// Line of the file where `text` starts.
    first_line: usize,
}

impl SourceFile {
    fn line_of(&self, byte: usize) -> usize {
        self.first_line + self.text[..byte.min(self.text.len())].matches('\n').count()
    }

    fn at(&self, byte: usize) -> Location {
        let before = &self.text[..byte.min(self.text.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location::at_column(self.path.clone(), self.line_of(byte), column)
    }
}

/// Collects problems while building.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn error(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Diagnostic::error(location, message));
    }
    fn warning(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Diagnostic::warning(location, message));
    }
}

fn read_source(path: &Path, problems: &mut Problems) -> Option<SourceFile> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(SourceFile { path: path.display().to_string(), text, first_line: 1 }),
        Err(e) => {
            problems.error(Location::file(path.display().to_string()), format!("cannot read: {e}"));
            None
        }
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(file: &SourceFile, problems: &mut Problems) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(value) => Some(value),
        Err(e) => {
            let location = match e.span() {
                Some(span) => file.at(span.start),
                None => Location::file(file.path.clone()),
            };
            problems.error(location, e.message().trim().replace('\n', " "));
            None
        }
    }
}

/// Loads and compiles the rules in `dir`, returning the ruleset (if there were no errors) and
/// every problem found, sorted.
pub fn build(dir: &Path) -> (Option<Ruleset>, Vec<Problem>) {
    let mut problems = Problems::default();
    let ruleset = build_inner(dir, &mut problems);
    let mut problems = problems.0;
    problems.sort();
    problems.dedup();
    let ruleset = if problems.iter().any(Diagnostic::is_error) { None } else { ruleset };
    (ruleset, problems)
}

fn build_inner(dir: &Path, problems: &mut Problems) -> Option<Ruleset> {
    let taxonomy_source = read_source(&dir.join(TAXONOMY_FILE), problems);
    let cue_source = read_source(&dir.join(CUES_FILE), problems);
    let alias_source = read_source(&dir.join(ALIASES_FILE), problems);
    let context_source = read_source(&dir.join(CONTEXT_FILE), problems);
    let rule_sources = read_rule_sources(&dir.join(RULES_DIR), problems);

    let tags = taxonomy_source.as_ref().and_then(|f| compile_taxonomy(f, problems)).unwrap_or_default();
    let cues = cue_source.as_ref().and_then(|f| compile_cues(f, problems));
    let aliases = alias_source.as_ref().and_then(|f| compile_aliases(f, problems));
    let context = context_source.as_ref().and_then(|f| compile_context(f, problems));

    let mut builder = RuleBuilder {
        tags: &tags,
        dir: dir.to_owned(),
        body_kinds: context.as_ref().map(|c| c.body_kinds.clone()).unwrap_or_default(),
        name_kinds: context.as_ref().map(|c| c.name_kinds.clone()).unwrap_or_default(),
        ..RuleBuilder::default()
    };
    // Each `[[rule]]` table is parsed on its own, so a typo in one rule hides none of the others.
    let chunks: Vec<SourceFile> = rule_sources.iter().flat_map(split_rule_tables).collect();
    let mut parsed = Vec::new();
    for source in &chunks {
        if let Some(file) = parse_toml::<RuleFile>(source, problems) {
            parsed.push((source, file));
        }
    }
    // Names first, so a rule may refer to one defined later or in another file.
    for (source, file) in &parsed {
        for rule in &file.rule {
            let location = source.at(rule.span().start);
            let name = rule.get_ref().name.clone();
            if let Some(previous) = builder.rule_index.get(&name) {
                problems.error(
                    location,
                    format!("rule name {name:?} is already used at {}", builder.origins[*previous]),
                );
                continue;
            }
            builder.rule_index.insert(name, builder.origins.len());
            builder.origins.push(location);
        }
    }
    let mut rules = Vec::new();
    let mut index = 0;
    for (source, file) in &parsed {
        for rule in &file.rule {
            let location = source.at(rule.span().start);
            if builder.origins.get(index) != Some(&location) {
                continue; // a duplicate name, already reported
            }
            index += 1;
            if let Some(rule) = builder.compile_rule(source, rule, problems) {
                rules.push(rule);
            }
        }
    }
    builder.check_cycles(&rules, problems);
    builder.check_terms(&rules, problems);
    for tag in &tags {
        if !rules.iter().any(|r| tags[r.tag].id == tag.id) {
            problems.warning(tag.origin.clone(), format!("tag {} has no rule", tag.id));
        }
    }

    let terms = builder.term_index(problems)?;
    let token_bases = builder.token_bases;
    let patterns = builder.patterns;
    Some(Ruleset {
        tags,
        rules,
        patterns,
        terms,
        token_bases,
        cues: cues?,
        aliases: aliases?,
        context: context?,
    })
}

fn read_rule_sources(dir: &Path, problems: &mut Problems) -> Vec<SourceFile> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems
                .error(Location::file(dir.display().to_string()), format!("cannot read rule folder: {e}"));
            return Vec::new();
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        problems.error(Location::file(dir.display().to_string()), "no rule files (*.toml)");
    }
    paths.iter().filter_map(|path| read_source(path, problems)).collect()
}

/// Splits a rule file at its `[[rule]]` headers; the text before the first one (comments) is a
/// chunk of its own, which must hold nothing else.
fn split_rule_tables(file: &SourceFile) -> Vec<SourceFile> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (index, line) in file.text.split_inclusive('\n').enumerate() {
        if line.trim() == "[[rule]]" && offset > start {
            chunks.push(SourceFile {
                path: file.path.clone(),
                text: file.text[start..offset].to_owned(),
                first_line: start_line,
            });
            start = offset;
            start_line = index + 1;
        }
        offset += line.len();
    }
    chunks.push(SourceFile {
        path: file.path.clone(),
        text: file.text[start..].to_owned(),
        first_line: start_line,
    });
    chunks
}

fn compile_taxonomy(file: &SourceFile, problems: &mut Problems) -> Option<Vec<TagInfo>> {
    let taxonomy: TaxonomyFile = parse_toml(file, problems)?;
    let mut tags: Vec<TagInfo> = Vec::new();
    for tag in &taxonomy.tag {
        let location = file.at(tag.span().start);
        let config = tag.get_ref();
        if tags.iter().any(|t| t.id == config.id) {
            problems.error(location, format!("tag {} is defined twice", config.id));
            continue;
        }
        if !config.id.starts_with(&format!("{}.", config.family)) {
            problems
                .error(location.clone(), format!("tag {} is not in its family {}", config.id, config.family));
        }
        tags.push(TagInfo {
            id: config.id.clone(),
            family: config.family.clone(),
            label: config.label.clone(),
            order: tags.len(),
            origin: location,
        });
    }
    tags.sort_by(|a, b| a.id.cmp(&b.id));
    Some(tags)
}

fn compile_cues(file: &SourceFile, problems: &mut Problems) -> Option<CueIndex> {
    let cues: CueFile = parse_toml(file, problems)?;
    let lists: [(&Vec<Spanned<String>>, CueKind); 15] = [
        (&cues.implemented, CueKind::Status(crate::model::Status::Implemented)),
        (&cues.generic, CueKind::Status(crate::model::Status::Implemented)),
        (&cues.trial, CueKind::Status(crate::model::Status::Trial)),
        (&cues.planned, CueKind::Status(crate::model::Status::Planned)),
        (&cues.considered, CueKind::Status(crate::model::Status::Considered)),
        (&cues.suspended, CueKind::Status(crate::model::Status::Suspended)),
        (&cues.resumed, CueKind::Resumed),
        (&cues.negation, CueKind::Negation),
        (&cues.purpose, CueKind::Purpose),
        (&cues.existing, CueKind::Existing),
        (&cues.policy, CueKind::Policy),
        (&cues.policy_clause, CueKind::PolicyClause),
        (&cues.ended_before, CueKind::EndedBefore),
        (&cues.announced, CueKind::Announced),
        (&cues.full_operation, CueKind::Status(crate::model::Status::Implemented)),
    ];
    let mut seen: BTreeMap<String, Location> = BTreeMap::new();
    let mut patterns = Vec::new();
    let mut kinds = Vec::new();
    let mut generic = Vec::new();
    let mut full_operation = Vec::new();
    let last_list = lists.len() - 1;
    for (list_index, (list, kind)) in lists.into_iter().enumerate() {
        for cue in list {
            let location = file.at(cue.span().start);
            let normalized = normalize_term(cue.get_ref());
            if normalized.is_empty() {
                problems.error(location, "empty cue");
                continue;
            }
            if let Some(first) = seen.get(&normalized) {
                problems.error(location, format!("cue {:?} is already listed at {first}", cue.get_ref()));
                continue;
            }
            seen.insert(normalized.clone(), location);
            patterns.push(normalized);
            kinds.push(kind);
            generic.push(list_index == 1);
            full_operation.push(list_index == last_list);
        }
    }
    let automaton = leftmost_longest_of_kind(&patterns, Some(AhoCorasickKind::DFA), &file.path, problems)?;
    Some(CueIndex {
        automaton,
        kinds,
        generic,
        full_operation,
        compound_gap_chars: cues.compound_gap_chars,
        negation_gap_chars: cues.negation_gap_chars,
        existing_gap_chars: cues.existing_gap_chars,
    })
}

/// Heads of each kind, longest first within the automaton (leftmost-longest), and the kind of
/// each head; an empty list or a head in two kinds is an error.
fn compile_kinds(
    kinds: &[Spanned<KindConfig>],
    file: &SourceFile,
    what: &str,
    problems: &mut Problems,
) -> (Vec<String>, Vec<String>, Vec<usize>) {
    let mut names = Vec::new();
    let mut heads: Vec<String> = Vec::new();
    let mut head_kind = Vec::new();
    for kind in kinds {
        let location = file.at(kind.span().start);
        let config = kind.get_ref();
        if names.contains(&config.kind) {
            problems.error(location.clone(), format!("{what} kind {:?} is defined twice", config.kind));
        }
        if config.heads.is_empty() {
            problems.error(location.clone(), format!("{what} kind {:?} has no heads", config.kind));
        }
        for head in &config.heads {
            let normalized = normalize_term(head);
            if normalized.is_empty() {
                problems.error(location.clone(), "empty head");
            } else if heads.contains(&normalized) {
                problems.error(location.clone(), format!("head {head:?} is listed twice in {what}"));
            } else {
                heads.push(normalized);
                head_kind.push(names.len());
            }
        }
        names.push(config.kind.clone());
    }
    (names, heads, head_kind)
}

/// Indexes of `wanted` in `known` (kinds of `context.toml`); an unknown kind is an error naming
/// the known ones.
fn resolve_kinds(
    wanted: &[String],
    known: &[String],
    what: &str,
    field: &str,
    location: &Location,
    problems: &mut Problems,
) -> Vec<usize> {
    let mut indexes = Vec::new();
    for kind in wanted {
        match known.iter().position(|k| k == kind) {
            Some(index) => indexes.push(index),
            None => problems.error(
                location.clone(),
                format!(
                    "unknown {what} kind {kind:?}{field} (known in {CONTEXT_FILE}: {})",
                    known.join(", ")
                ),
            ),
        }
    }
    indexes
}

fn compile_context(file: &SourceFile, problems: &mut Problems) -> Option<ContextIndex> {
    let context: ContextFile = parse_toml(file, problems)?;
    let (body_kinds, body_heads, body_head_kind) =
        compile_kinds(&context.acting_body.kind, file, "acting_body", problems);
    let (name_kinds, name_heads, name_head_kind) =
        compile_kinds(&context.names.kind, file, "names", problems);
    let mut relation_terms = Vec::new();
    let mut relation_is_word = Vec::new();
    for (list, is_word) in [(&context.relation.words, true), (&context.relation.not_relation, false)] {
        for word in list {
            let normalized = normalize_term(word.get_ref());
            if normalized.is_empty() || relation_terms.contains(&normalized) {
                problems.error(
                    file.at(word.span().start),
                    format!("relation word {:?} is empty or listed twice", word.get_ref()),
                );
                continue;
            }
            relation_terms.push(normalized);
            relation_is_word.push(is_word);
        }
    }
    let relation_blocked_in_names = resolve_kinds(
        context.relation.inside_names_of.get_ref(),
        &name_kinds,
        "names",
        " in relation.inside_names_of",
        &file.at(context.relation.inside_names_of.span().start),
        problems,
    );
    let named_by_place = resolve_kinds(
        context.organisation_names.named_by_place.get_ref(),
        &body_kinds,
        "acting_body",
        " in organisation_names.named_by_place",
        &file.at(context.organisation_names.named_by_place.span().start),
        problems,
    );
    let markers = |list: &[Spanned<String>]| list.iter().map(|m| normalize_term(m.get_ref())).collect();
    let subject_markers = markers(&context.acting_body.subject_markers);
    let partner_markers = markers(&context.acting_body.partner_markers);
    Some(ContextIndex {
        body_kinds,
        body_heads: leftmost_longest(&body_heads, &file.path, problems)?,
        body_head_kind,
        subject_markers,
        partner_markers,
        relations: leftmost_longest(&relation_terms, &file.path, problems)?,
        relation_is_word,
        relation_blocked_in_names,
        name_kinds,
        name_heads: leftmost_longest(&name_heads, &file.path, problems)?,
        name_head_kind,
        name_max_chars: context.names.max_chars,
        legal_forms: context.organisation_names.legal_forms.iter().map(|f| normalize_term(f)).collect(),
        prefecture_suffixes: context
            .organisation_names
            .prefecture_suffixes
            .iter()
            .map(|f| normalize_term(f))
            .collect(),
        katakana_lookalikes: context.organisation_names.katakana_lookalikes.clone(),
        named_by_place,
        generic_places: context.organisation_names.generic_places.iter().map(|g| normalize_term(g)).collect(),
    })
}

fn compile_aliases(file: &SourceFile, problems: &mut Problems) -> Option<AliasIndex> {
    let aliases: AliasFile = parse_toml(file, problems)?;
    let mut target_of: BTreeMap<String, (String, Location)> = BTreeMap::new();
    for entity in &aliases.entity {
        let location = file.at(entity.span().start);
        let config = entity.get_ref();
        for alias in config.aliases.iter().chain(std::iter::once(&config.name)) {
            let normalized = normalize_term(alias);
            match target_of.get(&normalized) {
                Some((target, first)) if *target != config.name => problems.error(
                    location.clone(),
                    format!("alias {alias:?} has two targets: {target:?} ({first}) and {:?}", config.name),
                ),
                Some((_, first)) if alias != &config.name => {
                    problems
                        .warning(location.clone(), format!("alias {alias:?} is listed twice (also {first})"));
                }
                _ => {
                    target_of.insert(normalized, (config.name.clone(), location.clone()));
                }
            }
        }
    }
    let patterns: Vec<String> = target_of.keys().cloned().collect();
    let canonical: Vec<String> = target_of.values().map(|(name, _)| name.clone()).collect();
    let automaton = leftmost_longest(&patterns, &file.path, problems)?;
    Some(AliasIndex { automaton, canonical, patterns })
}

/// The literals one of which every match of `pattern` contains (its prefixes or suffixes as
/// regex-syntax extracts them), or `None` when no such finite, non-empty set exists.
fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let usable = |kind| {
        let seq = Extractor::new().kind(kind).extract(&hir);
        let literals = seq.literals()?;
        let shortest = literals.iter().map(|l| l.as_bytes().len()).min()?;
        (shortest > 0).then(|| (shortest, literals.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>()))
    };
    let best = match (usable(ExtractKind::Prefix), usable(ExtractKind::Suffix)) {
        (Some(prefix), Some(suffix)) => Some(if suffix.0 > prefix.0 { suffix } else { prefix }),
        (prefix, suffix) => prefix.or(suffix),
    }?;
    Some(best.1)
}

fn leftmost_longest(patterns: &[String], path: &str, problems: &mut Problems) -> Option<AhoCorasick> {
    leftmost_longest_of_kind(patterns, None, path, problems)
}

/// `kind`: `Some(DFA)` for an automaton that scans every record whole (it costs more to build
/// and scans about twice as fast); `None` lets aho-corasick choose.
fn leftmost_longest_of_kind(
    patterns: &[String],
    kind: Option<AhoCorasickKind>,
    path: &str,
    problems: &mut Problems,
) -> Option<AhoCorasick> {
    match AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).kind(kind).build(patterns) {
        Ok(automaton) => Some(automaton),
        Err(e) => {
            problems.error(Location::file(path.to_owned()), format!("cannot build matcher: {e}"));
            None
        }
    }
}

/// State while compiling rules.
#[derive(Default)]
struct RuleBuilder<'t> {
    tags: &'t [TagInfo],
    /// The dictionaries folder.
    dir: std::path::PathBuf,
    /// Depth of `all` / `unless.near` nesting while compiling; > 0 means context terms.
    context_depth: usize,
    rule_index: BTreeMap<String, usize>,
    origins: Vec<Location>,
    patterns: Vec<Pattern>,
    /// Literal term groups: the normalized terms of each `terms` pattern or `inside` list.
    groups: Vec<TermGroup>,
    /// Rules whose `match` has a regex or token pattern: an `inside` decoy may then hold none of
    /// their terms and still exclude something.
    matches_beyond_terms: BTreeSet<usize>,
    /// Each regex prefilter slot's literals (one of which every match contains).
    prefilters: Vec<Vec<Vec<u8>>>,
    /// Kinds of acting body and of name, from `context.toml`.
    body_kinds: Vec<String>,
    name_kinds: Vec<String>,
    /// Each distinct normalised base form of a token pattern → its id, in the order first used.
    token_bases: FxHashMap<String, u32>,
}

struct TermGroup {
    terms: Vec<String>,
    location: Location,
    /// The rule the group belongs to, and whether it is a decoy (`unless.inside`) list.
    rule: usize,
    is_decoy: bool,
    /// Whether it is context (a part of `all`, or an `unless.near`) rather than the mention itself.
    is_context: bool,
}

impl RuleBuilder<'_> {
    fn compile_rule(
        &mut self,
        source: &SourceFile,
        spanned: &Spanned<super::config::RuleConfig>,
        problems: &mut Problems,
    ) -> Option<Rule> {
        let config = spanned.get_ref();
        let origin = source.at(spanned.span().start);
        let rule_number = self.rule_index[&config.name];
        let tag_location = source.at(config.tag.span().start);
        let tag = self.tags.iter().position(|t| &t.id == config.tag.get_ref());
        if tag.is_none() && !self.tags.is_empty() {
            problems.error(
                tag_location,
                format!("unknown tag id {:?} (not in {TAXONOMY_FILE})", config.tag.get_ref()),
            );
        }
        let pattern_location = source.at(config.pattern.span().start);
        let pattern =
            self.compile_pattern(config.pattern.get_ref(), &pattern_location, rule_number, problems);
        let mut unless = Vec::new();
        for item in &config.unless {
            let location = source.at(item.span().start);
            let item = item.get_ref();
            match (&item.inside, &item.near) {
                (Some(phrases), None) => {
                    if item.within.is_some() {
                        problems.error(location.clone(), "`within` applies to `near`, not to `inside`");
                    }
                    let group = self.add_group(phrases, &location, rule_number, true, problems);
                    unless.push(Unless::Inside(group));
                }
                (None, Some(near)) => {
                    let scope = match &item.within {
                        Some(scope) => compile_scope(scope, &location, problems),
                        None => Scope::Sentence,
                    };
                    self.context_depth += 1;
                    let pattern = self.compile_pattern(near, &location, rule_number, problems);
                    self.context_depth -= 1;
                    if let Some(pattern) = pattern {
                        unless.push(Unless::Near(pattern, scope));
                    }
                }
                _ => problems.error(location, "an `unless` item needs exactly one of `inside` or `near`"),
            }
        }
        let entity = match &config.entity {
            None => EntityMode::Alias,
            Some(entity) => {
                let location = source.at(entity.span().start);
                match entity.get_ref() {
                    EntityConfig::Mode(mode) => match mode.as_str() {
                        "none" => EntityMode::None,
                        "alias" => EntityMode::Alias,
                        "name" => EntityMode::Name,
                        "quoted" => EntityMode::Quoted,
                        "nearby_quoted" => EntityMode::NearbyQuoted,
                        other => {
                            problems.error(
                                location,
                                format!("unknown entity mode {other:?} (expected none, alias, name, quoted, nearby_quoted, {{ fixed = \"…\" }} or {{ capture = \"…\" }})"),
                            );
                            EntityMode::None
                        }
                    },
                    EntityConfig::Fixed(FixedEntity { fixed }) => EntityMode::Fixed(fixed.clone()),
                    EntityConfig::Capture(CaptureEntity { capture, suffix }) => {
                        if capture != "entity" {
                            problems.error(
                                location,
                                format!("capture {capture:?}: the regex group that names the entity must be called \"entity\" ((?P<entity>…))"),
                            );
                        }
                        EntityMode::Capture { suffix: suffix.clone().unwrap_or_default() }
                    }
                }
            }
        };
        let tag_id = tag.map(|t| self.tags[t].id.as_str()).unwrap_or("");
        let needs_relation = match &config.needs_relation {
            Some(flag) if *flag.get_ref() && !tag_id.starts_with("partner.") && !tag_id.is_empty() => {
                problems.error(
                    source.at(flag.span().start),
                    format!("`needs_relation` applies to partner tags, not to {tag_id}"),
                );
                false
            }
            Some(flag) => *flag.get_ref(),
            None => false,
        };
        let names = match &config.names {
            Some(kinds) => self.kind_indexes(
                kinds.get_ref(),
                &self.name_kinds,
                "names",
                &source.at(kinds.span().start),
                problems,
            ),
            None => Vec::new(),
        };
        let acting_body = match &config.acting_body {
            Some(filter) => {
                self.acting_body_filter(filter.get_ref(), &source.at(filter.span().start), problems)
            }
            None => ActingBodyFilter::Any,
        };
        let relative = Path::new(&source.path).strip_prefix(&self.dir).map_or_else(
            |_| Path::new(&source.path).to_owned(),
            |rest| self.dir.file_name().map_or_else(|| rest.to_owned(), |name| Path::new(name).join(rest)),
        );
        let evidence_origin = format!("{}:{}", relative.display(), origin.line.unwrap_or(0));
        Some(Rule {
            name: config.name.clone(),
            evidence_origin,
            tag: tag?,
            pattern: pattern?,
            unless,
            entity,
            other_than_own_district: config.other_than_own_district,
            needs_relation,
            names,
            acting_body,
            origin: origin.to_string(),
        })
    }

    /// Indexes of `wanted` in `known`; an unknown kind or an empty list is an error.
    fn kind_indexes(
        &self,
        wanted: &[String],
        known: &[String],
        what: &str,
        location: &Location,
        problems: &mut Problems,
    ) -> Vec<usize> {
        if wanted.is_empty() {
            problems.error(location.clone(), format!("`{what}` needs at least one kind"));
        }
        resolve_kinds(wanted, known, what, "", location, problems)
    }

    fn acting_body_filter(
        &self,
        config: &ActingBodyFilterConfig,
        location: &Location,
        problems: &mut Problems,
    ) -> ActingBodyFilter {
        match (&config.is, &config.is_not) {
            (Some(kinds), None) => ActingBodyFilter::Is(self.kind_indexes(
                kinds,
                &self.body_kinds,
                "acting_body",
                location,
                problems,
            )),
            (None, Some(kinds)) => ActingBodyFilter::IsNot(self.kind_indexes(
                kinds,
                &self.body_kinds,
                "acting_body",
                location,
                problems,
            )),
            _ => {
                problems.error(location.clone(), "`acting_body` needs exactly one of `is` or `is_not`");
                ActingBodyFilter::Any
            }
        }
    }

    fn add_group(
        &mut self,
        terms: &[String],
        location: &Location,
        rule: usize,
        is_decoy: bool,
        problems: &mut Problems,
    ) -> usize {
        let mut normalized = Vec::with_capacity(terms.len());
        for term in terms {
            let term_normalized = normalize_term(term);
            if term_normalized.trim().is_empty() {
                problems.error(location.clone(), "empty term");
                continue;
            }
            if normalized.contains(&term_normalized) {
                problems.error(
                    location.clone(),
                    format!("term {term:?} is listed twice (after NFKC and case folding) in one list"),
                );
                continue;
            }
            normalized.push(term_normalized);
        }
        if normalized.is_empty() {
            problems.error(location.clone(), "a term list needs at least one term");
        }
        let is_context = self.context_depth > 0;
        self.groups.push(TermGroup {
            terms: normalized,
            location: location.clone(),
            rule,
            is_decoy,
            is_context,
        });
        self.groups.len() - 1
    }

    fn compile_pattern(
        &mut self,
        config: &PatternConfig,
        location: &Location,
        rule: usize,
        problems: &mut Problems,
    ) -> Option<PatternId> {
        let kinds = [
            config.terms.is_some(),
            config.tokens.is_some(),
            config.regex.is_some(),
            config.rule.is_some(),
            config.all.is_some(),
            config.any.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            problems.error(
                location.clone(),
                "a pattern needs exactly one of terms, tokens, regex, rule, all, any",
            );
            return None;
        }
        if (config.within.is_some() || config.ordered.is_some()) && config.all.is_none() {
            problems.error(location.clone(), "`within` and `ordered` apply to `all` patterns only");
        }
        let pattern = if let Some(terms) = &config.terms {
            Pattern::Terms(self.add_group(terms, location, rule, false, problems))
        } else if let Some(tokens) = &config.tokens {
            if tokens.is_empty() {
                problems.error(location.clone(), "a token pattern needs at least one token");
                return None;
            }
            let specs = tokens.iter().map(|t| self.compile_token_spec(t, location, problems)).collect();
            if self.context_depth == 0 {
                self.matches_beyond_terms.insert(rule);
            }
            Pattern::Tokens(specs)
        } else if let Some(regex) = &config.regex {
            if self.context_depth == 0 {
                self.matches_beyond_terms.insert(rule);
            }
            match Regex::new(regex) {
                Ok(compiled) => {
                    let required = required_literals(regex).map(|literals| {
                        self.prefilters.push(literals);
                        self.prefilters.len() - 1
                    });
                    let captures_entity = compiled.capture_names().any(|name| name == Some("entity"));
                    Pattern::Regex(RegexPattern { regex: compiled, required, captures_entity })
                }
                Err(e) => {
                    problems.error(
                        location.clone(),
                        format!("invalid regex: {}", e.to_string().replace('\n', " ")),
                    );
                    return None;
                }
            }
        } else if let Some(name) = &config.rule {
            match self.rule_index.get(name) {
                Some(index) => Pattern::Ref(*index),
                None => {
                    problems.error(location.clone(), format!("reference to undefined rule {name:?}"));
                    return None;
                }
            }
        } else if let Some(parts) = &config.all {
            self.context_depth += 1;
            let parts: Vec<PatternId> =
                parts.iter().filter_map(|p| self.compile_pattern(p, location, rule, problems)).collect();
            self.context_depth -= 1;
            if parts.len() < 2 {
                problems.error(location.clone(), "`all` needs at least two patterns");
                return None;
            }
            let scope = match &config.within {
                Some(scope) => compile_scope(scope, location, problems),
                None => Scope::Sentence,
            };
            Pattern::All { parts, scope, ordered: config.ordered.unwrap_or(false) }
        } else {
            let parts: Vec<PatternId> = config
                .any
                .iter()
                .flatten()
                .filter_map(|p| self.compile_pattern(p, location, rule, problems))
                .collect();
            if parts.is_empty() {
                problems.error(location.clone(), "`any` needs at least one pattern");
                return None;
            }
            Pattern::Any(parts)
        };
        self.patterns.push(pattern);
        Some(self.patterns.len() - 1)
    }

    /// A rule that reaches itself through `rule = …` references could never be evaluated.
    fn check_cycles(&self, rules: &[Rule], problems: &mut Problems) {
        for (number, origin) in self.origins.iter().enumerate() {
            let Some(rule) = rules.iter().find(|r| r.origin == origin.to_string()) else { continue };
            let mut stack = vec![rule.pattern];
            let mut visited = BTreeSet::new();
            while let Some(pattern) = stack.pop() {
                if !visited.insert(pattern) {
                    continue;
                }
                match &self.patterns[pattern] {
                    Pattern::Ref(target) if *target == number => {
                        problems.error(origin.clone(), format!("rule {:?} refers to itself", rule.name));
                        break;
                    }
                    Pattern::Ref(target) => {
                        if let Some(target_rule) =
                            rules.iter().find(|r| r.origin == self.origins[*target].to_string())
                        {
                            stack.push(target_rule.pattern);
                        }
                    }
                    Pattern::All { parts, .. } | Pattern::Any(parts) => stack.extend(parts.iter().copied()),
                    _ => {}
                }
            }
        }
    }

    /// Duplicate terms across rules of one tag, and decoys that hide or miss every term.
    fn check_terms(&self, rules: &[Rule], problems: &mut Problems) {
        let mut owner: BTreeMap<(usize, &str), &TermGroup> = BTreeMap::new();
        let tag_of_rule: BTreeMap<usize, usize> = rules
            .iter()
            .filter_map(|r| self.rule_index.get(&r.name).map(|number| (*number, r.tag)))
            .collect();
        for group in self.groups.iter().filter(|g| !g.is_decoy && !g.is_context) {
            let Some(&tag) = tag_of_rule.get(&group.rule) else { continue };
            for term in &group.terms {
                if let Some(first) = owner.get(&(tag, term.as_str())) {
                    if first.location != group.location {
                        problems.warning(
                            group.location.clone(),
                            format!("term {term:?} is also a term of the same tag at {}", first.location),
                        );
                    }
                } else {
                    owner.insert((tag, term.as_str()), group);
                }
            }
        }
        for decoy in self.groups.iter().filter(|g| g.is_decoy) {
            let rule_terms: Vec<&String> = self
                .groups
                .iter()
                .filter(|g| !g.is_decoy && !g.is_context && g.rule == decoy.rule)
                .flat_map(|g| g.terms.iter())
                .collect();
            if rule_terms.is_empty() {
                continue; // token or regex rule: a decoy phrase is checked against matches only
            }
            let beyond_terms = self.matches_beyond_terms.contains(&decoy.rule);
            for phrase in &decoy.terms {
                if rule_terms.contains(&phrase) {
                    problems.warning(
                        decoy.location.clone(),
                        format!("decoy {phrase:?} equals a term of the rule, which can then never match (shadowed)"),
                    );
                } else if !beyond_terms && !rule_terms.iter().any(|t| phrase.contains(t.as_str())) {
                    problems.warning(
                        decoy.location.clone(),
                        format!(
                            "decoy {phrase:?} contains no term of the rule, so it never excludes anything"
                        ),
                    );
                }
            }
        }
    }

    fn term_index<'s>(&'s self, problems: &mut Problems) -> Option<TermIndex> {
        let mut term_ids: BTreeMap<&[u8], usize> = BTreeMap::new();
        let mut terms: Vec<&[u8]> = Vec::new();
        let mut groups_of_term: Vec<Vec<usize>> = Vec::new();
        let mut slots_of_term: Vec<Vec<usize>> = Vec::new();
        let mut id_of = |term: &'s [u8]| {
            *term_ids.entry(term).or_insert_with(|| {
                terms.push(term);
                groups_of_term.push(Vec::new());
                slots_of_term.push(Vec::new());
                terms.len() - 1
            })
        };
        let mut group_members = Vec::new();
        for (group_id, group) in self.groups.iter().enumerate() {
            for term in &group.terms {
                group_members.push((id_of(term.as_bytes()), group_id));
            }
        }
        let mut slot_members = Vec::new();
        for (slot, literals) in self.prefilters.iter().enumerate() {
            for literal in literals {
                slot_members.push((id_of(literal), slot));
            }
        }
        for (id, group) in group_members {
            groups_of_term[id].push(group);
        }
        for (id, slot) in slot_members {
            if !slots_of_term[id].contains(&slot) {
                slots_of_term[id].push(slot);
            }
        }
        let automaton = match AhoCorasickBuilder::new().match_kind(MatchKind::Standard).build(&terms) {
            Ok(automaton) => automaton,
            Err(e) => {
                problems
                    .error(Location::file(RULES_DIR.to_owned()), format!("cannot build term matcher: {e}"));
                return None;
            }
        };
        let edges = terms
            .iter()
            .map(|t| {
                (
                    t.first().is_some_and(|b| b.is_ascii_alphanumeric()),
                    t.last().is_some_and(|b| b.is_ascii_alphanumeric()),
                )
            })
            .collect();
        Some(TermIndex {
            automaton,
            groups_of_term,
            slots_of_term,
            term_edges_ascii: edges,
            num_groups: self.groups.len(),
            num_slots: self.prefilters.len(),
        })
    }
}

impl RuleBuilder<'_> {
    fn compile_token_spec(
        &mut self,
        config: &TokenSpecConfig,
        location: &Location,
        problems: &mut Problems,
    ) -> TokenSpec {
        if config.base.is_none() && config.surface.is_none() && config.pos.is_none() {
            problems.error(location.clone(), "a token needs at least one of base, surface, pos");
        }
        let base = config.base.as_deref().map(|base| {
            let next = self.token_bases.len() as u32;
            *self.token_bases.entry(normalize_term(base)).or_insert(next)
        });
        TokenSpec { base, surface: config.surface.as_deref().map(normalize_term), pos: config.pos.clone() }
    }
}

fn compile_scope(config: &ScopeConfig, location: &Location, problems: &mut Problems) -> Scope {
    match config {
        ScopeConfig::Named(name) if name == "sentence" => Scope::Sentence,
        ScopeConfig::Named(name) if name == "record" => Scope::Record,
        ScopeConfig::Window(WindowConfig { tokens: Some(n), chars: None }) => Scope::Tokens(*n),
        ScopeConfig::Window(WindowConfig { tokens: None, chars: Some(n) }) => Scope::Chars(*n),
        _ => {
            problems.error(
                location.clone(),
                "`within` must be \"sentence\", \"record\", { tokens = N } or { chars = N }",
            );
            Scope::Sentence
        }
    }
}
