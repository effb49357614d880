//! Column and key names, written once: record keys in JSON and CSV, and the Japanese headers
//! they are read from.

/// Record id.
pub const ID: &str = "id";
/// Western fiscal year.
pub const FISCAL_YEAR: &str = "fiscal_year";
/// District number.
pub const DISTRICT_NO: &str = "district_no";
/// District medical association.
pub const DISTRICT: &str = "district";
/// Program (事業種別).
pub const PROGRAM: &str = "program";
/// 事業区分 list.
pub const CATEGORIES: &str = "categories";
/// Count of ○ marks.
pub const MARKS: &str = "marks";
/// 事業内容.
pub const DESCRIPTION: &str = "description";
/// Alias of `description` in JSON passages.
pub const TEXT: &str = "text";
/// Notes found in the 事業区分 cell.
pub const NOTES: &str = "notes";

/// A record field a CSV column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// [`ID`]
    Id,
    /// [`FISCAL_YEAR`]
    FiscalYear,
    /// [`DISTRICT_NO`]
    DistrictNo,
    /// [`DISTRICT`]
    District,
    /// [`PROGRAM`]
    Program,
    /// [`CATEGORIES`]
    Categories,
    /// [`MARKS`]: a count, or cells holding ○.
    Marks,
    /// One of the table's two ○ columns; its ○ add to [`Field::Marks`].
    MarkColumn,
    /// [`DESCRIPTION`]
    Description,
    /// [`NOTES`]
    Notes,
    /// A column zaitaku derives and writes itself (area, medical_area, num_tags): read back
    /// without a warning and ignored, since it is recomputed.
    Derived,
}

impl Field {
    /// The English key of this field.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => ID,
            Field::FiscalYear => FISCAL_YEAR,
            Field::DistrictNo => DISTRICT_NO,
            Field::District => DISTRICT,
            Field::Program => PROGRAM,
            Field::Categories => CATEGORIES,
            Field::Marks | Field::MarkColumn => MARKS,
            Field::Description => DESCRIPTION,
            Field::Notes => NOTES,
            Field::Derived => "",
        }
    }

    /// Which field a CSV header names, after NFKC, trimming, removing spaces and lower-casing.
    ///
    /// Japanese headers are those of the published table (地区医師会名, 事業種別, 事業区分（実施要綱）,
    /// 令和６年度事業内容, 年度, the two ○ columns); English ones are the record keys.
    pub fn from_header(normalized: &str) -> Option<Field> {
        let field = match normalized {
            ID | "record_id" => Field::Id,
            FISCAL_YEAR | "year" | "fy" | "年度" | "事業年度" => Field::FiscalYear,
            DISTRICT_NO | "no" | "no." | "番号" | "地区番号" => Field::DistrictNo,
            DISTRICT | "association" | "地区医師会名" | "地区医師会" | "医師会名" | "医師会" => {
                Field::District
            }
            PROGRAM | "事業種別" | "事業名" => Field::Program,
            CATEGORIES | "category" | "事業区分" => Field::Categories,
            MARKS | "○" | "○の数" | "marks_count" => Field::Marks,
            DESCRIPTION | TEXT | "事業内容" | "内容" => Field::Description,
            NOTES | "備考" => Field::Notes,
            "往診を支援する事業者との連携" | "webシステムの構築等" => Field::MarkColumn,
            "medical_area" | "area" | "municipality" | "num_tags" => Field::Derived,
            other if other.starts_with("事業区分") => Field::Categories,
            other if other.ends_with("事業内容") => Field::Description,
            _ => return None,
        };
        Some(field)
    }
}
