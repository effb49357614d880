//! One test per kind of bad input: each is a clear one-line error naming the file (and line),
//! exit code 2, never a panic.

use std::path::Path;

use super::harness::{stderr, workdir, zaitaku};

/// Writes `bytes` to `name` in a fresh dir, runs `zaitaku ingest name`, returns (exit, stderr).
fn ingest_bytes(name: &str, bytes: &[u8]) -> (i32, String) {
    let dir = workdir();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let output = zaitaku(dir.path(), &["ingest", name]);
    assert!(output.stdout.is_empty(), "no output on error");
    (output.status.code().expect("exit code, not a signal"), stderr(&output))
}

#[track_caller]
fn assert_error(name: &str, bytes: &[u8], expected: &str) {
    let (code, message) = ingest_bytes(name, bytes);
    assert_eq!(code, 2, "{message}");
    assert_eq!(message, format!("zaitaku: {expected}\n"));
}

#[test]
fn empty_file() {
    assert_error("empty.txt", b"", "empty.txt: file is empty");
    assert_error("blank.csv", b"\n \n", "blank.csv: file is empty");
}

#[test]
fn binary_garbage() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    bytes[0] = b'x';
    // Byte 10 is a line feed, so the first NUL (byte 256) is on line 2.
    assert_error(
        "blob.bin",
        &bytes,
        "blob.bin:2: binary data (NUL byte); expected the table as a PDF, an Excel or OpenDocument workbook, CSV, JSON or pdftotext text",
    );
    // Without NUL bytes: undecodable in both UTF-8 and Shift_JIS.
    let no_nul: Vec<u8> = [0x80u8, 0xA0, 0xFD, 0xFE, 0xFF].repeat(50);
    assert_error(
        "blob2.bin",
        &no_nul,
        "blob2.bin:1: not text in UTF-8 or Shift_JIS (undecodable bytes); binary data?",
    );
}

#[test]
fn truncated_utf8() {
    let text = "district,program,categories,description\n中野区医師会,P,①X,在宅医療";
    let bytes = &text.as_bytes()[..text.len() - 2];
    assert_error(
        "cut.csv",
        bytes,
        "cut.csv:2: truncated UTF-8: the file ends inside a character (an incomplete copy?)",
    );
}

#[test]
fn mixed_encodings() {
    let mut bytes = "district,program,categories,description\n中野区医師会,P,①X,在宅\n".as_bytes().to_vec();
    bytes.extend_from_slice(&encoding_rs::SHIFT_JIS.encode("杉並区医師会,P,①X,在宅\n").0);
    assert_error(
        "mixed.csv",
        &bytes,
        "mixed.csv:3: invalid UTF-8 (byte 0x90) in a file that is otherwise UTF-8; mixed encodings?",
    );
}

#[test]
fn malformed_json() {
    assert_error(
        "bad.jsonl",
        b"{\"text\": \"a\"}\n{\"text\": \"b\"\n",
        "bad.jsonl:2: invalid JSON (column 12): EOF while parsing an object",
    );
    assert_error(
        "bad.json",
        b"[\n {\"text\": \"a\"},\n {\"text\" \"b\"}\n]",
        "bad.json:3: invalid JSON (column 10): expected `:`",
    );
}

#[test]
fn csv_without_a_required_column() {
    assert_error(
        "no_description.csv",
        "地区医師会名,事業種別,事業区分,事業内容の概要\nA,B,C,D\n".as_bytes(),
        "no_description.csv:1: CSV header lacks required column(s) description (Japanese: 地区医師会名, 事業種別, 事業区分, 事業内容)",
    );
}

#[test]
fn text_that_is_not_the_table() {
    assert_error(
        "novel.txt",
        "吾輩は猫である。名前はまだ無い。\nどこで生れたかとんと見当がつかぬ。\n".as_bytes(),
        "novel.txt: no table rows found: expected a line naming a 医師会 followed by its program cell (…事業); is this pdftotext output of the program table?",
    );
}

#[test]
fn pdftotext_layout_mode() {
    let row = "2 浅草医師会      24時間診療体制     ②かかりつけ医連携       待機医制を敷き、主治医の代診体制を構築。\n";
    let text = format!("令和６年度 東京都在宅医療推進強化事業 各地区医師会の事業一覧\n{}", row.repeat(8));
    assert_error(
        "layout.txt",
        text.as_bytes(),
        "layout.txt:2: this looks like `pdftotext -layout` output (columns padded with spaces); run pdftotext without -layout (its default mode), or give the table as CSV",
    );
}

#[test]
fn missing_file_and_directory() {
    let dir = workdir();
    let output = zaitaku(dir.path(), &["ingest", "nowhere.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("zaitaku: nowhere.txt: No such file or directory"),
        "{}",
        stderr(&output)
    );
    let output = zaitaku(dir.path(), &["--data", "nowhere"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("zaitaku: nowhere: No such file or directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn duplicate_ids_across_inputs() {
    let dir = workdir();
    std::fs::write(dir.path().join("a.jsonl"), "{\"id\": \"x\", \"text\": \"a\"}\n").unwrap();
    std::fs::write(dir.path().join("b.jsonl"), "\n{\"id\": \"x\", \"text\": \"b\"}\n").unwrap();
    let output = zaitaku(dir.path(), &["ingest", "a.jsonl", "b.jsonl"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "zaitaku: b.jsonl:2: record id \"x\" is already used at a.jsonl:1; ids must be unique across the inputs of a run\n"
    );
    assert!(!Path::new("x").exists());
}

#[test]
fn a_ten_megabyte_record_is_read_and_a_large_one_tagged() {
    let dir = workdir();
    let sentence = "MCSチーム機能を導入し、夜間は往診支援事業者が対応した。";
    let big = sentence.repeat(10_000_000 / sentence.len() + 1);
    std::fs::write(dir.path().join("big.jsonl"), format!("{{\"id\": \"big\", \"text\": \"{big}\"}}\n"))
        .unwrap();
    let output = zaitaku(dir.path(), &["ingest", "big.jsonl", "-o", "out.jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::metadata(dir.path().join("out.jsonl")).unwrap().len() > 10_000_000);
    // Tagging cost grows linearly with the record (no per-mention scan of the whole text).
    let large = sentence.repeat(5_000);
    let record = super::harness::passage("large", &large);
    let dictionaries = super::harness::repo("dictionaries");
    let tokenized =
        zaitaku::tokenize::Tokenizer::load(&dictionaries).unwrap().tokenize(vec![record]).unwrap();
    let tagged = zaitaku::tag::Ruleset::load(&dictionaries).unwrap().tag(tokenized);
    let mcs = tagged[0].tags.iter().find(|t| t.tag == "tech.mcs").unwrap();
    assert_eq!(mcs.evidence.len(), 5_000);
}

#[test]
fn a_table_with_page_furniture_missing_or_duplicated_parses_the_same() {
    let seed = std::fs::read_to_string(super::harness::seed()).unwrap();
    let reference = zaitaku::ingest::read_bytes("r06.txt", seed.as_bytes()).unwrap().records;
    let strip = |r: Vec<zaitaku::Record>| {
        r.into_iter().map(|r| zaitaku::Record { source: None, ..r }).collect::<Vec<_>>()
    };
    // No furniture at all: no repeated headers, labels, page numbers or bare row numbers.
    let title = seed.lines().find(|l| !l.trim().is_empty()).unwrap().to_owned();
    let furniture = |l: &str| {
        let t = l.trim();
        t.starts_with("資料") || t.contains(" / ") || (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
    };
    let bare: String = seed.lines().filter(|l| !furniture(l)).map(|l| format!("{l}\n")).collect();
    let parsed = zaitaku::ingest::read_bytes("r06_bare.txt", bare.as_bytes()).unwrap();
    assert_eq!(strip(parsed.records), strip(reference.clone()));
    // Furniture doubled: every label and page number twice, the title block repeated.
    let doubled: String =
        seed.lines()
            .map(|l| {
                if furniture(l) || l.trim() == title.trim() {
                    format!("{l}\n{l}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
    let parsed = zaitaku::ingest::read_bytes("r06_doubled.txt", doubled.as_bytes()).unwrap();
    assert_eq!(strip(parsed.records), strip(reference));
}
