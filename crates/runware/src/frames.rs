//! Frame images (spec §3): the image strings, their positions, and the 1–2 item list.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Expected, FieldError, Rule};
use crate::fields::{check_v4, is_http_url, parse_hyphenated};
use crate::image::{self, ImageFacts, ImageFormat};
use crate::json::{self, deserialize_with_from_json};
use crate::path;

/// Standard base64, padding optional: bare base64 arrives both ways. [`is_base64`] accepts exactly
/// what this engine decodes, so a checked image string always decodes.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Where a frame image sits in the video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FramePosition {
    /// The first frame (`"first"` or `0`).
    First,
    /// The last frame (`"last"` or `-1`).
    Last,
}

impl FramePosition {
    /// Both positions, first first.
    pub const ALL: [FramePosition; 2] = [FramePosition::First, FramePosition::Last];

    /// The wire spelling this crate writes.
    pub fn as_str(self) -> &'static str {
        match self {
            FramePosition::First => "first",
            FramePosition::Last => "last",
        }
    }

    /// Reads a position: `"first"`, `"last"`, `0` or `-1`. Errors name
    /// `inputs.frameImages[0].frame` (move them with [`FieldError::at`]).
    ///
    /// `0` and `-1` mean the same as the words and are written back as the words.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        match (value.as_str(), json::integer(value)) {
            (Some("first"), _) | (None, Some(0)) => Ok(FramePosition::First),
            (Some("last"), _) | (None, Some(-1)) => Ok(FramePosition::Last),
            _ => Err(FieldError::new(
                path::frame_position(0),
                Rule::OneOf {
                    allowed: vec!["first".into(), "last".into(), 0.into(), (-1).into()],
                },
            )),
        }
    }
}

impl Serialize for FramePosition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One image string of spec §3.
///
/// Build one with [`FrameImage::parse`], [`FrameImage::from_uuid`] or [`FrameImage::from_bytes`]:
/// the variants are public so that they can be matched, and a variant built by hand skips the
/// checks those constructors make.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FrameImage {
    /// A UUID v4 of an image uploaded earlier.
    Uuid(Uuid),
    /// An absolute `http` or `https` URL, as given.
    Url(String),
    /// `data:image/<png|jpeg|webp>;base64,<data>`; `data` is the base64 text.
    DataUri {
        /// The media type the URI declares.
        mime: ImageFormat,
        /// The base64 payload, as given.
        data: String,
    },
    /// Bare base64; the server sniffs the format.
    Base64(String),
}

impl FrameImage {
    /// Reads an image string. Errors name `inputs.frameImages[0]` (move them with
    /// [`FieldError::at`]).
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        FrameImage::parse_at(text, &path::frame_item(0))
    }

    /// Reads an image string; errors name `path`.
    ///
    /// The form is told by its shape: `data:` starts a data URI, a `scheme:` prefix a URL, the
    /// 8-4-4-4-12 shape a UUID, and anything else must be base64. A UUID that is not version 4
    /// is refused rather than read as base64, since the `-` of its shape is not in the base64
    /// alphabet anyway.
    pub fn parse_at(text: &str, path: &str) -> Result<Self, FieldError> {
        if let Some(rest) = text.strip_prefix("data:") {
            return parse_data_uri(rest, path);
        }
        if looks_like_url(text) {
            return if is_http_url(text) {
                Ok(FrameImage::Url(text.to_owned()))
            } else {
                Err(FieldError::new(path, Rule::HttpUrl))
            };
        }
        if let Some(uuid) = parse_hyphenated(text) {
            return check_v4(uuid, path).map(FrameImage::Uuid);
        }
        if text.is_empty() || !text.bytes().all(|b| is_base64_symbol(b) || b == b'=') {
            return Err(FieldError::new(path, Rule::ImageString));
        }
        if is_base64(text) {
            Ok(FrameImage::Base64(text.to_owned()))
        } else {
            Err(FieldError::new(path, Rule::Base64))
        }
    }

    /// Reads an image string from raw JSON; errors name `inputs.frameImages[0]`.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        FrameImage::from_json_at(value, &path::frame_item(0))
    }

    /// Reads an image string from raw JSON; errors name `path`.
    pub fn from_json_at(value: &Value, path: &str) -> Result<Self, FieldError> {
        FrameImage::parse_at(json::string(value, path)?, path)
    }

    /// An uploaded image's UUID, refused unless version 4.
    pub fn from_uuid(uuid: Uuid) -> Result<Self, FieldError> {
        check_v4(uuid, &path::frame_item(0)).map(FrameImage::Uuid)
    }

    /// A data URI holding `bytes`, declared as `format`.
    pub fn from_bytes(format: ImageFormat, bytes: &[u8]) -> Self {
        FrameImage::DataUri {
            mime: format,
            data: BASE64.encode(bytes),
        }
    }

    /// Whether the image travels inside the request (data URI or base64).
    pub fn is_inline(&self) -> bool {
        matches!(self, FrameImage::DataUri { .. } | FrameImage::Base64(_))
    }

    /// The bytes of an inline image (`None` for a UUID or URL). Errors name
    /// `inputs.frameImages[0]`.
    pub fn decode(&self) -> Result<Option<Vec<u8>>, FieldError> {
        let text = match self {
            FrameImage::DataUri { data, .. } => data,
            FrameImage::Base64(data) => data,
            FrameImage::Uuid(_) | FrameImage::Url(_) => return Ok(None),
        };
        BASE64
            .decode(text)
            .map(Some)
            .map_err(|_| FieldError::new(path::frame_item(0), Rule::Base64))
    }

    /// Decodes an inline image and checks it against spec §3: PNG, JPEG or WEBP, 300–2048 px
    /// per side, at most 20 MB, and (for a data URI) the declared type matching the bytes.
    /// `None` for a UUID or URL, whose bytes are elsewhere. Errors name `inputs.frameImages[0]`.
    pub fn inspect(&self) -> Result<Option<ImageFacts>, FieldError> {
        let Some(bytes) = self.decode()? else {
            return Ok(None);
        };
        let at = |error| FieldError::new(path::frame_item(0), Rule::Image(error));
        let facts = image::inspect(&bytes).map_err(at)?;
        if let FrameImage::DataUri { mime, .. } = self
            && *mime != facts.format
        {
            return Err(at(image::ImageError::TypeMismatch {
                declared: *mime,
                actual: facts.format,
            }));
        }
        Ok(Some(facts))
    }

    /// The image string as written on the wire.
    pub fn to_wire(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for FrameImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameImage::Uuid(uuid) => fmt::Display::fmt(&uuid.hyphenated(), f),
            FrameImage::Url(url) => f.write_str(url),
            FrameImage::DataUri { mime, data } => write!(f, "data:{};base64,{data}", mime.mime()),
            FrameImage::Base64(data) => f.write_str(data),
        }
    }
}

impl Serialize for FrameImage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A `scheme:` prefix (letters first, then letters, digits, `+`, `-`, `.`), as URLs start.
/// Base64 never holds a `:`, so this does not steal any base64 text.
fn looks_like_url(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Reads what follows `data:`: `image/<png|jpeg|webp>;base64,<payload>`, in lower case as
/// browsers write it.
fn parse_data_uri(rest: &str, path: &str) -> Result<FrameImage, FieldError> {
    let malformed = || FieldError::new(path, Rule::DataUri);
    let (header, payload) = rest.split_once(',').ok_or_else(malformed)?;
    let media = header.strip_suffix(";base64").ok_or_else(malformed)?;
    if !media.starts_with("image/") || media.contains(';') {
        return Err(if media.contains('/') && !media.contains(';') {
            FieldError::new(
                path,
                Rule::DataUriType {
                    found: media.to_owned(),
                },
            )
        } else {
            malformed()
        });
    }
    let mime = ImageFormat::from_mime(media).ok_or_else(|| {
        FieldError::new(
            path,
            Rule::DataUriType {
                found: media.to_owned(),
            },
        )
    })?;
    if payload.is_empty() {
        return Err(malformed());
    }
    if !is_base64(payload) {
        return Err(FieldError::new(path, Rule::Base64));
    }
    Ok(FrameImage::DataUri {
        mime,
        data: payload.to_owned(),
    })
}

fn is_base64_symbol(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/'
}

/// Whether `text` is standard base64 that [`BASE64`] decodes, checked without allocating: a
/// 20 MB image must not be decoded twice just to be validated.
///
/// The rules: only alphabet symbols, then at most two `=`; padding may be left out or shortened
/// but never exceeds what completes the last group of four (the decoder's `Indifferent` mode:
/// `QQ==`, `QQ=` and `QQ` all decode); a final group of one symbol is impossible; and the unused
/// low bits of the last symbol are zero (the decoder refuses non-canonical trailing bits).
pub(crate) fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    let symbols = bytes.iter().take_while(|b| is_base64_symbol(**b)).count();
    let padding = &bytes[symbols..];
    if padding.len() > 2 || padding.iter().any(|b| *b != b'=') {
        return false;
    }
    let last_group = symbols % 4;
    if !padding.is_empty() && (last_group < 2 || padding.len() > 4 - last_group) {
        return false;
    }
    let Some(&last) = bytes[..symbols].last() else {
        // An empty text has no bytes to decode; padding alone is not base64.
        return padding.is_empty();
    };
    let value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    match last_group {
        0 => true,
        1 => false,
        2 => value & 0b1111 == 0,
        _ => value & 0b11 == 0,
    }
}

/// One item of `inputs.frameImages`, in the form it was given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FrameInput {
    /// A plain image string; its position follows from the list (spec §3).
    Plain(FrameImage),
    /// `{"image": …, "frame": …}`; `frame` may be absent.
    Placed {
        /// The image.
        image: FrameImage,
        /// The position it names, if any.
        frame: Option<FramePosition>,
    },
}

impl FrameInput {
    /// The image of the item.
    pub fn image(&self) -> &FrameImage {
        match self {
            FrameInput::Plain(image) | FrameInput::Placed { image, .. } => image,
        }
    }

    /// The position the item names explicitly, if any.
    pub fn frame(&self) -> Option<FramePosition> {
        match self {
            FrameInput::Plain(_) => None,
            FrameInput::Placed { frame, .. } => *frame,
        }
    }
}

impl Serialize for FrameInput {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            FrameInput::Plain(image) => image.serialize(serializer),
            FrameInput::Placed { image, frame } => {
                let mut map = serializer.serialize_map(Some(1 + usize::from(frame.is_some())))?;
                map.serialize_entry("image", image)?;
                if let Some(frame) = frame {
                    map.serialize_entry("frame", frame)?;
                }
                map.end()
            }
        }
    }
}

/// `inputs.frameImages`: one or two items on different positions.
///
/// Items without a `frame` take the positions the others leave free, in order: one plain image
/// is the first frame, two plain images are first and last, and a plain image beside one that
/// names `first` becomes the last. Only two items naming the same position is an error. A single
/// item naming `last` is accepted (an end frame alone; spec §3 does not forbid it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct FrameImages(Vec<FrameInput>);

impl FrameImages {
    /// Fewest items.
    pub const MIN: usize = 1;
    /// Most items.
    pub const MAX: usize = 2;

    /// One plain image: the first frame.
    pub fn first(image: FrameImage) -> Self {
        FrameImages(vec![FrameInput::Plain(image)])
    }

    /// Two plain images: the first and the last frame.
    pub fn first_and_last(first: FrameImage, last: FrameImage) -> Self {
        FrameImages(vec![FrameInput::Plain(first), FrameInput::Plain(last)])
    }

    /// Only an end frame: `[{"image": …, "frame": "last"}]`.
    pub fn last_only(image: FrameImage) -> Self {
        FrameImages(vec![FrameInput::Placed {
            image,
            frame: Some(FramePosition::Last),
        }])
    }

    /// A list of items, refused when it holds 0 or more than 2 items, or two items naming one
    /// position; errors name `inputs.frameImages…`.
    pub fn new(items: Vec<FrameInput>) -> Result<Self, FieldError> {
        resolve_positions(&items, path::FRAME_IMAGES)?;
        Ok(FrameImages(items))
    }

    pub(crate) fn new_at(items: Vec<FrameInput>, base: &str) -> Result<Self, FieldError> {
        resolve_positions(&items, base)?;
        Ok(FrameImages(items))
    }

    /// The items, in the form and order given.
    pub fn items(&self) -> &[FrameInput] {
        &self.0
    }

    /// Each image with the position it takes.
    pub fn positioned(&self) -> Vec<(FramePosition, &FrameImage)> {
        // The list was checked when built, so resolving cannot fail; an empty answer would only
        // hide a bug, never a user's mistake.
        let positions = resolve_positions(&self.0, path::FRAME_IMAGES).unwrap_or_default();
        positions
            .into_iter()
            .zip(self.0.iter().map(FrameInput::image))
            .collect()
    }

    /// The image on `position`, if any.
    pub fn at(&self, position: FramePosition) -> Option<&FrameImage> {
        self.positioned()
            .into_iter()
            .find_map(|(p, image)| (p == position).then_some(image))
    }

    /// The first frame's image, if any.
    pub fn first_frame(&self) -> Option<&FrameImage> {
        self.at(FramePosition::First)
    }

    /// The last frame's image, if any.
    pub fn last_frame(&self) -> Option<&FrameImage> {
        self.at(FramePosition::Last)
    }
}

/// The position each item takes, or the rule the list breaks; paths start at `base`.
fn resolve_positions(items: &[FrameInput], base: &str) -> Result<Vec<FramePosition>, FieldError> {
    if !(FrameImages::MIN..=FrameImages::MAX).contains(&items.len()) {
        return Err(FieldError::new(
            base,
            Rule::Items {
                min: FrameImages::MIN,
                max: FrameImages::MAX,
                actual: items.len(),
            },
        ));
    }
    if let [first, second] = items
        && let (Some(a), Some(b)) = (first.frame(), second.frame())
        && a == b
    {
        return Err(FieldError::between(
            [format!("{base}[0].frame"), format!("{base}[1].frame")],
            Rule::SamePosition { position: a },
        ));
    }
    let named: Vec<FramePosition> = items.iter().filter_map(FrameInput::frame).collect();
    let mut free = FramePosition::ALL
        .into_iter()
        .filter(|p| !named.contains(p));
    Ok(items
        .iter()
        .map(|item| {
            item.frame()
                .or_else(|| free.next())
                .unwrap_or(FramePosition::First)
        })
        .collect())
}

/// Reads one item of `inputs.frameImages` (`legacy: false`) or of the legacy top-level
/// `frameImages` (`legacy: true`), reporting every broken member.
pub(crate) fn frame_input_from_json(
    value: &Value,
    item_path: &str,
    legacy: bool,
) -> Result<FrameInput, Vec<FieldError>> {
    let image_key = if legacy { "inputImage" } else { "image" };
    let map = match value {
        Value::String(text) if !legacy => {
            return FrameImage::parse_at(text, item_path)
                .map(FrameInput::Plain)
                .map_err(|e| vec![e]);
        }
        Value::Object(map) => map,
        _ => {
            let expected = if legacy {
                Expected::LegacyFrameItem
            } else {
                Expected::FrameItem
            };
            return Err(vec![FieldError::new(item_path, Rule::Type { expected })]);
        }
    };
    let mut errors = Vec::new();
    let image_path = format!("{item_path}.{image_key}");
    let image = match json::member(map, image_key) {
        None => {
            errors.push(FieldError::new(&image_path, Rule::Required));
            None
        }
        Some(value) => FrameImage::from_json_at(value, &image_path)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let frame = json::member(map, "frame").and_then(|value| {
        FramePosition::from_json(value)
            .map_err(|e| errors.push(e.at(format!("{item_path}.frame"))))
            .ok()
    });
    let known: [&'static str; 2] = if legacy {
        ["inputImage", "frame"]
    } else {
        ["image", "frame"]
    };
    for key in crate::fields::sorted_keys(map) {
        if !known.contains(&key) {
            errors.push(crate::fields::unknown_key(
                &format!("{item_path}.{key}"),
                key,
                &known,
            ));
        }
    }
    match image {
        Some(image) if errors.is_empty() => Ok(FrameInput::Placed { image, frame }),
        _ => Err(errors),
    }
}

deserialize_with_from_json!(FramePosition, FrameImage);

impl<'de> serde::Deserialize<'de> for FrameImages {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        let items = value.as_array().ok_or_else(|| {
            serde::de::Error::custom(FieldError::new(
                path::FRAME_IMAGES,
                Rule::Type {
                    expected: Expected::Array,
                },
            ))
        })?;
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let input = frame_input_from_json(item, &path::frame_item(index), false)
                .map_err(|errors| serde::de::Error::custom(join_messages(&errors)))?;
            inputs.push(input);
        }
        FrameImages::new(inputs).map_err(serde::de::Error::custom)
    }
}

/// Several field errors as one sentence, for serde's single-message errors.
pub(crate) fn join_messages(errors: &[FieldError]) -> String {
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    messages.join("; ")
}
