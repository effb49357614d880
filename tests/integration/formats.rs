//! The same table as pdftotext output, UTF-8 CSV (BOM, CRLF, Japanese headers, multi-line
//! cells), Shift_JIS CSV, English-header CSV and JSON gives the same records; JSON Lines written
//! by `ingest` reads back unchanged.

use zaitaku::Record;

use super::harness::{repo, seed};

fn read(path: &str) -> Vec<Record> {
    let ingested = zaitaku::ingest::read(&repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(ingested.warnings.is_empty(), "{path}: {}", ingested.warnings);
    ingested.records
}

/// Records without their input location, for comparing across formats.
fn comparable(records: Vec<Record>) -> Vec<Record> {
    records.into_iter().map(|record| Record { source: None, ..record }).collect()
}

fn from_table() -> Vec<Record> {
    comparable(zaitaku::ingest::read(&seed()).unwrap().records)
}

#[test]
fn utf8_csv_with_bom_and_crlf_gives_the_table_records() {
    assert_eq!(comparable(read("tests/fixtures/r06_table_utf8_bom.csv")), from_table());
}

#[test]
fn shift_jis_csv_gives_the_table_records() {
    // Shift_JIS cannot hold U+2003 (EM SPACE, in 調布's description); the fixture has U+3000.
    let expected: Vec<Record> = from_table()
        .into_iter()
        .map(|r| Record { description: r.description.replace('\u{2003}', "\u{3000}"), ..r })
        .collect();
    let ingested = zaitaku::ingest::read(&repo("tests/fixtures/r06_table_cp932.csv")).unwrap();
    assert_eq!(ingested.inputs[0].encoding, zaitaku::ingest::Encoding::ShiftJis);
    assert_eq!(comparable(ingested.records), expected);
}

#[test]
fn english_csv_with_year_column_gives_the_table_records() {
    // No year in the file name: the 年度 column (令和6年度) gives 2024.
    assert_eq!(comparable(read("tests/fixtures/table_english.csv")), from_table());
}

#[test]
fn json_array_gives_the_table_records() {
    assert_eq!(comparable(read("tests/fixtures/r06_table.json")), from_table());
}

#[test]
fn ingest_output_reads_back_unchanged() {
    let records = from_table();
    let jsonl: String = records.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
    let again = zaitaku::ingest::read_bytes("again.jsonl", jsonl.as_bytes()).unwrap();
    assert_eq!(comparable(again.records), records);
}

#[test]
fn free_text_passages_need_no_year_or_district() {
    let text =
        "{\"text\": \"大阪府の医師会では、オンライン診療を開始した。\"}\n{\"text\": \"ＭＣＳを導入。\"}\n";
    let ingested = zaitaku::ingest::read_bytes("passages.jsonl", text.as_bytes()).unwrap();
    let ids: Vec<&str> = ingested.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["passages-001", "passages-002"]);
    assert_eq!(ingested.records[0].fiscal_year, None);
    assert_eq!(ingested.records[0].district, None);
}

#[test]
fn title_year_wins_over_file_name_with_a_warning() {
    let text = std::fs::read(seed()).unwrap();
    let ingested = zaitaku::ingest::read_bytes("r05_mislabelled.txt", &text).unwrap();
    assert_eq!(ingested.records[0].fiscal_year, Some(2024));
    assert_eq!(
        ingested.warnings.as_slice()[0].to_string(),
        "r05_mislabelled.txt:1: the title says fiscal year 2024, the file name 2023; using 2024"
    );
}

#[test]
fn file_name_gives_the_year_when_the_title_has_none() {
    let text = std::fs::read_to_string(seed()).unwrap().replacen("令和６年度 東京都", "東京都", 1);
    let ingested = zaitaku::ingest::read_bytes("r07_table.txt", text.as_bytes()).unwrap();
    assert_eq!(ingested.records[0].id, "2025-001");
}

/// `zaitaku tag` streams: JSON Lines line by line, other inputs whole, in batches of any size,
/// giving exactly the records (ids, years, locations) that reading everything at once gives.
#[test]
fn streamed_batches_equal_reading_everything_at_once() {
    let dir = super::harness::workdir();
    let lines = dir.path().join("passages.jsonl");
    let mut text = String::new();
    for record in from_table().iter().take(20) {
        let mut value = serde_json::to_value(record).unwrap();
        // Without id and year: numbered `passages-NNN`, as `read` numbers them.
        value.as_object_mut().unwrap().remove("id");
        value.as_object_mut().unwrap().remove("fiscal_year");
        text.push_str(&format!("{value}\n"));
    }
    text.push('\n'); // a blank line is skipped
    std::fs::write(&lines, text).unwrap();
    let paths = vec![seed(), lines.clone(), repo("tests/fixtures/r07_tokyo_zaitaku_jigyo_ichiran.txt")];
    let whole = zaitaku::ingest::read_all(&paths).unwrap();
    for batch_size in [1, 7, 10_000] {
        let mut batches = zaitaku::ingest::batches(&paths, batch_size);
        let streamed: Vec<Record> = batches.by_ref().flat_map(Result::unwrap).collect();
        assert_eq!(streamed, whole.records, "batch size {batch_size}");
        let (inputs, warnings) = batches.finish();
        assert_eq!(inputs.len(), 3);
        assert_eq!(inputs[1].num_records, 20);
        assert_eq!(warnings.len(), whole.warnings.len());
    }
}

#[test]
fn a_streamed_duplicate_id_names_both_places() {
    let dir = super::harness::workdir();
    let lines = dir.path().join("passages.jsonl");
    std::fs::write(
        &lines,
        "{\"id\":\"a\",\"text\":\"MCS\"}\n{\"id\":\"b\",\"text\":\"IVR\"}\n{\"id\":\"a\",\"text\":\"MCS\"}\n",
    )
    .unwrap();
    let error = zaitaku::ingest::batches(std::slice::from_ref(&lines), 2).find_map(Result::err).unwrap();
    let path = lines.display();
    assert_eq!(
        error.to_string(),
        format!(
            "{path}:3: record id \"a\" is already used at {path}:1; ids must be unique across the inputs of a run"
        )
    );
}
