//! Crop and scale arithmetic for frame images, kept free of browser calls so that every rule is
//! tested natively: the largest box of the output aspect inside a picture, where the user placed
//! it, and the pixel size the result is encoded at (300–2048 px per side, never above the output
//! size, never enlarged unless a side would fall under 300 px).

use runware::image::{MAX_SIDE, MIN_SIDE};
use runware::{Aspect, OutputSize};

/// A size in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Size {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Size {
    /// A size of `width` × `height`.
    pub const fn new(width: u32, height: u32) -> Self {
        Size { width, height }
    }

    /// The pixel size of an output size.
    pub fn of_output(size: OutputSize) -> Self {
        Size::new(size.width(), size.height())
    }

    /// The shorter side.
    pub fn short_side(self) -> u32 {
        self.width.min(self.height)
    }

    /// The longer side.
    pub fn long_side(self) -> u32 {
        self.width.max(self.height)
    }
}

/// A rectangle of a picture, in its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Rect {
    /// The whole of a picture of `size`.
    pub fn whole(size: Size) -> Self {
        Rect {
            x: 0,
            y: 0,
            width: size.width,
            height: size.height,
        }
    }

    /// The rectangle's size.
    pub fn size(self) -> Size {
        Size::new(self.width, self.height)
    }
}

/// Where the crop box sits in the room the picture leaves around it, per axis: 0 is flush left
/// (top), 1 flush right (bottom), 0.5 centred. Kept relative so that it survives a change of
/// aspect or tier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CropPosition {
    /// Horizontal placement, 0–1.
    pub x: f64,
    /// Vertical placement, 0–1.
    pub y: f64,
}

impl CropPosition {
    /// Centred, the default.
    pub const CENTRE: CropPosition = CropPosition { x: 0.5, y: 0.5 };

    /// A position with both axes clamped to 0–1 (a non-finite value centres).
    pub fn clamped(x: f64, y: f64) -> Self {
        let clamp = |v: f64| {
            if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                0.5
            }
        };
        CropPosition {
            x: clamp(x),
            y: clamp(y),
        }
    }

    /// This position moved by `dx`, `dy` pixels of a picture whose crop box has `room` pixels
    /// of free space per axis (an axis without room does not move).
    pub fn moved_by(self, dx: f64, dy: f64, room: (f64, f64)) -> Self {
        let step = |pos: f64, delta: f64, room: f64| {
            if room > 0.0 { pos + delta / room } else { pos }
        };
        CropPosition::clamped(step(self.x, dx, room.0), step(self.y, dy, room.1))
    }
}

impl CropPosition {
    /// Where the box sits, in words, for screen readers: `centred`, `50% toward the top` …
    pub fn describe(self) -> String {
        let axis = |v: f64, low: &str, high: &str| {
            ((v - 0.5).abs() >= 0.01).then(|| {
                let side = if v < 0.5 { low } else { high };
                format!(
                    "{}% toward the {side}",
                    crate::num::fixed((v - 0.5).abs() * 200.0, 0)
                )
            })
        };
        match (axis(self.x, "left", "right"), axis(self.y, "top", "bottom")) {
            (None, None) => "centred".to_string(),
            (Some(x), None) => x,
            (None, Some(y)) => y,
            (Some(x), Some(y)) => format!("{x}, {y}"),
        }
    }
}

impl Default for CropPosition {
    fn default() -> Self {
        CropPosition::CENTRE
    }
}

/// Why a picture cannot be made to fit the model's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    /// So long and thin that bringing the short side to 300 px pushes the long side past 2048 px.
    #[error(
        "the picture is {width}×{height} px: too long and thin to fit 300–2048 px per side; turn cropping on"
    )]
    TooThin {
        /// Width of the region.
        width: u32,
        /// Height of the region.
        height: u32,
    },
}

/// The width:height ratio of an aspect, as whole numbers.
pub fn ratio(aspect: Aspect) -> (u32, u32) {
    match aspect {
        Aspect::Landscape16x9 => (16, 9),
        Aspect::Square => (1, 1),
        Aspect::Portrait9x16 => (9, 16),
    }
}

/// The aspect nearest to a picture's shape, measured on the logarithm of the ratio, so that
/// twice as wide and twice as tall are equally far from square. A 4:3 picture lies exactly
/// half-way between 1:1 and 16:9 on that scale; ties go to the picture's own orientation, which
/// is what a landscape or portrait shot was meant as.
pub fn nearest_aspect(size: Size) -> Aspect {
    if size.width == 0 || size.height == 0 {
        return Aspect::Landscape16x9;
    }
    let shape = (f64::from(size.width) / f64::from(size.height)).ln();
    let distance = |aspect: Aspect| {
        let (w, h) = ratio(aspect);
        let tie_break = if aspect == Aspect::Square { 1e-9 } else { 0.0 };
        (shape - (f64::from(w) / f64::from(h)).ln()).abs() + tie_break
    };
    Aspect::ALL
        .into_iter()
        .min_by(|a, b| distance(*a).total_cmp(&distance(*b)))
        .unwrap_or(Aspect::Landscape16x9)
}

/// The largest box of `aspect` inside a picture of `source`, placed at `position`.
pub fn crop_rect(source: Size, aspect: Aspect, position: CropPosition) -> Rect {
    let (rw, rh) = (u64::from(ratio(aspect).0), u64::from(ratio(aspect).1));
    let (sw, sh) = (u64::from(source.width), u64::from(source.height));
    let (width, height) = if sw * rh >= sh * rw {
        // Wider than the aspect: full height, width from the ratio.
        (((sh * rw + rh / 2) / rh).clamp(1, sw.max(1)), sh)
    } else {
        (sw, ((sw * rh + rw / 2) / rw).clamp(1, sh.max(1)))
    };
    let position = CropPosition::clamped(position.x, position.y);
    let place = |room: u64, at: f64| (room as f64 * at).round() as u64;
    Rect {
        x: place(sw - width, position.x) as u32,
        y: place(sh - height, position.y) as u32,
        width: width as u32,
        height: height as u32,
    }
}

/// The region of the picture that is sent: the crop box, or the whole picture when cropping is off.
pub fn region(source: Size, aspect: Option<Aspect>, position: CropPosition) -> Rect {
    match aspect {
        Some(aspect) => crop_rect(source, aspect, position),
        None => Rect::whole(source),
    }
}

/// The pixel size a region is encoded at: shrunk to fit inside `bound` (the output size) and
/// 2048 px per side, never enlarged, except just enough to bring a side under 300 px up to 300.
pub fn fit(region: Size, bound: Size) -> Result<Size, FitError> {
    let (w, h) = (
        f64::from(region.width.max(1)),
        f64::from(region.height.max(1)),
    );
    let max = f64::from(MAX_SIDE);
    let shrink = 1f64
        .min(f64::from(bound.width) / w)
        .min(f64::from(bound.height) / h)
        .min(max / w)
        .min(max / h);
    let too_thin = FitError::TooThin {
        width: region.width,
        height: region.height,
    };
    // The limiting side lands exactly on its bound; the other is rounded and kept inside it.
    let width = ((w * shrink).round() as u32).clamp(1, bound.width.clamp(1, MAX_SIDE));
    let height = ((h * shrink).round() as u32).clamp(1, bound.height.clamp(1, MAX_SIDE));
    // A crop box of the output's own aspect is off by a rounding at most: shrunk, it must come
    // out at exactly the output size (1080×1920, not 1080×1919).
    if shrink < 1.0 && bound.width.abs_diff(width) <= 1 && bound.height.abs_diff(height) <= 1 {
        return Ok(bound);
    }
    if width.min(height) >= MIN_SIDE {
        return Ok(Size::new(width, height));
    }
    let grow = f64::from(MIN_SIDE) / w.min(h);
    let (width, height) = ((w * grow).round() as u32, (h * grow).round() as u32);
    let (width, height) = (width.max(MIN_SIDE), height.max(MIN_SIDE));
    if width.max(height) > MAX_SIDE {
        return Err(too_thin);
    }
    Ok(Size::new(width, height))
}

/// The size of the decoded copy kept for cropping: the short side brought down to the longest
/// side any output needs (1920 px), so that every crop of it still holds enough pixels, while a
/// 24-megapixel photo no longer fills memory. Small pictures are kept as they are.
pub fn working_size(source: Size) -> Size {
    let need = OutputSize::ALL
        .iter()
        .map(|s| s.width().max(s.height()))
        .max()
        .unwrap_or(1920);
    shrink_short_side(source, need)
}

/// `source` scaled so that its short side is at most `short`, keeping its shape.
pub fn shrink_short_side(source: Size, short: u32) -> Size {
    let current = source.short_side();
    if current <= short || current == 0 {
        return source;
    }
    let scale = f64::from(short) / f64::from(current);
    Size::new(
        ((f64::from(source.width) * scale).round() as u32).max(1),
        ((f64::from(source.height) * scale).round() as u32).max(1),
    )
}

/// `source` scaled so that its long side is at most `long`, keeping its shape (previews, thumbs).
pub fn shrink_long_side(source: Size, long: u32) -> Size {
    let current = source.long_side();
    if current <= long || current == 0 {
        return source;
    }
    let scale = f64::from(long) / f64::from(current);
    Size::new(
        ((f64::from(source.width) * scale).round() as u32).max(1),
        ((f64::from(source.height) * scale).round() as u32).max(1),
    )
}

/// `rect` of a picture of `within` as CSS percentages: left, top, width, height.
pub fn percent(rect: Rect, within: Size) -> (f64, f64, f64, f64) {
    let of = |v: u32, total: u32| {
        if total == 0 {
            0.0
        } else {
            f64::from(v) * 100.0 / f64::from(total)
        }
    };
    (
        of(rect.x, within.width),
        of(rect.y, within.height),
        of(rect.width, within.width),
        of(rect.height, within.height),
    )
}

/// A rectangle of a picture of `from` mapped onto the same picture scaled to `to`.
pub fn rescale(rect: Rect, from: Size, to: Size) -> Rect {
    let sx = f64::from(to.width) / f64::from(from.width.max(1));
    let sy = f64::from(to.height) / f64::from(from.height.max(1));
    let x = (f64::from(rect.x) * sx).round() as u32;
    let y = (f64::from(rect.y) * sy).round() as u32;
    Rect {
        x: x.min(to.width.saturating_sub(1)),
        y: y.min(to.height.saturating_sub(1)),
        width: ((f64::from(rect.width) * sx).round() as u32)
            .clamp(1, to.width.saturating_sub(x).max(1)),
        height: ((f64::from(rect.height) * sy).round() as u32)
            .clamp(1, to.height.saturating_sub(y).max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runware::Tier;

    const HD: OutputSize = OutputSize::from_parts(Tier::P1080, Aspect::Landscape16x9);

    #[test]
    fn a_24_megapixel_photo_becomes_exactly_1080p() {
        let source = Size::new(6000, 4000);
        let rect = crop_rect(source, Aspect::Landscape16x9, CropPosition::CENTRE);
        assert_eq!(
            rect,
            Rect {
                x: 0,
                y: 313,
                width: 6000,
                height: 3375
            }
        );
        assert_eq!(
            fit(rect.size(), Size::of_output(HD)),
            Ok(Size::new(1920, 1080))
        );
    }

    #[test]
    fn crops_of_the_output_aspect_come_out_at_exactly_the_output_size() {
        for source in [
            (4000, 3000),
            (3000, 4000),
            (6001, 3999),
            (1999, 1333),
            (5000, 5001),
        ] {
            let source = Size::new(source.0, source.1);
            for size in OutputSize::ALL {
                let bound = Size::of_output(size);
                let rect = crop_rect(source, size.aspect(), CropPosition::CENTRE);
                if rect.width >= bound.width && rect.height >= bound.height {
                    assert_eq!(fit(rect.size(), bound), Ok(bound), "{source:?} at {size}");
                }
            }
        }
    }

    #[test]
    fn the_crop_box_is_the_largest_of_its_aspect_and_follows_the_position() {
        let source = Size::new(6000, 4000);
        let square = crop_rect(source, Aspect::Square, CropPosition::CENTRE);
        assert_eq!(
            square,
            Rect {
                x: 1000,
                y: 0,
                width: 4000,
                height: 4000
            }
        );
        let left = crop_rect(
            source,
            Aspect::Portrait9x16,
            CropPosition::clamped(0.0, 0.5),
        );
        assert_eq!(
            left,
            Rect {
                x: 0,
                y: 0,
                width: 2250,
                height: 4000
            }
        );
        let right = crop_rect(
            source,
            Aspect::Portrait9x16,
            CropPosition::clamped(7.0, 0.5),
        );
        assert_eq!(right.x + right.width, 6000);
        let tall = crop_rect(
            Size::new(1080, 1920),
            Aspect::Portrait9x16,
            CropPosition::CENTRE,
        );
        assert_eq!(tall, Rect::whole(Size::new(1080, 1920)));
    }

    #[test]
    fn the_nearest_aspect_follows_the_shape() {
        assert_eq!(nearest_aspect(Size::new(6000, 4000)), Aspect::Landscape16x9);
        assert_eq!(nearest_aspect(Size::new(1000, 1100)), Aspect::Square);
        assert_eq!(nearest_aspect(Size::new(1080, 2400)), Aspect::Portrait9x16);
        // 4:3 and 3:4 sit half-way; they keep their orientation.
        assert_eq!(nearest_aspect(Size::new(4000, 3000)), Aspect::Landscape16x9);
        assert_eq!(nearest_aspect(Size::new(3000, 4000)), Aspect::Portrait9x16);
        assert_eq!(nearest_aspect(Size::new(1100, 1000)), Aspect::Square);
        assert_eq!(nearest_aspect(Size::new(3000, 2000)), Aspect::Landscape16x9);
    }

    #[test]
    fn small_regions_are_kept_or_brought_up_to_300() {
        let bound = Size::of_output(HD);
        assert_eq!(fit(Size::new(800, 450), bound), Ok(Size::new(800, 450)));
        assert_eq!(fit(Size::new(500, 281), bound), Ok(Size::new(534, 300)));
        assert_eq!(fit(Size::new(300, 300), bound), Ok(Size::new(300, 300)));
    }

    #[test]
    fn uncropped_pictures_fit_inside_the_output_box() {
        let bound = Size::of_output(HD);
        assert_eq!(fit(Size::new(3000, 4000), bound), Ok(Size::new(810, 1080)));
        assert_eq!(fit(Size::new(4000, 3000), bound), Ok(Size::new(1440, 1080)));
        assert_eq!(
            fit(Size::new(6000, 400), bound),
            Err(FitError::TooThin {
                width: 6000,
                height: 400
            })
        );
    }

    #[test]
    fn outputs_stay_inside_the_model_limits() {
        for source in [
            (301, 301),
            (5000, 300),
            (300, 2048),
            (2048, 2048),
            (9999, 7777),
            (1920, 1080),
        ] {
            let source = Size::new(source.0, source.1);
            for size in OutputSize::ALL {
                for aspect in Aspect::ALL {
                    let rect = crop_rect(source, aspect, CropPosition::CENTRE);
                    assert!(
                        rect.x + rect.width <= source.width
                            && rect.y + rect.height <= source.height
                    );
                    let out = fit(rect.size(), Size::of_output(size)).expect("fits");
                    assert!(
                        out.short_side() >= MIN_SIDE && out.long_side() <= MAX_SIDE,
                        "{out:?}"
                    );
                    assert!(out.width <= size.width().max(MIN_SIDE * 16 / 9 + 1));
                }
            }
        }
    }

    #[test]
    fn the_working_copy_keeps_enough_pixels_for_every_output() {
        assert_eq!(working_size(Size::new(6000, 4000)), Size::new(2880, 1920));
        assert_eq!(working_size(Size::new(1200, 900)), Size::new(1200, 900));
        assert_eq!(
            shrink_long_side(Size::new(6000, 4000), 600),
            Size::new(600, 400)
        );
    }

    #[test]
    fn positions_move_by_pixels_and_stay_in_range() {
        let p = CropPosition::CENTRE.moved_by(50.0, 0.0, (100.0, 0.0));
        assert_eq!(p, CropPosition { x: 1.0, y: 0.5 });
        let p = p.moved_by(-25.0, 40.0, (100.0, 0.0));
        assert_eq!(p, CropPosition { x: 0.75, y: 0.5 });
        assert_eq!(
            CropPosition::clamped(f64::NAN, -1.0),
            CropPosition { x: 0.5, y: 0.0 }
        );
    }

    #[test]
    fn positions_are_said_in_words() {
        assert_eq!(CropPosition::CENTRE.describe(), "centred");
        assert_eq!(
            CropPosition::clamped(0.5, 0.25).describe(),
            "50% toward the top"
        );
        assert_eq!(
            CropPosition::clamped(1.0, 0.75).describe(),
            "100% toward the right, 50% toward the bottom"
        );
    }

    #[test]
    fn rectangles_map_to_percentages_and_scaled_copies() {
        let source = Size::new(6000, 4000);
        let rect = crop_rect(source, Aspect::Square, CropPosition::CENTRE);
        let (l, t, w, h) = percent(rect, source);
        assert!((l - 16.666).abs() < 0.01 && t == 0.0 && (w - 66.666).abs() < 0.01 && h == 100.0);
        let small = rescale(rect, source, Size::new(2880, 1920));
        assert_eq!(
            small,
            Rect {
                x: 480,
                y: 0,
                width: 1920,
                height: 1920
            }
        );
    }
}
