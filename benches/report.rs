//! The report half of the main job on the FY2024 seed, and the whole job end to end.
//!
//! Measured: aggregate (58 tagged records → every polars view, records/s), render (views → the
//! report folder: 6 charts as SVG + PNG, CSV, Parquet, HTML; records/s) and the main job from
//! `data/` to `reports/` without the cache (what an analyst waits for on a first run; bytes/s of
//! input). The seed is the corpus of this job: one fiscal year's table is what analysts run, and
//! at that size the report, not the text, is the cost. Setup (tagging for aggregate, aggregating
//! for render) is outside the timed regions. Run: `cargo bench --bench report`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use zaitaku::Warnings;
use zaitaku::aggregate::{self, Aggregates};
use zaitaku::regions::Regions;
use zaitaku::render::{self, ReportContext};
use zaitaku::tag::Ruleset;
use zaitaku::tokenize::Tokenizer;

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn seed_tagged() -> (Vec<zaitaku::TaggedRecord>, Ruleset, Regions) {
    let dictionaries = repo("dictionaries");
    let records = zaitaku::ingest::read(&repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt")).unwrap().records;
    let tokenizer = Tokenizer::load(&dictionaries).unwrap();
    let ruleset = Ruleset::load(&dictionaries).unwrap();
    let tagged = zaitaku::pipeline::tokenize_and_tag(&tokenizer, &ruleset, records).unwrap().records;
    (tagged, ruleset, Regions::load(&dictionaries).unwrap())
}

fn aggregate_and_render(c: &mut Criterion) {
    let (tagged, ruleset, regions) = seed_tagged();
    let mut group = c.benchmark_group("zaitaku::aggregate::aggregate");
    group.throughput(Throughput::Elements(tagged.len() as u64));
    group.bench_function("seed", |b| {
        // The records are moved into the result, so each run gets its own copy, made untimed.
        b.iter_batched(
            || tagged.clone(),
            |records| {
                aggregate::aggregate(black_box(records), &regions, ruleset.tags(), &mut Warnings::default())
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let years: Vec<Aggregates> = vec![
        aggregate::aggregate(tagged.clone(), &regions, ruleset.tags(), &mut Warnings::default()).unwrap(),
    ];
    let changes = aggregate::yoy::year_over_year(&years);
    let context = ReportContext {
        tool_version: "bench".to_owned(),
        rules_hash: "0".repeat(16),
        inputs: vec![("r06_tokyo_zaitaku_jigyo_ichiran.txt".to_owned(), "0".repeat(16))],
        warnings: Vec::new(),
    };
    let out = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("zaitaku::render::render");
    group.throughput(Throughput::Elements(tagged.len() as u64));
    group.sample_size(20);
    group.bench_function("seed", |b| {
        b.iter(|| {
            render::render(black_box(&years), &changes, &context, &out.path().join("reports"), None).unwrap()
        })
    });
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    let out = tempfile::tempdir().unwrap();
    let config = zaitaku::job::JobConfig {
        data_dir: repo("data"),
        dictionaries_dir: repo("dictionaries"),
        out_dir: out.path().join("reports"),
        cache_dir: None,
        read_options: Default::default(),
    };
    let input_bytes = std::fs::metadata(repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt")).unwrap().len();
    let mut group = c.benchmark_group("zaitaku::job::run");
    group.throughput(Throughput::Bytes(input_bytes));
    group.sample_size(20);
    group.bench_function("seed_without_cache", |b| {
        b.iter(|| zaitaku::job::run(black_box(&config), &|_| ()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, aggregate_and_render, end_to_end);
criterion_main!(benches);
