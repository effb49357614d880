//! Reads the table from a workbook (`.xlsx`, `.xls`, `.ods`) with calamine, the pure-Rust reader
//! of all three.
//!
//! The table's sheet is the first whose first rows hold a header naming every required column
//! (the same Japanese or English headers as CSV), so a title row, blank rows or a notes sheet
//! before it do not matter. A merged cell gives its value to every cell it covers (a district name
//! merged over its rows names each of them; `.ods` files do not expose merges, so there a blank
//! district cell takes the name above, as it does in every format here). The year comes from a
//! 年度 column, else a 令和N年度 in the rows above the header, else the file name.

use std::io::Cursor;

use calamine::{Data, Dimensions, Ods, Range, Reader, Xls, Xlsx};

use super::csv_input::{self, CsvRecord};
use super::fiscal_year;
use crate::columns::Field;
use crate::error::{Error, Location, Result, Warnings};

/// How many rows from the top of a sheet are searched for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// What a workbook gave: the title's year and the rows as records.
pub(crate) struct SheetTable {
    pub title_year: Option<u16>,
    pub records: Vec<CsvRecord>,
}

/// Whether `bytes` are a zip (xlsx, ods) or an OLE compound file (xls, or an encrypted xlsx).
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// One sheet, read whole: its name, cell values and merged regions.
struct Sheet {
    name: String,
    range: Range<Data>,
    merges: Vec<Dimensions>,
}

/// Reads the table in the workbook `bytes` read from `path`.
pub(crate) fn read(path: &str, bytes: &[u8], warnings: &mut Warnings) -> Result<SheetTable> {
    let sheets = open(path, bytes)?;
    let mut seen = Vec::new();
    for sheet in &sheets {
        let grid = cell_texts(sheet);
        let header_row = grid
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .position(|row| csv_input::names_required_columns(row.iter().map(String::as_str)));
        let Some(header_row) = header_row else {
            let first: Vec<&str> = grid
                .iter()
                .take(3)
                .flatten()
                .filter(|c| !c.trim().is_empty())
                .map(String::as_str)
                .take(4)
                .collect();
            seen.push(format!(
                "{:?}: {}",
                sheet.name,
                if first.is_empty() { "empty".to_owned() } else { first.join(" | ") }
            ));
            continue;
        };
        return rows_of(path, sheet, &grid, header_row, warnings);
    }
    Err(Error::input(
        Location::file(path),
        format!(
            "no sheet has the table's header (地区医師会名, 事業種別, 事業区分, 事業内容) in its first {HEADER_SEARCH_ROWS} rows; found {}",
            seen.join("; ")
        ),
    ))
}

fn open(path: &str, bytes: &[u8]) -> Result<Vec<Sheet>> {
    let fail = |message: String| Error::input(Location::file(path), message);
    let encrypted =
        || fail("the workbook is encrypted (password-protected); save an unprotected copy".to_owned());
    if bytes.starts_with(b"PK\x03\x04") {
        if let Ok(mut book) = Xlsx::new(Cursor::new(bytes)) {
            return sheets_of(path, &mut book, |book, name| match book.worksheet_merge_cells(name) {
                Some(Ok(merges)) => Ok(merges),
                Some(Err(e)) => Err(fail(format!("sheet {name:?}: unreadable merged cells: {e}"))),
                None => Ok(Vec::new()),
            });
        }
        return match Ods::new(Cursor::new(bytes)) {
            Ok(mut book) => sheets_of(path, &mut book, |_, _| Ok(Vec::new())),
            Err(calamine::OdsError::Password) => Err(encrypted()),
            Err(e) => {
                Err(fail(format!("the workbook is truncated or corrupt (not a readable .xlsx or .ods: {e})")))
            }
        };
    }
    // An OLE compound file: an .xls, or an .xlsx that a password encrypted into one.
    if bytes.windows(32).any(|w| w == utf16("EncryptedPackage")) {
        return Err(encrypted());
    }
    match Xls::new(Cursor::new(bytes)) {
        Ok(mut book) => {
            sheets_of(path, &mut book, |book, name| Ok(book.worksheet_merge_cells(name).unwrap_or_default()))
        }
        Err(calamine::XlsError::Password) => Err(encrypted()),
        Err(e) => Err(fail(format!("the workbook is truncated or corrupt (not a readable .xls: {e})"))),
    }
}

/// Every sheet of an open workbook, in order, with the merged regions `merges` reads for it.
fn sheets_of<'b, R>(
    path: &str,
    book: &mut R,
    merges: impl Fn(&mut R, &str) -> Result<Vec<Dimensions>>,
) -> Result<Vec<Sheet>>
where
    R: Reader<Cursor<&'b [u8]>>,
    R::Error: std::fmt::Display,
{
    let names = book.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::input(Location::file(path), format!("sheet {name:?} is unreadable: {e}")))?;
        let merges = merges(book, &name)?;
        sheets.push(Sheet { name, range, merges });
    }
    Ok(sheets)
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Every cell of a sheet as text, from the sheet's first row and column (A1), merged regions
/// filled with their top-left value.
fn cell_texts(sheet: &Sheet) -> Vec<Vec<String>> {
    let Some((_, _)) = sheet.range.start() else { return Vec::new() };
    let (end_row, end_col) = sheet.range.end().unwrap_or((0, 0));
    let mut grid: Vec<Vec<String>> = (0..=end_row)
        .map(|row| {
            (0..=end_col)
                .map(|col| sheet.range.get_value((row, col)).map(text_of).unwrap_or_default())
                .collect()
        })
        .collect();
    for merge in &sheet.merges {
        let (top, left) = merge.start;
        let value = grid.get(top as usize).and_then(|r| r.get(left as usize)).cloned().unwrap_or_default();
        for row in merge.start.0..=merge.end.0.min(end_row) {
            for col in merge.start.1..=merge.end.1.min(end_col) {
                grid[row as usize][col as usize] = value.clone();
            }
        }
    }
    grid
}

fn text_of(value: &Data) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(text) => text.replace("\r\n", "\n").replace('\r', "\n"),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
        other => other.to_string(),
    }
}

fn rows_of(
    path: &str,
    sheet: &Sheet,
    grid: &[Vec<String>],
    header_row: usize,
    warnings: &mut Warnings,
) -> Result<SheetTable> {
    // Lines are 1-based sheet rows, as a spreadsheet numbers them.
    let at = |row: usize| Location {
        path: format!("{path} (sheet {:?})", sheet.name),
        line: Some(row + 1),
        page: None,
        column: None,
    };
    let header: Vec<&str> = grid[header_row].iter().map(String::as_str).collect();
    let fields = csv_input::fields_of_header(&at(header_row), &header, "sheet", warnings)?;
    let title_year = grid[..header_row].iter().flatten().find_map(|cell| fiscal_year::from_title(cell));
    let district =
        fields.iter().position(|f| *f == Some(Field::District)).expect("the header has a district column");
    let mut records = Vec::new();
    let mut previous_district: Option<String> = None;
    for (row, cells) in grid.iter().enumerate().skip(header_row + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cells: Vec<String> = cells.clone();
        cells.resize(fields.len(), String::new());
        if cells[district].trim().is_empty() {
            match &previous_district {
                Some(name) => cells[district] = name.clone(),
                None => {
                    return Err(Error::input(
                        at(row),
                        "the first row of the table has no 地区医師会名".to_owned(),
                    ));
                }
            }
        }
        previous_district = Some(cells[district].clone());
        if let Some(record) =
            csv_input::parse_row(&fields, cells.iter().map(String::as_str), at(row), warnings)
        {
            records.push(record);
        }
    }
    Ok(SheetTable { title_year, records })
}
