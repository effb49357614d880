//! Per-stage benchmarks on the FY2024 seed (the real table: 58 records, 33 KB), the corpus every
//! analyst runs first, plus rule compilation at 10,000 terms (a large rule set) to bound start-up.
//!
//! Measured: ingest (table text, the 8-page PDF and the workbook → records), tokenize (records → tokens, MB/s of
//! descriptions), tag (tokenized records → tags, MB/s of descriptions, so it reads against
//! tokenize: tagging must cost less than tokenizing), loading the embedded IPADIC, and compiling
//! rules. Setup (reading files, tokenizing for the tag bench) is outside the timed regions.
//!
//! The scaled group makes its own corpus, the seed's table repeated to 10 MB (never committed),
//! and measures what a rule author re-runs on a large corpus: tokenize + tag fused
//! (`pipeline::tokenize_and_tag`) at 1 and 2 threads, against lindera alone on the same NFKC
//! descriptions (the floor: tagging should add little on top of tokenizing).
//! Run: `cargo bench --bench stages` (`-- scaled` for that group alone).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn seed_bytes() -> Vec<u8> {
    std::fs::read(repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt")).expect("seed")
}

fn ingest(c: &mut Criterion) {
    let bytes = seed_bytes();
    let mut group = c.benchmark_group("zaitaku::ingest::read_bytes");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("seed", |b| {
        b.iter(|| zaitaku::ingest::read_bytes("r06.txt", black_box(&bytes)).unwrap())
    });
    // The same table as the 8-page PDF a browser prints (pdftotext -bbox subprocess + layout),
    // side by side with its text: the budget is 100 ms more than the text. Skipped
    // without pdftotext.
    let pdf = std::fs::read(repo("tests/fixtures/made/r06_chromium_repeated.pdf")).expect("fixture");
    if std::process::Command::new("pdftotext").arg("-v").output().is_ok() {
        group.throughput(Throughput::Bytes(pdf.len() as u64));
        group.sample_size(20);
        group.bench_function("pdf_8_pages", |b| {
            b.iter(|| zaitaku::ingest::read_bytes("r06.pdf", black_box(&pdf)).unwrap())
        });
    } else {
        eprintln!("*** SKIPPED pdf_8_pages: no pdftotext (poppler-utils) ***");
    }
    let workbook = std::fs::read(repo("tests/fixtures/made/r06_workbook.xlsx")).expect("fixture");
    group.throughput(Throughput::Bytes(workbook.len() as u64));
    group.bench_function("xlsx", |b| {
        b.iter(|| zaitaku::ingest::read_bytes("r06.xlsx", black_box(&workbook)).unwrap())
    });
    group.finish();
}

fn tokenize_and_tag(c: &mut Criterion) {
    let records = zaitaku::ingest::read_bytes("r06.txt", &seed_bytes()).unwrap().records;
    let description_bytes: u64 = records.iter().map(|r| r.description.len() as u64).sum();
    let tokenizer = Tokenizer::load(&repo("dictionaries")).unwrap();
    let ruleset = Ruleset::load(&repo("dictionaries")).unwrap();

    let mut group = c.benchmark_group("zaitaku::tokenize::TokenizerWorker::tokenize");
    group.throughput(Throughput::Bytes(description_bytes));
    group.bench_function("seed_single_thread", |b| {
        let mut worker = tokenizer.worker();
        b.iter(|| {
            for record in &records {
                black_box(worker.tokenize(record.clone()).unwrap());
            }
        })
    });
    group.finish();

    let tokenized = tokenizer.tokenize(records.clone()).unwrap();
    // One worker for all records, as each rayon thread of the pipeline has (`Ruleset::tag_one`
    // makes a new one per call, with cold caches: that measures set-up, not tagging); the copy
    // of the record is in both benches alike.
    let mut group = c.benchmark_group("zaitaku::tag::Worker::tag");
    group.throughput(Throughput::Bytes(description_bytes));
    group.bench_function("seed_single_thread", |b| {
        let mut worker = ruleset.worker();
        b.iter(|| {
            for record in &tokenized {
                black_box(worker.tag(record.clone()));
            }
        })
    });
    group.finish();
}

fn load_dictionary(c: &mut Criterion) {
    let mut group = c.benchmark_group("zaitaku::tokenize::Tokenizer::load");
    group.bench_function("embedded_ipadic_and_user_dictionary", |b| {
        b.iter(|| Tokenizer::load(black_box(&repo("dictionaries"))).unwrap())
    });
    group.finish();
}

/// A dictionaries folder whose one rule file holds `num_terms` made-up katakana terms.
fn synthetic_rules(dir: &Path, num_terms: usize) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    for file in ["taxonomy.toml", "cues.toml", "aliases.toml"] {
        std::fs::copy(repo(&format!("dictionaries/{file}")), dir.join(file)).unwrap();
    }
    let tags: Vec<String> = std::fs::read_to_string(repo("dictionaries/taxonomy.toml"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("id = \"").and_then(|r| r.strip_suffix('"')).map(str::to_owned))
        .collect();
    let kana: Vec<char> = ('ア'..='ン').collect();
    let mut text = String::new();
    let per_rule = 100;
    for rule in 0..num_terms / per_rule {
        let terms: Vec<String> = (0..per_rule)
            .map(|i| {
                let n = rule * per_rule + i;
                (0..4).map(|k| kana[(n / kana.len().pow(k)) % kana.len()]).collect::<String>() + "システム"
            })
            .map(|t| format!("\"{t}\""))
            .collect();
        text.push_str(&format!(
            "[[rule]]\nname = \"synthetic.{rule}\"\ntag = \"{}\"\nmatch = {{ terms = [{}] }}\n\n",
            tags[rule % tags.len()],
            terms.join(", ")
        ));
    }
    std::fs::write(dir.join("rules/synthetic.toml"), text).unwrap();
}

fn compile_rules(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    synthetic_rules(dir.path(), 10_000);
    let mut group = c.benchmark_group("zaitaku::tag::Ruleset::load");
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("synthetic_10000_terms", |b| {
        b.iter(|| Ruleset::load(black_box(dir.path())).unwrap())
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("shipped_rules", |b| {
        b.iter(|| Ruleset::load(black_box(&repo("dictionaries"))).unwrap())
    });
    group.finish();
}

/// The seed's table text repeated to at least 10 MB, as `benches/whole_process.sh` makes it.
fn scaled_corpus() -> Vec<u8> {
    let seed = seed_bytes();
    let copies = (10_000_000 / seed.len()) + 1;
    seed.repeat(copies)
}

fn scaled(c: &mut Criterion) {
    let corpus = scaled_corpus();
    let records = zaitaku::ingest::read_bytes("big.txt", &corpus).unwrap().records;
    let tokenizer = Tokenizer::load(&repo("dictionaries")).unwrap();
    let ruleset = Ruleset::load(&repo("dictionaries")).unwrap();
    let nfkc: Vec<String> =
        records.iter().map(|r| zaitaku::text::NormalizedText::new(&r.description).text).collect();

    let mut group = c.benchmark_group("scaled_10MB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(corpus.len() as u64));
    group.bench_function("ingest_table_text", |b| {
        b.iter(|| zaitaku::ingest::read_bytes("big.txt", black_box(&corpus)).unwrap())
    });
    group.bench_function("lindera_alone_on_nfkc_descriptions", |b| {
        let mut worker = tokenizer.worker();
        b.iter(|| {
            nfkc.iter().map(|text| worker.count_lindera_tokens(black_box(text)).unwrap()).sum::<usize>()
        })
    });
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("tokenize_only_threads_{threads}"), |b| {
            b.iter(|| pool.install(|| tokenizer.tokenize(black_box(records.clone())).unwrap()))
        });
        group.bench_function(format!("tokenize_and_tag_threads_{threads}"), |b| {
            b.iter(|| {
                pool.install(|| {
                    zaitaku::pipeline::tokenize_and_tag(&tokenizer, &ruleset, black_box(records.clone()))
                })
                .unwrap()
            })
        });
    }
    group.finish();
}

/// One free-text record (no district: the acting-body, relation, name and policy constructs all
/// run) made of the seed's descriptions, at 1 MB and 10 MB: the time per MB must stay flat, as
/// tagging is linear in a record's length. `cargo bench --bench stages -- free_text_record`.
fn free_text_record(c: &mut Criterion) {
    let records = zaitaku::ingest::read_bytes("r06.txt", &seed_bytes()).unwrap().records;
    let text: String = records.iter().map(|r| r.description.as_str()).collect();
    let tokenizer = Tokenizer::load(&repo("dictionaries")).unwrap();
    let ruleset = Ruleset::load(&repo("dictionaries")).unwrap();
    let mut group = c.benchmark_group("zaitaku::tag::Ruleset::tag_one/free_text_record");
    group.sample_size(10);
    for megabytes in [1usize, 10] {
        let mut description = String::with_capacity(megabytes << 20);
        while description.len() < megabytes * 1_000_000 {
            description.push_str(&text);
        }
        let mut record = records[0].clone();
        record.district = None;
        record.district_no = None;
        record.program = None;
        record.description = description;
        let tokenized = tokenizer.tokenize(vec![record]).unwrap().pop().unwrap();
        group.throughput(Throughput::Bytes(tokenized.record.description.len() as u64));
        group
            .bench_function(format!("{megabytes}_mb"), |b| b.iter(|| black_box(ruleset.tag_one(&tokenized))));
    }
    group.finish();
}

criterion_group!(benches, ingest, tokenize_and_tag, load_dictionary, compile_rules, scaled, free_text_record);
criterion_main!(benches);
