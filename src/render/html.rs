//! `index.html`: one page that opens from the file system with no server and no network. Charts
//! are images beside it; tables are HTML; every crosstab cell links to a drill-down
//! (`#drill=view|row|col`, reachable by URL) that lists the records behind it with the evidence
//! highlighted in the description. The data the drill-down needs is inlined as JSON, bounded
//! per cell (see `drilldown`).

use std::fmt::Write;

use super::charts::{AREA_COLORS, CHANGE_COLORS, Chart, STATUS_COLORS};
use super::drilldown::{self, UNTAGGED_LISTED};
use crate::aggregate::Aggregates;
use crate::aggregate::yoy::{ChangeKind, YearChanges};
use crate::model::Status;
use crate::regions::AREAS;

/// What the page says about the run that made it.
#[derive(Debug, Clone, Default)]
pub struct ReportContext {
    /// `zaitaku` version.
    pub tool_version: String,
    /// Content hash of every file in the dictionaries folder.
    pub rules_hash: String,
    /// Input files with their content hashes.
    pub inputs: Vec<(String, String)>,
    /// Warnings of the run, as printed.
    pub warnings: Vec<String>,
}

/// Where a page sits and what else it shows.
pub struct PageScope<'a> {
    /// Path from the page to the report folder (`""` or `"../../"`).
    pub base: &'a str,
    /// Every fiscal year of the report, ascending.
    pub years: &'a [u16],
    /// The years whose records the drill-down can show (all years on the top page).
    pub all_years: &'a [Aggregates],
    /// Year-over-year changes (top page only).
    pub changes: &'a [YearChanges],
    /// Their charts, under `yoy/charts/`.
    pub change_charts: &'a [Chart],
}

const STATUS_JA: [&str; 5] = ["導入", "試行", "予定", "検討", "休止"];

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A drill-down link; parts are URI-encoded in the page's script, so here only `|` and `#` matter.
fn drill(view: &str, a: &str, b: &str) -> String {
    let encode = |s: &str| {
        let mut out = String::new();
        for byte in s.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                out.push(byte as char);
            } else {
                let _ = write!(out, "%{byte:02X}");
            }
        }
        out
    };
    format!("#drill={}|{}|{}", encode(view), encode(a), encode(b))
}

fn hex(c: &plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The whole page.
pub fn page(a: &Aggregates, context: &ReportContext, charts: &[&Chart], scope: &PageScope<'_>) -> String {
    let year = a.fiscal_year.map_or_else(String::new, |y| format!("FY{y} "));
    let label =
        |id: &str| a.tag_infos.iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label.clone());
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
@font-face {{ font-family: "Zaitaku BIZ UDPGothic"; src: url("{base}fonts/BIZUDPGothic-Regular.ttf") format("truetype"); }}
body {{ font-family: "Zaitaku BIZ UDPGothic", "BIZ UDPGothic", "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", sans-serif; margin: 0 auto; max-width: 1400px; padding: 0 24px 48px; color: #222; }}
h1 {{ font-size: 1.5rem; margin: 24px 0 4px; }} h2 {{ margin-top: 40px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }}
nav a {{ margin-right: 12px; }} .muted {{ color: #666; }} figure {{ margin: 16px 0; }} figure img {{ max-width: 100%; border: 1px solid #eee; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0; }} th, td {{ border: 1px solid #ddd; padding: 2px 6px; text-align: center; }}
th.row {{ text-align: left; white-space: nowrap; }} thead th {{ background: #f6f6f6; position: sticky; top: 0; }}
td a {{ text-decoration: none; display: block; color: inherit; }} td.zero {{ color: #bbb; }}
.scroll {{ overflow-x: auto; max-width: 100%; }} .vert {{ writing-mode: vertical-rl; white-space: nowrap; font-weight: normal; }}
mark {{ background: #ffe08a; padding: 0 1px; }} mark.cue {{ background: #c7e9c0; }}
.record {{ border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }}
.record .desc {{ white-space: pre-wrap; line-height: 1.7; }} .chip {{ display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 12px; margin: 2px; }}
#drilldown {{ background: #fafafa; border: 2px solid #ccc; border-radius: 8px; padding: 8px 16px; }}
.fix {{ font-size: 12px; margin-top: 6px; color: #444; }} .fix select, .fix input, .fix button {{ font-size: 12px; margin: 0 4px 0 0; }}
.fix .fixtag {{ display: inline-block; margin-right: 10px; }} .fix .wrong {{ text-decoration: line-through; color: #b00; }} .fix .added {{ color: #06c; }}
#corrections {{ position: sticky; top: 0; background: #fff8e0; border: 1px solid #e6cf80; border-radius: 6px; padding: 4px 10px; margin: 6px 0; font-size: 13px; z-index: 2; }}
table.kwic td {{ text-align: left; white-space: nowrap; }} table.kwic td.left {{ text-align: right; }}
</style>
</head>
<body>
<h1>{title}</h1>
"#,
        title = escape(&format!("東京都在宅医療推進強化事業 {year}分析レポート")),
        base = scope.base
    );
    if scope.years.len() > 1 {
        out.push_str("<p>Fiscal years: ");
        let top =
            if scope.base.is_empty() { "index.html".to_owned() } else { format!("{}index.html", scope.base) };
        let _ = write!(out, "<a href=\"{top}\">latest and change</a>");
        for y in scope.years {
            let link = if scope.base.is_empty() {
                format!("years/{y}/index.html")
            } else {
                format!("../{y}/index.html")
            };
            let _ = write!(out, " · <a href=\"{link}\">FY{y}</a>");
        }
        out.push_str("</p>\n");
    }
    let num_records = a.tagged.len();
    let num_tagged = num_records - a.untagged.len();
    let num_pairs: usize = a.tagged.iter().map(|t| t.tags.len()).sum();
    let _ = writeln!(
        out,
        "<p>{num_records} records from {} associations; {num_tagged} records have at least one tag ({num_pairs} record–tag pairs); {} records have none.</p>",
        a.associations.len(),
        a.untagged.len()
    );
    let _ = writeln!(
        out,
        "<p class=\"muted\">zaitaku {} · rules {} · inputs: {}</p>",
        escape(&context.tool_version),
        escape(&context.rules_hash),
        context
            .inputs
            .iter()
            .map(|(p, h)| format!("{} ({})", escape(p), escape(h)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !scope.changes.is_empty() {
        out.push_str("<nav><a href=\"#yoy\">Year-over-year</a></nav>");
    }
    out.push_str("<nav><a href=\"#charts\">Charts</a><a href=\"#district-tag\">District × tag</a><a href=\"#areas\">区部 vs 多摩</a><a href=\"#medical-areas\">二次保健医療圏</a><a href=\"#status\">Status</a><a href=\"#programs\">事業区分</a><a href=\"#cooccurrence\">Co-occurrence</a><a href=\"#entities\">Entities</a><a href=\"#untagged\">Untagged</a><a href=\"#files\">Files</a></nav>\n");
    out.push_str("<section id=\"drilldown\" hidden><h2>Drill-down</h2><p class=\"muted\" id=\"drill-title\"></p><div id=\"corrections\" hidden><span id=\"corrections-count\"></span> <button id=\"corrections-export\" type=\"button\">Export corrections</button> <button id=\"corrections-clear\" type=\"button\">Discard</button> <span class=\"muted\">a gold-format JSON Lines file of the records you corrected, for <code>zaitaku eval --gold</code></span></div><div id=\"drill-records\"></div></section>\n");

    // Charts.
    out.push_str("<h2 id=\"charts\">Charts</h2>\n");
    let captions = [
        (
            "district_tag",
            "Each row an association, each column a tag (grouped by family); colour: the strongest status across the association's records, grey: not mentioned. Click a cell of the table below for its records.",
        ),
        (
            "area_prevalence",
            "Share of reporting associations with the tag in 区部 and 多摩, with n/N. p: Fisher's exact test (two-sided), Holm-adjusted across tags; * p < 0.05; † a cell under 5, read with care.",
        ),
        (
            "medical_area",
            "Share of the associations in each 二次保健医療圏 that reported this year and have the tag; each cell shows n/N.",
        ),
        ("status_by_tag", "Records per tag, split by status, in the same colours as the district chart."),
        ("program_category", "Records per program and 事業区分."),
        (
            "cooccurrence",
            "Associations that have both tags (e.g. IVR with 輪番制); the diagonal counts associations with the tag.",
        ),
    ];
    for chart in charts {
        let caption = captions.iter().find(|(n, _)| *n == chart.name).map_or("", |(_, c)| c);
        let _ = writeln!(
            out,
            "<figure><img src=\"charts/{name}.svg\" alt=\"{alt}\" loading=\"eager\"><figcaption class=\"muted\">{caption} <a href=\"charts/{name}.png\">PNG</a> · <a href=\"charts/{name}.svg\">SVG</a></figcaption></figure>",
            name = chart.name,
            alt = escape(&chart.title),
            caption = escape(caption)
        );
    }

    // District × tag.
    out.push_str("<h2 id=\"district-tag\">District × tag</h2><p class=\"muted\">導入 implemented · 試行 trial · 予定 planned · 検討 considered · 休止 suspended. A cell lists its records; a column's label, the tag's evidence in context. <a href=\"district_tag.csv\">CSV</a></p><div class=\"scroll\"><table><thead><tr><th></th>");
    for id in &a.district_tag_status.cols {
        let _ = write!(
            out,
            "<th><a href=\"{}\" title=\"{}\"><span class=\"vert\">{}</span></a></th>",
            drill("kwic", id, ""),
            escape(&format!("{}: every evidence in context", label(id))),
            escape(&label(id))
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for (r, district) in a.district_tag_status.rows.iter().enumerate() {
        let _ = write!(out, "<tr><th class=\"row\">{}</th>", escape(district));
        for (c, id) in a.district_tag_status.cols.iter().enumerate() {
            let rank = a.district_tag_status.values[r][c] as usize;
            if rank == 0 {
                out.push_str("<td class=\"zero\"></td>");
            } else {
                let _ = write!(
                    out,
                    "<td style=\"background:{}\"><a href=\"{}\" style=\"color:#fff\" title=\"{}\">{}</a></td>",
                    hex(&STATUS_COLORS[rank - 1]),
                    drill("district_tag", district, id),
                    escape(&format!("{district} · {}", label(id))),
                    STATUS_JA[rank - 1]
                );
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    // 区部 vs 多摩.
    let _ = writeln!(
        out,
        "<h2 id=\"areas\">区部 vs 多摩</h2><p class=\"muted\">n/N: associations with the tag / associations in the area that reported. p: Fisher's exact test, two-sided; Holm: adjusted across the {} tags; † a cell under 5. <a href=\"area_comparison.csv\">CSV</a> · <a href=\"tag_area.csv\">all areas</a></p><table><thead><tr><th>tag</th><th style=\"color:{}\">{}</th><th>share</th><th style=\"color:{}\">{}</th><th>share</th><th>p</th><th>p (Holm)</th><th></th></tr></thead><tbody>",
        a.area_comparisons.len(),
        hex(&AREA_COLORS[0]),
        AREAS[0],
        hex(&AREA_COLORS[1]),
        AREAS[1]
    );
    for c in &a.area_comparisons {
        let cell = |area: &str, (n, total): (u32, u32)| {
            let share = if total == 0 { 0.0 } else { 100.0 * f64::from(n) / f64::from(total) };
            format!(
                "<td><a href=\"{}\">{n}/{total}</a></td><td>{share:.0}%</td>",
                drill("area", area, &c.tag)
            )
        };
        let _ = writeln!(
            out,
            "<tr><th class=\"row\">{}</th>{}{}<td>{:.3}</td><td>{:.3}</td><td>{}</td></tr>",
            escape(&label(&c.tag)),
            cell(AREAS[0], c.ku),
            cell(AREAS[1], c.tama),
            c.p,
            c.p_holm,
            if c.small_cells() { "†" } else { "" }
        );
    }
    out.push_str("</tbody></table>\n");

    // 二次保健医療圏.
    let mut groups: Vec<&str> = Vec::new();
    for share in &a.medical_area_shares {
        if !groups.contains(&share.group.as_str()) {
            groups.push(&share.group);
        }
    }
    out.push_str("<h2 id=\"medical-areas\">二次保健医療圏</h2><p class=\"muted\">n/N per 二次保健医療圏 (N: associations in the area that reported). <a href=\"tag_medical_area.csv\">CSV</a></p><div class=\"scroll\"><table><thead><tr><th></th>");
    for group in &groups {
        let _ = write!(out, "<th>{}</th>", escape(group));
    }
    out.push_str("</tr></thead><tbody>\n");
    for info in &a.tag_infos {
        let _ = write!(out, "<tr><th class=\"row\">{}</th>", escape(&info.label));
        for group in &groups {
            match a.medical_area_shares.iter().find(|s| s.tag == info.id && s.group == *group) {
                Some(s) if s.n > 0 => {
                    let _ = write!(
                        out,
                        "<td><a href=\"{}\">{}/{}</a></td>",
                        drill("medical_area", group, &info.id),
                        s.n,
                        s.total
                    );
                }
                Some(s) => {
                    let _ = write!(out, "<td class=\"zero\">0/{}</td>", s.total);
                }
                None => out.push_str("<td class=\"zero\"></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    // Status × tag.
    out.push_str("<h2 id=\"status\">Status × tag</h2><p class=\"muted\">records. <a href=\"status_tag.csv\">CSV</a></p><table><thead><tr><th></th>");
    for (i, status) in Status::ALL.iter().enumerate() {
        let _ = write!(out, "<th style=\"color:{}\">{}</th>", hex(&STATUS_COLORS[i]), status.name());
    }
    out.push_str("</tr></thead><tbody>\n");
    for (r, id) in a.status_tag.rows.iter().enumerate() {
        let _ = write!(out, "<tr><th class=\"row\">{}</th>", escape(&label(id)));
        for (c, status) in a.status_tag.cols.iter().enumerate() {
            let n = a.status_tag.values[r][c];
            if n == 0 {
                out.push_str("<td class=\"zero\">0</td>");
            } else {
                let _ = write!(out, "<td><a href=\"{}\">{n}</a></td>", drill("status", id, status));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");

    // Program × 事業区分.
    out.push_str("<h2 id=\"programs\">Program × 事業区分</h2><p class=\"muted\">records. <a href=\"program_category.csv\">CSV</a></p><table><thead><tr><th></th>");
    for category in &a.program_category.cols {
        let _ = write!(out, "<th>{}</th>", escape(category));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (r, program) in a.program_category.rows.iter().enumerate() {
        let _ = write!(out, "<tr><th class=\"row\">{}</th>", escape(program));
        for (c, category) in a.program_category.cols.iter().enumerate() {
            let n = a.program_category.values[r][c];
            if n == 0 {
                out.push_str("<td class=\"zero\">0</td>");
            } else {
                let _ = write!(
                    out,
                    "<td><a href=\"{}\">{n}</a></td>",
                    drill("program_category", program, category)
                );
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");

    // Co-occurrence.
    let m = &a.cooccurrence;
    let used: Vec<usize> = (0..m.rows.len()).filter(|&i| m.values[i][i] > 0).collect();
    out.push_str("<h2 id=\"cooccurrence\">Co-occurrence</h2><p class=\"muted\">associations with both tags. <a href=\"cooccurrence.csv\">CSV</a></p><div class=\"scroll\"><table><thead><tr><th></th>");
    for &i in &used {
        let _ = write!(out, "<th><span class=\"vert\">{}</span></th>", escape(&label(&m.rows[i])));
    }
    out.push_str("</tr></thead><tbody>\n");
    for &r in &used {
        let _ = write!(out, "<tr><th class=\"row\">{}</th>", escape(&label(&m.rows[r])));
        for &c in &used {
            let n = m.values[r][c];
            if n == 0 {
                out.push_str("<td class=\"zero\"></td>");
            } else {
                let _ = write!(out, "<td><a href=\"{}\">{n}</a></td>", drill("pair", &m.rows[r], &m.rows[c]));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    // Entity × district.
    let e = &a.entity_district;
    out.push_str("<h2 id=\"entities\">Entities × district</h2><p class=\"muted\">who works with which vendor or product (records). <a href=\"entity_district.csv\">CSV</a></p><div class=\"scroll\"><table><thead><tr><th></th>");
    for district in &e.cols {
        let _ = write!(out, "<th><span class=\"vert\">{}</span></th>", escape(district));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (r, entity) in e.rows.iter().enumerate() {
        let _ = write!(out, "<tr><th class=\"row\">{}</th>", escape(entity));
        for (c, district) in e.cols.iter().enumerate() {
            let n = e.values[r][c];
            if n == 0 {
                out.push_str("<td class=\"zero\"></td>");
            } else {
                let _ = write!(out, "<td><a href=\"{}\">{n}</a></td>", drill("entity", entity, district));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    // Untagged records.
    let _ = write!(
        out,
        "<h2 id=\"untagged\">Records with no tag ({})</h2><p class=\"muted\">for review: wording the rules do not cover, or rows with nothing to tag.</p><ul>",
        a.untagged.len()
    );
    let listed_untagged = drilldown::untagged_listed(a);
    for t in &listed_untagged {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{} {}</a></li>",
            drill("record", &t.record.id, ""),
            escape(&t.record.id),
            escape(&format!(
                "{} · {}",
                t.record.district.as_deref().unwrap_or(""),
                t.record.program.as_deref().unwrap_or("")
            ))
        );
    }
    if a.untagged.len() > UNTAGGED_LISTED {
        let _ = write!(
            out,
            "<li>… and {} more: records.csv has them all (records with no row in tags.csv)</li>",
            a.untagged.len() - UNTAGGED_LISTED
        );
    }
    out.push_str("</ul>\n");

    if let Some(last) = scope.changes.last() {
        yoy_section(&mut out, a, scope, last);
    }

    // Files and warnings.
    out.push_str("<h2 id=\"files\">Files</h2><ul>");
    for (file, what) in [
        ("records.csv", "one row per record (UTF-8 with BOM; readable again by zaitaku ingest)"),
        ("tags.csv", "one row per record × tag, with status, entity, evidence and rule"),
        ("records.parquet", "records for pandas, DuckDB or Spark"),
        ("tags.parquet", "tags for pandas, DuckDB or Spark"),
    ] {
        let _ = write!(out, "<li><a href=\"{file}\">{file}</a>: {what}</li>");
    }
    out.push_str("</ul>\n");
    if !context.warnings.is_empty() {
        let _ = write!(out, "<h2>Warnings ({})</h2><ul>", context.warnings.len());
        for warning in &context.warnings {
            let _ = write!(out, "<li>{}</li>", escape(warning));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<div id=\"selfcheck\" hidden></div>\n");
    let _ = writeln!(
        out,
        "<script id=\"data\" type=\"application/json\">{}</script>",
        drilldown::page_data(a, scope.all_years, &listed_untagged)
    );
    let status_colors: Vec<String> = STATUS_COLORS.iter().map(hex).collect();
    let _ = write!(
        out,
        "<script>const STATUS_COLORS = {};\n{}</script>\n</body>\n</html>\n",
        serde_json::to_string(&status_colors).unwrap_or_default(),
        SCRIPT
    );
    out
}

/// The drill-down and the self-check, in plain JavaScript.
const SCRIPT: &str = r##"
const DATA = JSON.parse(document.getElementById('data').textContent);
const STATUSES = ['implemented', 'trial', 'planned', 'considered', 'suspended'];
const LABEL = Object.fromEntries(DATA.tags.map(t => [t.id, t.label]));
function esc(s) { return String(s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c])); }
/* One cell of a table: its record count, the first RECORDS_PER_CELL records, which tags to
   highlight, and a title. The cells are computed by zaitaku (render/drilldown.rs). */
function select(key) {
  const [view, a, b] = key.split('|');
  const [count, shown] = DATA.cells[key] || [0, []];
  const records = shown.map(i => DATA.records[i]);
  const label = id => LABEL[id] || id;
  switch (view) {
    case 'district_tag': case 'area': case 'medical_area': return [records, count, [b], a + ' · ' + label(b)];
    case 'yoy': return [records, count, [b], a + ' · ' + label(b) + ' across years'];
    case 'status': return [records, count, [a], label(a) + ' · ' + b];
    case 'pair': return [records, count, [a, b], label(a) + ' × ' + label(b)];
    case 'program_category': case 'entity': return [records, count, null, a + ' · ' + b];
    case 'record': {
      /* Untagged records have a cell; any other record on the page (a KWIC line's link) is
         shown alone. */
      if (DATA.cells[key]) return [records, count, null, a];
      const r = RECORD_BY_ID.get(a);
      return [r ? [r] : [], r ? 1 : 0, null, a];
    }
    case 'kwic': {
      /* The records with the tag are the co-occurrence table's diagonal cell. */
      const [n, ids] = DATA.cells['pair|' + a + '|' + a] || [0, []];
      return [ids.map(i => DATA.records[i]), n, [a], label(a) + ': evidence in context'];
    }
    default: return [[], 0, null, ''];
  }
}
function highlight(r, tags) {
  const chars = Array.from(r.description);
  const marks = [];
  for (const t of r.tags) {
    if (tags && !tags.includes(t.tag)) continue;
    for (const e of t.evidence) {
      marks.push({s: e.s, e: e.e, cls: '', title: (LABEL[t.tag] || t.tag) + ' · ' + t.status + ' · ' + e.rule + ' (' + e.origin + ')'});
      if (e.cue) marks.push({s: e.cue[0], e: e.cue[1], cls: 'cue', title: 'status cue for ' + (LABEL[t.tag] || t.tag)});
    }
  }
  marks.sort((x, y) => x.s - y.s || y.e - x.e);
  let out = '', pos = 0;
  for (const m of marks) {
    if (m.s < pos) continue;
    out += esc(chars.slice(pos, m.s).join(''));
    out += '<mark class="' + m.cls + '" title="' + esc(m.title) + '">' + esc(chars.slice(m.s, m.e).join('')) + '</mark>';
    pos = m.e;
  }
  return out + esc(chars.slice(pos).join(''));
}
/* Keyword in context: each evidence of `tag` with KWIC_WIDTH characters each side, sorted by
   the text after it (as `zaitaku kwic --tag`). */
const KWIC_WIDTH = 20;
function kwicTable(records, tag) {
  const flat = s => s.replace(/[\n\r\t]/g, ' ');
  const lines = [];
  for (const r of records) {
    const chars = Array.from(r.description);
    for (const t of r.tags) {
      if (t.tag !== tag) continue;
      for (const e of t.evidence) {
        lines.push({r, t, e, left: flat(chars.slice(Math.max(0, e.s - KWIC_WIDTH), e.s).join('')),
          match: flat(chars.slice(e.s, e.e).join('')), right: flat(chars.slice(e.e, e.e + KWIC_WIDTH).join(''))});
      }
    }
  }
  const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  const reversed = s => Array.from(s).reverse().join('');
  lines.sort((x, y) => cmp(x.right, y.right) || cmp(x.match, y.match) || cmp(reversed(x.left), reversed(y.left)));
  return '<table class="kwic"><thead><tr><th>record</th><th>district</th><th>year</th><th></th><th>match</th><th></th><th>rule</th><th>status</th></tr></thead><tbody>' +
    lines.map(l => '<tr data-id="' + esc(l.r.id) + '"><td><a href="#drill=record|' + encodeURIComponent(l.r.id) + '|">' + esc(l.r.id) + '</a></td><td>' + esc(l.r.district || '') + '</td><td>' + esc(l.r.fiscal_year || '') +
      '</td><td class="left">' + esc(l.left) + '</td><td><mark title="' + esc(l.e.origin) + '">' + esc(l.match) + '</mark></td><td>' + esc(l.right) + '</td><td>' + esc(l.e.rule) + '</td><td>' + esc(l.t.status) + '</td></tr>').join('') +
    '</tbody></table>';
}
/* Corrections: per record id, its tags as the analyst says they are ({tag: {status, entity}}),
   kept from the first change on. Exported as gold-format JSON Lines (the records whole). */
const CORRECTIONS = new Map();
const RECORD_BY_ID = new Map(DATA.records.map(r => [r.id, r]));
function correctedTags(r) {
  if (CORRECTIONS.has(r.id)) return CORRECTIONS.get(r.id);
  return Object.fromEntries(r.tags.map(t => [t.tag, {status: t.status, entity: t.entity}]));
}
function correct(id, change) {
  const r = RECORD_BY_ID.get(id);
  if (!r) return;
  const tags = Object.assign({}, correctedTags(r));
  change(tags);
  CORRECTIONS.set(id, tags);
  renderDrill(false);
}
function fixControls(r) {
  const tags = correctedTags(r);
  const original = Object.fromEntries(r.tags.map(t => [t.tag, t]));
  const ids = Array.from(new Set(Object.keys(original).concat(Object.keys(tags)))).sort();
  const statusOptions = (chosen, withWrong) => (withWrong ? '<option value="">wrong: remove</option>' : '') +
    STATUSES.map(s => '<option value="' + s + '"' + (s === chosen ? ' selected' : '') + '>' + s + '</option>').join('');
  const items = ids.map(id => {
    const now = tags[id];
    const cls = !now ? 'wrong' : (original[id] ? '' : 'added');
    return '<span class="fixtag ' + cls + '" data-tag="' + esc(id) + '">' + esc(LABEL[id] || id) +
      ' <select data-fix="status" data-id="' + esc(r.id) + '" data-tag="' + esc(id) + '">' +
      (now ? statusOptions(now.status, true) : '<option value="" selected>wrong: removed</option>' + statusOptions(null, false)) + '</select></span>';
  }).join('');
  const missing = DATA.tags.filter(t => !tags[t.id]).map(t => '<option value="' + esc(t.id) + '">' + esc(t.label) + ' (' + esc(t.id) + ')</option>').join('');
  return '<div class="fix">Correct: ' + items + '<span class="fixadd">add <select data-fix="add-tag">' + missing + '</select>' +
    '<select data-fix="add-status">' + statusOptions('implemented', false) + '</select>' +
    '<input data-fix="add-entity" placeholder="entity (optional)" size="12">' +
    '<button type="button" data-fix="add" data-id="' + esc(r.id) + '">add tag</button></span>' +
    (CORRECTIONS.has(r.id) ? ' <b>corrected</b>' : '') + '</div>';
}
function exportCorrections() {
  const lines = Array.from(CORRECTIONS.keys()).sort().map(id => {
    const r = RECORD_BY_ID.get(id);
    return JSON.stringify({id: r.id, fiscal_year: r.fiscal_year, district_no: r.district_no, district: r.district,
      program: r.program, categories: r.categories, marks: r.marks, description: r.description, tags: CORRECTIONS.get(id)});
  });
  const blob = new Blob([lines.join('\n') + '\n'], {type: 'application/x-ndjson'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'corrections.jsonl';
  document.body.appendChild(link);
  link.click();
  link.remove();
  CORRECTIONS_EXPORTED = CORRECTIONS.size;
}
let CORRECTIONS_EXPORTED = 0;
document.addEventListener('change', ev => {
  const el = ev.target;
  if (el.dataset.fix !== 'status') return;
  correct(el.dataset.id, tags => {
    const tag = el.dataset.tag;
    if (!el.value) { delete tags[tag]; return; }
    tags[tag] = {status: el.value, entity: tags[tag] ? tags[tag].entity : null};
  });
});
document.addEventListener('click', ev => {
  const el = ev.target;
  if (el.id === 'corrections-export') { exportCorrections(); return; }
  if (el.id === 'corrections-clear') { CORRECTIONS.clear(); renderDrill(false); return; }
  if (el.dataset.fix !== 'add') return;
  const box = el.parentElement;
  const tag = box.querySelector('[data-fix="add-tag"]').value;
  const status = box.querySelector('[data-fix="add-status"]').value;
  const entity = box.querySelector('[data-fix="add-entity"]').value.trim();
  if (tag) correct(el.dataset.id, tags => { tags[tag] = {status, entity: entity || null}; });
});
window.addEventListener('beforeunload', ev => {
  if (CORRECTIONS.size > CORRECTIONS_EXPORTED) { ev.preventDefault(); ev.returnValue = ''; }
});
/* Opens the drill-down the location's hash names; scrolls to it unless redrawn in place
   (after a correction). */
function renderDrill(scroll = true) {
  const section = document.getElementById('drilldown');
  const hash = decodeURIComponent(location.hash.slice(1));
  if (!hash.startsWith('drill=')) { section.hidden = true; return; }
  const key = hash.slice(6);
  const [records, count, tags, title] = select(key);
  section.hidden = false;
  const bar = document.getElementById('corrections');
  bar.hidden = CORRECTIONS.size === 0;
  document.getElementById('corrections-count').textContent = CORRECTIONS.size + ' record(s) corrected';
  const shown = count > records.length ? ', ' + records.length + ' shown (tags.csv has them all)' : '';
  if (key.startsWith('kwic|')) {
    document.getElementById('drill-title').textContent = title + ' — ' + count + ' record(s)' + shown + '; sorted by the text after each match';
    document.getElementById('drill-records').innerHTML = kwicTable(records, tags[0]);
    if (scroll) section.scrollIntoView();
    return;
  }
  document.getElementById('drill-title').textContent = title + ' — ' + count + ' record(s)' + shown + '; evidence highlighted, status cues in green';
  document.getElementById('drill-records').innerHTML = records.map(r => {
    const chips = r.tags.map(t => '<span class="chip" style="background:' + STATUS_COLORS[STATUSES.indexOf(t.status)] + '">' + esc(LABEL[t.tag] || t.tag) + ' · ' + t.status + (t.entity ? ' · ' + esc(t.entity) : '') + '</span>').join('');
    return '<div class="record" data-id="' + esc(r.id) + '"><b>' + esc(r.id) + '</b> ' + (r.fiscal_year ? 'FY' + r.fiscal_year + ' · ' : '') + esc(r.district || '') + ' · ' + esc(r.program || '') + ' · ' + esc(r.categories.join(' ')) +
      '<div>' + chips + '</div><div class="desc">' + highlight(r, tags) + '</div>' + fixControls(r) + '</div>';
  }).join('');
  if (scroll) section.scrollIntoView();
}
window.addEventListener('hashchange', () => renderDrill());
renderDrill();
window.addEventListener('load', () => {
  const broken = Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
  const check = document.getElementById('selfcheck');
  check.dataset.images = String(document.images.length);
  check.dataset.broken = broken.join(' ');
  check.dataset.loaded = 'yes';
});
"##;

/// The change between the last two years: charts, per-tag summary, per-association table.
fn yoy_section(out: &mut String, a: &Aggregates, scope: &PageScope<'_>, last: &YearChanges) {
    let label =
        |id: &str| a.tag_infos.iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label.clone());
    let (from, to) = (last.from, last.to);
    let _ = writeln!(
        out,
        "<h2 id=\"yoy\">Year-over-year: FY{from} → FY{to}</h2><p class=\"muted\">Associations that reported in both years. A tag is <b>new</b>, <b>continued</b> (its status may have changed) or <b>dropped</b>; associations that reported in one year only are listed apart, since their tags did not drop. <a href=\"yoy/changes.csv\">changes.csv</a> · <a href=\"yoy/tag_summary.csv\">per tag</a> · <a href=\"yoy/area_summary.csv\">per area</a> · <a href=\"yoy/associations_one_year.csv\">one year only</a></p>"
    );
    for chart in scope.change_charts {
        let _ = writeln!(
            out,
            "<figure><img src=\"yoy/charts/{name}.svg\" alt=\"{alt}\"><figcaption class=\"muted\"><a href=\"yoy/charts/{name}.png\">PNG</a></figcaption></figure>",
            name = chart.name,
            alt = escape(&chart.title)
        );
    }
    let names = ["new", "continued", "dropped"];
    out.push_str("<h3>Changes per association</h3><p class=\"muted\">new and dropped tags, and continued tags whose status changed; click a row for both years' evidence.</p><table><thead><tr><th>association</th><th>tag</th><th>change</th><th>status</th></tr></thead><tbody>\n");
    for c in &last.changes {
        if c.change == ChangeKind::Continued && c.status_from == c.status_to {
            continue;
        }
        let status = format!(
            "{} → {}",
            c.status_from.map_or("–", Status::name),
            c.status_to.map_or("–", Status::name)
        );
        let _ = writeln!(
            out,
            "<tr><th class=\"row\">{}</th><td><a href=\"{}\">{}</a></td><td style=\"color:{}\">{}</td><td>{status}</td></tr>",
            escape(&c.district),
            drill("yoy", &c.district, &c.tag),
            escape(&label(&c.tag)),
            hex(&CHANGE_COLORS[c.change as usize]),
            names[c.change as usize]
        );
    }
    out.push_str("</tbody></table>\n");
    if !last.only_in_one_year.is_empty() {
        out.push_str("<h3>Associations that reported in one of the two years only</h3><ul>");
        for (district, year) in &last.only_in_one_year {
            let _ = write!(out, "<li>{} (FY{year} only)</li>", escape(district));
        }
        out.push_str("</ul>\n");
    }
}
