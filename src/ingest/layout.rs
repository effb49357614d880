//! Rebuilds the table's rows from where a PDF's words are on the page (column-aware reading, as
//! tabula and camelot do), so the records do not depend on the order a PDF writer emits text in.
//!
//! On each page:
//! 1. **Header.** The column headers are found by what they say (地区医師会名, 事業種別, 事業区分…,
//!    …事業内容, the two ○ columns, No.), a label wrapped over lines or split into words included.
//!    A page without a header continues the previous page's columns.
//! 2. **Columns.** Between two neighbouring headers, the boundary is the widest vertical strip no
//!    word of the page's body crosses (headers are centred in their cells, text is not).
//! 3. **Rows.** Every row has exactly one 事業種別 cell, so the program column's blocks of lines
//!    (lines a leading apart) are the rows' anchors. Between two anchors the row boundary is the
//!    widest horizontal strip no line crosses. Text above the first anchor that a strip separates
//!    from it continues the previous page's last row (a row broken across pages).
//! 4. **Merged cells.** A district name (or row number) may be written once for several rows: a
//!    name straddling a row boundary names both rows; a row without one takes the name below when
//!    that name sits centred over both rows, else the name above.
//!
//! Text that fits none of this (above the first row, across columns, a page with text but no row
//! to put it in) is a placement problem: an error naming the page unless `--lenient`.

use unicode_normalization::UnicodeNormalization;

use super::csv_input::normalize_header;
use super::pdf::{Page, Word};
use super::{ReadOptions, unplaced};
use crate::columns::Field;
use crate::error::{Error, Location, Result, Warnings};

/// The table read from a PDF: column fields and each row's cells in column order.
#[derive(Debug)]
pub(crate) struct PdfTable {
    /// Text above the first page's header (the title), joined.
    pub title: String,
    /// The header labels, left to right (for the header's field check).
    pub header: Vec<String>,
    /// The field of each column.
    pub fields: Vec<Option<Field>>,
    /// Rows in document order.
    pub rows: Vec<PdfRow>,
    /// The page the header was first found on.
    pub header_page: usize,
}

/// One row: its cells (in column order) and the page its anchor is on.
#[derive(Debug)]
pub(crate) struct PdfRow {
    pub cells: Vec<String>,
    pub page: usize,
}

/// A header cell: its field, label and box.
#[derive(Debug, Clone)]
struct HeaderCell {
    field: Field,
    label: String,
    x0: f32,
    x1: f32,
    y0: f32,
    y1: f32,
}

/// A line of text inside one column.
#[derive(Debug, Clone)]
struct Line {
    x0: f32,
    x1: f32,
    y0: f32,
    y1: f32,
    text: String,
}

impl Line {
    fn center(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
}

/// The columns in use: fields and the x boundaries between them.
#[derive(Debug, Clone)]
struct Columns {
    fields: Vec<Field>,
    labels: Vec<String>,
    /// `boundaries[i]` separates column `i` from column `i + 1`.
    boundaries: Vec<f32>,
}

impl Columns {
    fn of_x(&self, x: f32) -> usize {
        self.boundaries.iter().take_while(|&&b| x >= b).count()
    }

    fn index(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == field)
    }
}

/// A row being built: its lines per column.
#[derive(Debug)]
struct RowLines {
    page: usize,
    columns: Vec<Vec<Line>>,
}

/// Reads the table from the pages of the PDF at `path`.
pub(crate) fn read_table(
    path: &str,
    pages: &[Page],
    options: ReadOptions,
    warnings: &mut Warnings,
) -> Result<PdfTable> {
    let mut columns: Option<Columns> = None;
    let mut title = String::new();
    let mut header_page = 0;
    let mut rows: Vec<RowLines> = Vec::new();
    // The district (or number) blocks of each row, resolved once all rows are known.
    let mut merged: Vec<MergedColumn> = Vec::new();

    let heights: Vec<f32> = pages.iter().map(|p| median(p.words.iter().map(Word::height)).max(1.0)).collect();
    let headers: Vec<Option<Vec<HeaderCell>>> =
        pages.iter().zip(&heights).map(|(page, &height)| find_header(&page.words, height)).collect();
    if headers.iter().all(Option::is_none) {
        let found: String = pages
            .iter()
            .flat_map(|p| p.words.iter())
            .take(12)
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(Error::input(
            Location::file(path),
            format!(
                "no table header (地区医師会名, 事業種別, 事業区分, 事業内容) on any of its {} page(s); found {found:?}",
                pages.len()
            ),
        ));
    }
    for ((page, header), &height) in pages.iter().zip(headers).zip(&heights) {
        if page.words.is_empty() {
            continue;
        }
        let (page_columns, body_top) = match (&header, &columns) {
            (Some(cells), _) => {
                // The body starts under the lowest single-line label; a column's own body starts
                // under its own label (a ○ column's label may wrap over lines beside the first row).
                let body_top = cells.iter().map(|c| c.y1).fold(f32::MAX, f32::min);
                let found = columns_of(cells, &page.words, body_top);
                if columns.is_none() {
                    header_page = page.number;
                    let header_top = cells.iter().map(|c| c.y0).fold(f32::MAX, f32::min);
                    title = page
                        .words
                        .iter()
                        .filter(|w| w.y1 <= header_top + 0.5)
                        .map(|w| w.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                }
                (found, body_top)
            }
            (None, Some(previous)) => (previous.clone(), f32::MIN),
            (None, None) => {
                let found: String =
                    page.words.iter().take(8).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
                unplaced(
                    options,
                    warnings,
                    Location::on_page(path, page.number),
                    format!("no table header on this page before the table starts; found {found:?}"),
                )?;
                continue;
            }
        };
        if let Some(previous) = &columns
            && previous.fields != page_columns.fields
        {
            return Err(Error::input(
                Location::on_page(path, page.number),
                format!(
                    "the columns change from page to page ({} here, {} before); one table per PDF",
                    page_columns.labels.join(" | "),
                    previous.labels.join(" | ")
                ),
            ));
        }
        let header_cells = header.unwrap_or_default();
        let body: Vec<&Word> =
            page.words.iter().filter(|w| !is_in_header(w, &header_cells, &page_columns, body_top)).collect();
        let lines = lines_by_column(&page_columns, &body, height);
        lay_out_page(
            path,
            page.number,
            &page_columns,
            lines,
            body_top,
            height,
            options,
            warnings,
            &mut rows,
            &mut merged,
        )?;
        columns = Some(page_columns);
    }

    let columns = columns.expect("a page has a header (checked above)");
    let cells = cells_of_rows(path, &columns, rows, &merged, options, warnings)?;
    Ok(PdfTable {
        title,
        header: columns.labels.clone(),
        fields: columns.fields.iter().map(|f| Some(*f)).collect(),
        rows: cells,
        header_page,
    })
}

/// The header cells of a page, if it has one naming every required column.
fn find_header(words: &[Word], height: f32) -> Option<Vec<HeaderCell>> {
    let mut order: Vec<&Word> = words.iter().collect();
    order.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
    let mut candidates: Vec<HeaderCell> = Vec::new();
    for (i, start) in order.iter().enumerate() {
        // The label: this word, then words to its right on its line (split labels), then lines
        // below it inside its span (wrapped labels); the longest prefix that names a field wins.
        let mut parts: Vec<&Word> = vec![start];
        let mut best: Option<HeaderCell> = None;
        let try_parts = |parts: &[&Word], best: &mut Option<HeaderCell>| {
            let label: String = parts.iter().map(|w| w.text.as_str()).collect();
            if label.chars().count() > 24 {
                return false;
            }
            if let Some(field) = Field::from_header(&normalize_header(&label)) {
                *best = Some(HeaderCell {
                    field,
                    label,
                    x0: parts.iter().map(|w| w.x0).fold(f32::MAX, f32::min),
                    x1: parts.iter().map(|w| w.x1).fold(f32::MIN, f32::max),
                    y0: parts.iter().map(|w| w.y0).fold(f32::MAX, f32::min),
                    y1: parts.iter().map(|w| w.y1).fold(f32::MIN, f32::max),
                });
            }
            true
        };
        try_parts(&parts, &mut best);
        let mut last = *start;
        for next in &order[i + 1..] {
            if next.y0 > last.y1 + 0.8 * height {
                break;
            }
            // A label that names its field is complete unless a bracket is still open (事業区分
            // wrapped before （実施要綱）): the line under a label is the first row's.
            if best.is_some() && !has_open_bracket(&best_label(&parts)) && !next.text.starts_with(['（', '('])
            {
                break;
            }
            // Words of one label split by a space share a baseline; labels of neighbouring
            // columns centred over different numbers of lines do not.
            let same_line = (next.y0 - last.y0).abs() < 0.25 * height;
            let beside = same_line && next.x0 >= last.x1 - 0.5 && next.x0 - last.x1 < 0.6 * height;
            let below = !same_line
                && next.y0 >= last.y0 + 0.5 * height
                && overlap(next.x0, next.x1, start.x0 - 2.0 * height, start.x1 + 2.0 * height) > 0.0
                && (next.x_center() - start.x_center()).abs() < (start.x1 - start.x0).max(next.x1 - next.x0);
            if !(beside || below) {
                continue;
            }
            parts.push(next);
            last = next;
            if !try_parts(&parts, &mut best) || parts.len() > 6 {
                break;
            }
        }
        if let Some(cell) = best {
            candidates.push(cell);
        }
    }
    // The topmost candidate of each required field sets the header band.
    let required = [Field::District, Field::Program, Field::Categories, Field::Description];
    let mut chosen: Vec<HeaderCell> = Vec::new();
    for field in required {
        let first = candidates.iter().filter(|c| c.field == field).min_by(|a, b| a.y0.total_cmp(&b.y0))?;
        chosen.push(first.clone());
    }
    let top = chosen.iter().map(|c| c.y0).fold(f32::MAX, f32::min);
    let bottom = chosen.iter().map(|c| c.y1).fold(f32::MIN, f32::max);
    if bottom - top > 6.0 * height {
        return None;
    }
    for candidate in &candidates {
        let optional = !required.contains(&candidate.field);
        let in_band = candidate.y0 <= bottom + 0.5 * height && candidate.y1 >= top - 0.5 * height;
        let overlapping = chosen.iter().any(|c| overlap(c.x0, c.x1, candidate.x0, candidate.x1) > 0.0);
        if optional && in_band && !overlapping {
            chosen.push(candidate.clone());
        }
    }
    chosen.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    Some(chosen)
}

fn best_label(parts: &[&Word]) -> String {
    parts.iter().map(|w| w.text.as_str()).collect()
}

fn has_open_bracket(label: &str) -> bool {
    let opened = label.chars().filter(|c| matches!(c, '（' | '(')).count();
    let closed = label.chars().filter(|c| matches!(c, '）' | ')')).count();
    opened > closed
}

/// Columns from the header cells: each boundary in the widest strip between two neighbouring
/// labels that no body word crosses (the midpoint when every strip is crossed).
fn columns_of(cells: &[HeaderCell], words: &[Word], body_top: f32) -> Columns {
    let body: Vec<(f32, f32)> =
        words.iter().filter(|w| (w.y0 + w.y1) / 2.0 > body_top).map(|w| (w.x0, w.x1)).collect();
    let mut boundaries = Vec::with_capacity(cells.len().saturating_sub(1));
    for pair in cells.windows(2) {
        let (from, to) = (pair[0].x1, pair[1].x0);
        let boundary = if to <= from {
            (from + to) / 2.0
        } else {
            widest_gap(&body, from, to).unwrap_or((from + to) / 2.0)
        };
        boundaries.push(boundary);
    }
    Columns {
        fields: cells.iter().map(|c| c.field).collect(),
        labels: cells.iter().map(|c| c.label.clone()).collect(),
        boundaries,
    }
}

/// The middle of the widest sub-interval of `from..to` that no interval of `spans` touches.
fn widest_gap(spans: &[(f32, f32)], from: f32, to: f32) -> Option<f32> {
    let mut inside: Vec<(f32, f32)> =
        spans.iter().filter(|(a, b)| *b > from && *a < to).map(|&(a, b)| (a.max(from), b.min(to))).collect();
    inside.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<(f32, f32)> = None;
    let mut cursor = from;
    for (a, b) in inside.iter().copied().chain(std::iter::once((to, to))) {
        if a > cursor && best.is_none_or(|(lo, hi)| a - cursor > hi - lo) {
            best = Some((cursor, a));
        }
        cursor = cursor.max(b);
    }
    best.map(|(lo, hi)| (lo + hi) / 2.0)
}

/// Whether `word` is part of the header: above the body, or one of the header's own words.
fn is_in_header(word: &Word, cells: &[HeaderCell], columns: &Columns, body_top: f32) -> bool {
    if cells.is_empty() {
        return false;
    }
    let column = columns.of_x(word.x_center());
    let center = (word.y0 + word.y1) / 2.0;
    // Each column's body starts under its own label: a label wrapped over more lines than the
    // others (a ○ column's) holds only its own words.
    center <= body_top
        || cells.iter().any(|c| columns.of_x((c.x0 + c.x1) / 2.0) == column && center <= c.y1 + 0.5)
}

/// The body words of a page as lines, per column; page furniture (`7 / 8`, 資料５－２) dropped.
fn lines_by_column(columns: &Columns, words: &[&Word], height: f32) -> Vec<Vec<Line>> {
    let mut by_column: Vec<Vec<&Word>> = vec![Vec::new(); columns.fields.len()];
    for word in words {
        by_column[columns.of_x(word.x_center())].push(word);
    }
    by_column
        .into_iter()
        .map(|mut words| {
            words.sort_by(|a, b| ((a.y0 + a.y1) / 2.0).total_cmp(&((b.y0 + b.y1) / 2.0)));
            let mut lines: Vec<Vec<&Word>> = Vec::new();
            for word in words {
                match lines.last_mut() {
                    Some(line)
                        if overlap(line[0].y0, line[0].y1, word.y0, word.y1)
                            > 0.5 * line[0].height().min(word.height()) =>
                    {
                        line.push(word)
                    }
                    _ => lines.push(vec![word]),
                }
            }
            lines
                .into_iter()
                .map(|mut words| {
                    words.sort_by(|a, b| a.x0.total_cmp(&b.x0));
                    line_of(&words, height)
                })
                .filter(|line| {
                    !super::pdftotext::is_pattern_furniture(&line.text) || is_row_number(&line.text)
                })
                .collect()
        })
        .collect()
}

fn is_row_number(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && text.chars().count() <= 3
}

/// A line from its words, left to right: a space where the gap between two words is a space's.
fn line_of(words: &[&Word], height: f32) -> Line {
    let mut text = String::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 && word.x0 - words[i - 1].x1 > 0.2 * height {
            text.push(' ');
        }
        text.push_str(word.text.trim());
    }
    Line {
        x0: words.iter().map(|w| w.x0).fold(f32::MAX, f32::min),
        x1: words.iter().map(|w| w.x1).fold(f32::MIN, f32::max),
        y0: words.iter().map(|w| w.y0).fold(f32::MAX, f32::min),
        y1: words.iter().map(|w| w.y1).fold(f32::MIN, f32::max),
        text,
    }
}

/// The lines of a merged-cell column (district, row number) on one page, with the rows' y
/// ranges there, kept until every row is known.
#[derive(Debug)]
struct MergedColumn {
    column: usize,
    /// Index of the page's first row in the document, and each row's (top, bottom) on the page.
    first_row: usize,
    ranges: Vec<(f32, f32)>,
    /// Each row's (top, bottom) for judging where a merged name is centred.
    centring: Vec<(f32, f32)>,
    /// The top of each row's first line of text on the page (its cells' common top when they
    /// are aligned to the top).
    first_tops: Vec<f32>,
    /// The bottom of each row's last line on the page.
    last_bottoms: Vec<f32>,
    blocks: Vec<Line>,
    height: f32,
}

/// Splits one page's lines into rows (appending to `rows`), or continues the last row.
#[allow(clippy::too_many_arguments)]
fn lay_out_page(
    path: &str,
    page: usize,
    columns: &Columns,
    mut lines: Vec<Vec<Line>>,
    body_top: f32,
    height: f32,
    options: ReadOptions,
    warnings: &mut Warnings,
    rows: &mut Vec<RowLines>,
    merged: &mut Vec<MergedColumn>,
) -> Result<()> {
    let program = columns.index(Field::Program).expect("the header has a program column");
    let merged_columns: Vec<usize> =
        [Field::District, Field::DistrictNo].iter().filter_map(|field| columns.index(*field)).collect();
    let leading = leading_of(&lines, height);
    drop_bottom_margin(path, page, &mut lines, Some(program), leading, height, warnings);
    let mut anchors = blocks(&lines[program], leading, height, ends_program);
    // A program cell broken across pages: its second half tops this page and joins the row.
    if let (Some(&(start, end, _, _)), Some(last_row)) = (anchors.first(), rows.last_mut())
        && !program_text(&last_row.columns[program]).ends_with("事業")
    {
        last_row.columns[program].extend(lines[program].drain(start..end));
        anchors.remove(0);
    }
    let anchor_boxes: Vec<(f32, f32)> = anchors.iter().map(|&(_, _, y0, y1)| (y0, y1)).collect();
    let flowing: Vec<&Line> = lines
        .iter()
        .enumerate()
        .filter(|(c, _)| !merged_columns.contains(c))
        .flat_map(|(_, l)| l.iter())
        .collect();
    let min_band = (leading - height).max(0.0) + (0.1 * height).max(1.0);

    // Where this page's rows start: a strip above the first anchor separates the previous row's
    // continuation from it.
    let top_of_first = match anchor_boxes.first() {
        Some(&(y0, _)) => {
            let above: Vec<(f32, f32)> = flowing.iter().filter(|l| l.y0 < y0).map(|l| (l.y0, l.y1)).collect();
            last_band(&above, y0, min_band)
        }
        None => None,
    };
    let continuation_end = match anchor_boxes.first() {
        None => f32::MAX,
        Some(_) => top_of_first.unwrap_or(f32::MIN),
    };
    let page_top = if body_top > f32::MIN { body_top } else { 0.0 };
    let page_bottom = flowing.iter().map(|l| l.y1).fold(page_top, f32::max) + height;
    let mut boundaries = Vec::with_capacity(anchor_boxes.len());
    for pair in anchor_boxes.windows(2) {
        let (from, to) = (pair[0].1, pair[1].0);
        let spans: Vec<(f32, f32)> = flowing.iter().map(|l| (l.y0, l.y1)).collect();
        boundaries.push(if to <= from {
            (from + to) / 2.0
        } else {
            widest_gap(&spans, from, to).unwrap_or((from + to) / 2.0)
        });
    }

    let first_row = rows.len();
    for _ in &anchor_boxes {
        rows.push(RowLines { page, columns: vec![Vec::new(); columns.fields.len()] });
    }
    let row_of = |y: f32| first_row + boundaries.iter().take_while(|&&b| y >= b).count();
    for (column, column_lines) in lines.iter_mut().enumerate() {
        if merged_columns.contains(&column) {
            continue;
        }
        for line in std::mem::take(column_lines) {
            if line.center() < continuation_end {
                match first_row.checked_sub(1) {
                    Some(previous) => rows[previous].columns[column].push(line),
                    None => unplaced(
                        options,
                        warnings,
                        Location::on_page(path, page),
                        format!("{:?} is above the table's first row and belongs to none", line.text),
                    )?,
                }
                continue;
            }
            rows[row_of(line.center())].columns[column].push(line);
        }
    }
    // Merged-cell columns are resolved later against every row's range.
    let mut ranges = Vec::with_capacity(anchor_boxes.len());
    for i in 0..anchor_boxes.len() {
        let top = if i == 0 { continuation_end.max(page_top) } else { boundaries[i - 1] };
        let bottom = boundaries.get(i).copied().unwrap_or(page_bottom);
        ranges.push((top, bottom));
    }
    for &column in &merged_columns {
        let ends = if columns.fields[column] == Field::District { ends_name } else { |_: &str| false };
        let blocks: Vec<Line> = blocks(&lines[column], leading, height, ends)
            .into_iter()
            .map(|(start, end, _, _)| joined(&lines[column][start..end]))
            .collect();
        if anchor_boxes.is_empty() {
            if let Some(block) = blocks.first() {
                unplaced(
                    options,
                    warnings,
                    Location::on_page(path, page),
                    format!("{:?} names a row, but this page has no 事業種別 cell to start one", block.text),
                )?;
            }
            continue;
        }
        let first_tops: Vec<f32> = (first_row..rows.len())
            .map(|r| {
                let top = ranges[r - first_row].0;
                rows[r]
                    .columns
                    .iter()
                    .flatten()
                    .filter(|l| l.center() >= top)
                    .map(|l| l.y0)
                    .fold(f32::MAX, f32::min)
            })
            .collect();
        // A row's tallest cell sets its height, so its first line sits just under the row's
        // top whatever the alignment: the rows a merged name is centred in run from one first
        // line to the next (the text gaps between rows say nothing when rows have blank space).
        let centring: Vec<(f32, f32)> = (0..ranges.len())
            .map(|i| {
                let top = if first_tops[i] < f32::MAX { first_tops[i] } else { ranges[i].0 };
                let bottom = first_tops.get(i + 1).copied().filter(|t| *t < f32::MAX).unwrap_or(ranges[i].1);
                (top, bottom)
            })
            .collect();
        let last_bottoms: Vec<f32> = (first_row..rows.len())
            .map(|r| {
                let (top, bottom) = ranges[r - first_row];
                rows[r]
                    .columns
                    .iter()
                    .flatten()
                    .filter(|l| l.center() >= top && l.center() < bottom)
                    .map(|l| l.y1)
                    .fold(f32::MIN, f32::max)
            })
            .collect();
        merged.push(MergedColumn {
            column,
            first_row,
            ranges: ranges.clone(),
            centring,
            first_tops,
            last_bottoms,
            blocks,
            height,
        });
    }
    Ok(())
}

fn program_text(lines: &[Line]) -> String {
    lines.iter().map(|l| l.text.as_str()).collect::<String>().nfkc().collect()
}

/// Drops what a writer prints in the page's bottom margin (a browser's URL and page number): one
/// line's height of text, far below everything else on the page (more than 1.5 leadings, or one
/// leading when it reaches past the table's width), that
/// does not name an association (a merged name may be drawn low in a row broken across pages).
/// Each dropped line is a warning; anything taller stays, to be placed or refused.
fn drop_bottom_margin(
    path: &str,
    page: usize,
    lines: &mut [Vec<Line>],
    program: Option<usize>,
    leading: f32,
    height: f32,
    warnings: &mut Warnings,
) {
    let mut spans: Vec<(f32, f32)> = lines.iter().flatten().map(|l| (l.y0, l.y1)).collect();
    if spans.len() < 2 {
        return;
    }
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    // The lowest cluster of overlapping lines and the reach of everything above it.
    let mut cluster_top = spans[spans.len() - 1].0;
    for &(y0, y1) in spans.iter().rev().skip(1) {
        if y1 >= cluster_top - 0.5 {
            cluster_top = cluster_top.min(y0);
        } else {
            break;
        }
    }
    let above = spans.iter().filter(|s| s.0 < cluster_top).map(|s| s.1).fold(f32::MIN, f32::max);
    let cluster_bottom = spans.iter().filter(|s| s.0 >= cluster_top).map(|s| s.1).fold(f32::MIN, f32::max);
    let lone_line = cluster_bottom - cluster_top <= 1.5 * height;
    let rest = lines.iter().flatten().filter(|l| l.y0 < cluster_top);
    let (left, right) = rest.fold((f32::MAX, f32::MIN), |(a, b), l| (a.min(l.x0), b.max(l.x1)));
    // Outside the table's own width (a URL in the left margin, a page number in the right).
    let outside = lines
        .iter()
        .flatten()
        .any(|l| l.y0 >= cluster_top && (l.x0 < left - height || l.x1 > right + height));
    let gap = cluster_top - above;
    let far = above > f32::MIN && (gap > 1.5 * leading || (outside && gap > leading));
    // Never a row's own line: a program cell or a name.
    let names = lines.iter().flatten().any(|l| l.y0 >= cluster_top && l.text.ends_with("医師会"))
        || program.is_some_and(|p| lines[p].iter().any(|l| l.y0 >= cluster_top));
    if !(lone_line && far) || names {
        return;
    }
    for column in lines.iter_mut() {
        column.retain(|l| {
            let keep = l.y0 < cluster_top;
            if !keep {
                warnings.push(
                    Location::on_page(path, page),
                    format!("{:?} in the bottom margin dropped (page furniture)", l.text),
                );
            }
            keep
        });
    }
}

/// The typical distance between two lines of one cell: the most frequent pitch between
/// consecutive lines of a column (to 0.1 pt). Lines inside a cell are exactly one leading apart,
/// while pitches across a row boundary vary with the content, so the mode is the leading even
/// where short cells make boundaries outnumber wrapped lines.
fn leading_of(lines: &[Vec<Line>], height: f32) -> f32 {
    let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
    for column in lines {
        for pair in column.windows(2) {
            let pitch = pair[1].y0 - pair[0].y0;
            if pitch > 0.3 * height && pitch < 2.5 * height {
                *counts.entry((pitch * 10.0).round() as i32).or_default() += 1;
            }
        }
    }
    // Neighbouring tenths count together (a pitch of 9.0 may come out as 8.95 or 9.05).
    let score = |key: i32| (key - 1..=key + 1).map(|k| counts.get(&k).copied().unwrap_or(0)).sum::<usize>();
    let best = counts.keys().copied().max_by(|&a, &b| score(a).cmp(&score(b)).then(b.cmp(&a)));
    best.map_or(1.15 * height, |key| key as f32 / 10.0)
}

/// Blocks of consecutive lines a leading apart: (first line, end line, top, bottom). A block
/// whose text so far ends like a whole cell (`ends_cell`: a program ends in 事業, a name in 医師会)
/// also ends at any pitch wider than the leading: tight rows of short cells are only a padding
/// apart.
fn blocks(
    lines: &[Line],
    leading: f32,
    height: f32,
    ends_cell: fn(&str) -> bool,
) -> Vec<(usize, usize, f32, f32)> {
    let mut blocks: Vec<(usize, usize, f32, f32)> = Vec::new();
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        let continues = blocks.last().is_some() && {
            let pitch = line.y0 - lines[i - 1].y0;
            pitch <= leading + 0.3 * height && !(pitch > leading + 0.5 && ends_cell(&text))
        };
        match blocks.last_mut() {
            Some(block) if continues => {
                block.1 = i + 1;
                block.3 = block.3.max(line.y1);
            }
            _ => {
                blocks.push((i, i + 1, line.y0, line.y1));
                text.clear();
            }
        }
        text.extend(line.text.nfkc());
    }
    blocks
}

fn ends_program(text: &str) -> bool {
    text.ends_with("事業")
}

fn ends_name(text: &str) -> bool {
    text.ends_with("医師会")
}

/// The middle of the lowest strip at least `min_band` high between the lines that start above
/// `limit` (the first anchor's top), or between them and the anchor, if any: lines that reach
/// the anchor without such a strip belong to its row.
fn last_band(spans: &[(f32, f32)], limit: f32, min_band: f32) -> Option<f32> {
    let mut spans = spans.to_vec();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut reach = f32::MIN;
    let mut band = None;
    for &(y0, y1) in &spans {
        if reach > f32::MIN && y0 - reach >= min_band {
            band = Some((reach + y0) / 2.0);
        }
        reach = reach.max(y1);
    }
    if reach > f32::MIN && limit - reach >= min_band {
        band = Some((reach + limit) / 2.0);
    }
    band
}

/// Lines of one cell as one line (for merged-cell names).
fn joined(lines: &[Line]) -> Line {
    Line {
        x0: lines.iter().map(|l| l.x0).fold(f32::MAX, f32::min),
        x1: lines.iter().map(|l| l.x1).fold(f32::MIN, f32::max),
        y0: lines.iter().map(|l| l.y0).fold(f32::MAX, f32::min),
        y1: lines.iter().map(|l| l.y1).fold(f32::MIN, f32::max),
        text: lines.iter().map(|l| l.text.as_str()).collect(),
    }
}

/// Each row's cells as text, merged-cell columns resolved.
fn cells_of_rows(
    path: &str,
    columns: &Columns,
    rows: Vec<RowLines>,
    merged: &[MergedColumn],
    options: ReadOptions,
    warnings: &mut Warnings,
) -> Result<Vec<PdfRow>> {
    let mut names: Vec<Vec<Option<String>>> = vec![vec![None; columns.fields.len()]; rows.len()];
    // How names sit in their cells is a property of the document, not of a page: votes from
    // every page decide, per column.
    let owners: Vec<Vec<Option<usize>>> = merged.iter().map(owners_of).collect();
    let mut votes: std::collections::BTreeMap<usize, [usize; 3]> = std::collections::BTreeMap::new();
    for (column, owner) in merged.iter().zip(&owners) {
        let page_votes = alignment_votes(column, owner);
        let total = votes.entry(column.column).or_default();
        for (sum, vote) in total.iter_mut().zip(page_votes) {
            *sum += vote;
        }
    }
    for (column, owner) in merged.iter().zip(&owners) {
        let resolved = resolve_merged(column, owner, alignment_of(votes[&column.column]));
        for (offset, name) in resolved.into_iter().enumerate() {
            names[column.first_row + offset][column.column] = name;
        }
    }
    // A row still without a name takes the one above (a name written once, at the top).
    for r in 1..names.len() {
        let (before, after) = names.split_at_mut(r);
        for (c, name) in after[0].iter_mut().enumerate() {
            if name.is_none() && merged.iter().any(|m| m.column == c) {
                name.clone_from(&before[r - 1][c]);
            }
        }
    }
    let district = columns.index(Field::District).expect("the header has a district column");
    let mut out = Vec::with_capacity(rows.len());
    for (r, row) in rows.into_iter().enumerate() {
        let mut cells = Vec::with_capacity(columns.fields.len());
        for (c, field) in columns.fields.iter().enumerate() {
            let lines = &row.columns[c];
            let text = match field {
                Field::District | Field::DistrictNo => names[r][c].clone().unwrap_or_default(),
                Field::Categories => categories_text(lines),
                Field::Description => description_text(lines),
                _ => lines.iter().map(|l| l.text.as_str()).collect(),
            };
            cells.push(text);
        }
        if cells[district].is_empty() {
            unplaced(
                options,
                warnings,
                Location::on_page(path, row.page),
                format!("a row ({:?}…) has no 地区医師会名 and none above it", preview(&cells)),
            )?;
        }
        // A number printed in the name's cell (a table without a No. column) is not the name.
        let name =
            cells[district].trim_start_matches(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
        cells[district] = name.trim().to_owned();
        out.push(PdfRow { cells, page: row.page });
    }
    Ok(out)
}

fn preview(cells: &[String]) -> String {
    cells.iter().find(|c| !c.is_empty()).map(|c| c.chars().take(20).collect()).unwrap_or_default()
}

/// Which block names each row of a page by position alone (none where no block is in the row).
fn owners_of(column: &MergedColumn) -> Vec<Option<usize>> {
    let ranges = &column.ranges;
    let mut owner: Vec<Option<usize>> = vec![None; ranges.len()];
    for (b, block) in column.blocks.iter().enumerate() {
        for (r, &(top, bottom)) in ranges.iter().enumerate() {
            // The page's last row reaches the foot of the page: a merged cell continued on the
            // next page may be drawn below the row's text.
            let bottom = if r + 1 == ranges.len() { f32::MAX } else { bottom };
            let shared = overlap(block.y0, block.y1, top, bottom);
            if shared > 0.25 * (block.y1 - block.y0).max(0.1)
                || (block.center() >= top && block.center() < bottom)
            {
                owner[r] = Some(b);
            }
        }
    }
    owner
}

/// Which name each row of a page gets from a merged-cell column, given who owns what by
/// position and how the document aligns names.
fn resolve_merged(
    column: &MergedColumn,
    owner: &[Option<usize>],
    alignment: Alignment,
) -> Vec<Option<String>> {
    let ranges = &column.ranges;
    let mut names: Vec<Option<String>> =
        owner.iter().map(|o| o.map(|b| column.blocks[b].text.clone())).collect();
    // A row without a name of its own takes the name below when that name sits centred over both
    // rows (a merged cell, vertically centred, drawn inside its second row) better than the name
    // above sits centred over the row above and this one. In the page's last row, a name level
    // with the row's first line starts its row: a merged cell broken across pages is drawn at
    // the top of its first part.
    let sole_owner = |r: usize| -> Option<usize> {
        let b = owner.get(r).copied().flatten()?;
        (owner.iter().filter(|o| **o == Some(b)).count() == 1).then_some(b)
    };
    for r in 0..ranges.len() {
        if names[r].is_some() {
            continue;
        }
        let Some(below) = sole_owner(r + 1) else { continue };
        let block = &column.blocks[below];
        match alignment {
            Alignment::Top => continue,
            Alignment::Bottom => {
                names[r] = Some(block.text.clone());
                continue;
            }
            Alignment::Middle => {}
        }
        let last_on_page = r + 2 == ranges.len();
        if last_on_page && (block.y0 - column.first_tops[r + 1]).abs() < 0.1 * column.height {
            continue;
        }
        let span = &column.centring;
        let below_miss = ((span[r].0 + span[r + 1].1) / 2.0 - block.center()).abs();
        let own_miss = ((span[r + 1].0 + span[r + 1].1) / 2.0 - block.center()).abs();
        let above_miss = r.checked_sub(1).and_then(sole_owner).map_or(f32::MAX, |above| {
            ((span[r - 1].0 + span[r].1) / 2.0 - column.blocks[above].center()).abs()
        });
        if below_miss < own_miss && below_miss < above_miss {
            names[r] = Some(block.text.clone());
        }
    }
    names
}

/// How a merged-cell column places its names in their cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alignment {
    Top,
    Middle,
    Bottom,
}

/// The page's votes (top, middle, bottom) on how names sit: level with the first line of the
/// first row they name (top), with the last line of the last (bottom), or neither (middle). A
/// majority over the document decides, so a middle name that happens to sit level with a line
/// does not.
fn alignment_votes(column: &MergedColumn, owner: &[Option<usize>]) -> [usize; 3] {
    let (mut top, mut bottom, mut middle) = (0, 0, 0);
    let tolerance = 0.1 * column.height;
    for (b, name) in column.blocks.iter().enumerate() {
        let rows: Vec<usize> = (0..owner.len()).filter(|&r| owner[r] == Some(b)).collect();
        let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else { continue };
        let at_top = (name.y0 - column.first_tops[first]).abs() < tolerance;
        let at_bottom = (column.last_bottoms[last] - name.y1).abs() < tolerance;
        match (at_top, at_bottom) {
            (true, false) => top += 1,
            (false, true) => bottom += 1,
            (false, false) => middle += 1,
            (true, true) => {}
        }
    }
    [top, middle, bottom]
}

/// The alignment the votes (top, middle, bottom) give; middle unless one side wins outright.
fn alignment_of([top, middle, bottom]: [usize; 3]) -> Alignment {
    if top > bottom && top > middle {
        Alignment::Top
    } else if bottom > top && bottom > middle {
        Alignment::Bottom
    } else {
        Alignment::Middle
    }
}

/// 事業区分 lines: a line starting with a circled number starts a category; any other line
/// continues the one before.
fn categories_text(lines: &[Line]) -> String {
    let mut text = String::new();
    for line in lines {
        let starts_item = line.text.chars().next().is_some_and(|c| ('\u{2460}'..='\u{2473}').contains(&c));
        if starts_item && !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line.text);
    }
    text
}

/// 事業内容 lines joined as the record contract says: no separator, `\n` before a `・` bullet; a
/// space where a Latin word ended a line that had room for more (the line broke at a space).
fn description_text(lines: &[Line]) -> String {
    let right = lines.iter().map(|l| l.x1).fold(f32::MIN, f32::max);
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let previous = &lines[i - 1];
            let height = previous.y1 - previous.y0;
            let ends_latin = text.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
            let starts_latin = line.text.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
            if line.text.starts_with('・') {
                text.push('\n');
            } else if ends_latin && starts_latin && previous.x1 < right - 1.5 * height {
                text.push(' ');
            }
        }
        text.push_str(&line.text);
    }
    text
}

fn overlap(a0: f32, a1: f32, b0: f32, b1: f32) -> f32 {
    (a1.min(b1) - a0.max(b0)).max(0.0)
}

fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut values: Vec<f32> = values.collect();
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}
