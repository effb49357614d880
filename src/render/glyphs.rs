//! Text for the charts, laid out and outlined from the embedded font: each glyph's outline is
//! written once into an SVG (`<defs>`, then `<use>` per occurrence) and rasterised once per size
//! and sub-pixel offset for the PNG, so a heat map with a thousand counts outlines each digit once.
//!
//! Layout is the font's advance widths only (no kerning or shaping): chart labels are short runs
//! of Japanese and digits, which the font sets on fixed advances anyway.

use std::fmt::Write as _;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use tiny_skia::{PathBuilder, Pixmap, Transform};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

use super::charts::FONT;

/// plotters passes a font size that its SVG backend divides by 1.24 (its CSS pixel convention);
/// the same here, so the charts keep the proportions they were designed with.
const PLOTTERS_SIZE_DIVISOR: f32 = 1.24;

/// The parsed embedded font.
pub fn face() -> &'static Face<'static> {
    static FACE: OnceLock<Face<'static>> = OnceLock::new();
    // The font is compiled in and parsed by a test; a failure here is a broken build.
    FACE.get_or_init(|| Face::parse(FONT, 0).expect("the embedded font parses"))
}

/// Pixel size of the em box for plotters' font size `size`.
pub fn em_px(size: f64) -> f32 {
    size as f32 / PLOTTERS_SIZE_DIVISOR
}

/// One line of text set in the embedded font: glyphs and their pen positions in font units.
pub struct Line {
    pub glyphs: Vec<(GlyphId, i32)>,
    /// Advance width of the whole line, in font units.
    pub advance: i32,
}

impl Line {
    pub fn new(text: &str) -> Self {
        let face = face();
        let mut pen = 0i32;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let glyph = face.glyph_index(c).unwrap_or(GlyphId(0));
            glyphs.push((glyph, pen));
            pen += i32::from(face.glyph_hor_advance(glyph).unwrap_or(0));
        }
        Self { glyphs, advance: pen }
    }

    /// Width in pixels at em size `em_px`.
    pub fn width_px(&self, em_px: f32) -> f32 {
        self.advance as f32 * em_px / f32::from(face().units_per_em())
    }
}

/// Units of the font per pixel at `em_px`: the scale from font units to pixels.
pub fn scale(em_px: f32) -> f32 {
    em_px / f32::from(face().units_per_em())
}

/// A glyph's outline as SVG path data in font units (y up), or `None` for a blank glyph.
pub fn svg_path(glyph: GlyphId) -> Option<String> {
    /// TrueType coordinates are whole font units; written without a decimal point.
    fn push(out: &mut String, command: char, points: &[f32]) {
        out.push(command);
        for (i, value) in points.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if value.fract() == 0.0 {
                let _ = write!(out, "{}", *value as i32);
            } else {
                let _ = write!(out, "{value}");
            }
        }
    }
    struct Svg(String);
    impl OutlineBuilder for Svg {
        fn move_to(&mut self, x: f32, y: f32) {
            push(&mut self.0, 'M', &[x, y]);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            push(&mut self.0, 'L', &[x, y]);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            push(&mut self.0, 'Q', &[x1, y1, x, y]);
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            push(&mut self.0, 'C', &[x1, y1, x2, y2, x, y]);
        }
        fn close(&mut self) {
            self.0.push('Z');
        }
    }
    let mut svg = Svg(String::with_capacity(256));
    face().outline_glyph(glyph, &mut svg)?;
    Some(svg.0)
}

/// A colour with its opacity, as plotters gives it.
#[derive(Clone, Copy, PartialEq)]
pub struct Ink {
    pub rgb: (u8, u8, u8),
    pub opacity: f32,
}

/// How a glyph is turned: the chart code uses upright and 270° (reading bottom to top) text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Turn {
    Upright,
    Quarter,
    Half,
    ThreeQuarters,
}

impl Turn {
    /// (cos, sin) of the turn, clockwise on screen as SVG's `rotate()`.
    pub fn cos_sin(self) -> (f32, f32) {
        match self {
            Turn::Upright => (1.0, 0.0),
            Turn::Quarter => (0.0, 1.0),
            Turn::Half => (-1.0, 0.0),
            Turn::ThreeQuarters => (0.0, -1.0),
        }
    }
}

/// A glyph's coverage at one size, turn and sub-pixel offset: alpha values, row by row, placed
/// `left`/`top` pixels from the integer pen position.
struct Mask {
    left: i32,
    top: i32,
    width: u32,
    height: u32,
    alpha: Vec<u8>,
}

/// Sub-pixel positions are rounded to quarters of a pixel: indistinguishable at chart sizes, and
/// a digit is rasterised at most 16 times per size.
const SUBPIXEL_STEPS: f32 = 4.0;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct MaskKey {
    glyph: u16,
    em_bits: u32,
    turn: Turn,
    dx: u8,
    dy: u8,
}

/// Draws glyphs into a pixmap, rasterising each distinct (glyph, size, turn, offset) once.
#[derive(Default)]
pub struct GlyphPainter {
    outlines: FxHashMap<u16, Option<tiny_skia::Path>>,
    masks: FxHashMap<MaskKey, Option<Mask>>,
}

impl GlyphPainter {
    /// Draws `glyph` with its pen origin at device point `origin`, in `rgb` at `opacity`.
    pub fn draw(
        &mut self,
        pixmap: &mut Pixmap,
        glyph: GlyphId,
        em_px: f32,
        turn: Turn,
        origin: (f32, f32),
        ink: Ink,
    ) {
        let (ix, iy) = (origin.0.floor(), origin.1.floor());
        let dx = ((origin.0 - ix) * SUBPIXEL_STEPS).round().min(SUBPIXEL_STEPS - 1.0);
        let dy = ((origin.1 - iy) * SUBPIXEL_STEPS).round().min(SUBPIXEL_STEPS - 1.0);
        let key = MaskKey { glyph: glyph.0, em_bits: em_px.to_bits(), turn, dx: dx as u8, dy: dy as u8 };
        if !self.masks.contains_key(&key) {
            let outline = self.outlines.entry(glyph.0).or_insert_with(|| outline_path(glyph));
            let mask = outline
                .as_ref()
                .and_then(|path| rasterise(path, em_px, turn, (dx / SUBPIXEL_STEPS, dy / SUBPIXEL_STEPS)));
            self.masks.insert(key, mask);
        }
        if let Some(Some(mask)) = self.masks.get(&key) {
            blend(pixmap, mask, (ix as i32, iy as i32), ink.rgb, ink.opacity);
        }
    }
}

fn outline_path(glyph: GlyphId) -> Option<tiny_skia::Path> {
    struct Builder(PathBuilder);
    impl OutlineBuilder for Builder {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.move_to(x, y);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.line_to(x, y);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0.quad_to(x1, y1, x, y);
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0.cubic_to(x1, y1, x2, y2, x, y);
        }
        fn close(&mut self) {
            self.0.close();
        }
    }
    let mut builder = Builder(PathBuilder::new());
    face().outline_glyph(glyph, &mut builder)?;
    builder.0.finish()
}

/// The transform from font units (y up) to device pixels (y down) for a pen at the origin.
pub fn glyph_transform(em_px: f32, turn: Turn) -> Transform {
    let k = scale(em_px);
    let (cos, sin) = turn.cos_sin();
    // rotate(turn) · scale(k, -k)
    Transform::from_row(k * cos, k * sin, k * sin, -k * cos, 0.0, 0.0)
}

fn rasterise(path: &tiny_skia::Path, em_px: f32, turn: Turn, offset: (f32, f32)) -> Option<Mask> {
    let placed = glyph_transform(em_px, turn).post_translate(offset.0, offset.1);
    let bounds = path.clone().transform(placed)?.bounds();
    let left = bounds.left().floor() as i32 - 1;
    let top = bounds.top().floor() as i32 - 1;
    let width = (bounds.right().ceil() as i32 + 1 - left).max(1) as u32;
    let height = (bounds.bottom().ceil() as i32 + 1 - top).max(1) as u32;
    let mut pixmap = Pixmap::new(width, height)?;
    let paint = tiny_skia::Paint { anti_alias: true, ..Default::default() };
    pixmap.fill_path(
        path,
        &paint,
        tiny_skia::FillRule::Winding,
        placed.post_translate(-left as f32, -top as f32),
        None,
    );
    let alpha = pixmap.data().chunks_exact(4).map(|p| p[3]).collect();
    Some(Mask { left, top, width, height, alpha })
}

/// Source-over of a solid colour at `coverage` (0–255) onto one premultiplied RGBA pixel.
#[inline]
pub fn blend_pixel(pixel: &mut [u8], rgb: (u8, u8, u8), coverage: u32) {
    let keep = 255 - coverage;
    for (channel, source) in [rgb.0, rgb.1, rgb.2, 255].into_iter().enumerate() {
        let d = u32::from(pixel[channel]);
        pixel[channel] = ((u32::from(source) * coverage + d * keep + 127) / 255) as u8;
    }
}

/// Source-over of a solid colour through `mask` onto premultiplied RGBA.
fn blend(pixmap: &mut Pixmap, mask: &Mask, at: (i32, i32), rgb: (u8, u8, u8), opacity: f32) {
    let (pw, ph) = (pixmap.width() as i32, pixmap.height() as i32);
    let data = pixmap.data_mut();
    let opacity = (opacity.clamp(0.0, 1.0) * 255.0).round() as u32;
    for row in 0..mask.height as i32 {
        let y = at.1 + mask.top + row;
        if y < 0 || y >= ph {
            continue;
        }
        for col in 0..mask.width as i32 {
            let x = at.0 + mask.left + col;
            if x < 0 || x >= pw {
                continue;
            }
            let coverage = u32::from(mask.alpha[(row * mask.width as i32 + col) as usize]) * opacity / 255;
            if coverage == 0 {
                continue;
            }
            let i = ((y * pw + x) * 4) as usize;
            blend_pixel(&mut data[i..i + 4], rgb, coverage);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_sets_japanese_and_digits() {
        let line = Line::new("在宅12");
        assert_eq!(line.glyphs.len(), 4);
        assert!(line.glyphs.iter().all(|(g, _)| g.0 != 0), "every character has a glyph");
        assert!(svg_path(line.glyphs[0].0).is_some_and(|d| d.starts_with('M')));
        assert!(line.width_px(12.0) > 24.0, "two full-width characters and two digits");
    }

    #[test]
    fn a_glyph_drawn_twice_in_one_place_is_rasterised_once() {
        let mut pixmap = Pixmap::new(40, 40).unwrap();
        pixmap.fill(tiny_skia::Color::WHITE);
        let mut painter = GlyphPainter::default();
        let glyph = Line::new("8").glyphs[0].0;
        painter.draw(
            &mut pixmap,
            glyph,
            20.0,
            Turn::Upright,
            (5.1, 30.0),
            Ink { rgb: (0, 0, 0), opacity: 1.0 },
        );
        painter.draw(
            &mut pixmap,
            glyph,
            20.0,
            Turn::Upright,
            (5.12, 30.0),
            Ink { rgb: (0, 0, 0), opacity: 1.0 },
        );
        assert_eq!(painter.masks.len(), 1);
        let dark = pixmap.data().chunks_exact(4).filter(|p| p[0] < 128).count();
        assert!(dark > 20, "the digit is inked: {dark} dark pixels");
    }
}
