//! Reads records from CSV with a header row (Japanese or English column names).
//!
//! Required columns: district, program, categories, description (地区医師会名, 事業種別, 事業区分,
//! 事業内容). Optional: id, fiscal_year (年度), district_no, marks (a count, or ○ cells, including
//! the table's two ○ columns), notes. A missing required column is an error; an unknown column,
//! a row with too few or too many cells, or an unreadable cell is a warning naming the line, and
//! the run goes on.

use unicode_normalization::UnicodeNormalization;

use super::{fiscal_year, split_categories, split_notes};
use crate::columns::{self, Field};
use crate::error::{Error, Location, Result, Warnings};
use crate::model::Record;

const REQUIRED: [Field; 4] = [Field::District, Field::Program, Field::Categories, Field::Description];

/// Whether `text` starts with a CSV header this reader understands.
pub(crate) fn looks_like_csv(text: &str) -> bool {
    let first_line = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(first_line.as_bytes());
    let Some(Ok(header)) = reader.records().next() else { return false };
    header.len() >= 2
        && header.iter().any(|cell| Field::from_header(&normalize_header(cell)) == Some(Field::Description))
}

/// A record read from CSV, with the fiscal year its row states (if any).
pub(crate) struct CsvRecord {
    pub record: Record,
    pub year_in_column: Option<u16>,
}

/// The field each header cell names; an error when two cells fill one field or a required field
/// has no column, naming `location` (the header's line, sheet or page) and the `format`.
pub(crate) fn fields_of_header(
    location: &Location,
    cells: &[&str],
    format: &str,
    warnings: &mut Warnings,
) -> Result<Vec<Option<Field>>> {
    let mut fields: Vec<Option<Field>> = Vec::with_capacity(cells.len());
    for cell in cells {
        let field = Field::from_header(&normalize_header(cell));
        if field.is_none() && !cell.trim().is_empty() {
            warnings.push(location.clone(), format!("unknown column {cell:?} ignored"));
        }
        if field.is_some()
            && !matches!(field, Some(Field::MarkColumn | Field::Derived))
            && fields.contains(&field)
        {
            return Err(Error::input(
                location.clone(),
                format!("two columns fill {:?}; keep one", field.map(Field::key).unwrap_or("")),
            ));
        }
        fields.push(field);
    }
    let missing: Vec<&str> =
        REQUIRED.iter().filter(|field| !fields.contains(&Some(**field))).map(|field| field.key()).collect();
    if !missing.is_empty() {
        return Err(Error::input(
            location.clone(),
            format!(
                "{format} header lacks required column(s) {} (Japanese: 地区医師会名, 事業種別, 事業区分, 事業内容)",
                missing.join(", ")
            ),
        ));
    }
    Ok(fields)
}

/// Whether a header row names every required column (how a sheet's or page's header is found).
pub(crate) fn names_required_columns<'c>(cells: impl IntoIterator<Item = &'c str>) -> bool {
    let fields: Vec<Field> =
        cells.into_iter().filter_map(|cell| Field::from_header(&normalize_header(cell))).collect();
    REQUIRED.iter().all(|field| fields.contains(field))
}

/// Reads every row of the CSV `text` read from `path`.
pub(crate) fn parse(path: &str, text: &str, warnings: &mut Warnings) -> Result<Vec<CsvRecord>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Error::input(Location::at(path, 1), format!("unreadable CSV header: {e}")))?
        .clone();
    let cells: Vec<&str> = header.iter().collect();
    let fields = fields_of_header(&Location::at(path, 1), &cells, "CSV", warnings)?;

    let mut records = Vec::new();
    let mut row = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                return Err(Error::input(Location::at(path, line), format!("unreadable CSV: {e}")));
            }
        }
        let line = row.position().map_or(line, |p| line_at(text, p.byte() as usize));
        let location = Location::at(path, line);
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if row.len() < fields.len() {
            warnings.push(
                location,
                format!("row has {} cells, the header {}; row skipped", row.len(), fields.len()),
            );
            continue;
        }
        if row.len() > fields.len() {
            warnings.push(
                location.clone(),
                format!("row has {} cells, the header {}; extra cells ignored", row.len(), fields.len()),
            );
        }
        if let Some(record) = parse_row(&fields, row.iter(), location, warnings) {
            records.push(record);
        }
    }
    Ok(records)
}

/// One row's cells (in header order) as a record; `None`, with a warning, for a row with no
/// description.
pub(crate) fn parse_row<'c>(
    fields: &[Option<Field>],
    row: impl IntoIterator<Item = &'c str>,
    location: Location,
    warnings: &mut Warnings,
) -> Option<CsvRecord> {
    let mut record = Record {
        id: String::new(),
        fiscal_year: None,
        district_no: None,
        district: None,
        program: None,
        categories: Vec::new(),
        marks: 0,
        description: String::new(),
        notes: Vec::new(),
        source: Some(location.clone()),
    };
    let mut year_in_column = None;
    let non_empty = |cell: &str| Some(cell.trim()).filter(|c| !c.is_empty()).map(str::to_owned);
    for (field, cell) in fields.iter().zip(row) {
        let Some(field) = field else { continue };
        match field {
            Field::Id => record.id = cell.trim().to_owned(),
            Field::FiscalYear => {
                if !cell.trim().is_empty() {
                    year_in_column = fiscal_year::from_value(cell);
                    if year_in_column.is_none() {
                        warnings.push(location.clone(), format!("unreadable fiscal year {cell:?} ignored"));
                    }
                }
            }
            Field::DistrictNo => match cell.trim() {
                "" => {}
                number => match number.nfkc().collect::<String>().parse() {
                    Ok(number) => record.district_no = Some(number),
                    Err(_) => {
                        warnings.push(location.clone(), format!("unreadable district_no {number:?} ignored"))
                    }
                },
            },
            Field::District => record.district = non_empty(cell),
            Field::Program => record.program = non_empty(cell).map(|p| p.nfkc().collect()),
            Field::Categories => record.categories = split_categories(cell),
            Field::Notes => record.notes = split_notes(cell),
            Field::Marks => match parse_marks(cell) {
                Some(marks) => record.marks += marks,
                None => warnings.push(location.clone(), format!("unreadable marks {cell:?} ignored")),
            },
            Field::MarkColumn => record.marks += count_circles(cell),
            Field::Description => record.description = cell.trim().replace("\r\n", "\n"),
            Field::Derived => {}
        }
    }
    if record.description.is_empty() {
        warnings.push(location, format!("row has an empty {} cell; row skipped", columns::DESCRIPTION));
        return None;
    }
    Some(CsvRecord { record, year_in_column })
}

/// A marks cell: a number, or ○ characters, or empty.
fn parse_marks(cell: &str) -> Option<u32> {
    let cell: String = cell.nfkc().collect();
    let cell = cell.trim();
    if cell.is_empty() {
        return Some(0);
    }
    if let Ok(number) = cell.parse() {
        return Some(number);
    }
    let circles = count_circles(cell);
    (circles > 0 && cell.chars().all(|c| c == '○' || c == '◯' || c.is_whitespace())).then_some(circles)
}

fn count_circles(cell: &str) -> u32 {
    cell.chars().filter(|&c| c == '○' || c == '◯').count() as u32
}

/// The 1-based line where a record starting at `byte` begins. csv's own line counter is one
/// behind after a CRLF (it sees `\r` as the terminator and counts the `\n` with the next record),
/// so the line is counted here, past any line break the offset points at.
fn line_at(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = byte.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    bytes[..start].iter().filter(|&&b| b == b'\n').count() + 1
}

pub(crate) fn normalize_header(cell: &str) -> String {
    cell.nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_start_matches('\u{FEFF}')
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_header_with_mark_columns_and_multiline_cells() {
        let text = "地区医師会名,事業種別,事業区分（実施要綱）,令和７年度事業内容,往診を支援する事業者との連携,WEBシステムの構築等\r\n\
                    中野区医師会,24時間診療体制推進事業,\"①往診支援事業者連携\r\n②かかりつけ医連携\",\"・当番医制を敷いた。\r\n・MCSを導入した。\",○,○\r\n";
        let mut warnings = Warnings::default();
        let records = parse("a.csv", text, &mut warnings).unwrap();
        assert!(warnings.is_empty(), "{warnings}");
        let record = &records[0].record;
        assert_eq!(record.categories, ["①往診支援事業者連携", "②かかりつけ医連携"]);
        assert_eq!(record.description, "・当番医制を敷いた。\n・MCSを導入した。");
        assert_eq!(record.marks, 2);
        assert_eq!(record.source, Some(Location::at("a.csv", 2)));
    }

    #[test]
    fn missing_required_column_is_an_error() {
        let mut warnings = Warnings::default();
        let error = parse("b.csv", "district,description\nA,B\n", &mut warnings).err().unwrap();
        assert_eq!(
            error.to_string(),
            "b.csv:1: CSV header lacks required column(s) program, categories (Japanese: 地区医師会名, 事業種別, 事業区分, 事業内容)"
        );
    }

    #[test]
    fn short_rows_and_unknown_columns_are_warnings() {
        let text = "district,program,categories,description,color\nA,P,①X,text,red\nB,P\n";
        let mut warnings = Warnings::default();
        let records = parse("c.csv", text, &mut warnings).unwrap();
        assert_eq!(records.len(), 1);
        let messages: Vec<String> = warnings.as_slice().iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "c.csv:1: unknown column \"color\" ignored",
                "c.csv:3: row has 2 cells, the header 5; row skipped"
            ]
        );
    }
}
