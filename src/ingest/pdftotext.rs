//! Rebuilds table rows from `pdftotext` output (its default mode) of the program table.
//!
//! pdftotext writes each table cell as its own block of lines, so a row arrives as: the
//! association's name (sometimes with its row number), the program cell wrapped over a few short
//! lines, the numbered 事業区分 cells (wrapped when they fill their column), the 事業内容 lines, and
//! the row's ○ marks, on their own line or at the end of the last line. Page furniture (repeated
//! title and column headers, document labels such as 資料５－２, `7 / 8`, bare row numbers placed
//! away from their rows) can appear anywhere, including inside a row split by a page break.
//!
//! The parser works on that layout, not on this year's wording:
//! - a row starts at a line naming a 医師会 *only* if the next content lines form a program cell
//!   (short lines whose join ends in 事業), so prose that mentions an association is not a row;
//! - a 事業区分 line starts with a circled number and fits the narrow column; the next line
//!   continues it only when the cell was full (it wrapped) and that line fits the column too;
//! - everything else until the next row is the description, joined with no separator except a
//!   `\n` before a `・` bullet (the record contract in `tests/gold/README.md`).
//!
//! It does not read `pdftotext -layout` output (columns padded with spaces): that is detected and
//! refused with a message saying how to produce the right input.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::{ReadOptions, fiscal_year, unplaced};
use crate::error::{Error, Location, Result, Warnings};
use crate::model::Record;
use crate::text::display_width;

/// The widest a 事業区分 line can be, in half-width units (13 full-width characters) plus slack.
const CATEGORY_COLUMN_WIDTH: usize = 28;
/// A 事業区分 line at least this wide filled its column, so the next line may continue it.
const CATEGORY_FULL_WIDTH: usize = 22;
/// The widest a program-cell line can be (7 full-width characters) plus slack.
const PROGRAM_COLUMN_WIDTH: usize = 20;
/// A program cell spans at most this many lines.
const PROGRAM_MAX_LINES: usize = 4;
/// Header lines at least this wide are furniture wherever they appear; shorter ones (等) only
/// inside a repeated page header, where they cannot be description text.
const DISTINCTIVE_HEADER_WIDTH: usize = 16;

static DISTRICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{1,3})\s*)?([^\s\d、。，,・（）()「」：:○◯][^\s、。，,・「」：:]{0,30}医師会)$")
        .expect("static regex is valid")
});
static BARE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9０-９]{1,3}$").expect("static regex is valid"));
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9０-９]+\s*[/／]\s*[0-9０-９]+|[-－‐]\s*[0-9０-９]+\s*[-－‐])$")
        .expect("static regex is valid")
});
static DOCUMENT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:資料|別紙|参考資料)\s*[0-9０-９]+(?:\s*[-－ー‐]\s*[0-9０-９]+)*$")
        .expect("static regex is valid")
});
static TRAILING_MARKS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*?)\s+((?:[○◯]\s*)+)$").expect("static regex is valid"));
static MARKS_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[○◯]\s*)+$").expect("static regex is valid"));
static PADDED_COLUMNS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\S {3,}\S").expect("static regex is valid"));

/// What the parser found in one file.
#[derive(Debug)]
pub(crate) struct ParsedTable {
    /// The fiscal year the title line states.
    pub title_year: Option<u16>,
    /// Rows in document order; ids and years are filled in by the caller.
    pub records: Vec<Record>,
}

/// One input line, trimmed, with its 1-based number.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: usize,
    text: &'a str,
}

/// How far into a file format detection looks for a row: the first row is on the first page.
const DETECTION_WINDOW_BYTES: usize = 256 * 1024;

/// Whether `text` looks like the program table (used for format detection).
pub(crate) fn looks_like_table(text: &str) -> bool {
    // Up to the last line break inside the window, so no line is cut.
    let window = if text.len() > DETECTION_WINDOW_BYTES {
        let end = (0..=DETECTION_WINDOW_BYTES).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text[..end].rfind('\n').map_or(&text[..end], |newline| &text[..newline])
    } else {
        text
    };
    let lines = split_lines(window);
    (0..lines.len()).any(|i| confirm_row_start(&lines, i, &Furniture::default()).is_some())
}

/// Parses the table in `text`, read from `path`.
pub(crate) fn parse(
    path: &str,
    text: &str,
    options: ReadOptions,
    warnings: &mut Warnings,
) -> Result<ParsedTable> {
    let lines = split_lines(text);
    refuse_layout_mode(path, &lines)?;

    let title = lines.iter().find(|line| !line.text.is_empty());
    let title_year = title.and_then(|line| fiscal_year::from_title(line.text));

    let mut furniture = Furniture { title: title.map(|line| line.text), ..Furniture::default() };
    let first_row =
        (0..lines.len()).find(|&i| confirm_row_start(&lines, i, &furniture).is_some()).ok_or_else(|| {
            Error::input(
                Location::file(path),
                "no table rows found: expected a line naming a 医師会 followed by its program \
                 cell (…事業); is this pdftotext output of the program table?",
            )
        })?;
    // Everything between the title and the first row is the column header; on later pages the
    // same lines come back after the repeated title.
    for line in &lines[..first_row] {
        if !line.text.is_empty() && Some(line.text) != furniture.title && !is_pattern_furniture(line.text) {
            furniture.header_lines.push(line.text);
        }
    }

    let mut parser = RowParser::new(path);
    let mut in_page_header = false;
    let mut i = first_row;
    while i < lines.len() {
        let line = lines[i];
        if line.text.is_empty() {
            i += 1;
            continue;
        }
        if Some(line.text) == furniture.title {
            in_page_header = true;
            i += 1;
            continue;
        }
        if in_page_header && furniture.header_lines.contains(&line.text) {
            i += 1;
            continue;
        }
        in_page_header = false;
        if furniture.is_furniture(line.text) {
            i += 1;
            continue;
        }
        if let Some(start) = confirm_row_start(&lines, i, &furniture) {
            parser.finish_row(options, warnings)?;
            parser.start_row(start, warnings);
            i = start.next_line;
            continue;
        }
        parser.push_line(line);
        i += 1;
    }
    parser.finish_row(options, warnings)?;
    Ok(ParsedTable { title_year, records: parser.records })
}

fn split_lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .map(|(index, raw)| Line {
            number: index + 1,
            text: raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}'),
        })
        .collect()
}

/// `pdftotext -layout` pads columns with runs of spaces; the default mode never does.
fn refuse_layout_mode(path: &str, lines: &[Line<'_>]) -> Result<()> {
    let content: Vec<&Line<'_>> = lines.iter().filter(|line| !line.text.is_empty()).collect();
    let padded: Vec<&&Line<'_>> = content.iter().filter(|line| PADDED_COLUMNS.is_match(line.text)).collect();
    if padded.len() >= 5 && padded.len() * 4 >= content.len() {
        return Err(Error::input(
            Location::at(path, padded[0].number),
            "this looks like `pdftotext -layout` output (columns padded with spaces); run \
             pdftotext without -layout (its default mode), or give the table as CSV",
        ));
    }
    Ok(())
}

/// Lines that are page furniture, never table content.
#[derive(Debug, Default)]
struct Furniture<'a> {
    /// The document title (first non-blank line), repeated at the top of each page.
    title: Option<&'a str>,
    /// Column-header lines, learnt from the first page.
    header_lines: Vec<&'a str>,
}

impl Furniture<'_> {
    fn is_furniture(&self, text: &str) -> bool {
        is_pattern_furniture(text)
            || Some(text) == self.title
            || self
                .header_lines
                .iter()
                .any(|header| *header == text && display_width(header) >= DISTINCTIVE_HEADER_WIDTH)
    }

    /// Furniture, or a header line of any width (for look-ahead inside a page break).
    fn is_skippable(&self, text: &str) -> bool {
        text.is_empty() || self.is_furniture(text) || self.header_lines.contains(&text)
    }
}

pub(crate) fn is_pattern_furniture(text: &str) -> bool {
    // Every pattern starts with a digit, a dash or 資/別/参: most lines are out at one char.
    let could_be = text.chars().next().is_some_and(|c| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || matches!(c, '-' | '－' | '‐' | '資' | '別' | '参')
    });
    could_be && (BARE_NUMBER.is_match(text) || PAGE_NUMBER.is_match(text) || DOCUMENT_LABEL.is_match(text))
}

/// A confirmed row start: the association line and its program cell.
#[derive(Debug, Clone, Copy)]
struct RowStart<'a> {
    line: Line<'a>,
    explicit_number: Option<u32>,
    district: &'a str,
    program_lines: [Option<&'a str>; PROGRAM_MAX_LINES],
    next_line: usize,
}

/// A row starts at line `i` if it names a 医師会 and the next content lines form a program cell.
fn confirm_row_start<'a>(lines: &[Line<'a>], i: usize, furniture: &Furniture<'_>) -> Option<RowStart<'a>> {
    let line = lines[i];
    // DISTRICT ends in 医師会: a cheap test first, since every line of the table is tried.
    if !line.text.ends_with("医師会") {
        return None;
    }
    let caps = DISTRICT.captures(line.text)?;
    let explicit_number = caps.get(1).and_then(|m| m.as_str().parse().ok());
    let district = caps.get(2)?.as_str();
    let mut program_lines = [None; PROGRAM_MAX_LINES];
    let mut joined = String::new();
    let mut j = i + 1;
    for slot in &mut program_lines {
        while j < lines.len() && furniture.is_skippable(lines[j].text) {
            j += 1;
        }
        let candidate = lines.get(j)?.text;
        if display_width(candidate) > PROGRAM_COLUMN_WIDTH
            || starts_with_circled_number(candidate)
            || MARKS_ONLY.is_match(candidate)
            || DISTRICT.is_match(candidate)
        {
            return None;
        }
        *slot = Some(candidate);
        joined.push_str(candidate);
        j += 1;
        if joined.ends_with("事業") {
            return Some(RowStart { line, explicit_number, district, program_lines, next_line: j });
        }
    }
    None
}

fn starts_with_circled_number(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| ('\u{2460}'..='\u{2473}').contains(&c) || ('\u{3251}'..='\u{325F}').contains(&c))
}

/// Where in a row the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Categories,
    Description,
}

/// Builds records row by row.
struct RowParser<'p> {
    path: &'p str,
    records: Vec<Record>,
    district_numbers: BTreeMap<String, u32>,
    current: Option<Record>,
    phase: Phase,
}

impl<'p> RowParser<'p> {
    fn new(path: &'p str) -> Self {
        Self {
            path,
            records: Vec::new(),
            district_numbers: BTreeMap::new(),
            current: None,
            phase: Phase::Categories,
        }
    }

    fn start_row(&mut self, start: RowStart<'_>, warnings: &mut Warnings) {
        let next_number = self.district_numbers.len() as u32 + 1;
        let district_no = *self.district_numbers.entry(start.district.to_owned()).or_insert(next_number);
        let record = Record {
            id: String::new(),
            fiscal_year: None,
            district_no: Some(district_no),
            district: Some(start.district.to_owned()),
            program: Some(start.program_lines.iter().flatten().copied().collect::<String>().nfkc().collect()),
            categories: Vec::new(),
            marks: 0,
            description: String::new(),
            notes: Vec::new(),
            source: Some(Location::at(self.path, start.line.number)),
        };
        if let Some(explicit) = start.explicit_number
            && explicit != district_no
        {
            warnings.push(
                Location::at(self.path, start.line.number),
                format!(
                    "{} is printed as row {explicit} but is district {district_no} in order of \
                     appearance; using {district_no}",
                    start.district
                ),
            );
        }
        self.current = Some(record);
        self.phase = Phase::Categories;
    }

    fn push_line(&mut self, line: Line<'_>) {
        let Some(record) = self.current.as_mut() else { return };
        if MARKS_ONLY.is_match(line.text) {
            record.marks += count_marks(line.text);
            return;
        }
        let (text, marks) = match TRAILING_MARKS.captures(line.text) {
            Some(caps) => (caps.get(1).map_or("", |m| m.as_str()), count_marks(&caps[2])),
            None => (line.text, 0),
        };
        record.marks += marks;
        if self.phase == Phase::Categories {
            if starts_with_circled_number(text) && display_width(text) <= CATEGORY_COLUMN_WIDTH {
                record.categories.push(text.to_owned());
                return;
            }
            if let Some(last) = record.categories.last_mut()
                && continues_category(last, text)
                && marks == 0
            {
                last.push_str(text);
                return;
            }
            if !record.categories.is_empty() && is_cell_note(text) {
                record.notes.push(text.to_owned());
                return;
            }
            self.phase = Phase::Description;
        }
        if text.starts_with('・') && !record.description.is_empty() {
            record.description.push('\n');
        }
        record.description.push_str(text);
    }

    /// Ends the current row. A row without 事業内容 or 事業区分 means the text did not come in the
    /// order this parser reads (another PDF layout): an error unless `--lenient`.
    fn finish_row(&mut self, options: ReadOptions, warnings: &mut Warnings) -> Result<()> {
        let Some(record) = self.current.take() else { return Ok(()) };
        let location = record.source.clone().unwrap_or_else(|| Location::file(self.path));
        let district = record.district.as_deref().unwrap_or("?");
        for (missing, what) in
            [(record.description.is_empty(), "事業内容 text"), (record.categories.is_empty(), "事業区分")]
        {
            if missing {
                unplaced(
                    options,
                    warnings,
                    location.clone(),
                    format!(
                        "the row of {district} has no {what}: this text is not in the order pdftotext gives for the \
                         published layout; give zaitaku the PDF itself"
                    ),
                )?;
            }
        }
        self.records.push(record);
        Ok(())
    }
}

fn count_marks(text: &str) -> u32 {
    text.chars().filter(|&c| c == '○' || c == '◯').count() as u32
}

/// Whether `next` continues a 事業区分 cell that ended with `category`: the cell was full (it
/// wrapped) and `next` fits the column and reads like the rest of a name, not a sentence.
fn continues_category(category: &str, next: &str) -> bool {
    display_width(category) >= CATEGORY_FULL_WIDTH
        && display_width(next) <= CATEGORY_COLUMN_WIDTH
        && !next.starts_with(['・', '※', '＊', '*', '（', '('])
        && !starts_with_circled_number(next)
        && !next.ends_with('。')
        && !next.contains('、')
}

/// A short line in the 事業区分 cell that is a note, not a category: ※…, or bracketed.
fn is_cell_note(text: &str) -> bool {
    display_width(text) <= CATEGORY_COLUMN_WIDTH
        && (text.starts_with(['※', '＊', '*'])
            || (text.starts_with(['（', '(']) && text.ends_with(['）', ')'])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (ParsedTable, Warnings) {
        let mut warnings = Warnings::default();
        let table = parse("t.txt", text, ReadOptions::default(), &mut warnings).expect("parses");
        (table, warnings)
    }

    const TITLE: &str = "令和７年度 東京都在宅医療推進強化事業 各地区医師会の事業一覧\n\n\
        地区医師会名 事業種別 事業区分（実施要綱） 令和７年度事業内容\n往診を支援する事業者\n\nとの連携\n\n\
        WEBシステムの構築\n\n等\n\n";

    #[test]
    fn a_row_with_number_program_wrap_and_trailing_mark() {
        let text = format!(
            "{TITLE}3 中野区医師会\n24時間診療体制\n\n推進事業\n①往診支援事業者連携\n\n\
             往診を支援する事業者と契約し、夜間の往診を代行した。ファース\n\nトコールはかかりつけ医。 ○\n"
        );
        let (table, warnings) = parse_ok(&text);
        assert_eq!(table.title_year, Some(2025));
        assert_eq!(table.records.len(), 1);
        let record = &table.records[0];
        assert_eq!(record.district.as_deref(), Some("中野区医師会"));
        assert_eq!(record.program.as_deref(), Some("24時間診療体制推進事業"));
        assert_eq!(record.categories, ["①往診支援事業者連携"]);
        assert_eq!(
            record.description,
            "往診を支援する事業者と契約し、夜間の往診を代行した。ファーストコールはかかりつけ医。"
        );
        assert_eq!(record.marks, 1);
        // The printed number 3 disagrees with the count (1): kept as a warning.
        assert_eq!(warnings.len(), 1);
        assert!(warnings.as_slice()[0].message.contains("printed as row 3"));
    }

    #[test]
    fn full_width_dx_program_and_wrapped_category() {
        let text = format!(
            "{TITLE}中野区医師会\n\nデジタル技術を\n\n活用した医療Ｄ\n\nＸ推進事業\n\n\
             ③デジタル技術を活用した24\n\n時間診療体制構築\nMCSチーム機能を導入した。 ○ ○\n"
        );
        let (table, _) = parse_ok(&text);
        let record = &table.records[0];
        assert_eq!(record.program.as_deref(), Some("デジタル技術を活用した医療DX推進事業"));
        assert_eq!(record.categories, ["③デジタル技術を活用した24時間診療体制構築"]);
        assert_eq!(record.description, "MCSチーム機能を導入した。");
        assert_eq!(record.marks, 2);
    }

    #[test]
    fn a_full_category_followed_by_a_bullet_does_not_wrap() {
        let text = format!(
            "{TITLE}中野区医師会\nデジタル技術を\n活用した医療ＤＸ\n推進事業\n②オンライン診療／健康相談\n\
             ・患者の情報を共有した。\n・MCSを導入した。\n○\n"
        );
        let (table, _) = parse_ok(&text);
        let record = &table.records[0];
        assert_eq!(record.categories, ["②オンライン診療／健康相談"]);
        assert_eq!(record.description, "・患者の情報を共有した。\n・MCSを導入した。");
        assert_eq!(record.marks, 1);
    }

    #[test]
    fn page_furniture_inside_a_row_is_dropped() {
        let text = format!(
            "{TITLE}中野区医師会\n24時間診療体制\n推進事業\n②かかりつけ医連携\n\
             在宅医療の体制を構\n\n12\n\n7 / 8\n\n資料５－２\n{TITLE}資料５－２\n築した。\n○\n"
        );
        let (table, _) = parse_ok(&text);
        assert_eq!(table.records[0].description, "在宅医療の体制を構築した。");
    }

    #[test]
    fn prose_naming_an_association_is_not_a_row() {
        let text = format!(
            "{TITLE}中野区医師会\n24時間診療体制\n推進事業\n②かかりつけ医連携\n\
             連携先は次のとおり。\n杉並区医師会\nと共同で実施した。\n"
        );
        let (table, _) = parse_ok(&text);
        assert_eq!(table.records.len(), 1);
        assert_eq!(table.records[0].description, "連携先は次のとおり。杉並区医師会と共同で実施した。");
    }

    #[test]
    fn a_note_in_the_category_cell_is_kept_apart() {
        let text = format!(
            "{TITLE}中野区医師会\n24時間診療体制\n推進事業\n②かかりつけ医連携\n※令和7年度から\n\
             当番医制を敷いた。\n"
        );
        let (table, _) = parse_ok(&text);
        let record = &table.records[0];
        assert_eq!(record.categories, ["②かかりつけ医連携"]);
        assert_eq!(record.notes, ["※令和7年度から"]);
        assert_eq!(record.description, "当番医制を敷いた。");
    }

    #[test]
    fn layout_mode_is_refused_with_advice() {
        let row = "1 小石川医師会      24時間診療体制     ①往診支援事業者連携       往診を支援する事業者と契約した。\n";
        let text = format!("令和６年度 事業一覧\n{}", row.repeat(6));
        let mut warnings = Warnings::default();
        let error = parse("l.txt", &text, ReadOptions::default(), &mut warnings).unwrap_err();
        assert!(error.to_string().starts_with("l.txt:2: this looks like `pdftotext -layout`"), "{error}");
    }

    #[test]
    fn text_without_rows_is_refused() {
        let mut warnings = Warnings::default();
        let error =
            parse("x.txt", "これは表ではない。\n地区医師会の話。\n", ReadOptions::default(), &mut warnings)
                .unwrap_err();
        assert!(error.to_string().starts_with("x.txt: no table rows found"), "{error}");
    }
}
