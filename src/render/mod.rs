//! Render: [`Aggregates`] → the report folder: `index.html`, the tidy tables (CSV with BOM for
//! Japanese Excel, and Parquet), one CSV per view, the charts (SVG and PNG) under `charts/`, and
//! the font under `fonts/` (OFL), so the page's Japanese renders on a machine without one.
//!
//! Nothing is written in place. Every file goes to a staging folder beside the output folder and
//! is renamed into it only when the whole report is complete, one atomic rename per file, so a
//! failed or interrupted run leaves the previous report as it was. Charts render in parallel.
//!
//! What can fail: writing (the error names the path), drawing a chart.

pub mod charts;
mod drilldown;
mod faults;
mod glyphs;
mod html;
mod scene;
mod yoy;

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;

use crate::aggregate::yoy::YearChanges;
use crate::aggregate::{Aggregates, INTERNAL_COLUMNS, Matrix};
use crate::error::{Error, Location, Result};
use crate::model::Status;
use faults::Faults;

pub use html::ReportContext;

/// What a render wrote, relative to the output folder, sorted.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// Files staged before they are moved into the output folder.
struct Staging {
    dir: PathBuf,
    /// The report folder the files go to.
    out_dir: PathBuf,
    files: Vec<PathBuf>,
    /// Files whose bytes the report folder already holds: left as they are, not staged, since
    /// replacing a file costs the file system more than reading it (a rerun of the same inputs
    /// changes few files).
    unchanged: std::collections::BTreeSet<PathBuf>,
    /// Folders already created, so each costs one system call per run, not one per file.
    made_dirs: std::collections::BTreeSet<PathBuf>,
    faults: Faults,
}

impl Staging {
    fn new(out_dir: &Path) -> Result<Self> {
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = out_dir.file_name().map_or_else(|| "reports".into(), |n| n.to_string_lossy().into_owned());
        // Leftovers of runs that were killed: never part of a report, safe to remove.
        if let Ok(entries) = std::fs::read_dir(&parent) {
            let prefix = format!(".{name}.staging-");
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
        }
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Self {
            dir,
            out_dir: out_dir.to_owned(),
            files: Vec::new(),
            unchanged: Default::default(),
            made_dirs: Default::default(),
            faults: Faults::from_env(),
        })
    }

    fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(relative);
        if self.faults.pause_stage == Some(self.files.len()) {
            Faults::pause(&PathBuf::from(format!("{}.paused", self.dir.display())));
        }
        if self.faults.write_after == Some(self.files.len()) {
            let full = std::io::Error::from_raw_os_error(28); // ENOSPC
            return Err(Error::io(&PathBuf::from(relative), full));
        }
        if self.already_published(relative, bytes) {
            self.unchanged.insert(PathBuf::from(relative));
            self.files.push(PathBuf::from(relative));
            return Ok(());
        }
        if let Some(parent) = path.parent()
            && self.made_dirs.insert(parent.to_owned())
        {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        // No fsync: the rename makes each file appear whole to any reader and survives the process
        // being killed; only a power cut could lose it, and a report is cheap to write again.
        file.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        self.files.push(PathBuf::from(relative));
        Ok(())
    }

    /// Whether the report folder holds a regular file with exactly these bytes at `relative`.
    fn already_published(&self, relative: &str, bytes: &[u8]) -> bool {
        let path = self.out_dir.join(relative);
        let same_size =
            std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
        same_size && std::fs::read(&path).is_ok_and(|old| old == bytes)
    }

    fn write_frame_csv(&mut self, relative: &str, frame: &DataFrame) -> Result<()> {
        let mut bytes = Vec::new();
        let mut frame = frame.clone();
        CsvWriter::new(&mut bytes)
            .include_bom(true)
            .finish(&mut frame)
            .map_err(|e| Error::Render { file: relative.to_owned(), message: format!("polars CSV: {e}") })?;
        self.write(relative, &bytes)
    }

    fn write_frame_parquet(&mut self, relative: &str, frame: &DataFrame) -> Result<()> {
        let mut bytes = Vec::new();
        let mut frame = frame.clone();
        ParquetWriter::new(&mut bytes).finish(&mut frame).map_err(|e| Error::Render {
            file: relative.to_owned(),
            message: format!("polars Parquet: {e}"),
        })?;
        self.write(relative, &bytes)
    }

    /// Moves every staged file into `out_dir`, one rename each, then removes the staging folder.
    fn publish(mut self, out_dir: &Path) -> Result<Manifest> {
        if out_dir.exists() && !out_dir.is_dir() {
            let _ = std::fs::remove_dir_all(&self.dir);
            return Err(Error::input(
                Location::file(out_dir.display().to_string()),
                "the output path is a file, not a folder",
            ));
        }
        self.files.sort();
        let mut made = std::collections::BTreeSet::new();
        for (index, relative) in self.files.iter().enumerate() {
            if self.faults.pause_publish == Some(index) {
                Faults::pause(&PathBuf::from(format!("{}.paused", self.dir.display())));
            }
            if self.unchanged.contains(relative) {
                continue;
            }
            let from = self.dir.join(relative);
            let to = out_dir.join(relative);
            if let Some(parent) = to.parent()
                && made.insert(parent.to_owned())
            {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(Manifest { files: self.files })
    }
}

/// Writes the whole report into `out_dir`: the latest year's views at the top, every year's under
/// `years/<year>/`, the tidy tables of all years, and the year-over-year change under `yoy/`.
/// `years` is sorted by fiscal year and not empty. With `chart_cache` (a folder), charts the same
/// build drew before are not rasterised again ([`charts::rasterise`]).
pub fn render(
    years: &[Aggregates],
    changes: &[YearChanges],
    context: &ReportContext,
    out_dir: &Path,
    chart_cache: Option<&Path>,
) -> Result<Manifest> {
    let Some(latest) = years.last() else {
        return Err(Error::input(
            Location::file(out_dir.display().to_string()),
            "nothing to report: no records",
        ));
    };
    let mut staging = Staging::new(out_dir)?;
    let result = stage_all(years, latest, changes, context, chart_cache, &mut staging);
    match result {
        Ok(()) => staging.publish(out_dir),
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging.dir);
            Err(error)
        }
    }
}

type ChartFn = fn(&Aggregates) -> Result<charts::Drawn>;

/// Every chart, in the order the report shows them.
const CHARTS: [ChartFn; 6] = [
    charts::district_tag_heatmap,
    charts::area_prevalence,
    charts::medical_area_heatmap,
    charts::status_stacked,
    charts::program_category_heatmap,
    charts::cooccurrence_heatmap,
];

fn frame_error(what: &str, e: PolarsError) -> Error {
    Error::Render { file: what.to_owned(), message: format!("polars: {e}") }
}

fn write_charts(staging: &mut Staging, prefix: &str, charts: &[&charts::Chart]) -> Result<()> {
    for chart in charts {
        staging.write(&format!("{prefix}charts/{}.svg", chart.name), chart.svg.as_bytes())?;
        staging.write(&format!("{prefix}charts/{}.png", chart.name), &chart.png)?;
    }
    Ok(())
}

fn stage_all(
    years: &[Aggregates],
    latest: &Aggregates,
    changes: &[YearChanges],
    context: &ReportContext,
    chart_cache: Option<&Path>,
    staging: &mut Staging,
) -> Result<()> {
    let year_list: Vec<u16> = years.iter().filter_map(|y| y.fiscal_year).collect();
    // Every chart of every year, drawn in parallel; the change charts too.
    let jobs: Vec<(usize, ChartFn)> =
        (0..years.len()).flat_map(|y| CHARTS.iter().map(move |draw| (y, *draw))).collect();
    let cache = chart_cache;
    let drawn: Vec<(usize, charts::Chart)> = jobs
        .par_iter()
        .map(|(y, draw)| draw(&years[*y]).and_then(|d| charts::rasterise(d, cache)).map(|c| (*y, c)))
        .collect::<Result<_>>()?;
    let change_charts: Vec<charts::Chart> = match changes.last() {
        Some(last) => yoy::charts(years, last)?
            .into_par_iter()
            .map(|d| charts::rasterise(d, cache))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let charts_of =
        |y: usize| -> Vec<&charts::Chart> { drawn.iter().filter(|(i, _)| *i == y).map(|(_, c)| c).collect() };

    // The latest year at the top, with the tidy tables of all years.
    let latest_charts = charts_of(years.len() - 1);
    write_charts(staging, "", &latest_charts)?;
    stage_views(latest, "", staging)?;
    let records = concat(years.iter().map(|y| &y.records)).map_err(|e| frame_error("records", e))?;
    let tags = concat(years.iter().map(|y| &y.tags)).map_err(|e| frame_error("tags", e))?;
    let tags = tags.drop_many(INTERNAL_COLUMNS);
    staging.write_frame_csv("records.csv", &records)?;
    staging.write_frame_parquet("records.parquet", &records)?;
    staging.write_frame_csv("tags.csv", &tags)?;
    staging.write_frame_parquet("tags.parquet", &tags)?;
    staging.write("fonts/BIZUDPGothic-Regular.ttf", charts::FONT)?;
    staging.write("fonts/OFL.txt", charts::FONT_LICENSE.as_bytes())?;
    write_charts(staging, "yoy/", &change_charts.iter().collect::<Vec<_>>())?;
    for (index, change) in changes.iter().enumerate() {
        for (name, frame) in yoy::frames(latest, change).map_err(|e| frame_error("yoy", e))? {
            staging.write_frame_csv(&format!("yoy/{name}_{}_{}.csv", change.from, change.to), &frame)?;
            if index + 1 == changes.len() {
                staging.write_frame_csv(&format!("yoy/{name}.csv"), &frame)?;
            }
        }
    }
    staging.write("provenance.json", provenance(context, &year_list).as_bytes())?;
    let scope = html::PageScope {
        base: "",
        years: &year_list,
        all_years: years,
        changes,
        change_charts: &change_charts,
    };
    staging.write("index.html", html::page(latest, context, &latest_charts, &scope).as_bytes())?;

    // Every year on its own, under years/<year>/.
    for (index, year) in years.iter().enumerate() {
        let Some(fiscal_year) = year.fiscal_year else { continue };
        let prefix = format!("years/{fiscal_year}/");
        let charts_of_year = charts_of(index);
        write_charts(staging, &prefix, &charts_of_year)?;
        stage_views(year, &prefix, staging)?;
        staging.write_frame_csv(&format!("{prefix}records.csv"), &year.records)?;
        staging.write_frame_csv(&format!("{prefix}tags.csv"), &year.public_tags())?;
        let scope = html::PageScope {
            base: "../../",
            years: &year_list,
            all_years: std::slice::from_ref(year),
            changes: &[],
            change_charts: &[],
        };
        staging.write(
            &format!("{prefix}index.html"),
            html::page(year, context, &charts_of_year, &scope).as_bytes(),
        )?;
    }
    Ok(())
}

/// What produced this report: tool version, rules hash, every input's hash, the years.
fn provenance(context: &ReportContext, years: &[u16]) -> String {
    let inputs: Vec<serde_json::Value> = context
        .inputs
        .iter()
        .map(|(file, hash)| serde_json::json!({ "file": file, "sha256_16": hash }))
        .collect();
    let value = serde_json::json!({
        "tool": "zaitaku",
        "version": context.tool_version,
        "rules_sha256_16": context.rules_hash,
        "inputs": inputs,
        "fiscal_years": years,
        "warnings": context.warnings,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// The crosstab CSVs of one year under `prefix`.
fn stage_views(aggregates: &Aggregates, prefix: &str, staging: &mut Staging) -> Result<()> {
    for (name, frame) in view_frames(aggregates).map_err(|e| frame_error("views", e))? {
        staging.write_frame_csv(&format!("{prefix}{name}.csv"), &frame)?;
    }
    Ok(())
}

fn concat<'a>(mut frames: impl Iterator<Item = &'a DataFrame>) -> PolarsResult<DataFrame> {
    let mut out = frames.next().cloned().unwrap_or_default();
    for frame in frames {
        out.vstack_mut(frame)?;
    }
    Ok(out)
}

/// Every crosstab as a table, for CSV.
fn view_frames(a: &Aggregates) -> PolarsResult<Vec<(&'static str, DataFrame)>> {
    let label =
        |id: &str| a.tag_infos.iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label.clone());
    let district_tag = {
        let m = &a.district_tag_status;
        let mut columns = vec![Column::new("district".into(), m.rows.clone())];
        for (c, tag) in m.cols.iter().enumerate() {
            let values: Vec<&str> =
                m.values.iter().map(|row| Status::from_rank(row[c]).map_or("", Status::name)).collect();
            columns.push(Column::new(tag.as_str().into(), values));
        }
        DataFrame::new_infer_height(columns)?
    };
    let shares = |shares: &[crate::aggregate::Share], key: &str| -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("tag".into(), shares.iter().map(|s| s.tag.clone()).collect::<Vec<_>>()),
            Column::new("label".into(), shares.iter().map(|s| label(&s.tag)).collect::<Vec<_>>()),
            Column::new(key.into(), shares.iter().map(|s| s.group.clone()).collect::<Vec<_>>()),
            Column::new("n".into(), shares.iter().map(|s| s.n).collect::<Vec<_>>()),
            Column::new("N".into(), shares.iter().map(|s| s.total).collect::<Vec<_>>()),
            Column::new(
                "share".into(),
                shares.iter().map(|s| (s.share() * 1e4).round() / 1e4).collect::<Vec<_>>(),
            ),
        ])
    };
    let c = &a.area_comparisons;
    let area_comparison = DataFrame::new_infer_height(vec![
        Column::new("tag".into(), c.iter().map(|x| x.tag.clone()).collect::<Vec<_>>()),
        Column::new("label".into(), c.iter().map(|x| label(&x.tag)).collect::<Vec<_>>()),
        Column::new("n_kubu".into(), c.iter().map(|x| x.ku.0).collect::<Vec<_>>()),
        Column::new("N_kubu".into(), c.iter().map(|x| x.ku.1).collect::<Vec<_>>()),
        Column::new("n_tama".into(), c.iter().map(|x| x.tama.0).collect::<Vec<_>>()),
        Column::new("N_tama".into(), c.iter().map(|x| x.tama.1).collect::<Vec<_>>()),
        Column::new("p_fisher".into(), c.iter().map(|x| format!("{:.6}", x.p)).collect::<Vec<_>>()),
        Column::new("p_holm".into(), c.iter().map(|x| format!("{:.6}", x.p_holm)).collect::<Vec<_>>()),
        Column::new("cell_under_5".into(), c.iter().map(|x| x.small_cells()).collect::<Vec<_>>()),
    ])?;
    Ok(vec![
        ("district_tag", district_tag),
        ("tag_medical_area", shares(&a.medical_area_shares, "medical_area")?),
        ("tag_area", shares(&a.area_shares, "area")?),
        ("area_comparison", area_comparison),
        ("program_category", matrix_frame(&a.program_category, "program")?),
        ("status_tag", matrix_frame(&a.status_tag, "tag")?),
        ("cooccurrence", matrix_frame(&a.cooccurrence, "tag")?),
        ("entity_district", matrix_frame(&a.entity_district, "entity")?),
    ])
}

fn matrix_frame(m: &Matrix, row_name: &str) -> PolarsResult<DataFrame> {
    let mut columns = vec![Column::new(row_name.into(), m.rows.clone())];
    for (c, name) in m.cols.iter().enumerate() {
        columns
            .push(Column::new(name.as_str().into(), m.values.iter().map(|row| row[c]).collect::<Vec<_>>()));
    }
    DataFrame::new_infer_height(columns)
}
