//! Charts: drawn with plotters into a [`Scene`], written as a self-contained SVG (text as glyph
//! outlines) and a PNG, both set in the embedded BIZ UDPGothic, so Japanese renders the same on
//! any machine. Every chart uses the same tag order and the same status and area colours.

use std::path::Path;

use sha2::{Digest, Sha256};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::aggregate::yoy::TagChanges;
use crate::aggregate::{Aggregates, FAMILIES};
use crate::error::{Error, Result};
use crate::model::Status;
use crate::regions::{AREAS, UNKNOWN};

use super::scene::{Scene, SceneBackend};

/// The embedded font, also shipped beside the page so its HTML text renders without system fonts.
pub(crate) const FONT: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Regular.ttf");
/// Its licence, shipped with it.
pub(crate) const FONT_LICENSE: &str = include_str!("../../assets/fonts/OFL.txt");
/// The family plotters is told; the scene sets every text in [`FONT`] whatever it says.
const FONT_FAMILY: &str = "sans-serif";

/// Status colours (ColorBrewer Dark2), the same in every chart; index = status rank - 1.
pub const STATUS_COLORS: [RGBColor; 5] = [
    RGBColor(0x1b, 0x9e, 0x77),
    RGBColor(0x75, 0x70, 0xb3),
    RGBColor(0xe6, 0xab, 0x02),
    RGBColor(0xd9, 0x5f, 0x02),
    RGBColor(0xe7, 0x29, 0x8a),
];
/// 区部 and 多摩.
pub const AREA_COLORS: [RGBColor; 2] = [RGBColor(0x4e, 0x79, 0xa7), RGBColor(0xf2, 0x8e, 0x2b)];
const ABSENT: RGBColor = RGBColor(0xf2, 0xf2, 0xf2);
const GRID_LINE: RGBColor = RGBColor(0xff, 0xff, 0xff);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// A finished chart: file stem, SVG (text as paths) and PNG bytes.
pub struct Chart {
    /// File stem under `charts/`.
    pub name: &'static str,
    /// Title, also the image's alt text.
    pub title: String,
    /// Self-contained SVG.
    pub svg: String,
    /// PNG.
    pub png: Vec<u8>,
}

fn chart_error(name: &str, message: impl std::fmt::Display) -> Error {
    Error::Render { file: format!("charts/{name}"), message: format!("cannot draw: {message}") }
}

/// A chart as plotters drew it, before it is written as SVG and PNG.
pub struct Drawn {
    name: &'static str,
    title: String,
    scene: Scene,
}

fn finish(name: &'static str, title: String, scene: Scene) -> Result<Drawn> {
    Ok(Drawn { name, title, scene })
}

/// Writes `drawn` as SVG and PNG, or takes the PNG from `cache` (a folder) when the same build
/// wrote the same SVG before: the PNG follows from the SVG's scene and the build (font and code)
/// alone. Best effort: a cache that cannot be read or written only costs the time.
pub fn rasterise(drawn: Drawn, cache: Option<&Path>) -> Result<Chart> {
    let Drawn { name, title, scene } = drawn;
    let svg = scene.svg();
    let key = cache.map(|dir| {
        let digest = Sha256::digest(format!("{}\0{svg}", crate::BUILD_ID));
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        dir.join(format!("{name}-{hex}.png"))
    });
    if let Some(key) = &key
        && let Ok(png) = std::fs::read(key)
    {
        return Ok(Chart { name, title, svg, png });
    }
    let pixmap = scene.pixmap().ok_or_else(|| chart_error(name, "empty size"))?;
    let png = encode_png(&pixmap).map_err(|e| chart_error(name, e))?;
    if let Some(key) = &key {
        store(key, &png);
    }
    Ok(Chart { name, title, svg, png })
}

fn store(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    if std::fs::write(&temporary, bytes).is_ok() && std::fs::rename(&temporary, path).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// PNG with fast compression: several times quicker than the default for a few percent more bytes.
/// The background is opaque white, so tiny-skia's premultiplied pixels are the straight RGBA a
/// PNG holds.
fn encode_png(pixmap: &tiny_skia::Pixmap) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixmap.data())?;
    writer.finish()?;
    Ok(bytes)
}

type Area<'a> = DrawingArea<SceneBackend<'a>, plotters::coord::Shift>;

fn text(
    area: &Area<'_>,
    s: &str,
    size: u32,
    color: &RGBColor,
    pos: Pos,
    at: (i32, i32),
) -> std::result::Result<(), String> {
    let style = TextStyle::from((FONT_FAMILY, size).into_font()).color(color).pos(pos);
    area.draw_text(s, &style, at).map_err(|e| e.to_string())
}

fn vertical_text(area: &Area<'_>, s: &str, size: u32, at: (i32, i32)) -> std::result::Result<(), String> {
    let style = TextStyle::from((FONT_FAMILY, size).into_font())
        .color(&INK)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Left, VPos::Center));
    area.draw_text(s, &style, at).map_err(|e| e.to_string())
}

fn rect(
    area: &Area<'_>,
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
    color: &RGBColor,
) -> std::result::Result<(), String> {
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled())).map_err(|e| e.to_string())
}

/// A cell of a grid chart.
struct Cell {
    fill: RGBColor,
    text: String,
}

/// A labelled grid: the shape of every heatmap here.
struct Grid<'a> {
    title: String,
    subtitle: String,
    row_labels: Vec<String>,
    col_labels: Vec<String>,
    /// Column groups (label, number of columns), drawn above the column labels.
    col_groups: Vec<(String, usize)>,
    cells: Vec<Vec<Cell>>,
    legend: Vec<(RGBColor, &'a str)>,
    cell: (i32, i32),
    font_size: u32,
}

fn text_width(s: &str, size: u32) -> i32 {
    s.chars().map(|c| if (c as u32) < 0x2000 { size as i32 * 6 / 10 } else { size as i32 }).sum()
}

fn draw_grid(name: &'static str, grid: Grid<'_>) -> Result<Drawn> {
    let (cw, ch) = grid.cell;
    let label_w = grid.row_labels.iter().map(|l| text_width(l, grid.font_size)).max().unwrap_or(0) + 16;
    let col_label_h = grid.col_labels.iter().map(|l| text_width(l, grid.font_size)).max().unwrap_or(0) + 12;
    let group_h = if grid.col_groups.is_empty() { 0 } else { 24 };
    let top = 64 + group_h + col_label_h;
    let left = label_w.max(60);
    let width = (left + cw * grid.col_labels.len() as i32 + 24).max(640);
    let height = top + ch * grid.row_labels.len() as i32 + 40;
    let mut scene = Scene::new(width as u32, height as u32);
    {
        let area = scene.backend().into_drawing_area();
        let draw = || -> std::result::Result<(), String> {
            area.fill(&WHITE).map_err(|e| e.to_string())?;
            text(&area, &grid.title, 18, &INK, Pos::new(HPos::Left, VPos::Top), (12, 10))?;
            text(&area, &grid.subtitle, 12, &MUTED, Pos::new(HPos::Left, VPos::Top), (12, 34))?;
            let mut x = width - 12;
            for (color, label) in grid.legend.iter().rev() {
                let w = text_width(label, 12);
                text(&area, label, 12, &INK, Pos::new(HPos::Right, VPos::Center), (x, 42))?;
                x -= w + 4;
                rect(&area, x - 12, 36, x, 48, color)?;
                x -= 22;
            }
            let mut col = 0;
            for (label, span) in &grid.col_groups {
                let x0 = left + cw * col as i32;
                let x1 = x0 + cw * *span as i32;
                rect(&area, x0 + 1, 64, x1 - 1, 64 + group_h - 6, &ABSENT)?;
                text(
                    &area,
                    label,
                    12,
                    &INK,
                    Pos::new(HPos::Center, VPos::Center),
                    ((x0 + x1) / 2, 64 + (group_h - 6) / 2),
                )?;
                col += span;
            }
            for (i, label) in grid.col_labels.iter().enumerate() {
                vertical_text(&area, label, grid.font_size, (left + cw * i as i32 + cw / 2, top - 6))?;
            }
            for (r, label) in grid.row_labels.iter().enumerate() {
                let y = top + ch * r as i32;
                text(
                    &area,
                    label,
                    grid.font_size,
                    &INK,
                    Pos::new(HPos::Right, VPos::Center),
                    (left - 8, y + ch / 2),
                )?;
                for (c, cell) in grid.cells[r].iter().enumerate() {
                    let x = left + cw * c as i32;
                    rect(&area, x, y, x + cw, y + ch, &cell.fill)?;
                    if !cell.text.is_empty() {
                        let ink = if luminance(&cell.fill) < 0.5 { &WHITE } else { &INK };
                        text(
                            &area,
                            &cell.text,
                            grid.font_size.saturating_sub(2),
                            ink,
                            Pos::new(HPos::Center, VPos::Center),
                            (x + cw / 2, y + ch / 2),
                        )?;
                    }
                }
            }
            // Thin white separators between cells, and darker ones between column groups.
            for c in 0..=grid.col_labels.len() {
                let x = left + cw * c as i32;
                area.draw(&PathElement::new(
                    vec![(x, top), (x, top + ch * grid.row_labels.len() as i32)],
                    GRID_LINE,
                ))
                .map_err(|e| e.to_string())?;
            }
            let mut col = 0;
            for (_, span) in &grid.col_groups {
                col += span;
                let x = left + cw * col as i32;
                area.draw(&PathElement::new(
                    vec![(x, top), (x, top + ch * grid.row_labels.len() as i32)],
                    MUTED.stroke_width(1),
                ))
                .map_err(|e| e.to_string())?;
            }
            area.present().map_err(|e| e.to_string())
        };
        draw().map_err(|e| chart_error(name, e))?;
    }
    finish(name, grid.title, scene)
}

/// The smallest multiple of 4 at or above `max`, so the four gridlines fall on whole counts.
fn count_axis(max: u32) -> u32 {
    max.max(1).div_ceil(4) * 4
}

fn luminance(c: &RGBColor) -> f64 {
    (0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2)) / 255.0
}

/// White → dark blue by share (0..=1).
fn intensity(share: f64) -> RGBColor {
    let s = share.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * s).round() as u8;
    if s == 0.0 { ABSENT } else { RGBColor(lerp(0xde, 0x08), lerp(0xeb, 0x30), lerp(0xf7, 0x6b)) }
}

/// A count shaded against the largest count of its chart; zero is blank.
fn count_cell(n: u32, max: u32) -> Cell {
    Cell {
        fill: if n == 0 { ABSENT } else { intensity(f64::from(n) / f64::from(max)) },
        text: if n == 0 { String::new() } else { n.to_string() },
    }
}

fn status_legend() -> Vec<(RGBColor, &'static str)> {
    Status::ALL.iter().zip(STATUS_COLORS).map(|(s, c)| (c, s.name())).collect()
}

fn tag_label(aggregates: &Aggregates, id: &str) -> String {
    aggregates.tag_infos.iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label.clone())
}

fn year_text(aggregates: &Aggregates) -> String {
    aggregates.fiscal_year.map_or_else(String::new, |y| format!("{y}年度 "))
}

/// District × tag, grouped by family, coloured by the association's strongest status.
pub fn district_tag_heatmap(aggregates: &Aggregates) -> Result<Drawn> {
    let m = &aggregates.district_tag_status;
    let col_groups = FAMILIES
        .iter()
        .map(|f| (f.to_string(), aggregates.tag_infos.iter().filter(|t| t.family == *f).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let cells = m
        .values
        .iter()
        .map(|row| {
            row.iter()
                .map(|&rank| Cell {
                    fill: if rank == 0 { ABSENT } else { STATUS_COLORS[(rank as usize - 1).min(4)] },
                    text: String::new(),
                })
                .collect()
        })
        .collect();
    draw_grid(
        "district_tag",
        Grid {
            title: format!("{}地区医師会 × タグ", year_text(aggregates)),
            subtitle: format!(
                "{} associations; colour: the strongest status across the association's records",
                m.rows.len()
            ),
            row_labels: m.rows.clone(),
            col_labels: m.cols.iter().map(|id| tag_label(aggregates, id)).collect(),
            col_groups,
            cells,
            legend: status_legend(),
            cell: (22, 20),
            font_size: 12,
        },
    )
}

/// Tag × 二次保健医療圏: share of reporting associations with the tag, n/N in each cell.
pub fn medical_area_heatmap(aggregates: &Aggregates) -> Result<Drawn> {
    let mut groups: Vec<String> = Vec::new();
    for share in &aggregates.medical_area_shares {
        if !groups.contains(&share.group) {
            groups.push(share.group.clone());
        }
    }
    let tags: Vec<String> = aggregates.tag_infos.iter().map(|t| t.id.clone()).collect();
    let cells = tags
        .iter()
        .map(|tag| {
            groups
                .iter()
                .map(|group| {
                    let share =
                        aggregates.medical_area_shares.iter().find(|s| &s.tag == tag && &s.group == group);
                    share.map_or(Cell { fill: ABSENT, text: String::new() }, |s| Cell {
                        fill: intensity(s.share()),
                        text: if s.n == 0 { String::new() } else { format!("{}/{}", s.n, s.total) },
                    })
                })
                .collect()
        })
        .collect();
    draw_grid(
        "medical_area",
        Grid {
            title: format!("{}タグ × 二次保健医療圏", year_text(aggregates)),
            subtitle: "n/N: associations with the tag / associations in the area that reported; colour: n/N"
                .into(),
            row_labels: tags.iter().map(|id| tag_label(aggregates, id)).collect(),
            col_labels: groups
                .iter()
                .map(|g| if g == UNKNOWN { "不明".to_owned() } else { g.clone() })
                .collect(),
            col_groups: Vec::new(),
            cells,
            legend: vec![(intensity(0.25), "25%"), (intensity(0.5), "50%"), (intensity(1.0), "100%")],
            cell: (46, 20),
            font_size: 12,
        },
    )
}

/// Program × 事業区分 (records).
pub fn program_category_heatmap(aggregates: &Aggregates) -> Result<Drawn> {
    let m = &aggregates.program_category;
    let max = m.values.iter().flatten().copied().max().unwrap_or(1).max(1);
    let cells = m.values.iter().map(|row| row.iter().map(|&n| count_cell(n, max)).collect()).collect();
    draw_grid(
        "program_category",
        Grid {
            title: format!("{}事業種別 × 事業区分", year_text(aggregates)),
            subtitle: "records per program and 事業区分 (a record can list several)".into(),
            row_labels: m.rows.clone(),
            col_labels: m.cols.clone(),
            col_groups: Vec::new(),
            cells,
            legend: Vec::new(),
            cell: (40, 28),
            font_size: 12,
        },
    )
}

/// Tag × tag: associations with both tags (only tags some association has).
pub fn cooccurrence_heatmap(aggregates: &Aggregates) -> Result<Drawn> {
    let m = &aggregates.cooccurrence;
    let used: Vec<usize> = (0..m.rows.len()).filter(|&i| m.values[i][i] > 0).collect();
    let max = used.iter().map(|&i| m.values[i][i]).max().unwrap_or(1).max(1);
    let cells =
        used.iter().map(|&r| used.iter().map(|&c| count_cell(m.values[r][c], max)).collect()).collect();
    let labels: Vec<String> = used.iter().map(|&i| tag_label(aggregates, &m.rows[i])).collect();
    draw_grid(
        "cooccurrence",
        Grid {
            title: format!("{}タグの共起", year_text(aggregates)),
            subtitle: "associations that have both tags; the diagonal: associations with the tag".into(),
            row_labels: labels.clone(),
            col_labels: labels,
            col_groups: Vec::new(),
            cells,
            legend: Vec::new(),
            cell: (22, 20),
            font_size: 11,
        },
    )
}

/// Horizontal bars per tag: one bar per series, drawn by `draw_row`.
struct Bars {
    /// Axis maximum in counts; `None`: the axis is a share (0–100 %).
    axis_counts: Option<u32>,
    title: String,
    subtitle: String,
    rows: Vec<String>,
    legend: Vec<(RGBColor, String)>,
    row_height: i32,
    right_margin: i32,
}

fn draw_bars(
    name: &'static str,
    bars: Bars,
    mut draw_row: impl FnMut(&Area<'_>, usize, (i32, i32, i32, i32)) -> std::result::Result<(), String>,
) -> Result<Drawn> {
    let label_w = bars.rows.iter().map(|l| text_width(l, 12)).max().unwrap_or(0) + 16;
    let plot_w = 420;
    let width = label_w + plot_w + bars.right_margin + 24;
    let top = 80;
    let height = top + bars.row_height * bars.rows.len() as i32 + 40;
    let mut scene = Scene::new(width as u32, height as u32);
    {
        let area = scene.backend().into_drawing_area();
        let mut draw = || -> std::result::Result<(), String> {
            area.fill(&WHITE).map_err(|e| e.to_string())?;
            text(&area, &bars.title, 18, &INK, Pos::new(HPos::Left, VPos::Top), (12, 10))?;
            text(&area, &bars.subtitle, 12, &MUTED, Pos::new(HPos::Left, VPos::Top), (12, 34))?;
            let mut x = 12;
            for (color, label) in &bars.legend {
                rect(&area, x, 58, x + 12, 70, color)?;
                text(&area, label, 12, &INK, Pos::new(HPos::Left, VPos::Center), (x + 16, 64))?;
                x += 16 + text_width(label, 12) + 18;
            }
            for tick in 0..=4 {
                let x = label_w + plot_w * tick / 4;
                area.draw(&PathElement::new(
                    vec![(x, top - 4), (x, height - 36)],
                    RGBColor(0xdd, 0xdd, 0xdd),
                ))
                .map_err(|e| e.to_string())?;
                let tick_label = match bars.axis_counts {
                    Some(max) => (max / 4 * tick as u32).to_string(),
                    None => format!("{}%", tick * 25),
                };
                text(&area, &tick_label, 11, &MUTED, Pos::new(HPos::Center, VPos::Top), (x, height - 32))?;
            }
            for (i, label) in bars.rows.iter().enumerate() {
                let y = top + bars.row_height * i as i32;
                text(
                    &area,
                    label,
                    12,
                    &INK,
                    Pos::new(HPos::Right, VPos::Center),
                    (label_w - 8, y + bars.row_height / 2),
                )?;
                draw_row(&area, i, (label_w, y, plot_w, bars.row_height))?;
            }
            area.present().map_err(|e| e.to_string())
        };
        draw().map_err(|e| chart_error(name, e))?;
    }
    finish(name, bars.title, scene)
}

/// 区部 vs 多摩 prevalence per tag, with n/N beside each bar and the Fisher p (Holm-adjusted).
pub fn area_prevalence(aggregates: &Aggregates) -> Result<Drawn> {
    let comparisons = &aggregates.area_comparisons;
    let rows = comparisons.iter().map(|c| tag_label(aggregates, &c.tag)).collect();
    draw_bars(
        "area_prevalence",
        Bars {
            axis_counts: None,
            title: format!("{}区部 vs 多摩: タグのある医師会の割合", year_text(aggregates)),
            subtitle: "n/N beside each bar; p: Fisher's exact test, two-sided (Holm-adjusted across tags in brackets); † a cell under 5".into(),
            rows,
            legend: AREAS[..2].iter().zip(AREA_COLORS).map(|(a, c)| (c, (*a).to_owned())).collect(),
            row_height: 26,
            right_margin: 230,
        },
        |area, i, (x, y, w, h)| {
            let c = &comparisons[i];
            for (k, (n, total)) in [c.ku, c.tama].into_iter().enumerate() {
                let share = if total == 0 { 0.0 } else { f64::from(n) / f64::from(total) };
                let y0 = y + 3 + k as i32 * (h - 6) / 2;
                let y1 = y0 + (h - 6) / 2 - 1;
                let x1 = x + (f64::from(w) * share).round() as i32;
                if x1 > x {
                    rect(area, x, y0, x1, y1, &AREA_COLORS[k])?;
                }
                text(area, &format!("{n}/{total}"), 10, &MUTED, Pos::new(HPos::Left, VPos::Center), (x1 + 4, (y0 + y1) / 2))?;
            }
            let flag = if c.small_cells() { " †" } else { "" };
            let star = if c.p_holm < 0.05 { " *" } else { "" };
            let label = format!("p={:.3} ({:.3}){star}{flag}", c.p, c.p_holm);
            text(area, &label, 11, &INK, Pos::new(HPos::Left, VPos::Center), (x + w + 60, y + h / 2))
        },
    )
}

/// Records per tag and status, stacked in the same status colours as the district heatmap.
pub fn status_stacked(aggregates: &Aggregates) -> Result<Drawn> {
    let m = &aggregates.status_tag;
    let max = count_axis(m.values.iter().map(|row| row.iter().sum::<u32>()).max().unwrap_or(1));
    let rows = m.rows.iter().map(|id| tag_label(aggregates, id)).collect();
    draw_bars(
        "status_by_tag",
        Bars {
            axis_counts: Some(max),
            title: format!("{}タグ別のステータス (記録数)", year_text(aggregates)),
            subtitle: "records per tag, stacked by status".into(),
            rows,
            legend: Status::ALL.iter().zip(STATUS_COLORS).map(|(s, c)| (c, s.name().to_owned())).collect(),
            row_height: 20,
            right_margin: 40,
        },
        |area, i, (x, y, w, h)| {
            let mut x0 = x;
            let total: u32 = m.values[i].iter().sum();
            for (k, &n) in m.values[i].iter().enumerate() {
                let x1 = x0 + (f64::from(w) * f64::from(n) / f64::from(max)).round() as i32;
                if x1 > x0 {
                    rect(area, x0, y + 3, x1, y + h - 3, &STATUS_COLORS[k])?;
                }
                x0 = x1;
            }
            text(
                area,
                &total.to_string(),
                10,
                &MUTED,
                Pos::new(HPos::Left, VPos::Center),
                (x0 + 4, y + h / 2),
            )
        },
    )
}

/// Colours of new, continued and dropped, the same in every change chart.
pub const CHANGE_COLORS: [RGBColor; 3] =
    [RGBColor(0x1b, 0x9e, 0x77), RGBColor(0x9e, 0xb3, 0xc8), RGBColor(0xd9, 0x5f, 0x02)];

/// Per tag and year: associations with the tag / associations that reported that year.
pub fn adoption_over_years(years: &[Aggregates]) -> Result<Drawn> {
    let Some(latest) = years.last() else {
        return Err(chart_error("adoption", "no year"));
    };
    let tags: Vec<String> = latest.tag_infos.iter().map(|t| t.id.clone()).collect();
    let cells = tags
        .iter()
        .map(|tag| {
            years
                .iter()
                .map(|year| {
                    let total = year.associations.len() as u32;
                    // The co-occurrence diagonal: associations with the tag.
                    let n = year.cooccurrence.cell(tag, tag).map_or(0, |(n, _)| n);
                    let share = if total == 0 { 0.0 } else { f64::from(n) / f64::from(total) };
                    Cell {
                        fill: intensity(share),
                        text: if n == 0 { String::new() } else { format!("{n}/{total}") },
                    }
                })
                .collect()
        })
        .collect();
    draw_grid(
        "adoption",
        Grid {
            title: "タグのある医師会: 年度別".into(),
            subtitle: "n/N: associations with the tag / associations that reported that year; colour: n/N"
                .into(),
            row_labels: tags.iter().map(|id| tag_label(latest, id)).collect(),
            col_labels: years
                .iter()
                .map(|y| y.fiscal_year.map_or_else(|| "?".into(), |y| format!("{y}年度")))
                .collect(),
            col_groups: Vec::new(),
            cells,
            legend: vec![(intensity(0.25), "25%"), (intensity(0.5), "50%"), (intensity(1.0), "100%")],
            cell: (56, 20),
            font_size: 12,
        },
    )
}

/// New, continued and dropped associations per tag between two years.
pub fn changes_by_tag(latest: &Aggregates, counts: &[TagChanges], from: u16, to: u16) -> Result<Drawn> {
    let max = count_axis(counts.iter().map(|c| c.counts.iter().sum::<u32>()).max().unwrap_or(1));
    let rows = counts.iter().map(|c| tag_label(latest, &c.tag)).collect();
    draw_bars(
        "changes",
        Bars {
            axis_counts: Some(max),
            title: format!("{from}年度 → {to}年度: タグの増減"),
            subtitle: "associations that reported in both years: tag new, continued or dropped".into(),
            rows,
            legend: ["new", "continued", "dropped"]
                .iter()
                .zip(CHANGE_COLORS)
                .map(|(n, c)| (c, (*n).to_owned()))
                .collect(),
            row_height: 20,
            right_margin: 40,
        },
        |area, i, (x, y, w, h)| {
            let mut x0 = x;
            for (k, &n) in counts[i].counts.iter().enumerate() {
                let x1 = x0 + (f64::from(w) * f64::from(n) / f64::from(max)).round() as i32;
                if x1 > x0 {
                    rect(area, x0, y + 3, x1, y + h - 3, &CHANGE_COLORS[k])?;
                }
                x0 = x1;
            }
            let [new, kept, dropped] = counts[i].counts;
            let label = if new + kept + dropped == 0 {
                String::new()
            } else {
                format!("+{new} ={kept} −{dropped}")
            };
            text(area, &label, 10, &MUTED, Pos::new(HPos::Left, VPos::Center), (x0 + 4, y + h / 2))
        },
    )
}

/// Status in the earlier year (rows) × status in the later year (columns), over association × tag.
pub fn status_transitions(matrix: &[[u32; 6]; 6], from: u16, to: u16) -> Result<Drawn> {
    let names: Vec<String> =
        std::iter::once("(none)".to_owned()).chain(Status::ALL.iter().map(|s| s.name().to_owned())).collect();
    let max = matrix.iter().flatten().copied().max().unwrap_or(1).max(1);
    let cells = matrix.iter().map(|row| row.iter().map(|&n| count_cell(n, max)).collect()).collect();
    draw_grid(
        "status_transitions",
        Grid {
            title: format!("{from}年度 → {to}年度: ステータスの推移"),
            subtitle: format!(
                "association × tag: status in {from} (rows) and in {to} (columns); (none): not mentioned"
            ),
            row_labels: names.clone(),
            col_labels: names,
            col_groups: Vec::new(),
            cells,
            legend: Vec::new(),
            cell: (64, 28),
            font_size: 12,
        },
    )
}
