//! Aggregate: [`TaggedRecord`]s → tidy polars tables and every comparison view built from them.
//!
//! The tidy tables come first: `records` (one row per record) and `tags` (one row per record ×
//! tag). Every view is a polars query over them: district × tag, tag × 二次保健医療圏 and tag ×
//! 区部/多摩 (associations with the tag / associations in the area that reported, n and N), 区部 vs
//! 多摩 with Fisher's exact test and a Holm correction, program × 事業区分, status × tag, tag × tag
//! co-occurrence (associations with both) and entity × district.
//!
//! An association is *present* for a tag when any of its records has it; its status is the
//! strongest across those records. Rows and columns of every view follow fixed orders (districts
//! by number, tags by family then taxonomy order, statuses by strength), so charts compare.
//!
//! What can fail: polars itself (reported as an error, never a panic). Deliberately not done here:
//! anything about files or drawing (that is `render`).

pub mod stats;
pub mod yoy;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::error::{Error, Location, Result, Warnings};
use crate::model::{Status, TaggedRecord};
use crate::regions::{AREAS, Regions, UNKNOWN};
use crate::tag::TagInfo;

/// Families in display order.
pub const FAMILIES: [&str; 4] = ["tech", "staff", "partner", "hub"];

/// A labelled matrix of counts with fixed row and column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Row keys.
    pub rows: Vec<String>,
    /// Column keys.
    pub cols: Vec<String>,
    /// `values[row][col]`.
    pub values: Vec<Vec<u32>>,
}

impl Matrix {
    fn zeros(rows: Vec<String>, cols: Vec<String>) -> Self {
        let values = vec![vec![0; cols.len()]; rows.len()];
        Self { rows, cols, values }
    }

    fn add(&mut self, row: &str, col: &str, n: u32) {
        if let (Some(r), Some(c)) =
            (self.rows.iter().position(|x| x == row), self.cols.iter().position(|x| x == col))
        {
            self.values[r][c] += n;
        }
    }
}

/// Share of associations with a tag in one area or 二次保健医療圏.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    /// Tag id.
    pub tag: String,
    /// The area or 二次保健医療圏.
    pub group: String,
    /// Associations in the group with the tag.
    pub n: u32,
    /// Associations in the group that reported.
    pub total: u32,
}

impl Share {
    /// n / N (0 when N is 0).
    pub fn share(&self) -> f64 {
        if self.total == 0 { 0.0 } else { f64::from(self.n) / f64::from(self.total) }
    }
}

/// 区部 vs 多摩 for one tag.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaComparison {
    /// Tag id.
    pub tag: String,
    /// 区部: associations with the tag, and reporting.
    pub ku: (u32, u32),
    /// 多摩: the same.
    pub tama: (u32, u32),
    /// Two-sided Fisher exact p.
    pub p: f64,
    /// Holm-adjusted p across the tags.
    pub p_holm: f64,
}

impl AreaComparison {
    /// Whether any cell count is under 5 (interpret with care).
    pub fn small_cells(&self) -> bool {
        let (a, n1) = self.ku;
        let (b, n2) = self.tama;
        [a, n1 - a, b, n2 - b].iter().any(|&x| x < 5)
    }
}

/// One association's place and presence.
#[derive(Debug, Clone, PartialEq)]
pub struct Association {
    /// Name as written in the data.
    pub district: String,
    /// District number of its first record.
    pub district_no: u32,
    /// 二次保健医療圏, or `unknown`.
    pub medical_area: String,
    /// 区部, 多摩, 島しょ or `unknown`.
    pub area: String,
}

/// Everything the report shows, for one fiscal year.
pub struct Aggregates {
    /// The fiscal year (None when records have none).
    pub fiscal_year: Option<u16>,
    /// One row per record.
    pub records: DataFrame,
    /// One row per record × tag.
    pub tags: DataFrame,
    /// The taxonomy in display order (family, then its order in taxonomy.toml).
    pub tag_infos: Vec<TagInfo>,
    /// Associations in district-number order.
    pub associations: Vec<Association>,
    /// District × tag: the association's strongest status rank (0 = absent, 1 = implemented …
    /// 5 = suspended), rows in district order.
    pub district_tag_status: Matrix,
    /// Tag × 二次保健医療圏 shares.
    pub medical_area_shares: Vec<Share>,
    /// Tag × area shares (区部, 多摩, 島しょ, unknown where present).
    pub area_shares: Vec<Share>,
    /// 区部 vs 多摩 per tag, with p-values.
    pub area_comparisons: Vec<AreaComparison>,
    /// Program × 事業区分: records.
    pub program_category: Matrix,
    /// Tag × status: records.
    pub status_tag: Matrix,
    /// Tag × tag: associations with both (the diagonal: with the tag).
    pub cooccurrence: Matrix,
    /// Entity × district: records naming the entity.
    pub entity_district: Matrix,
    /// Records with no tag, for review.
    pub untagged: Vec<String>,
    /// The tagged records themselves, for drill-down.
    pub tagged: Vec<TaggedRecord>,
}

fn polars_error(e: PolarsError) -> Error {
    Error::Aggregate { view: "the tidy tables".into(), message: e.to_string() }
}

fn status_rank(status: Status) -> u32 {
    Status::ALL.iter().position(|s| *s == status).map_or(0, |p| p as u32 + 1)
}

/// Aggregates one fiscal year's tagged records. Associations the region file does not know are
/// warned about and counted under `unknown`.
pub fn aggregate(
    tagged: &[TaggedRecord],
    regions: &Regions,
    tag_infos: &[TagInfo],
    warnings: &mut Warnings,
) -> Result<Aggregates> {
    let mut tag_infos = tag_infos.to_vec();
    tag_infos
        .sort_by_key(|t| (FAMILIES.iter().position(|f| *f == t.family).unwrap_or(FAMILIES.len()), t.order));
    let place = |district: &str| -> (String, String) {
        regions.locate(district).map_or_else(
            || (UNKNOWN.to_owned(), UNKNOWN.to_owned()),
            |p| (p.medical_area.clone(), p.area.clone()),
        )
    };
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    for record in tagged {
        if let Some(district) = &record.record.district
            && regions.locate(district).is_none()
            && unknown.insert(district.clone())
        {
            let location =
                record.record.source.clone().unwrap_or_else(|| Location::file(record.record.id.clone()));
            warnings.push(
                location,
                format!("{district} is not in regions.toml; counted under area \"{UNKNOWN}\""),
            );
        }
    }

    let records = records_frame(tagged, &place).map_err(polars_error)?;
    let tags = tags_frame(tagged, &place, &tag_infos).map_err(polars_error)?;

    // Associations, in the order of their first district number.
    let mut associations: Vec<Association> = Vec::new();
    for record in tagged {
        let Some(district) = &record.record.district else { continue };
        if associations.iter().any(|a| &a.district == district) {
            continue;
        }
        let (medical_area, area) = place(district);
        associations.push(Association {
            district: district.clone(),
            district_no: record.record.district_no.unwrap_or(u32::MAX),
            medical_area,
            area,
        });
    }
    associations.sort_by(|a, b| a.district_no.cmp(&b.district_no).then(a.district.cmp(&b.district)));
    let tag_ids: Vec<String> = tag_infos.iter().map(|t| t.id.clone()).collect();

    // Presence: (district, tag) → strongest status rank, from the tidy tags table.
    let presence = tags
        .clone()
        .lazy()
        .filter(col("district").is_not_null())
        .group_by([col("district"), col("tag")])
        .agg([col("status_rank").min().alias("rank")])
        .sort(["district", "tag"], SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;
    let present: Vec<(String, String, u32)> =
        triples_u32(&presence, "district", "tag", "rank").map_err(polars_error)?;
    let mut district_tag_status =
        Matrix::zeros(associations.iter().map(|a| a.district.clone()).collect(), tag_ids.clone());
    for (district, tag, rank) in &present {
        district_tag_status.add(district, tag, *rank);
    }

    // Reporting associations per group (N) and associations with each tag per group (n).
    let group_shares = |key: &str, groups: &[String]| -> PolarsResult<Vec<Share>> {
        let totals = records
            .clone()
            .lazy()
            .filter(col("district").is_not_null())
            .group_by([col(key)])
            .agg([col("district").n_unique().cast(DataType::UInt32).alias("total")])
            .collect()?;
        let totals: BTreeMap<String, u32> = pairs_u32(&totals, key, "total")?.into_iter().collect();
        let with_tag = tags
            .clone()
            .lazy()
            .filter(col("district").is_not_null())
            .group_by([col("tag"), col(key)])
            .agg([col("district").n_unique().cast(DataType::UInt32).alias("n")])
            .collect()?;
        let counts: BTreeMap<(String, String), u32> =
            triples_u32(&with_tag, "tag", key, "n")?.into_iter().map(|(t, g, n)| ((t, g), n)).collect();
        let mut shares = Vec::new();
        for tag in &tag_ids {
            for group in groups {
                let total = totals.get(group).copied().unwrap_or(0);
                if total == 0 {
                    continue;
                }
                let n = counts.get(&(tag.clone(), group.clone())).copied().unwrap_or(0);
                shares.push(Share { tag: tag.clone(), group: group.clone(), n, total });
            }
        }
        Ok(shares)
    };
    let mut medical_area_names: Vec<String> =
        regions.medical_areas().iter().map(|(m, _)| m.clone()).collect();
    medical_area_names.push(UNKNOWN.to_owned());
    let mut area_names: Vec<String> = AREAS.iter().map(|a| (*a).to_owned()).collect();
    area_names.push(UNKNOWN.to_owned());
    let medical_area_shares = group_shares("medical_area", &medical_area_names).map_err(polars_error)?;
    let area_shares = group_shares("area", &area_names).map_err(polars_error)?;

    let mut area_comparisons: Vec<AreaComparison> = tag_ids
        .iter()
        .map(|tag| {
            let find = |area: &str| {
                area_shares
                    .iter()
                    .find(|s| &s.tag == tag && s.group == area)
                    .map_or((0, 0), |s| (s.n, s.total))
            };
            let (ku, tama) = (find(AREAS[0]), find(AREAS[1]));
            let p = stats::fisher_exact_two_sided(
                u64::from(ku.0),
                u64::from(ku.1 - ku.0),
                u64::from(tama.0),
                u64::from(tama.1 - tama.0),
            );
            AreaComparison { tag: tag.clone(), ku, tama, p, p_holm: p }
        })
        .collect();
    let adjusted = stats::holm(&area_comparisons.iter().map(|c| c.p).collect::<Vec<_>>());
    for (comparison, p_holm) in area_comparisons.iter_mut().zip(adjusted) {
        comparison.p_holm = p_holm;
    }

    // Program × 事業区分 (records), from a long table of categories.
    let categories = category_frame(tagged).map_err(polars_error)?;
    let program_counts = categories
        .lazy()
        .group_by([col("program"), col("category")])
        .agg([len().cast(DataType::UInt32).alias("n")])
        .sort(["program", "category"], SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;
    let program_triples = triples_u32(&program_counts, "program", "category", "n").map_err(polars_error)?;
    let programs: Vec<String> = sorted_unique(program_triples.iter().map(|t| t.0.clone()));
    let category_names: Vec<String> = sorted_unique(program_triples.iter().map(|t| t.1.clone()));
    let mut program_category = Matrix::zeros(programs, category_names);
    for (program, category, n) in &program_triples {
        program_category.add(program, category, *n);
    }

    // Tag × status (records).
    let status_counts = tags
        .clone()
        .lazy()
        .group_by([col("tag"), col("status")])
        .agg([len().cast(DataType::UInt32).alias("n")])
        .collect()
        .map_err(polars_error)?;
    let mut status_tag =
        Matrix::zeros(tag_ids.clone(), Status::ALL.iter().map(|s| s.name().to_owned()).collect());
    for (tag, status, n) in triples_u32(&status_counts, "tag", "status", "n").map_err(polars_error)? {
        status_tag.add(&tag, &status, n);
    }

    // Tag × tag co-occurrence over associations.
    let mut cooccurrence = Matrix::zeros(tag_ids.clone(), tag_ids.clone());
    let mut by_district: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (district, tag, _) in &present {
        by_district.entry(district).or_default().push(tag);
    }
    for tags_of_district in by_district.values() {
        for a in tags_of_district {
            for b in tags_of_district {
                cooccurrence.add(a, b, 1);
            }
        }
    }

    // Entity × district (records naming the entity).
    let entity_counts = tags
        .clone()
        .lazy()
        .filter(col("entity").is_not_null().and(col("district").is_not_null()))
        .group_by([col("entity"), col("district")])
        .agg([len().cast(DataType::UInt32).alias("n")])
        .sort(["entity", "district"], SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;
    let entity_triples = triples_u32(&entity_counts, "entity", "district", "n").map_err(polars_error)?;
    let mut entity_district = Matrix::zeros(
        sorted_unique(entity_triples.iter().map(|t| t.0.clone())),
        associations
            .iter()
            .map(|a| a.district.clone())
            .filter(|d| entity_triples.iter().any(|t| &t.1 == d))
            .collect(),
    );
    for (entity, district, n) in &entity_triples {
        entity_district.add(entity, district, *n);
    }

    let untagged = tagged.iter().filter(|r| r.tags.is_empty()).map(|r| r.record.id.clone()).collect();
    let mut years: Vec<u16> = tagged.iter().filter_map(|r| r.record.fiscal_year).collect();
    years.sort_unstable();
    years.dedup();
    Ok(Aggregates {
        fiscal_year: years.last().copied(),
        records,
        tags,
        tag_infos,
        associations,
        district_tag_status,
        medical_area_shares,
        area_shares,
        area_comparisons,
        program_category,
        status_tag,
        cooccurrence,
        entity_district,
        untagged,
        tagged: tagged.to_vec(),
    })
}

fn sorted_unique(values: impl Iterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = values.collect();
    set.into_iter().collect()
}

fn strings(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let column = df.column(name)?.str()?;
    Ok(column.iter().map(|v| v.unwrap_or("").to_owned()).collect())
}

fn u32s(df: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    let column = df.column(name)?.cast(&DataType::UInt32)?;
    Ok(column.u32()?.iter().map(|v| v.unwrap_or(0)).collect())
}

fn pairs_u32(df: &DataFrame, key: &str, value: &str) -> PolarsResult<Vec<(String, u32)>> {
    Ok(strings(df, key)?.into_iter().zip(u32s(df, value)?).collect())
}

fn triples_u32(df: &DataFrame, a: &str, b: &str, value: &str) -> PolarsResult<Vec<(String, String, u32)>> {
    Ok(strings(df, a)?
        .into_iter()
        .zip(strings(df, b)?)
        .zip(u32s(df, value)?)
        .map(|((x, y), n)| (x, y, n))
        .collect())
}

/// The tidy `records` table.
fn records_frame(
    tagged: &[TaggedRecord],
    place: &dyn Fn(&str) -> (String, String),
) -> PolarsResult<DataFrame> {
    let r = |f: fn(&TaggedRecord) -> Option<String>| tagged.iter().map(f).collect::<Vec<Option<String>>>();
    let places: Vec<(String, String)> = tagged
        .iter()
        .map(|t| t.record.district.as_deref().map_or((UNKNOWN.into(), UNKNOWN.into()), place))
        .collect();
    DataFrame::new_infer_height(vec![
        Column::new("id".into(), tagged.iter().map(|t| t.record.id.clone()).collect::<Vec<_>>()),
        Column::new(
            "fiscal_year".into(),
            tagged.iter().map(|t| t.record.fiscal_year.map(u32::from)).collect::<Vec<_>>(),
        ),
        Column::new("district_no".into(), tagged.iter().map(|t| t.record.district_no).collect::<Vec<_>>()),
        Column::new("district".into(), r(|t| t.record.district.clone())),
        Column::new("medical_area".into(), places.iter().map(|p| p.0.clone()).collect::<Vec<_>>()),
        Column::new("area".into(), places.iter().map(|p| p.1.clone()).collect::<Vec<_>>()),
        Column::new("program".into(), r(|t| t.record.program.clone())),
        Column::new(
            "categories".into(),
            tagged.iter().map(|t| t.record.categories.join("\n")).collect::<Vec<_>>(),
        ),
        Column::new("marks".into(), tagged.iter().map(|t| t.record.marks).collect::<Vec<_>>()),
        Column::new(
            "description".into(),
            tagged.iter().map(|t| t.record.description.clone()).collect::<Vec<_>>(),
        ),
        Column::new("num_tags".into(), tagged.iter().map(|t| t.tags.len() as u32).collect::<Vec<_>>()),
    ])
}

/// The tidy `tags` table: one row per record × tag.
fn tags_frame(
    tagged: &[TaggedRecord],
    place: &dyn Fn(&str) -> (String, String),
    tag_infos: &[TagInfo],
) -> PolarsResult<DataFrame> {
    let mut columns: BTreeMap<&str, Vec<Option<String>>> = BTreeMap::new();
    let mut years = Vec::new();
    let mut ranks = Vec::new();
    let keys = [
        "id",
        "district",
        "medical_area",
        "area",
        "program",
        "categories",
        "tag",
        "family",
        "label",
        "status",
        "entity",
        "evidence",
        "rule",
    ];
    for record in tagged {
        let r = &record.record;
        let (medical_area, area) = r.district.as_deref().map_or((UNKNOWN.into(), UNKNOWN.into()), place);
        for tag in &record.tags {
            let info = tag_infos.iter().find(|t| t.id == tag.tag);
            let mut rules: Vec<&str> = tag.evidence.iter().map(|e| e.rule.as_str()).collect();
            rules.dedup();
            let values = [
                Some(r.id.clone()),
                r.district.clone(),
                Some(medical_area.clone()),
                Some(area.clone()),
                r.program.clone(),
                Some(r.categories.join("\n")),
                Some(tag.tag.clone()),
                info.map(|i| i.family.clone()),
                info.map(|i| i.label.clone()),
                Some(tag.status.name().to_owned()),
                tag.entity.clone(),
                Some(tag.evidence.iter().map(|e| e.span.text.as_str()).collect::<Vec<_>>().join(" / ")),
                Some(rules.join(", ")),
            ];
            for (key, value) in keys.iter().zip(values) {
                columns.entry(key).or_default().push(value);
            }
            years.push(r.fiscal_year.map(u32::from));
            ranks.push(status_rank(tag.status));
        }
    }
    let mut out = vec![Column::new("fiscal_year".into(), years)];
    for key in keys {
        out.push(Column::new(key.into(), columns.remove(key).unwrap_or_default()));
    }
    out.push(Column::new("status_rank".into(), ranks));
    DataFrame::new_infer_height(out)
}

/// Program × category, one row per record × category.
fn category_frame(tagged: &[TaggedRecord]) -> PolarsResult<DataFrame> {
    let mut programs = Vec::new();
    let mut categories = Vec::new();
    for record in tagged {
        for category in &record.record.categories {
            programs.push(record.record.program.clone().unwrap_or_default());
            categories.push(category.clone());
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("program".into(), programs),
        Column::new("category".into(), categories),
    ])
}
