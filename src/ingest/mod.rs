//! Ingest: files → [`Record`]s.
//!
//! Three formats, chosen by content (the extension only breaks ties): pdftotext output of the
//! program table, CSV with a header row, and JSON (array or JSON Lines). Text is decoded as UTF-8
//! or Shift_JIS without being told which.
//!
//! Every record gets a fiscal year where one can be found: a table's title line wins, else the
//! file name (`r06_…` → 2024), else the record's own column; disagreements are warnings. Ids are
//! `YEAR-NNN` in document order (`STEM-NNN` without a year) unless the input gives one; the same id
//! twice among the inputs of one run is an error naming both places.
//!
//! What can fail: unreadable files, empty or binary files, bad encodings, malformed JSON, a CSV
//! without a required column, text that is not the table. Each error names the file and line.
//! Recoverable problems are [`Warnings`].

mod csv_input;
mod decode;
pub(crate) mod fiscal_year;
mod json_input;
mod layout;
mod pdf;
mod pdftotext;
mod sheet;
mod stream;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Location, Result, Warnings};
use crate::model::Record;

pub use decode::Encoding;
pub use stream::{RecordBatches, batches};

/// The input formats ingest understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Format {
    /// pdftotext output (default mode) of the program table.
    TableText,
    /// CSV with a header row.
    Csv,
    /// JSON array or JSON Lines.
    Json,
    /// The published PDF itself, read from its words' positions.
    Pdf,
    /// A workbook: `.xlsx`, `.xls` or `.ods`.
    Workbook,
}

impl Format {
    /// A short name for summaries.
    pub fn name(self) -> &'static str {
        match self {
            Format::TableText => "table text",
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::Pdf => "PDF",
            Format::Workbook => "workbook",
        }
    }
}

/// What was read from one input.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Input {
    /// The path as given, or `<stdin>`.
    pub path: String,
    /// The detected format.
    pub format: Format,
    /// The detected encoding.
    pub encoding: Encoding,
    /// The fiscal year of the file (title or file name), if it has one.
    pub fiscal_year: Option<u16>,
    /// How many records it gave.
    pub num_records: usize,
}

/// Records read from one or more inputs, with what was read and the warnings raised.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    /// Records in input order, then document order.
    pub records: Vec<Record>,
    /// One entry per input.
    pub inputs: Vec<Input>,
    /// Recoverable problems, in the order found.
    pub warnings: Warnings,
}

/// How ingest treats text it cannot place in the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Text the parser cannot place (a row without a district, a cell outside every column, a
    /// page with text but no row) is an error by default; lenient makes it a warning and reads
    /// what can be placed.
    pub lenient: bool,
}

/// A placement problem: an error naming where, or with `lenient` a warning.
pub(crate) fn unplaced(
    options: ReadOptions,
    warnings: &mut Warnings,
    location: Location,
    message: impl Into<String>,
) -> Result<()> {
    let message = message.into();
    if options.lenient {
        warnings.push(location, format!("{message}; skipped (--lenient)"));
        Ok(())
    } else {
        Err(Error::input(location, format!("{message} (--lenient reads what can be placed, with a warning)")))
    }
}

/// Reads one file, or standard input (read whole, named `<stdin>`) when `path` is `-`.
pub(crate) fn read_path_or_stdin(path: &Path, options: ReadOptions) -> Result<Ingested> {
    if path != Path::new("-") {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        return read_bytes_with(&path.display().to_string(), &bytes, options);
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
        .map_err(|e| Error::io(Path::new("<stdin>"), e))?;
    read_bytes_with("<stdin>", &bytes, options)
}

/// Reads one file.
pub fn read(path: &Path) -> Result<Ingested> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    read_bytes(&path.display().to_string(), &bytes)
}

/// Reads every file in `paths` (`-` is standard input) and checks that ids are unique.
pub fn read_all(paths: &[impl AsRef<Path>]) -> Result<Ingested> {
    read_all_with(paths, ReadOptions::default())
}

/// [`read_all`] with `options`.
pub fn read_all_with(paths: &[impl AsRef<Path>], options: ReadOptions) -> Result<Ingested> {
    let mut all = Ingested::default();
    for path in paths {
        let one = read_path_or_stdin(path.as_ref(), options)?;
        all.records.extend(one.records);
        all.inputs.extend(one.inputs);
        all.warnings.extend(one.warnings);
    }
    check_unique_ids(&all.records)?;
    Ok(all)
}

/// Reads one input already in memory; `name` is its path for messages and the file-name year.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<Ingested> {
    read_bytes_with(name, bytes, ReadOptions::default())
}

/// [`read_bytes`] with `options`.
pub fn read_bytes_with(name: &str, bytes: &[u8], options: ReadOptions) -> Result<Ingested> {
    if pdf::is_pdf(bytes) || sheet::is_workbook(bytes) {
        return read_binary(name, bytes, options);
    }
    let (text, encoding) = decode::decode(name, bytes)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let format = detect_format(name, text);
    let mut warnings = Warnings::default();
    let file_name = Path::new(name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let year_from_name = fiscal_year::from_file_name(&file_name);

    let (file_year, records) = match format {
        Format::TableText => {
            let table = pdftotext::parse(name, text, options, &mut warnings)?;
            let year = match (table.title_year, year_from_name) {
                (Some(title), Some(named)) if title != named => {
                    warnings.push(
                        Location::at(name, 1),
                        format!("the title says fiscal year {title}, the file name {named}; using {title}"),
                    );
                    Some(title)
                }
                (title, named) => title.or(named),
            };
            let records = table.records.into_iter().map(|r| (r, None)).collect::<Vec<_>>();
            (year, records)
        }
        Format::Csv => {
            let mut rows = csv_input::parse(name, text, &mut warnings)?;
            if rows.iter().all(|row| row.record.district_no.is_none()) {
                number_districts(rows.iter_mut().map(|row| &mut row.record));
            }
            (year_from_name, rows.into_iter().map(|r| (r.record, r.year_in_column)).collect())
        }
        Format::Json => {
            let rows = json_input::parse(name, text, &mut warnings)?;
            (year_from_name, rows.into_iter().map(|r| (r.record, r.year_in_column)).collect())
        }
        Format::Pdf | Format::Workbook => unreachable!("binary formats are read by read_binary"),
    };
    finish(name, format, encoding, file_year, records, warnings)
}

/// A PDF or a workbook: rows from the page layout or the sheet, then the same record checks.
fn read_binary(name: &str, bytes: &[u8], options: ReadOptions) -> Result<Ingested> {
    let mut warnings = Warnings::default();
    let file_name = Path::new(name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let year_from_name = fiscal_year::from_file_name(&file_name);
    let (format, title_year, rows) = if pdf::is_pdf(bytes) {
        let pages = pdf::read_pages(name, bytes)?;
        let table = layout::read_table(name, &pages, options, &mut warnings)?;
        let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
        let fields = csv_input::fields_of_header(
            &Location::on_page(name, table.header_page),
            &header,
            "PDF table",
            &mut warnings,
        )?;
        debug_assert_eq!(fields, table.fields);
        let mut rows = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let location = Location::on_page(name, row.page);
            if let Some(record) = csv_input::parse_row(
                &fields,
                row.cells.iter().map(String::as_str),
                location.clone(),
                &mut warnings,
            ) {
                rows.push(record);
            } else {
                unplaced(options, &mut warnings, location, "a row with no 事業内容 text")?;
            }
        }
        (Format::Pdf, fiscal_year::from_title(&table.title), rows)
    } else {
        let table = sheet::read(name, bytes, &mut warnings)?;
        (Format::Workbook, table.title_year, table.records)
    };
    let file_year = match (title_year, year_from_name) {
        (Some(title), Some(named)) if title != named => {
            warnings.push(
                Location::file(name),
                format!("the title says fiscal year {title}, the file name {named}; using {title}"),
            );
            Some(title)
        }
        (title, named) => title.or(named),
    };
    let mut rows = rows;
    if rows.iter().all(|row| row.record.district_no.is_none()) {
        number_districts(rows.iter_mut().map(|row| &mut row.record));
    }
    let records = rows.into_iter().map(|r| (r.record, r.year_in_column)).collect();
    finish(name, format, Encoding::Utf8, file_year, records, warnings)
}

/// Years, ids and the checks every format shares.
fn finish(
    name: &str,
    format: Format,
    encoding: Encoding,
    file_year: Option<u16>,
    mut records: Vec<(Record, Option<u16>)>,
    mut warnings: Warnings,
) -> Result<Ingested> {
    let mut numbering = Numbering::new(name, file_year);
    for (record, year_in_column) in &mut records {
        numbering.assign(record, *year_in_column, &mut warnings);
    }
    let records: Vec<Record> = records.into_iter().map(|(record, _)| record).collect();
    if records.is_empty() {
        return Err(Error::input(
            Location::file(name),
            format!("no records found in this {} input", format.name()),
        ));
    }
    check_unique_ids(&records)?;
    let input =
        Input { path: name.to_owned(), format, encoding, fiscal_year: file_year, num_records: records.len() };
    Ok(Ingested { records, inputs: vec![input], warnings })
}

/// Gives records their fiscal year and, where the input has none, an id (`YEAR-NNN`, or
/// `STEM-NNN` without a year), counting per year in document order.
struct Numbering {
    name: String,
    stem: String,
    file_year: Option<u16>,
    counters: BTreeMap<Option<u16>, usize>,
}

impl Numbering {
    fn new(name: &str, file_year: Option<u16>) -> Self {
        let stem = Path::new(name).file_stem().map(|s| s.to_string_lossy().into_owned());
        let stem = stem.filter(|s| !s.is_empty()).unwrap_or_else(|| "stdin".to_owned());
        Self { name: name.to_owned(), stem, file_year, counters: BTreeMap::new() }
    }

    fn assign(&mut self, record: &mut Record, year_in_column: Option<u16>, warnings: &mut Warnings) {
        record.fiscal_year = match (self.file_year, year_in_column) {
            (Some(file), Some(column)) if file != column => {
                let location = record.source.clone().unwrap_or_else(|| Location::file(self.name.as_str()));
                warnings.push(
                    location,
                    format!("the record says fiscal year {column}, the file {file}; using {file}"),
                );
                Some(file)
            }
            (file, column) => file.or(column),
        };
        let counter = self.counters.entry(record.fiscal_year).or_default();
        *counter += 1;
        if record.id.is_empty() {
            record.id = match record.fiscal_year {
                Some(year) => format!("{year}-{counter:03}"),
                None => format!("{}-{counter:03}", self.stem),
            };
        }
    }
}

/// Content first: JSON starts with `[` or `{`, CSV with a header naming a description column,
/// the table with an association line followed by a program cell. The extension breaks ties.
fn detect_format(name: &str, text: &str) -> Format {
    let trimmed = text.trim_start();
    let extension = Path::new(name).extension().map(|e| e.to_string_lossy().to_lowercase());
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        return Format::Json;
    }
    if csv_input::looks_like_csv(trimmed) {
        return Format::Csv;
    }
    if pdftotext::looks_like_table(text) {
        return Format::TableText;
    }
    match extension.as_deref() {
        Some("csv" | "tsv") => Format::Csv,
        Some("json" | "jsonl" | "ndjson") => Format::Json,
        _ => Format::TableText,
    }
}

/// Numbers districts in order of first appearance, as the table does (a CSV of the table has no
/// number column).
fn number_districts<'r>(records: impl Iterator<Item = &'r mut Record>) {
    let mut numbers: BTreeMap<String, u32> = BTreeMap::new();
    for record in records {
        if let Some(district) = &record.district {
            let next = numbers.len() as u32 + 1;
            record.district_no = Some(*numbers.entry(district.clone()).or_insert(next));
        }
    }
}

/// Fails when two records share an id, naming both places.
pub fn check_unique_ids<'a>(records: impl IntoIterator<Item = &'a Record>) -> Result<()> {
    let mut seen: BTreeMap<&str, &Record> = BTreeMap::new();
    for record in records {
        if let Some(first) = seen.insert(&record.id, record) {
            let here = record.source.clone().unwrap_or_else(|| Location::file("?"));
            let there = first.source.as_ref().map_or_else(|| "?".to_owned(), ToString::to_string);
            return Err(Error::input(
                here,
                format!(
                    "record id {:?} is already used at {there}; ids must be unique across the inputs of a run",
                    record.id
                ),
            ));
        }
    }
    Ok(())
}

/// Splits a 事業区分 cell into categories: at line breaks, `;`, `|`, and before each circled
/// number that does not start the cell.
pub(crate) fn split_categories(cell: &str) -> Vec<String> {
    let mut categories = Vec::new();
    for part in cell.split(['\n', '\r', ';', '；', '|']) {
        let mut current = String::new();
        for c in part.trim().chars() {
            let circled = ('\u{2460}'..='\u{2473}').contains(&c);
            if circled && !current.trim().is_empty() {
                categories.push(current.trim().to_owned());
                current.clear();
            }
            current.push(c);
        }
        if !current.trim().is_empty() {
            categories.push(current.trim().to_owned());
        }
    }
    categories
}

/// Splits a notes cell at line breaks.
pub(crate) fn split_notes(cell: &str) -> Vec<String> {
    cell.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_split_at_breaks_and_circled_numbers() {
        assert_eq!(
            split_categories("①往診支援事業者連携\n②かかりつけ医連携"),
            ["①往診支援事業者連携", "②かかりつけ医連携"]
        );
        assert_eq!(
            split_categories("①継続的な健康観察②オンライン診療／健康相談"),
            ["①継続的な健康観察", "②オンライン診療／健康相談"]
        );
        assert!(split_categories("  ").is_empty());
    }

    #[test]
    fn format_is_chosen_by_content() {
        assert_eq!(detect_format("x.txt", "[{\"text\": \"a\"}]"), Format::Json);
        assert_eq!(detect_format("x.txt", "district,program,categories,description\n"), Format::Csv);
        assert_eq!(detect_format("x.csv", "中野区医師会\n24時間診療体制\n推進事業\n"), Format::TableText);
    }
}

/// Line endings for [`write_csv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`, what Excel writes.
    CrLf,
}

/// Writes records as CSV with the English headers `read` understands, in UTF-8 (with BOM) or
/// Shift_JIS. Shift_JIS cannot hold every character (U+2003, most emoji …): such a record is
/// refused with its id and the character, never written with a substitute.
pub fn write_csv(
    records: &[Record],
    encoding: Encoding,
    line_ending: LineEnding,
) -> std::result::Result<Vec<u8>, String> {
    let terminator = match line_ending {
        LineEnding::Lf => csv::Terminator::Any(b'\n'),
        LineEnding::CrLf => csv::Terminator::CRLF,
    };
    let mut writer = csv::WriterBuilder::new().terminator(terminator).from_writer(Vec::new());
    let header =
        ["id", "fiscal_year", "district_no", "district", "program", "categories", "marks", "description"];
    writer.write_record(header).map_err(|e| e.to_string())?;
    for r in records {
        let row = [
            r.id.clone(),
            r.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            r.district_no.map(|n| n.to_string()).unwrap_or_default(),
            r.district.clone().unwrap_or_default(),
            r.program.clone().unwrap_or_default(),
            r.categories.join("\n"),
            r.marks.to_string(),
            r.description.clone(),
        ];
        writer.write_record(&row).map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    match encoding {
        Encoding::Utf8 => Ok([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
        Encoding::ShiftJis => {
            for r in records {
                let fields =
                    [&r.description, r.district.as_deref().unwrap_or(""), r.program.as_deref().unwrap_or("")];
                for c in
                    fields.iter().flat_map(|f| f.chars()).chain(r.categories.iter().flat_map(|c| c.chars()))
                {
                    let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut [0; 4]));
                    if unmappable {
                        return Err(format!(
                            "record {}: Shift_JIS cannot hold {c:?} (U+{:04X})",
                            r.id, c as u32
                        ));
                    }
                }
            }
            Ok(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
        }
    }
}
