//! `zaitaku kwic`: a concordance of a term, base form, regex, tag or rule.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use zaitaku::kwic::{Line, Query};
use zaitaku::text::display_width;

use super::output::Output;
use super::{GlobalArgs, did_you_mean, report_warnings};

/// Every occurrence in context, one line per hit with the record id, district and year. Give
/// exactly one of PATTERN (matched like a rule term: NFKC and case-folded, so ＩＶＲｙ finds
/// IVRy), --tag or --rule; then the input files (default: every file in --data). Lines are
/// sorted by the text after the match unless --sort doc; a summary (hits per district and year)
/// goes to stderr.
#[derive(Debug, Args)]
pub struct KwicArgs {
    /// PATTERN (unless --tag or --rule is given), then the input files.
    #[arg(value_name = "[PATTERN] [FILE]...")]
    words: Vec<String>,
    /// Every evidence span of this tag (e.g. tech.mcs).
    #[arg(long, value_name = "ID")]
    tag: Option<String>,
    /// Every evidence span of this rule (e.g. ivr.product).
    #[arg(long, value_name = "NAME")]
    rule: Option<String>,
    /// Match PATTERN against token base forms (待機する finds 待機し, 待機して).
    #[arg(long, conflicts_with = "regex")]
    base: bool,
    /// PATTERN is a regex over the NFKC, case-folded text (as rule regexes run).
    #[arg(long)]
    regex: bool,
    /// Characters of context on each side.
    #[arg(long, value_name = "N", default_value_t = 20)]
    width: usize,
    /// `right`: by the text after the match (KWIC); `doc`: in document order, printed as read.
    #[arg(long, value_enum, default_value_t = KwicSort::Right)]
    sort: KwicSort,
    /// `text`: aligned for reading; `tsv`: a header and one row per hit.
    #[arg(long, value_enum, default_value_t = KwicFormat::Text)]
    format: KwicFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KwicSort {
    Right,
    Doc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KwicFormat {
    Text,
    Tsv,
}

const TSV_HEADER: &str = "record_id\tdistrict\tfiscal_year\tleft\tmatch\tright\ttag\trule\tstatus\n";
/// Records read, matched and printed at a time with `--sort doc`.
const BATCH_RECORDS: usize = 2048;
/// The district column of the text format, in half-width units (東久留米市医師会 is 16).
const DISTRICT_COLUMNS: usize = 16;

/// Runs `zaitaku kwic`.
pub fn run(global: &GlobalArgs, args: &KwicArgs) -> anyhow::Result<()> {
    let by_tags = args.tag.is_some() || args.rule.is_some();
    if args.tag.is_some() && args.rule.is_some() {
        bail!("kwic takes exactly one of PATTERN, --tag ID or --rule NAME, not both --tag and --rule");
    }
    let (pattern, files) = match args.words.split_first() {
        Some((first, rest)) if !by_tags => (Some(first.clone()), rest),
        _ => (None, args.words.as_slice()),
    };
    if by_tags && let Some(first) = files.first().filter(|f| !std::path::Path::new(f).exists() && *f != "-") {
        let path = std::path::Path::new(first);
        if first.contains(['/', '\\']) || path.extension().is_some() {
            bail!("{first}: no such file (with --tag or --rule, every argument is an input file)");
        }
        bail!(
            "kwic takes exactly one of PATTERN, --tag ID or --rule NAME (`{first}` is not a file, and a PATTERN cannot go with --tag or --rule)"
        );
    }
    if pattern.is_none() && !by_tags {
        bail!("kwic needs one of PATTERN, --tag ID or --rule NAME");
    }
    if pattern.as_deref().is_some_and(str::is_empty) {
        bail!("kwic: PATTERN is empty; give a word, a base form (--base) or a regex (--regex)");
    }
    if (args.base || args.regex) && pattern.is_none() {
        bail!("--base and --regex qualify PATTERN; --tag and --rule take none");
    }
    let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let query = match (&pattern, &args.tag, &args.rule) {
        (Some(pattern), _, _) if args.regex => Query::Regex(
            regex::Regex::new(pattern)
                .map_err(|e| anyhow::anyhow!("invalid regex `{pattern}`: {}", one_line(&e.to_string())))?,
        ),
        (Some(pattern), _, _) if args.base => Query::base(pattern),
        (Some(pattern), _, _) => Query::term(pattern),
        (_, Some(tag), _) => Query::Tag(tag.clone()),
        (_, _, Some(rule)) => Query::Rule(rule.clone()),
        _ => unreachable!("exactly one was given"),
    };
    let ruleset =
        if query.needs_tags() { Some(zaitaku::tag::Ruleset::load(&global.dictionaries)?) } else { None };
    if let Some(ruleset) = &ruleset {
        match &query {
            Query::Tag(id) if !ruleset.tags().iter().any(|t| t.id == *id) => bail!(
                "unknown tag `{id}` (expected an id of dictionaries/taxonomy.toml){}",
                did_you_mean(id, ruleset.tags().iter().map(|t| t.id.as_str()))
            ),
            Query::Rule(name) if !ruleset.rules().any(|r| r.name == name) => bail!(
                "unknown rule `{name}` (expected the name of a rule in dictionaries/rules/){}",
                did_you_mean(name, ruleset.rules().map(|r| r.name))
            ),
            _ => {}
        }
    }
    let tokenizer = if query.needs_tokens() {
        Some(zaitaku::tokenize::Tokenizer::load(&global.dictionaries)?)
    } else {
        None
    };
    let files = if files.is_empty() { zaitaku::job::input_files(&global.data)? } else { files };
    let mut batches =
        zaitaku::ingest::batches(&files, BATCH_RECORDS).with_options(super::read_options(global));
    let width = args.width;
    let highlight = args.output.is_none() && std::io::stdout().is_terminal();

    let find = |records: Vec<zaitaku::Record>| -> anyhow::Result<Vec<Line>> {
        let per_record: Vec<Vec<Line>> = records
            .into_par_iter()
            .map_init(
                || (tokenizer.as_ref().map(|t| t.worker()), ruleset.as_ref().map(|r| r.worker())),
                |(tokenizer, tagger), record| -> zaitaku::Result<Vec<Line>> {
                    let Some(tokenizer) = tokenizer else {
                        let text = zaitaku::text::NormalizedText::new(&record.description);
                        return Ok(zaitaku::kwic::find_in_text(&query, &record, &text, &[], width));
                    };
                    let tokenized = tokenizer.tokenize(record)?;
                    match tagger {
                        Some(tagger) => {
                            Ok(zaitaku::kwic::find_in_tags(&query, &tagger.tag(tokenized), width))
                        }
                        None => Ok(zaitaku::kwic::find_in_text(
                            &query,
                            &tokenized.record,
                            &tokenized.text,
                            &tokenized.tokens,
                            width,
                        )),
                    }
                },
            )
            .collect::<zaitaku::Result<_>>()?;
        Ok(per_record.into_iter().flatten().collect())
    };

    let mut summary = Summary::default();
    Output::write_with(args.output.as_deref(), |out| {
        if args.format == KwicFormat::Tsv {
            out.write_all(TSV_HEADER.as_bytes())?;
        }
        let mut held = Vec::new();
        for batch in batches.by_ref() {
            let lines = find(batch?)?;
            summary.add(&lines);
            if args.sort == KwicSort::Doc {
                write_lines(out, &lines, args.format, width, highlight)?;
            } else {
                held.extend(lines);
            }
        }
        zaitaku::kwic::sort_by_right_context(&mut held);
        write_lines(out, &held, args.format, width, highlight)?;
        Ok(())
    })?;
    let (_inputs, warnings) = batches.finish();
    report_warnings(global, warnings)?;
    eprintln!("{}", summary.render());
    if let Some(pattern) = pattern.as_deref().filter(|_| args.regex && summary.is_empty()) {
        let folded = zaitaku::text::normalize_term(pattern);
        if folded != pattern {
            // A backslash class such as \D would change meaning when folded: no suggestion then.
            let suggestion = if pattern.contains('\\') { String::new() } else { format!(": try `{folded}`") };
            eprintln!(
                "zaitaku: kwic: a regex runs on the folded text (NFKC, lower case), as rules' regexes do{suggestion}"
            );
        }
    }
    Ok(())
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write_lines(
    out: &mut dyn std::io::Write,
    lines: &[Line],
    format: KwicFormat,
    width: usize,
    highlight: bool,
) -> std::io::Result<()> {
    for line in lines {
        let year = line.fiscal_year.map(|y| y.to_string()).unwrap_or_default();
        let district = line.district.as_deref().unwrap_or("");
        match format {
            KwicFormat::Tsv => {
                let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
                writeln!(
                    out,
                    "{}\t{}\t{year}\t{}\t{}\t{}\t{}\t{}\t{}",
                    clean(&line.record_id),
                    clean(district),
                    clean(&line.left),
                    clean(&line.matched),
                    clean(&line.right),
                    line.tag.as_deref().unwrap_or(""),
                    line.rule.as_deref().unwrap_or(""),
                    line.status.map_or("", zaitaku::Status::name),
                )?;
            }
            KwicFormat::Text => {
                // The match starts in one column: the left context is padded to `width` wide
                // characters, the district to a fixed width.
                let district = if district.is_empty() { "-" } else { district };
                let district_pad = DISTRICT_COLUMNS.saturating_sub(display_width(district));
                let left_pad = (2 * width).saturating_sub(display_width(&line.left));
                let matched = if highlight {
                    format!("\x1b[1;31m{}\x1b[0m", line.matched)
                } else {
                    line.matched.clone()
                };
                let tag = match (&line.rule, line.status) {
                    (Some(rule), Some(status)) => format!("  [{rule} · {}]", status.name()),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{:<9} {district}{:district_pad$} {year:<4} {:left_pad$}{}  {matched}  {}{tag}",
                    line.record_id, "", "", line.left, line.right
                )?;
            }
        }
    }
    Ok(())
}

/// Hits per district and per year, for stderr.
#[derive(Default)]
struct Summary {
    hits: usize,
    records: std::collections::BTreeSet<String>,
    by_district: BTreeMap<String, usize>,
    by_year: BTreeMap<String, usize>,
}

impl Summary {
    fn is_empty(&self) -> bool {
        self.hits == 0
    }

    fn add(&mut self, lines: &[Line]) {
        for line in lines {
            self.hits += 1;
            self.records.insert(line.record_id.clone());
            *self
                .by_district
                .entry(line.district.clone().unwrap_or_else(|| "(free text)".into()))
                .or_default() += 1;
            *self
                .by_year
                .entry(line.fiscal_year.map_or_else(|| "(no year)".to_owned(), |y| format!("FY{y}")))
                .or_default() += 1;
        }
    }

    fn render(&self) -> String {
        let mut districts: Vec<(&String, &usize)> = self.by_district.iter().collect();
        districts.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let list = |items: &mut dyn Iterator<Item = (&String, &usize)>| {
            items.map(|(name, n)| format!("{name} {n}")).collect::<Vec<_>>().join(", ")
        };
        format!(
            "zaitaku: kwic: {} hit(s) in {} record(s); by year: {}; by district: {}",
            self.hits,
            self.records.len(),
            if self.by_year.is_empty() { "-".to_owned() } else { list(&mut self.by_year.iter()) },
            if districts.is_empty() { "-".to_owned() } else { list(&mut districts.into_iter()) },
        )
    }
}
