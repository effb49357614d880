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
//! Every cell is computed here once, by one polars group: its value (associations, records or a
//! status rank, as the view says) and its members (the records that make it), so a table's
//! number and its drill-down cannot disagree. Render and the year-over-year pages only read them.
//!
//! What can fail: polars itself (reported as an error, never a panic). Deliberately not done here:
//! anything about files or drawing (that is `render`).

pub mod stats;
#[cfg(test)]
mod tests;
pub mod yoy;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::error::{Error, Location, Result, Warnings};
use crate::model::{Status, TaggedRecord};
use crate::regions::{AREAS, Regions, UNKNOWN};
use crate::tag::TagInfo;

/// Families in display order.
pub const FAMILIES: [&str; 4] = ["tech", "staff", "partner", "hub"];

/// Indices into [`Aggregates::tagged`], ascending: the records that make a cell.
pub type Members = Vec<u32>;

/// A labelled matrix with fixed row and column order: each cell's value and its records.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Row keys.
    pub rows: Vec<String>,
    /// Column keys.
    pub cols: Vec<String>,
    /// `values[row][col]`: what the view counts (see its field of [`Aggregates`]).
    pub values: Vec<Vec<u32>>,
    /// `members[row][col]`: the records behind that value.
    pub members: Vec<Vec<Members>>,
}

impl Matrix {
    fn zeros(rows: Vec<String>, cols: Vec<String>) -> Self {
        let values = vec![vec![0; cols.len()]; rows.len()];
        let members = vec![vec![Vec::new(); cols.len()]; rows.len()];
        Self { rows, cols, values, members }
    }

    /// Fills the cells named by `groups`; keys outside the rows or columns are left out.
    fn fill(&mut self, groups: impl IntoIterator<Item = Group>) {
        let row_of: BTreeMap<&str, usize> =
            self.rows.iter().enumerate().map(|(i, r)| (r.as_str(), i)).collect();
        let col_of: BTreeMap<&str, usize> =
            self.cols.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        for group in groups {
            if let (Some(&r), Some(&c)) = (row_of.get(group.row.as_str()), col_of.get(group.col.as_str())) {
                self.values[r][c] = group.value;
                self.members[r][c] = group.members;
            }
        }
    }

    /// The value and records of the cell at (`row`, `col`), if both keys exist.
    pub fn cell(&self, row: &str, col: &str) -> Option<(u32, &[u32])> {
        let r = self.rows.iter().position(|x| x == row)?;
        let c = self.cols.iter().position(|x| x == col)?;
        Some((self.values[r][c], &self.members[r][c]))
    }

    /// Every non-empty cell as (row, column, records), row by row.
    pub fn cells_with_members(&self) -> impl Iterator<Item = (&str, &str, &[u32])> {
        self.rows.iter().enumerate().flat_map(move |(r, row)| {
            self.cols.iter().enumerate().filter_map(move |(c, col)| {
                let members = &self.members[r][c];
                (!members.is_empty()).then_some((row.as_str(), col.as_str(), members.as_slice()))
            })
        })
    }
}

/// One polars group: two keys, the group's value, its records.
#[derive(Debug, Clone)]
struct Group {
    row: String,
    col: String,
    value: u32,
    members: Members,
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
    /// The records of those `n` associations that have the tag.
    pub members: Members,
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
    /// District × tag: the association's strongest [`Status::rank`] (0 = absent), rows in
    /// district order; members: its records with the tag.
    pub district_tag_status: Matrix,
    /// Tag × 二次保健医療圏 shares.
    pub medical_area_shares: Vec<Share>,
    /// Tag × area shares (区部, 多摩, 島しょ, unknown where present).
    pub area_shares: Vec<Share>,
    /// 区部 vs 多摩 per tag, with p-values.
    pub area_comparisons: Vec<AreaComparison>,
    /// Program × 事業区分: records (a record without a program is under "").
    pub program_category: Matrix,
    /// Tag × status: records.
    pub status_tag: Matrix,
    /// Tag × tag: associations with both (the diagonal: with the tag); members: those
    /// associations' records with either tag.
    pub cooccurrence: Matrix,
    /// Entity × district: records naming the entity.
    pub entity_district: Matrix,
    /// Records with no tag, for review.
    pub untagged: Vec<String>,
    /// The tagged records themselves, for drill-down.
    pub tagged: Vec<TaggedRecord>,
}

/// Columns of the tidy `tags` table that only aggregation uses: [`Aggregates::public_tags`]
/// leaves them out of the files.
pub const INTERNAL_COLUMNS: [&str; 2] = ["row", "status_rank"];

impl Aggregates {
    /// The tidy `tags` table as the report writes it.
    pub fn public_tags(&self) -> DataFrame {
        self.tags.drop_many(INTERNAL_COLUMNS)
    }

    /// The records of `members`.
    pub fn records_of<'a>(&'a self, members: &'a [u32]) -> impl Iterator<Item = &'a TaggedRecord> + 'a {
        members.iter().map(|&i| &self.tagged[i as usize])
    }
}

fn polars_error(view: &'static str) -> impl Fn(PolarsError) -> Error {
    move |e| Error::Aggregate { view: view.into(), message: e.to_string() }
}

/// Aggregates one fiscal year's tagged records. Associations the region file does not know are
/// warned about and counted under `unknown`. The records are kept in the result (for the
/// drill-down) without a copy.
pub fn aggregate(
    records_of_year: Vec<TaggedRecord>,
    regions: &Regions,
    tag_infos: &[TagInfo],
    warnings: &mut Warnings,
) -> Result<Aggregates> {
    let tagged: &[TaggedRecord] = &records_of_year;
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

    let records = records_frame(tagged, &place).map_err(polars_error("records"))?;
    let tags = tags_frame(tagged, &place, &tag_infos).map_err(polars_error("tags"))?;

    // Associations, in the order of their first district number.
    let mut associations: Vec<Association> = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for record in tagged {
        let Some(district) = &record.record.district else { continue };
        if !seen.insert(district) {
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
    let district_names: Vec<String> = associations.iter().map(|a| a.district.clone()).collect();
    let with_district = || tags.clone().lazy().filter(col("district").is_not_null());

    // Presence: (district, tag) → strongest status rank and the records with the tag.
    let present = groups(
        with_district()
            .group_by([col("district"), col("tag")])
            .agg([col("status_rank").min().alias("value"), rows()]),
        "district",
        "tag",
    )
    .map_err(polars_error("district × tag"))?;
    let mut district_tag_status = Matrix::zeros(district_names.clone(), tag_ids.clone());
    district_tag_status.fill(present.iter().cloned());

    // Reporting associations per group (N) and associations with each tag per group (n).
    let group_shares = |key: &str, group_names: &[String]| -> PolarsResult<Vec<Share>> {
        let totals = records
            .clone()
            .lazy()
            .filter(col("district").is_not_null())
            .group_by([col(key)])
            .agg([col("district").n_unique().cast(DataType::UInt32).alias("total")])
            .collect()?;
        let totals: BTreeMap<String, u32> =
            strings(&totals, key)?.into_iter().zip(u32s(&totals, "total")?).collect();
        let with_tag = groups(
            with_district()
                .group_by([col("tag"), col(key)])
                .agg([col("district").n_unique().cast(DataType::UInt32).alias("value"), rows()]),
            "tag",
            key,
        )?;
        let mut with_tag: BTreeMap<(String, String), Group> =
            with_tag.into_iter().map(|g| ((g.row.clone(), g.col.clone()), g)).collect();
        let mut shares = Vec::new();
        for tag in &tag_ids {
            for group in group_names {
                let total = totals.get(group).copied().unwrap_or(0);
                if total == 0 {
                    continue;
                }
                let (n, members) = with_tag
                    .remove(&(tag.clone(), group.clone()))
                    .map_or((0, Vec::new()), |g| (g.value, g.members));
                shares.push(Share { tag: tag.clone(), group: group.clone(), n, total, members });
            }
        }
        Ok(shares)
    };
    let mut medical_area_names: Vec<String> =
        regions.medical_areas().iter().map(|(m, _)| m.clone()).collect();
    medical_area_names.push(UNKNOWN.to_owned());
    let mut area_names: Vec<String> = AREAS.iter().map(|a| (*a).to_owned()).collect();
    area_names.push(UNKNOWN.to_owned());
    let medical_area_shares =
        group_shares("medical_area", &medical_area_names).map_err(polars_error("tag × 二次保健医療圏"))?;
    let area_shares = group_shares("area", &area_names).map_err(polars_error("tag × area"))?;

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
    let categories = category_frame(tagged).map_err(polars_error("program × 事業区分"))?;
    let program_groups = groups(
        categories.lazy().group_by([col("program"), col("category")]).agg([records_in_group(), rows()]),
        "program",
        "category",
    )
    .map_err(polars_error("program × 事業区分"))?;
    let mut program_category = Matrix::zeros(
        sorted_unique(program_groups.iter().map(|g| g.row.clone())),
        sorted_unique(program_groups.iter().map(|g| g.col.clone())),
    );
    program_category.fill(program_groups);

    // Tag × status (records).
    let status_groups = groups(
        tags.clone().lazy().group_by([col("tag"), col("status")]).agg([records_in_group(), rows()]),
        "tag",
        "status",
    )
    .map_err(polars_error("status × tag"))?;
    let mut status_tag =
        Matrix::zeros(tag_ids.clone(), Status::ALL.iter().map(|s| s.name().to_owned()).collect());
    status_tag.fill(status_groups);

    // Tag × tag co-occurrence over associations, from the presence groups: a pair's members are
    // the associations' records with either tag.
    let mut by_district: BTreeMap<&str, Vec<&Group>> = BTreeMap::new();
    for group in &present {
        by_district.entry(group.row.as_str()).or_default().push(group);
    }
    let mut pairs: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    for groups_of_district in by_district.values() {
        for a in groups_of_district {
            for b in groups_of_district {
                let pair = pairs.entry((a.col.as_str(), b.col.as_str())).or_insert_with(|| Group {
                    row: a.col.clone(),
                    col: b.col.clone(),
                    value: 0,
                    members: Vec::new(),
                });
                pair.value += 1;
                pair.members.extend(a.members.iter().chain(&b.members));
            }
        }
    }
    let mut cooccurrence = Matrix::zeros(tag_ids.clone(), tag_ids.clone());
    cooccurrence.fill(pairs.into_values().map(|mut pair| {
        pair.members.sort_unstable();
        pair.members.dedup();
        pair
    }));

    // Entity × district (records naming the entity).
    let entity_groups = groups(
        with_district()
            .filter(col("entity").is_not_null())
            .group_by([col("entity"), col("district")])
            .agg([records_in_group(), rows()]),
        "entity",
        "district",
    )
    .map_err(polars_error("entity × district"))?;
    let mut entity_district = Matrix::zeros(
        sorted_unique(entity_groups.iter().map(|g| g.row.clone())),
        district_names.iter().filter(|d| entity_groups.iter().any(|g| &g.col == *d)).cloned().collect(),
    );
    entity_district.fill(entity_groups);

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
        tagged: records_of_year,
    })
}

/// The group's records, as the `rows` list column.
fn rows() -> Expr {
    col("row").implode(false).alias("rows")
}

/// The number of distinct records in a group, as the `value` column.
fn records_in_group() -> Expr {
    col("row").n_unique().cast(DataType::UInt32).alias("value")
}

/// Runs a group-by whose result has the keys `row` and `col`, a `value` and `rows`.
fn groups(query: LazyFrame, row: &str, col_name: &str) -> PolarsResult<Vec<Group>> {
    let frame = query.collect()?;
    let keys = strings(&frame, row)?.into_iter().zip(strings(&frame, col_name)?);
    let values = u32s(&frame, "value")?;
    let lists = frame.column("rows")?.list()?;
    let mut out = Vec::with_capacity(frame.height());
    for (((row, col), value), list) in keys.zip(values).zip(lists.series_iter()) {
        let mut members: Members =
            list.map(|s| s.u32().map(|c| c.into_no_null_iter().collect())).transpose()?.unwrap_or_default();
        members.sort_unstable();
        members.dedup();
        out.push(Group { row, col, value, members });
    }
    // Group order from polars is not fixed; the cells' is.
    out.sort_by(|a, b| (&a.row, &a.col).cmp(&(&b.row, &b.col)));
    Ok(out)
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
    let mut rows = Vec::new();
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
    for (row, record) in tagged.iter().enumerate() {
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
            ranks.push(tag.status.rank());
            rows.push(row as u32);
        }
    }
    let mut out = vec![Column::new("fiscal_year".into(), years)];
    for key in keys {
        out.push(Column::new(key.into(), columns.remove(key).unwrap_or_default()));
    }
    out.push(Column::new(INTERNAL_COLUMNS[0].into(), rows));
    out.push(Column::new(INTERNAL_COLUMNS[1].into(), ranks));
    DataFrame::new_infer_height(out)
}

/// Program × category, one row per record × category.
fn category_frame(tagged: &[TaggedRecord]) -> PolarsResult<DataFrame> {
    let mut programs = Vec::new();
    let mut categories = Vec::new();
    let mut rows = Vec::new();
    for (row, record) in tagged.iter().enumerate() {
        for category in &record.record.categories {
            programs.push(record.record.program.clone().unwrap_or_default());
            categories.push(category.clone());
            rows.push(row as u32);
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("program".into(), programs),
        Column::new("category".into(), categories),
        Column::new("row".into(), rows),
    ])
}
