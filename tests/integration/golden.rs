//! The FY2024 table against the hand-labelled gold (`tests/gold/r06.jsonl`): every record's
//! district, number, program, categories, marks and description.

use serde_json::Value;

use super::harness::{assert_same, repo, seed};

fn gold() -> Vec<Value> {
    let text = std::fs::read_to_string(repo("tests/gold/r06.jsonl")).expect("gold file");
    text.lines().map(|line| serde_json::from_str(line).expect("gold line")).collect()
}

#[test]
fn fy2024_table_gives_the_gold_records() {
    let ingested = zaitaku::ingest::read(&seed()).expect("seed parses");
    assert!(ingested.warnings.is_empty(), "{}", ingested.warnings);
    let gold = gold();
    assert_eq!(ingested.records.len(), 58);
    assert_eq!(gold.len(), 58);
    let mut districts: Vec<_> = ingested.records.iter().map(|r| r.district.clone()).collect();
    districts.dedup();
    assert_eq!(districts.len(), 32);
    for (index, (record, expected)) in ingested.records.iter().zip(&gold).enumerate() {
        let label = format!("record {} ({})", index + 1, record.id);
        assert_eq!(record.id, format!("2024-{:03}", index + 1));
        assert_eq!(record.fiscal_year, Some(2024), "{label}");
        assert_eq!(record.district_no, expected["district_no"].as_u64().map(|n| n as u32), "{label}");
        assert_eq!(record.district.as_deref(), expected["district"].as_str(), "{label}");
        assert_eq!(record.program.as_deref(), expected["program"].as_str(), "{label}");
        let categories: Vec<&str> =
            expected["categories"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(record.categories, categories, "{label}");
        assert_eq!(Some(u64::from(record.marks)), expected["marks"].as_u64(), "{label}");
        assert_same(&label, expected["description"].as_str().unwrap(), &record.description);
    }
}

#[test]
fn fy2024_marks_and_single_row_districts_match_the_gold_readme() {
    let records = zaitaku::ingest::read(&seed()).unwrap().records;
    assert_eq!(records.iter().filter(|r| r.marks == 0).count(), 21, "rows with no ○");
    let mut rows_per_district = std::collections::BTreeMap::new();
    for record in &records {
        *rows_per_district.entry(record.district.clone().unwrap()).or_insert(0) += 1;
    }
    let single: Vec<_> =
        rows_per_district.iter().filter(|(_, n)| **n == 1).map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        single,
        ["小石川医師会", "渋谷区医師会", "町田市医師会", "稲城市医師会", "葛飾区医師会", "足立区医師会"]
    );
}
