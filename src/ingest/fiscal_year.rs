//! Fiscal years from a title line, a file name or a column value, as Western years.
//!
//! Eras: 令和N → 2018+N (令和元 → 2019), 平成N → 1988+N. Text is NFKC-normalised first, so
//! 令和６年度 and 令和6年度 are the same.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

static ERA_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(令和|平成)\s*(元|\d{1,2})\s*年度").expect("static regex is valid"));
static WESTERN_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d\d)\s*年度").expect("static regex is valid"));
static FILE_ERA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(r|h)(\d{1,2})(?:[_\-.\s]|$)").expect("static regex is valid"));
static FILE_WESTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^0-9])(?:fy)?((?:19|20)\d\d)(?:[^0-9]|$)").expect("static regex is valid")
});
static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:fy\s*)?((?:19|20)\d\d)(?:\s*年度?)?$|^(令和|平成|r|h)\s*(元|\d{1,2})(?:\s*年度?)?$")
        .expect("static regex is valid")
});

/// The fiscal year a title line states (`令和６年度 東京都…` → 2024), if any.
pub(crate) fn from_title(line: &str) -> Option<u16> {
    let line: String = line.nfkc().collect();
    if let Some(caps) = ERA_YEAR.captures(&line) {
        return era_to_western(&caps[1], &caps[2]);
    }
    WESTERN_YEAR.captures(&line).and_then(|caps| caps[1].parse().ok())
}

/// The fiscal year a file name states (`r06_…` → 2024, `h30_…` → 2018, `fy2025.csv` → 2025).
pub(crate) fn from_file_name(name: &str) -> Option<u16> {
    let name: String = name.nfkc().collect();
    if let Some(caps) = FILE_ERA.captures(&name) {
        let era = if caps[1].eq_ignore_ascii_case("r") { "令和" } else { "平成" };
        return era_to_western(era, &caps[2]);
    }
    if let Some(caps) = ERA_YEAR.captures(&name) {
        return era_to_western(&caps[1], &caps[2]);
    }
    FILE_WESTERN.captures(&name).and_then(|caps| caps[1].parse().ok())
}

/// The fiscal year a column cell holds: `2024`, `FY2024`, `令和6年度`, `R6`, `令和元`.
pub(crate) fn from_value(value: &str) -> Option<u16> {
    let value: String = value.nfkc().collect();
    let caps = VALUE.captures(value.trim())?;
    if let Some(year) = caps.get(1) {
        return year.as_str().parse().ok();
    }
    let era = match &caps[2] {
        "令和" | "r" | "R" => "令和",
        _ => "平成",
    };
    era_to_western(era, &caps[3])
}

fn era_to_western(era: &str, number: &str) -> Option<u16> {
    let n: u16 = if number == "元" { 1 } else { number.parse().ok()? };
    if n == 0 {
        return None;
    }
    match era {
        "令和" => Some(2018 + n),
        "平成" if n <= 31 => Some(1988 + n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_eras() {
        assert_eq!(from_title("令和６年度 東京都在宅医療推進強化事業 各地区医師会の事業一覧"), Some(2024));
        assert_eq!(from_title("令和元年度 事業一覧"), Some(2019));
        assert_eq!(from_title("平成30年度 事業一覧"), Some(2018));
        assert_eq!(from_title("2025年度 事業一覧"), Some(2025));
        assert_eq!(from_title("各地区医師会の事業一覧"), None);
    }

    #[test]
    fn file_names() {
        assert_eq!(from_file_name("r06_tokyo_zaitaku_jigyo_ichiran.txt"), Some(2024));
        assert_eq!(from_file_name("R7-table.csv"), Some(2025));
        assert_eq!(from_file_name("h30_ichiran.txt"), Some(2018));
        assert_eq!(from_file_name("fy2025_tokyo.jsonl"), Some(2025));
        assert_eq!(from_file_name("passages.jsonl"), None);
        assert_eq!(from_file_name("report.txt"), None);
    }

    #[test]
    fn column_values() {
        assert_eq!(from_value("2024"), Some(2024));
        assert_eq!(from_value("令和６年度"), Some(2024));
        assert_eq!(from_value("R6"), Some(2024));
        assert_eq!(from_value("令和元年度"), Some(2019));
        assert_eq!(from_value("next year"), None);
    }
}
