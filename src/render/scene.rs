//! A chart as a list of shapes: plotters draws into a [`SceneBackend`], and the one [`Scene`] it
//! records is written out twice, as a self-contained SVG ([`Scene::svg`]) and as a PNG
//! ([`Scene::png`]), so both show the same pixels' worth of drawing.
//!
//! Text is set in the embedded font by [`glyphs`]: in the SVG every glyph's outline is defined
//! once and placed with `<use>`, so the file needs no font and looks the same on any machine; in
//! the PNG each glyph is rasterised once per size and sub-pixel offset and blended where it
//! occurs. Charts here are rectangles, lines and short labels; drawing them this way costs a
//! small fraction of turning an SVG with `<text>` into paths and pixels with a general renderer.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write as _;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use super::glyphs::{self, GlyphPainter, Ink, Line, Turn};

impl From<BackendColor> for Ink {
    fn from(color: BackendColor) -> Self {
        Self { rgb: color.rgb, opacity: color.alpha.clamp(0.0, 1.0) as f32 }
    }
}

impl Ink {
    fn paint(self) -> Paint<'static> {
        let mut paint = Paint::default();
        let alpha = (self.opacity * 255.0).round() as u8;
        paint.set_color_rgba8(self.rgb.0, self.rgb.1, self.rgb.2, alpha);
        paint
    }

    /// `fill="#rrggbb"` (or `stroke=`) and an opacity attribute when not opaque.
    fn write_svg(self, out: &mut String, attribute: &str) {
        let (r, g, b) = self.rgb;
        let _ = write!(out, r##" {attribute}="#{r:02x}{g:02x}{b:02x}""##);
        if self.opacity < 1.0 {
            let _ = write!(out, r#" opacity="{}""#, number(self.opacity));
        }
    }
}

/// A run of text, laid out: glyph pen positions in font units from the baseline start, which
/// sits at `start` (pixels from the anchor, before the turn) and turns about the anchor.
struct Text {
    line: Line,
    em_px: f32,
    ink: Ink,
    anchor: (i32, i32),
    start: (f32, f32),
    turn: Turn,
}

impl Text {
    /// The affine map from the run's font units (y up) to device pixels: SVG's matrix(a b c d e f).
    fn matrix(&self) -> [f32; 6] {
        let k = glyphs::scale(self.em_px);
        let (cos, sin) = self.turn.cos_sin();
        let (sx, sy) = self.start;
        let e = self.anchor.0 as f32 + cos * sx - sin * sy;
        let f = self.anchor.1 as f32 + sin * sx + cos * sy;
        [k * cos, k * sin, k * sin, -k * cos, e, f]
    }
}

enum Shape {
    Rect { from: BackendCoord, to: BackendCoord, ink: Ink, fill: bool, width: u32 },
    Polyline { points: Vec<BackendCoord>, ink: Ink, width: u32 },
    Polygon { points: Vec<BackendCoord>, ink: Ink },
    Circle { center: BackendCoord, radius: u32, ink: Ink, fill: bool, width: u32 },
    Text(Text),
}

/// Everything one chart draws, in drawing order.
pub struct Scene {
    width: u32,
    height: u32,
    shapes: Vec<Shape>,
}

impl Scene {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, shapes: Vec::new() }
    }

    /// A plotters backend drawing into this scene.
    pub fn backend(&mut self) -> SceneBackend<'_> {
        SceneBackend { scene: self }
    }

    /// The scene as a self-contained SVG: shapes as elements, text as uses of glyph outlines.
    pub fn svg(&self) -> String {
        let mut body = String::with_capacity(64 * self.shapes.len());
        let mut used: BTreeMap<u16, Option<String>> = BTreeMap::new();
        for shape in &self.shapes {
            write_shape(&mut body, shape, &mut used);
        }
        let (w, h) = (self.width, self.height);
        let mut svg = String::with_capacity(body.len() + 256 * used.len() + 256);
        let _ = writeln!(
            svg,
            r#"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">"#
        );
        svg.push_str("<defs>\n");
        for (glyph, path) in &used {
            if let Some(path) = path {
                let _ = writeln!(svg, r#"<path id="g{glyph}" d="{path}"/>"#);
            }
        }
        svg.push_str("</defs>\n");
        svg.push_str(&body);
        svg.push_str("</svg>\n");
        svg
    }

    /// The scene rendered to premultiplied RGBA pixels.
    pub fn pixmap(&self) -> Option<Pixmap> {
        let mut pixmap = Pixmap::new(self.width, self.height)?;
        let mut painter = GlyphPainter::default();
        for shape in &self.shapes {
            paint_shape(&mut pixmap, shape, &mut painter);
        }
        Some(pixmap)
    }
}

fn write_shape(out: &mut String, shape: &Shape, used: &mut BTreeMap<u16, Option<String>>) {
    match shape {
        Shape::Rect { from, to, ink, fill, width } => {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}""#,
                from.0,
                from.1,
                to.0 - from.0,
                to.1 - from.1
            );
            if *fill {
                ink.write_svg(out, "fill");
            } else {
                out.push_str(r#" fill="none""#);
                ink.write_svg(out, "stroke");
                let _ = write!(out, r#" stroke-width="{width}""#);
            }
            out.push_str("/>\n");
        }
        Shape::Polyline { points, ink, width } => {
            out.push_str(r#"<polyline fill="none""#);
            ink.write_svg(out, "stroke");
            let _ = write!(out, r#" stroke-width="{width}" points=""#);
            write_points(out, points);
            out.push_str("\"/>\n");
        }
        Shape::Polygon { points, ink } => {
            out.push_str("<polygon");
            ink.write_svg(out, "fill");
            out.push_str(r#" points=""#);
            write_points(out, points);
            out.push_str("\"/>\n");
        }
        Shape::Circle { center, radius, ink, fill, width } => {
            let _ = write!(out, r#"<circle cx="{}" cy="{}" r="{radius}""#, center.0, center.1);
            if *fill {
                ink.write_svg(out, "fill");
            } else {
                out.push_str(r#" fill="none""#);
                ink.write_svg(out, "stroke");
                let _ = write!(out, r#" stroke-width="{width}""#);
            }
            out.push_str("/>\n");
        }
        Shape::Text(text) => {
            out.push_str("<g");
            text.ink.write_svg(out, "fill");
            out.push_str(r#" transform="matrix("#);
            for (i, value) in text.matrix().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&number(*value));
            }
            out.push_str(")\">");
            for &(glyph, pen) in &text.line.glyphs {
                let outline = used.entry(glyph.0).or_insert_with(|| glyphs::svg_path(glyph));
                if outline.is_some() {
                    let _ = write!(out, r##"<use xlink:href="#g{}" x="{pen}"/>"##, glyph.0);
                }
            }
            out.push_str("</g>\n");
        }
    }
}

fn write_points(out: &mut String, points: &[BackendCoord]) {
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(out, "{}{x},{y}", if i > 0 { " " } else { "" });
    }
}

/// A number with at most six decimals and no trailing zeros.
fn number(value: f32) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

fn paint_shape(pixmap: &mut Pixmap, shape: &Shape, painter: &mut GlyphPainter) {
    let identity = Transform::identity();
    match shape {
        Shape::Rect { from, to, ink, fill: true, .. } => {
            if let Some(rect) = Rect::from_ltrb(from.0 as f32, from.1 as f32, to.0 as f32, to.1 as f32) {
                pixmap.fill_rect(rect, &ink.paint(), identity, None);
            }
        }
        Shape::Rect { from, to, ink, fill: false, width } => {
            if let Some(rect) = Rect::from_ltrb(from.0 as f32, from.1 as f32, to.0 as f32, to.1 as f32) {
                stroke(pixmap, PathBuilder::from_rect(rect), *ink, *width);
            }
        }
        Shape::Polyline { points, ink, width } => {
            let mut builder = PathBuilder::new();
            for (i, &(x, y)) in points.iter().enumerate() {
                if i == 0 {
                    builder.move_to(x as f32, y as f32);
                } else {
                    builder.line_to(x as f32, y as f32);
                }
            }
            if let Some(path) = builder.finish() {
                stroke(pixmap, path, *ink, *width);
            }
        }
        Shape::Polygon { points, ink } => {
            let mut builder = PathBuilder::new();
            for (i, &(x, y)) in points.iter().enumerate() {
                if i == 0 {
                    builder.move_to(x as f32, y as f32);
                } else {
                    builder.line_to(x as f32, y as f32);
                }
            }
            builder.close();
            if let Some(path) = builder.finish() {
                let mut paint = ink.paint();
                paint.anti_alias = true;
                pixmap.fill_path(&path, &paint, FillRule::Winding, identity, None);
            }
        }
        Shape::Circle { center, radius, ink, fill, width } => {
            if let Some(path) = PathBuilder::from_circle(center.0 as f32, center.1 as f32, *radius as f32) {
                if *fill {
                    let mut paint = ink.paint();
                    paint.anti_alias = true;
                    pixmap.fill_path(&path, &paint, FillRule::Winding, identity, None);
                } else {
                    stroke(pixmap, path, *ink, *width);
                }
            }
        }
        Shape::Text(text) => {
            let [a, b, _, _, e, f] = text.matrix();
            for &(glyph, pen) in &text.line.glyphs {
                let origin = (a * pen as f32 + e, b * pen as f32 + f);
                painter.draw(pixmap, glyph, text.em_px, text.turn, origin, text.ink);
            }
        }
    }
}

fn stroke(pixmap: &mut Pixmap, path: tiny_skia::Path, ink: Ink, width: u32) {
    let mut paint = ink.paint();
    paint.anti_alias = true;
    let stroke = Stroke { width: width as f32, ..Default::default() };
    pixmap.stroke_path(&path, &paint, &stroke, Transform::identity(), None);
}

/// plotters' view of a [`Scene`]: every drawing call becomes a shape.
pub struct SceneBackend<'a> {
    scene: &'a mut Scene,
}

type DrawResult = Result<(), DrawingErrorKind<Infallible>>;

impl SceneBackend<'_> {
    fn push(&mut self, shape: Shape) -> DrawResult {
        self.scene.shapes.push(shape);
        Ok(())
    }
}

fn turn_of(transform: FontTransform) -> Turn {
    match transform {
        FontTransform::None => Turn::Upright,
        FontTransform::Rotate90 => Turn::Quarter,
        FontTransform::Rotate180 => Turn::Half,
        FontTransform::Rotate270 => Turn::ThreeQuarters,
    }
}

impl DrawingBackend for SceneBackend<'_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        (self.scene.width, self.scene.height)
    }

    fn ensure_prepared(&mut self) -> DrawResult {
        Ok(())
    }

    fn present(&mut self) -> DrawResult {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult {
        let to = (point.0 + 1, point.1 + 1);
        self.push(Shape::Rect { from: point, to, ink: color.into(), fill: true, width: 0 })
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> DrawResult {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        self.push(Shape::Rect { from, to, ink: style.color().into(), fill, width: style.stroke_width() })
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let points = path.into_iter().collect();
        self.push(Shape::Polyline { points, ink: style.color().into(), width: style.stroke_width() })
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        self.push(Shape::Circle {
            center,
            radius,
            ink: style.color().into(),
            fill,
            width: style.stroke_width(),
        })
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vertices: I,
        style: &S,
    ) -> DrawResult {
        let points = vertices.into_iter().collect();
        self.push(Shape::Polygon { points, ink: style.color().into() })
    }

    /// Lays the text out now; anchors as plotters' SVG backend places them (top: 0.76 em below
    /// the anchor, centre: half an ex, bottom: half an ex above).
    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, anchor: BackendCoord) -> DrawResult {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let em_px = glyphs::em_px(style.size());
        let line = Line::new(text);
        let width = line.width_px(em_px);
        let x = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let y = match style.anchor().v_pos {
            VPos::Top => 0.76 * em_px,
            VPos::Center => 0.25 * em_px,
            VPos::Bottom => -0.25 * em_px,
        };
        self.push(Shape::Text(Text {
            line,
            em_px,
            ink: color.into(),
            anchor,
            start: (x, y),
            turn: turn_of(style.transform()),
        }))
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Infallible>> {
        let em_px = glyphs::em_px(style.size());
        Ok((Line::new(text).width_px(em_px).ceil() as u32, em_px.ceil() as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;
    use plotters::style::text_anchor::Pos;

    fn drawn(draw: impl FnOnce(&DrawingArea<SceneBackend<'_>, plotters::coord::Shift>)) -> Scene {
        let mut scene = Scene::new(120, 60);
        {
            let area = scene.backend().into_drawing_area();
            area.fill(&WHITE).unwrap();
            draw(&area);
        }
        scene
    }

    #[test]
    fn the_svg_defines_each_glyph_once_and_uses_it_per_occurrence() {
        let scene = drawn(|area| {
            let style = TextStyle::from(("sans-serif", 20).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Top));
            area.draw_text("11", &style, (4, 4)).unwrap();
            area.draw_text("1", &style, (60, 4)).unwrap();
        });
        let svg = scene.svg();
        assert_eq!(svg.matches("<path id=").count(), 1, "{svg}");
        assert_eq!(svg.matches("<use ").count(), 3, "{svg}");
        assert!(!svg.contains("<text"), "no live text: the file needs no font");
    }

    #[test]
    fn the_png_shows_what_the_svg_describes() {
        let scene = drawn(|area| {
            area.draw(&Rectangle::new([(10, 10), (30, 30)], RED.filled())).unwrap();
        });
        let pixmap = scene.pixmap().unwrap();
        let at = |x: u32, y: u32| {
            let i = ((y * pixmap.width() + x) * 4) as usize;
            (pixmap.data()[i], pixmap.data()[i + 1], pixmap.data()[i + 2])
        };
        assert_eq!(at(20, 20), (255, 0, 0), "inside the rectangle");
        assert_eq!(at(5, 5), (255, 255, 255), "the white background");
        assert_eq!(at(30, 30), (255, 255, 255), "the far corner is exclusive, as SVG's width is");
        assert!(scene.svg().contains(r##"<rect x="10" y="10" width="20" height="20" fill="#ff0000"/>"##));
    }

    #[test]
    fn turned_text_reads_bottom_to_top_from_its_anchor() {
        let scene = drawn(|area| {
            let style = TextStyle::from(("sans-serif", 20).into_font())
                .color(&BLACK)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Left, VPos::Center));
            area.draw_text("在宅", &style, (60, 50)).unwrap();
        });
        let pixmap = scene.pixmap().unwrap();
        let inked_rows: Vec<u32> = (0..60)
            .filter(|&y| (0..120).any(|x| pixmap.data()[((y * 120 + x) * 4) as usize] < 128))
            .collect();
        assert!(inked_rows.iter().all(|&y| y <= 51), "text runs upwards from y = 50: {inked_rows:?}");
        assert!(inked_rows.len() > 20, "two characters of 16 px: {inked_rows:?}");
    }
}
