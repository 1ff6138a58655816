//! Image facts from bytes (spec §3): the format and pixel size read from the headers alone,
//! and the model's limits (PNG, JPEG or WEBP; 300–2048 px per side; an aspect ratio between
//! 1:2.5 and 2.5:1; at most 20 MB).
//!
//! Nothing here decodes pixels: PNG is walked chunk by chunk, JPEG segment by segment, WEBP reads
//! its first chunk. That is enough to refuse a wrong file before it is uploaded, and it runs the
//! same in the browser and in the simulator. Checksums are not verified; a file cut short is
//! reported as [`ImageError::Truncated`].

use std::fmt;

use serde_json::Value;

/// A format the model accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageFormat {
    /// PNG (`image/png`).
    Png,
    /// JPEG (`image/jpeg`).
    Jpeg,
    /// WEBP (`image/webp`).
    Webp,
}

impl ImageFormat {
    /// The three formats.
    pub const ALL: [ImageFormat; 3] = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Webp];

    /// The media type, e.g. `image/png`.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
        }
    }

    /// The usual file extension, without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
        }
    }

    /// The format of a media type; only the three exact lower-case types are known.
    pub fn from_mime(mime: &str) -> Option<ImageFormat> {
        ImageFormat::ALL.into_iter().find(|f| f.mime() == mime)
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Webp => "WEBP",
        })
    }
}

/// A format recognised only to be refused with its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtherFormat {
    /// GIF.
    Gif,
    /// SVG (XML text).
    Svg,
    /// Windows bitmap.
    Bmp,
    /// TIFF.
    Tiff,
    /// AVIF.
    Avif,
    /// HEIC/HEIF.
    Heic,
}

impl fmt::Display for OtherFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OtherFormat::Gif => "GIF",
            OtherFormat::Svg => "SVG",
            OtherFormat::Bmp => "BMP",
            OtherFormat::Tiff => "TIFF",
            OtherFormat::Avif => "AVIF",
            OtherFormat::Heic => "HEIC",
        })
    }
}

/// What the headers of an accepted image say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageFacts {
    /// The format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the file in bytes.
    pub byte_len: usize,
    /// Whether the image can hold transparency: known for PNG (colour type or a `tRNS` chunk) and
    /// WEBP (the VP8L or VP8X alpha flag; plain VP8 has none); always `false` for JPEG.
    pub has_alpha: Option<bool>,
    /// Whether the image is animated: an APNG (`acTL` chunk) or an animated WEBP (VP8X flag).
    pub animated: bool,
}

/// Why bytes are not an image the model accepts.
///
/// The `Display` text is the sentence shown to a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ImageError {
    /// No bytes at all.
    #[error("the file is empty")]
    Empty,
    /// A known format the model does not take.
    #[error("{0} images are not accepted; use PNG, JPEG or WEBP")]
    Unsupported(OtherFormat),
    /// Not an image format this crate recognises.
    #[error("the file is not a PNG, JPEG or WEBP image")]
    Unrecognised,
    /// The file ends before its headers (or, for PNG and JPEG, its data) do.
    #[error("the {0} file is cut short")]
    Truncated(ImageFormat),
    /// The headers contradict themselves.
    #[error("the {format} file is damaged: {reason}")]
    Corrupt {
        /// The format the file claims.
        format: ImageFormat,
        /// What is wrong, in a few words.
        reason: &'static str,
    },
    /// A side is shorter than the minimum.
    #[error("the image is {width}×{height} px; each side must be at least {min} px")]
    TooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The shortest side allowed.
        min: u32,
    },
    /// A side is longer than the maximum.
    #[error("the image is {width}×{height} px; each side must be at most {max} px")]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The longest side allowed.
        max: u32,
    },
    /// The width-to-height ratio is outside 1:2.5 to 2.5:1 (Kling's rule for frame images).
    #[error(
        "the image is {width}×{height} px, an aspect ratio of {}; width ÷ height must be between 1:2.5 and 2.5:1",
        AspectText(*width, *height)
    )]
    AspectRatio {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The file is heavier than the maximum.
    #[error("the file is {bytes} bytes; at most {max} bytes (20 MB) are accepted")]
    TooHeavy {
        /// Size of the file.
        bytes: usize,
        /// The largest size allowed.
        max: usize,
    },
    /// A data URI declares one format and holds another.
    #[error("the data URI says {declared} but the image is {actual}")]
    TypeMismatch {
        /// The format the data URI declares.
        declared: ImageFormat,
        /// The format of the bytes.
        actual: ImageFormat,
    },
}

impl ImageError {
    /// The `min` and `max` an error report carries for this error, if any.
    pub fn bounds(&self) -> (Option<Value>, Option<Value>) {
        match self {
            ImageError::TooSmall { .. } | ImageError::TooLarge { .. } => {
                (Some(MIN_SIDE.into()), Some(MAX_SIDE.into()))
            }
            ImageError::TooHeavy { max, .. } => (None, Some((*max).into())),
            ImageError::AspectRatio { .. } => {
                (Some(MIN_ASPECT_RATIO.into()), Some(MAX_ASPECT_RATIO.into()))
            }
            _ => (None, None),
        }
    }

    /// This error as Runware writes it, at the field `parameter`.
    pub fn to_api_error(&self, parameter: &str) -> crate::ApiError {
        crate::FieldError::new(parameter, crate::Rule::Image(self.clone())).to_api_error()
    }
}

/// The shortest side the model takes, in pixels.
pub const MIN_SIDE: u32 = 300;
/// The longest side the model takes, in pixels.
pub const MAX_SIDE: u32 = 2048;
/// The heaviest file the model takes: 20 MB, read as 20 × 1024 × 1024 bytes (the provider page
/// does not say which megabyte; the binary one is the more generous reading).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The widest frame image the model takes: width ÷ height at most 2.5 (2.5:1), inclusive.
pub const MAX_ASPECT_RATIO: f64 = 2.5;
/// The tallest frame image the model takes: width ÷ height at least 0.4 (1:2.5), inclusive.
pub const MIN_ASPECT_RATIO: f64 = 0.4;
/// [`MAX_ASPECT_RATIO`] as the exact fraction `numerator / denominator` (5 / 2), for checks in
/// whole numbers: a `width × height` image is inside the rule when
/// `width × denominator ≤ height × numerator` and `height × denominator ≤ width × numerator`.
pub const MAX_ASPECT_FRACTION: (u32, u32) = (5, 2);

/// Whether a `width × height` image has an aspect ratio between 1:2.5 and 2.5:1, both bounds
/// included. Computed in whole numbers, so an image of exactly 2.5:1 is never refused by a
/// rounding error.
pub fn aspect_ratio_ok(width: u32, height: u32) -> bool {
    let (num, den) = MAX_ASPECT_FRACTION;
    let (w, h) = (u64::from(width), u64::from(height));
    let (num, den) = (u64::from(num), u64::from(den));
    w * den <= h * num && h * den <= w * num
}

/// The aspect-ratio rule alone: [`ImageError::AspectRatio`] unless [`aspect_ratio_ok`].
pub fn check_aspect_ratio(width: u32, height: u32) -> Result<(), ImageError> {
    if aspect_ratio_ok(width, height) {
        Ok(())
    } else {
        Err(ImageError::AspectRatio { width, height })
    }
}

/// A ratio written for people: `3:1` for a wide image, `1:3` for a tall one, with up to two
/// decimals on the long side (`2.51:1`, `1:2.51`). The value is rounded up, so a ratio just
/// over a bound never reads as the bound itself.
struct AspectText(u32, u32);

impl fmt::Display for AspectText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (long, short, wide) = if self.0 >= self.1 {
            (self.0, self.1, true)
        } else {
            (self.1, self.0, false)
        };
        let short = u64::from(short.max(1));
        let hundredths = (u64::from(long) * 100).div_ceil(short);
        let (whole, fraction) = (hundredths / 100, hundredths % 100);
        let ratio = match fraction {
            0 => format!("{whole}"),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        };
        if wide {
            write!(f, "{ratio}:1")
        } else {
            write!(f, "1:{ratio}")
        }
    }
}

/// Reads the format and pixel size from the headers, refusing anything but PNG, JPEG and WEBP.
pub fn sniff(bytes: &[u8]) -> Result<ImageFacts, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if is_prefix_or_start(bytes, PNG_SIGNATURE) {
        return sniff_png(bytes);
    }
    if bytes.starts_with(&[0xFF, 0xD8]) || bytes == [0xFF] {
        return sniff_jpeg(bytes);
    }
    if is_webp(bytes) {
        return sniff_webp(bytes);
    }
    Err(other_format(bytes).map_or(ImageError::Unrecognised, ImageError::Unsupported))
}

/// Checks facts against the model's limits: 300–2048 px per side, an aspect ratio between 1:2.5
/// and 2.5:1, and at most 20 MB.
pub fn check_limits(facts: &ImageFacts) -> Result<(), ImageError> {
    let (width, height) = (facts.width, facts.height);
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(ImageError::TooSmall {
            width,
            height,
            min: MIN_SIDE,
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooLarge {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    check_aspect_ratio(width, height)?;
    if facts.byte_len > MAX_BYTES {
        return Err(ImageError::TooHeavy {
            bytes: facts.byte_len,
            max: MAX_BYTES,
        });
    }
    Ok(())
}

/// [`sniff`] then [`check_limits`]: the facts of an image the model accepts.
pub fn inspect(bytes: &[u8]) -> Result<ImageFacts, ImageError> {
    let facts = sniff(bytes)?;
    check_limits(&facts)?;
    Ok(facts)
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Whether `bytes` starts with `magic`, or is a shorter start of it (a file cut inside its magic
/// number is a truncated file of that format, not an unknown one).
fn is_prefix_or_start(bytes: &[u8], magic: &[u8]) -> bool {
    bytes.starts_with(magic) || magic.starts_with(bytes)
}

fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn le_u24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(3)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Walks every chunk up to `IEND`: the chunk headers say where each ends, so a file cut anywhere
/// is noticed without touching the compressed data.
fn sniff_png(bytes: &[u8]) -> Result<ImageFacts, ImageError> {
    let format = ImageFormat::Png;
    let truncated = ImageError::Truncated(format);
    let corrupt = |reason| ImageError::Corrupt { format, reason };
    if bytes.len() < PNG_SIGNATURE.len() {
        return Err(truncated);
    }
    let mut pos = PNG_SIGNATURE.len();
    let mut header: Option<(u32, u32, bool)> = None;
    let mut transparency = false;
    let mut animated = false;
    let mut has_data = false;
    loop {
        let length = be_u32(bytes, pos).ok_or_else(|| truncated.clone())?;
        let kind = bytes
            .get(pos + 4..pos + 8)
            .ok_or_else(|| truncated.clone())?;
        if length > 0x7FFF_FFFF {
            return Err(corrupt("a chunk length is out of range"));
        }
        let data = pos + 8;
        let end = data
            .checked_add(length as usize)
            .and_then(|end| end.checked_add(4))
            .ok_or_else(|| corrupt("a chunk length is out of range"))?;
        if end > bytes.len() {
            return Err(truncated);
        }
        if header.is_none() && kind != b"IHDR" {
            return Err(corrupt("the first chunk is not IHDR"));
        }
        match kind {
            b"IHDR" => {
                if header.is_some() || length != 13 {
                    return Err(corrupt("the IHDR chunk is malformed"));
                }
                let width = be_u32(bytes, data).ok_or_else(|| truncated.clone())?;
                let height = be_u32(bytes, data + 4).ok_or_else(|| truncated.clone())?;
                let colour_type = *bytes.get(data + 9).ok_or_else(|| truncated.clone())?;
                if width == 0 || height == 0 {
                    return Err(corrupt("the width or height is zero"));
                }
                // Colour types 4 (grey + alpha) and 6 (RGB + alpha) carry an alpha channel.
                header = Some((width, height, matches!(colour_type, 4 | 6)));
            }
            b"tRNS" => transparency = true,
            b"acTL" => animated = true,
            b"IDAT" => has_data = true,
            b"IEND" => break,
            _ => {}
        }
        pos = end;
    }
    let (width, height, alpha_channel) =
        header.ok_or_else(|| corrupt("the IHDR chunk is missing"))?;
    if !has_data {
        return Err(corrupt("there is no image data"));
    }
    Ok(ImageFacts {
        format,
        width,
        height,
        byte_len: bytes.len(),
        has_alpha: Some(alpha_channel || transparency),
        animated,
    })
}

/// SOFn markers: C0–CF except C4 (DHT), C8 (reserved) and CC (DAC).
fn is_start_of_frame(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Walks the segments up to the frame header (SOFn) for the size, then on to the first scan,
/// and finally looks for the end-of-image marker: in entropy-coded data a `FF` byte is always
/// followed by `00` or a restart marker, so `FF D9` there can only be the real end.
fn sniff_jpeg(bytes: &[u8]) -> Result<ImageFacts, ImageError> {
    let format = ImageFormat::Jpeg;
    let truncated = ImageError::Truncated(format);
    let corrupt = |reason| ImageError::Corrupt { format, reason };
    let mut pos = 2;
    let mut size: Option<(u32, u32)> = None;
    let scan_start = loop {
        if *bytes.get(pos).ok_or_else(|| truncated.clone())? != 0xFF {
            return Err(corrupt("a segment does not start with a marker"));
        }
        // Any number of FF fill bytes may precede the marker code.
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *bytes.get(pos).ok_or_else(|| truncated.clone())?;
        pos += 1;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => return Err(corrupt("a second start-of-image marker")),
            0xD9 => return Err(corrupt("the image ends before its first scan")),
            0x00 => return Err(corrupt("a stuffed byte outside scan data")),
            _ => {}
        }
        let length = usize::from(be_u16(bytes, pos).ok_or_else(|| truncated.clone())?);
        if length < 2 {
            return Err(corrupt("a segment length is too short"));
        }
        let end = pos + length;
        if end > bytes.len() {
            return Err(truncated);
        }
        if is_start_of_frame(marker) {
            if length < 8 {
                return Err(corrupt("the frame header is too short"));
            }
            let height = u32::from(be_u16(bytes, pos + 3).ok_or_else(|| truncated.clone())?);
            let width = u32::from(be_u16(bytes, pos + 5).ok_or_else(|| truncated.clone())?);
            if width == 0 || height == 0 {
                return Err(corrupt("the width or height is zero"));
            }
            size = Some((width, height));
        }
        if marker == 0xDA {
            if size.is_none() {
                return Err(corrupt("a scan comes before the frame header"));
            }
            break end;
        }
        pos = end;
    };
    let (width, height) = size.ok_or_else(|| corrupt("the frame header is missing"))?;
    let rest = bytes.get(scan_start..).unwrap_or_default();
    if !rest.windows(2).any(|pair| pair == [0xFF, 0xD9]) {
        return Err(truncated);
    }
    Ok(ImageFacts {
        format,
        width,
        height,
        byte_len: bytes.len(),
        has_alpha: Some(false),
        animated: false,
    })
}

/// `RIFF` · size · `WEBP`, possibly cut short.
fn is_webp(bytes: &[u8]) -> bool {
    let riff = is_prefix_or_start(bytes, b"RIFF");
    let tag = match bytes.get(8..) {
        None => true,
        Some(rest) => is_prefix_or_start(rest, b"WEBP"),
    };
    riff && tag
}

/// Reads the RIFF header and the first chunk, which alone carries the size (VP8, VP8L) or the
/// canvas size and flags (VP8X).
fn sniff_webp(bytes: &[u8]) -> Result<ImageFacts, ImageError> {
    let format = ImageFormat::Webp;
    let truncated = ImageError::Truncated(format);
    let corrupt = |reason| ImageError::Corrupt { format, reason };
    let riff_size = le_u32(bytes, 4).ok_or_else(|| truncated.clone())? as usize;
    if bytes.len() < 12 {
        return Err(truncated);
    }
    let total = riff_size.saturating_add(8);
    if riff_size < 4 + 8 {
        return Err(corrupt("the RIFF size is too small"));
    }
    if total > bytes.len() {
        return Err(truncated);
    }
    let kind = bytes.get(12..16).ok_or_else(|| truncated.clone())?;
    let chunk_size = le_u32(bytes, 16).ok_or_else(|| truncated.clone())? as usize;
    if 20usize.saturating_add(chunk_size) > total {
        return Err(corrupt("the first chunk is larger than the file"));
    }
    let (width, height, has_alpha, animated) = match kind {
        b"VP8 " => {
            // Frame tag (3 bytes), then the key-frame start code and two 14-bit sizes.
            let tag = *bytes.get(20).ok_or_else(|| truncated.clone())?;
            if tag & 1 != 0 {
                return Err(corrupt("the first frame is not a key frame"));
            }
            if bytes.get(23..26).ok_or_else(|| truncated.clone())? != [0x9D, 0x01, 0x2A] {
                return Err(corrupt("the VP8 start code is missing"));
            }
            let width = le_u16(bytes, 26).ok_or_else(|| truncated.clone())? & 0x3FFF;
            let height = le_u16(bytes, 28).ok_or_else(|| truncated.clone())? & 0x3FFF;
            (u32::from(width), u32::from(height), false, false)
        }
        b"VP8L" => {
            if *bytes.get(20).ok_or_else(|| truncated.clone())? != 0x2F {
                return Err(corrupt("the VP8L signature is missing"));
            }
            // 14 bits width − 1, 14 bits height − 1, 1 bit alpha hint, 3 bits version (0).
            let bits = le_u32(bytes, 21).ok_or_else(|| truncated.clone())?;
            if bits >> 29 != 0 {
                return Err(corrupt("the VP8L version is unknown"));
            }
            let width = (bits & 0x3FFF) + 1;
            let height = ((bits >> 14) & 0x3FFF) + 1;
            (width, height, (bits >> 28) & 1 == 1, false)
        }
        b"VP8X" => {
            if chunk_size < 10 {
                return Err(corrupt("the VP8X chunk is too short"));
            }
            let flags = *bytes.get(20).ok_or_else(|| truncated.clone())?;
            let width = le_u24(bytes, 24).ok_or_else(|| truncated.clone())? + 1;
            let height = le_u24(bytes, 27).ok_or_else(|| truncated.clone())? + 1;
            (width, height, flags & 0x10 != 0, flags & 0x02 != 0)
        }
        _ => return Err(corrupt("the first chunk is not VP8, VP8L or VP8X")),
    };
    if width == 0 || height == 0 {
        return Err(corrupt("the width or height is zero"));
    }
    Ok(ImageFacts {
        format,
        width,
        height,
        byte_len: bytes.len(),
        has_alpha: Some(has_alpha),
        animated,
    })
}

/// Names a format that is refused, so the message can say which.
fn other_format(bytes: &[u8]) -> Option<OtherFormat> {
    if bytes.starts_with(b"GIF8") {
        return Some(OtherFormat::Gif);
    }
    if bytes.starts_with(b"BM") {
        return Some(OtherFormat::Bmp);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some(OtherFormat::Tiff);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return match bytes.get(8..12) {
            Some(b"avif" | b"avis") => Some(OtherFormat::Avif),
            Some(b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1") => {
                Some(OtherFormat::Heic)
            }
            _ => None,
        };
    }
    if is_svg(bytes) {
        return Some(OtherFormat::Svg);
    }
    None
}

/// SVG is XML text: after an optional byte-order mark and white space it opens with `<`, and an
/// `<svg` element appears near the start (after any XML declaration, comments or doctype).
fn is_svg(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    if !text.starts_with(b"<") {
        return false;
    }
    let head = &text[..text.len().min(4096)];
    head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg"))
}
