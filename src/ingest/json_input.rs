//! Reads records from a JSON array or JSON Lines: how free text from elsewhere is fed in, and how
//! `zaitaku ingest` (and `zaitaku tag`) output is read again.
//!
//! Each object needs `description` (alias `text`); `id`, `district`, `district_no`, `program`,
//! `categories` (array, or one string split at newlines and circled numbers), `marks`,
//! `fiscal_year` (number or `令和7年度`-style string) and `notes` are optional; other keys (such as
//! `tags` from `zaitaku tag`) are ignored. Invalid JSON is an error at its line; an object without
//! text, or a value that is not an object, is a warning and is skipped.

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use super::{fiscal_year, split_categories, split_notes};
use crate::columns;
use crate::error::{Error, Location, Result, Warnings};
use crate::model::Record;

/// A record read from JSON, with the fiscal year the object states (if any).
pub(crate) struct JsonRecord {
    pub record: Record,
    pub year_in_column: Option<u16>,
}

/// Reads a JSON array (text starting with `[`) or JSON Lines.
pub(crate) fn parse(path: &str, text: &str, warnings: &mut Warnings) -> Result<Vec<JsonRecord>> {
    let trimmed = text.trim_start();
    let leading_lines = text[..text.len() - trimmed.len()].matches('\n').count();
    if trimmed.starts_with('[') {
        let values: Vec<Value> = serde_json::from_str(text).map_err(|e| json_error(path, &e, 0))?;
        // Objects in an array have no line of their own; find each one's line by its position.
        let lines = object_lines(trimmed, leading_lines);
        let mut records = Vec::new();
        for (index, value) in values.into_iter().enumerate() {
            let line = lines.get(index).copied().unwrap_or(1);
            if let Some(record) = parse_value(value, Location::at(path, line), warnings) {
                records.push(record);
            }
        }
        return Ok(records);
    }
    // A single pretty-printed object is one record.
    if let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(text)
        && text.trim().lines().count() > 1
    {
        return Ok(parse_value(value, Location::at(path, leading_lines + 1), warnings).into_iter().collect());
    }
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        records.extend(parse_line(path, line, index + 1, warnings)?);
    }
    Ok(records)
}

/// Reads line `line_number` of a JSON Lines input: blank lines give nothing.
pub(crate) fn parse_line(
    path: &str,
    line: &str,
    line_number: usize,
    warnings: &mut Warnings,
) -> Result<Option<JsonRecord>> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(line).map_err(|e| json_error(path, &e, line_number - 1))?;
    Ok(parse_value(value, Location::at(path, line_number), warnings))
}

fn json_error(path: &str, error: &serde_json::Error, line_offset: usize) -> Error {
    // serde_json appends "at line L column C"; the line is already in the location.
    let message = error.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(head, _)| head);
    Error::input(
        Location::at(path, error.line().max(1) + line_offset),
        format!("invalid JSON (column {}): {message}", error.column()),
    )
}

/// The 1-based line of each top-level element of a JSON array.
fn object_lines(array_text: &str, leading_lines: usize) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut line = leading_lines + 1;
    let mut expecting_element = false;
    for c in array_text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if expecting_element && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting_element = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting_element = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting_element = true,
            _ => {}
        }
    }
    lines
}

fn parse_value(value: Value, location: Location, warnings: &mut Warnings) -> Option<JsonRecord> {
    let Value::Object(object) = value else {
        warnings.push(location, "not a JSON object; skipped");
        return None;
    };
    let description = string_field(&object, columns::DESCRIPTION)
        .or_else(|| string_field(&object, columns::TEXT))
        .map(|text| text.replace("\r\n", "\n"));
    let Some(description) = description.filter(|text| !text.trim().is_empty()) else {
        warnings.push(location, "object has no \"description\" (or \"text\"); skipped");
        return None;
    };
    let mut record = Record {
        id: string_field(&object, columns::ID).unwrap_or_default(),
        fiscal_year: None,
        district_no: None,
        district: string_field(&object, columns::DISTRICT),
        program: string_field(&object, columns::PROGRAM).map(|p| p.nfkc().collect()),
        categories: Vec::new(),
        marks: 0,
        description,
        notes: Vec::new(),
        source: Some(location.clone()),
    };
    match object.get(columns::CATEGORIES) {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => record.categories = split_categories(text),
        Some(Value::Array(items)) => {
            record.categories = items.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        }
        Some(other) => warnings.push(location.clone(), format!("\"categories\" is {other}; ignored")),
    }
    match object.get(columns::NOTES) {
        Some(Value::String(text)) => record.notes = split_notes(text),
        Some(Value::Array(items)) => {
            record.notes = items.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        }
        _ => {}
    }
    match object.get(columns::DISTRICT_NO) {
        None | Some(Value::Null) => {}
        Some(value) => match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(number) => record.district_no = Some(number),
            None => warnings.push(location.clone(), format!("\"district_no\" is {value}; ignored")),
        },
    }
    match object.get(columns::MARKS) {
        None | Some(Value::Null) => {}
        Some(value) => match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(marks) => record.marks = marks,
            None => warnings.push(location.clone(), format!("\"marks\" is {value}; ignored")),
        },
    }
    let year_in_column = match object.get(columns::FISCAL_YEAR) {
        None | Some(Value::Null) => None,
        Some(value) => {
            let year = match value {
                Value::Number(n) => {
                    n.as_u64().and_then(|n| u16::try_from(n).ok()).filter(|y| (1989..=2100).contains(y))
                }
                Value::String(s) => fiscal_year::from_value(s),
                _ => None,
            };
            if year.is_none() {
                warnings.push(location.clone(), format!("\"fiscal_year\" is {value}; ignored"));
            }
            year
        }
    };
    Some(JsonRecord { record, year_in_column })
}

fn string_field(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_with_text_alias_and_extra_keys() {
        let text = "{\"text\": \"オンライン診療を開始した。\", \"tags\": []}\n\n{\"id\": \"x-1\", \"description\": \"MCSを導入\", \"fiscal_year\": \"令和7年度\"}\n";
        let mut warnings = Warnings::default();
        let records = parse("p.jsonl", text, &mut warnings).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(records[0].record.description, "オンライン診療を開始した。");
        assert_eq!(records[1].record.id, "x-1");
        assert_eq!(records[1].year_in_column, Some(2025));
        assert_eq!(records[1].record.source, Some(Location::at("p.jsonl", 3)));
    }

    #[test]
    fn array_elements_know_their_lines() {
        let text = "[\n  {\"text\": \"a\"},\n  {\"text\": \"b, [c]\"},\n  {\n \"text\": \"d\"}\n]";
        let mut warnings = Warnings::default();
        let records = parse("a.json", text, &mut warnings).unwrap();
        let lines: Vec<_> = records.iter().map(|r| r.record.source.clone().unwrap().line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn invalid_json_names_its_line() {
        let mut warnings = Warnings::default();
        let error = parse("bad.jsonl", "{\"text\": \"a\"}\n{\"text\": \n", &mut warnings).err().unwrap();
        assert!(error.to_string().starts_with("bad.jsonl:2: invalid JSON"), "{error}");
    }
}
