//! Records in batches, for runs whose memory must not grow with the input (`zaitaku tag` on a
//! national corpus).
//!
//! A JSON Lines file is read line by line, so only one batch of records is in memory at a time. A
//! table, a CSV or a JSON array is read whole, as [`super::read`] does (they are documents of a
//! few hundred kilobytes), and handed out in batches. Ids, fiscal years, warnings and errors are
//! those of [`super::read_all`]; duplicate ids across the whole stream are still found, by a
//! 64-bit hash per record (16 bytes each: the only state that grows with the input).

use std::collections::BTreeMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{Format, Input, Numbering, ReadOptions, decode, fiscal_year, json_input, read_path_or_stdin};
use crate::error::{Error, Location, Result, Warnings};
use crate::model::Record;

/// How many bytes of a file are looked at to decide whether it is UTF-8 JSON Lines.
const SNIFF_BYTES: usize = 64 * 1024;

/// Batches of records from `paths` (`-` is standard input, read whole), at most `batch_size` each.
pub fn batches(paths: &[PathBuf], batch_size: usize) -> RecordBatches {
    RecordBatches {
        paths: paths.iter().rev().cloned().collect(),
        batch_size: batch_size.max(1),
        source: None,
        ids: BTreeMap::new(),
        input_names: Vec::new(),
        inputs: Vec::new(),
        warnings: Warnings::default(),
        failed: false,
        options: ReadOptions::default(),
    }
}

/// The iterator [`batches`] returns; after it ends, [`RecordBatches::finish`] gives what was read
/// and the warnings.
pub struct RecordBatches {
    /// Inputs not opened yet, last first.
    paths: Vec<PathBuf>,
    batch_size: usize,
    source: Option<Source>,
    /// Hash of each id seen → index of its input in `input_names` and its line (0: none).
    ids: BTreeMap<u64, (u32, u32)>,
    /// Every input opened so far, the current one last.
    input_names: Vec<String>,
    inputs: Vec<Input>,
    warnings: Warnings,
    failed: bool,
    options: ReadOptions,
}

/// The input being read.
enum Source {
    Loaded(std::vec::IntoIter<Record>),
    Lines(LineReader),
}

/// A UTF-8 JSON Lines file, read a line at a time.
struct LineReader {
    name: String,
    reader: BufReader<File>,
    line_number: usize,
    numbering: Numbering,
    buffer: Vec<u8>,
    num_records: usize,
}

impl RecordBatches {
    /// Reads with `options` (`--lenient`).
    pub fn with_options(mut self, options: ReadOptions) -> Self {
        self.options = options;
        self
    }

    /// The inputs read (with their record counts) and every warning raised.
    pub fn finish(self) -> (Vec<Input>, Warnings) {
        (self.inputs, self.warnings)
    }

    fn next_batch(&mut self) -> Result<Option<Vec<Record>>> {
        let mut batch = Vec::with_capacity(self.batch_size.min(4096));
        while batch.len() < self.batch_size {
            let record = match &mut self.source {
                None => match self.paths.pop() {
                    Some(path) => {
                        self.source = Some(self.open(&path)?);
                        continue;
                    }
                    None => break,
                },
                Some(Source::Loaded(records)) => records.next(),
                Some(Source::Lines(lines)) => lines.next_record(&mut self.warnings)?,
            };
            match record {
                Some(record) => {
                    self.check_id(&record)?;
                    batch.push(record);
                }
                None => self.close()?,
            }
        }
        Ok((!batch.is_empty()).then_some(batch))
    }

    fn open(&mut self, path: &Path) -> Result<Source> {
        let name = if path == Path::new("-") { "<stdin>".to_owned() } else { path.display().to_string() };
        self.input_names.push(name);
        if path != Path::new("-")
            && let Some(lines) = LineReader::open(path)?
        {
            return Ok(Source::Lines(lines));
        }
        let ingested = read_path_or_stdin(path, self.options)?;
        self.inputs.extend(ingested.inputs);
        self.warnings.extend(ingested.warnings);
        Ok(Source::Loaded(ingested.records.into_iter()))
    }

    /// Ends the current input: a JSON Lines file without any record is an error, as in `read`.
    fn close(&mut self) -> Result<()> {
        if let Some(Source::Lines(lines)) = self.source.take() {
            if lines.num_records == 0 {
                return Err(Error::input(Location::file(lines.name), "no records found in this JSON input"));
            }
            self.inputs.push(Input {
                path: lines.name,
                format: Format::Json,
                encoding: decode::Encoding::Utf8,
                fiscal_year: lines.numbering.file_year,
                num_records: lines.num_records,
            });
        }
        Ok(())
    }

    fn check_id(&mut self, record: &Record) -> Result<()> {
        let mut hasher = DefaultHasher::new();
        record.id.hash(&mut hasher);
        let key = hasher.finish();
        let input = self.input_names.len().saturating_sub(1) as u32;
        let line = record.source.as_ref().and_then(|l| l.line).unwrap_or(0) as u32;
        if let Some(&(first_input, first_line)) = self.ids.get(&key) {
            let there = self.input_names.get(first_input as usize).map_or("?", String::as_str);
            let there = if first_line > 0 { format!("{there}:{first_line}") } else { there.to_owned() };
            let here = record.source.clone().unwrap_or_else(|| Location::file("?"));
            return Err(Error::input(
                here,
                format!(
                    "record id {:?} is already used at {there}; ids must be unique across the inputs of a run",
                    record.id
                ),
            ));
        }
        self.ids.insert(key, (input, line));
        Ok(())
    }
}

impl Iterator for RecordBatches {
    type Item = Result<Vec<Record>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_batch();
        self.failed = next.is_err();
        next.transpose()
    }
}

impl LineReader {
    /// Opens `path` for line-by-line reading if it is UTF-8 JSON Lines: its start is valid UTF-8
    /// and its first non-blank line is a whole JSON object. Anything else is `None` (read whole).
    fn open(path: &Path) -> Result<Option<Self>> {
        let name = path.display().to_string();
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
        let valid = match std::str::from_utf8(&head) {
            Ok(text) => text,
            // A sniff that ends inside a character is still UTF-8.
            Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
            Err(_) => return Ok(None),
        };
        let Some(first_line) = valid.lines().find(|l| !l.trim().is_empty()) else { return Ok(None) };
        let first_line = first_line.strip_prefix('\u{FEFF}').unwrap_or(first_line);
        let is_object = first_line.trim_start().starts_with('{')
            && serde_json::from_str::<serde_json::Value>(first_line).is_ok_and(|v| v.is_object());
        let has_second_line = valid.trim_end().contains('\n');
        if !is_object || !has_second_line {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let numbering = Numbering::new(&name, fiscal_year::from_file_name(&file_name));
        Ok(Some(Self {
            name,
            reader: BufReader::with_capacity(256 * 1024, file),
            line_number: 0,
            numbering,
            buffer: Vec::new(),
            num_records: 0,
        }))
    }

    fn next_record(&mut self, warnings: &mut Warnings) -> Result<Option<Record>> {
        loop {
            self.buffer.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| Error::io(Path::new(&self.name), e))?;
            if read == 0 {
                return Ok(None);
            }
            self.line_number += 1;
            let bytes = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            let bytes = if self.line_number == 1 {
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
            } else {
                bytes
            };
            let location = || Location::at(self.name.as_str(), self.line_number);
            let line = std::str::from_utf8(bytes).map_err(|_| {
                Error::input(
                    location(),
                    "invalid UTF-8 in a JSON Lines file that is otherwise UTF-8; mixed encodings?",
                )
            })?;
            if line.contains(|c: char| c.is_control() && c != '\t') {
                return Err(Error::input(
                    location(),
                    "binary data (control characters); expected JSON Lines text",
                ));
            }
            if let Some(json) = json_input::parse_line(&self.name, line, self.line_number, warnings)? {
                let mut record = json.record;
                self.numbering.assign(&mut record, json.year_in_column, warnings);
                self.num_records += 1;
                return Ok(Some(record));
            }
        }
    }
}
