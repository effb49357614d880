//! Properties that must hold for any input, checked on generated cases (proptest).

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use zaitaku::ingest::{self, Encoding, LineEnding};
use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;
use zaitaku::{Record, TaggedRecord};

use super::harness::{repo, seed};

fn pipeline() -> &'static (Tokenizer, Ruleset) {
    static PIPELINE: OnceLock<(Tokenizer, Ruleset)> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        (Tokenizer::load(&repo("dictionaries")).unwrap(), Ruleset::load(&repo("dictionaries")).unwrap())
    })
}

fn seed_records() -> &'static Vec<Record> {
    static RECORDS: OnceLock<Vec<Record>> = OnceLock::new();
    RECORDS.get_or_init(|| ingest::read(&seed()).unwrap().records)
}

/// Text Shift_JIS can hold: kana, common kanji, full-width and ASCII letters, punctuation.
fn sjis_text(min: usize, max: usize) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "在宅",
        "医療",
        "訪問看護",
        "ＭＣＳ",
        "IVRy",
        "オンライン診療",
        "を導入した",
        "。",
        "、",
        "・",
        "（株）",
        "夜間",
        "休日",
        "当番医",
        "ｶﾀｶﾅ",
        "abc",
        "123",
        "\"引用\"",
        "a,b",
        "改行\nあり",
        "①",
        "　",
    ]);
    prop::collection::vec(pieces, min..max).prop_map(|v| v.concat())
}

fn record_strategy() -> impl Strategy<Value = Record> {
    (
        1u32..999,
        prop::option::of(2019u16..2030),
        prop::sample::select(vec![
            "中野区医師会",
            "荏原医師会",
            "八王子市医師会",
            "西多摩医師会",
            "浅草医師会",
        ]),
        prop::sample::select(vec!["24時間診療体制推進事業", "デジタル技術を活用した医療DX推進事業"]),
        prop::collection::vec("[ア-ン]{2,8}", 0..3),
        0u32..3,
        sjis_text(1, 12),
    )
        .prop_map(|(n, year, district, program, categories, marks, description)| Record {
            id: format!("p-{n:03}"),
            fiscal_year: year,
            district_no: Some(n),
            district: Some(district.to_owned()),
            program: Some(program.to_owned()),
            categories: categories
                .into_iter()
                .enumerate()
                .map(|(i, c)| format!("{}{c}", ['①', '②', '③'][i]))
                .collect(),
            marks,
            // The reader trims cells, as any table reader does.
            description: description.trim().to_owned(),
            notes: vec![],
            source: None,
        })
        .prop_filter("a description is never empty", |r| !r.description.is_empty())
}

fn without_source(records: Vec<Record>) -> Vec<Record> {
    records.into_iter().map(|r| Record { source: None, ..r }).collect()
}

/// 64 cases per property; failures found before are kept in `properties.proptest-regressions`
/// beside this file and replayed first (proptest's default file persistence).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::default())),
        ..ProptestConfig::default()
    }
}

#[test]
fn the_committed_regressions_are_replayed() {
    let persistence = config().failure_persistence.expect("persistence is on");
    let seeds = persistence.load_persisted_failures2(Some(file!()));
    assert!(!seeds.is_empty(), "no seed read from properties.proptest-regressions");
}

proptest! {
    #![proptest_config(config())]

    /// Written as CSV (UTF-8 or Shift_JIS, LF or CRLF) or JSON Lines and read back: the same records.
    #[test]
    fn records_round_trip_through_csv_and_json(
        records in prop::collection::vec(record_strategy(), 1..6),
        shift_jis in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let mut records = records;
        for (i, r) in records.iter_mut().enumerate() {
            r.id = format!("p-{i:03}"); // unique ids
        }
        let encoding = if shift_jis { Encoding::ShiftJis } else { Encoding::Utf8 };
        let ending = if crlf { LineEnding::CrLf } else { LineEnding::Lf };
        let bytes = ingest::write_csv(&records, encoding, ending).unwrap();
        let read = ingest::read_bytes("generated.csv", &bytes).unwrap();
        prop_assert_eq!(read.inputs[0].encoding, encoding);
        prop_assert_eq!(without_source(read.records), records.clone());
        let jsonl: String = records.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        let read = ingest::read_bytes("generated.jsonl", jsonl.as_bytes()).unwrap();
        prop_assert_eq!(without_source(read.records), records);
    }

    /// Tags do not depend on the order of the records or on the number of threads.
    #[test]
    fn tags_do_not_depend_on_order_or_threads(order in Just((0..58).collect::<Vec<usize>>()).prop_shuffle(), threads in 1usize..4) {
        let (tokenizer, ruleset) = pipeline();
        let records = seed_records();
        let shuffled: Vec<Record> = order.iter().map(|&i| records[i].clone()).collect();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let tagged: Vec<TaggedRecord> = pool.install(|| ruleset.tag(tokenizer.tokenize(shuffled).unwrap()));
        let reference = ruleset.tag(tokenizer.tokenize(records.clone()).unwrap());
        for (position, &i) in order.iter().enumerate() {
            prop_assert_eq!(&tagged[position], &reference[i]);
        }
    }

    /// The offset-keeping normaliser gives exactly NFKC, and maps every NFKC character back to a
    /// non-empty, in-order span of the original, whatever mix of widths and combining marks.
    #[test]
    fn normalised_text_is_nfkc_with_an_ordered_map(pieces in prop::collection::vec(prop::sample::select(vec![
        "在宅", "ＭＣＳ", "ﾄﾞｸﾀｰ", "か", "\u{3099}", "\u{309A}", "ﾞ", "ﾟ", "e\u{301}", "\u{301}", "㈱", "㌔", "Ⅳ",
        "ｱ", "ﾊﾟ", "①", "\u{2003}", "ｶﾞ", "ＡＢＣ", "😀", "゛", "ゟ", "\u{1100}\u{1161}", "。", "\n",
    ]), 0..12)) {
        use unicode_normalization::UnicodeNormalization;
        let original = pieces.concat();
        let text = zaitaku::text::NormalizedText::new(&original);
        prop_assert_eq!(&text.text, &original.nfkc().collect::<String>());
        let mut previous_start = 0;
        for i in 0..text.num_chars() {
            let (start, end) = text.to_orig(i, i + 1);
            prop_assert!(start < end && end <= original.chars().count());
            prop_assert!(start >= previous_start);
            previous_start = start;
        }
    }

    /// Evidence offsets always slice the original description to the evidence text, whatever
    /// widths, half-width kana, combining marks or emoji the text mixes in.
    #[test]
    fn evidence_offsets_slice_the_original(pieces in prop::collection::vec(prop::sample::select(vec![
        "ＭＣＳを導入した。", "ﾌｧｽﾄﾄﾞｸﾀｰと連携し、夜間の往診を代行した。", "ＩＶＲｙ", "Ｉｖｅｒの導入を検討したが、導入には至らなかった。",
        "訪問看護ｽﾃｰｼｮﾝ", "が\u{3099}", "😀", "㈱セコム医療サービス", "「かつシカ連携相談室」を設置", "\n・", "ｵﾝﾗｲﾝ診療を試行", "待機医が対応",
    ]), 1..10)) {
        let (tokenizer, ruleset) = pipeline();
        let description = pieces.concat();
        let record = super::harness::passage("e-001", &description);
        let tagged = ruleset.tag(tokenizer.tokenize(vec![record]).unwrap());
        for tag in &tagged[0].tags {
            for evidence in &tag.evidence {
                let span = &evidence.span;
                prop_assert_eq!(zaitaku::text::slice_chars(&description, span.start_char_orig, span.end_char_orig), span.text.as_str());
                prop_assert!(span.start_char_orig < span.end_char_orig);
            }
        }
    }
}

#[test]
fn the_shift_jis_writer_refuses_what_it_cannot_hold() {
    let mut records = seed_records().clone();
    records.truncate(40); // record 2024-037 (調布) holds U+2003
    let error = ingest::write_csv(&records, Encoding::ShiftJis, LineEnding::CrLf).unwrap_err();
    assert_eq!(error, "record 2024-037: Shift_JIS cannot hold '\\u{2003}' (U+2003)");
    assert!(ingest::write_csv(&records, Encoding::Utf8, LineEnding::Lf).is_ok());
}
