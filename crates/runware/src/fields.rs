//! Typed `videoInference` fields (spec §2 and §4): each type can only hold a value its rule allows,
//! and each fallible constructor reports the broken rule at the field's wire path.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use serde_json::{Number, Value};
use uuid::Uuid;

use crate::error::{Expected, FieldError, Rule};
use crate::json::{self, deserialize_with_from_json};
use crate::path;

/// The model id this crate speaks for: KlingAI 2.1 Pro.
pub const MODEL_ID: &str = "klingai:5@2";

/// The `model` field; the contract covers one model only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Model {
    /// KlingAI 2.1 Pro, `klingai:5@2`.
    #[default]
    #[serde(rename = "klingai:5@2")]
    KlingAi21Pro,
}

impl Model {
    /// The wire id of the model.
    pub fn id(self) -> &'static str {
        MODEL_ID
    }

    /// Reads `model` from raw JSON.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        json::one_of(value, path::MODEL, &[MODEL_ID]).map(|_| Model::KlingAi21Pro)
    }
}

/// A positive or negative prompt: 2–2500 characters, counted as Unicode scalar values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Prompt(String);

impl Prompt {
    /// Fewest characters a prompt may have.
    pub const MIN_CHARS: usize = 2;
    /// Most characters a prompt may have.
    pub const MAX_CHARS: usize = 2500;

    /// A positive prompt; errors name `positivePrompt`.
    pub fn new(text: impl Into<String>) -> Result<Self, FieldError> {
        Prompt::checked(text.into(), path::POSITIVE_PROMPT)
    }

    /// A negative prompt; errors name `negativePrompt`.
    pub fn negative(text: impl Into<String>) -> Result<Self, FieldError> {
        Prompt::checked(text.into(), path::NEGATIVE_PROMPT)
    }

    /// Reads a prompt from raw JSON; errors name `positivePrompt` (move them with
    /// [`FieldError::at`]).
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        Prompt::new(json::string(value, path::POSITIVE_PROMPT)?)
    }

    /// The text, exactly as given (no trimming: what the user typed is what is sent).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The length in Unicode scalar values, the unit of the rule.
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }

    fn checked(text: String, path: &str) -> Result<Self, FieldError> {
        let actual = text.chars().count();
        if (Prompt::MIN_CHARS..=Prompt::MAX_CHARS).contains(&actual) {
            Ok(Prompt(text))
        } else {
            Err(FieldError::new(
                path,
                Rule::Length {
                    min: Prompt::MIN_CHARS,
                    max: Prompt::MAX_CHARS,
                    actual,
                },
            ))
        }
    }
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Prompt {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `CFGScale`: 0 to 1 in steps of 0.01, held as a whole number of hundredths.
///
/// A value is on the 0.01 grid when `value × 100` lies within 1e-9 of a whole number. That
/// tolerance absorbs only the binary rounding of two-decimal literals (`0.29 × 100` is
/// `28.999999999999996`); anything further off is not a 0.01 step and is rejected, never rounded:
/// `0.505` is refused with a step error, as the server would refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CfgScale(u8);

impl CfgScale {
    /// The spec default, 0.5.
    pub const DEFAULT: CfgScale = CfgScale(50);
    /// The smallest value, 0.
    pub const MIN: CfgScale = CfgScale(0);
    /// The largest value, 1.
    pub const MAX: CfgScale = CfgScale(100);

    /// A scale from a number; errors name `CFGScale`.
    pub fn new(value: f64) -> Result<Self, FieldError> {
        if !value.is_finite() || !(0.0..=1.0).contains(&value) {
            return Err(FieldError::new(
                path::CFG_SCALE,
                Rule::Range {
                    min: Number::from(0),
                    max: Some(Number::from(1)),
                },
            ));
        }
        let hundredths = value * 100.0;
        let whole = hundredths.round();
        if (hundredths - whole).abs() > 1e-9 {
            return Err(FieldError::new(
                path::CFG_SCALE,
                Rule::Step {
                    step: Number::from_f64(0.01).unwrap_or_else(|| Number::from(0)),
                    min: Number::from(0),
                    max: Number::from(1),
                },
            ));
        }
        // In range and whole, so 0..=100: the cast cannot truncate.
        Ok(CfgScale(whole as u8))
    }

    /// A scale from whole hundredths, `0..=100` (50 is 0.5).
    pub fn from_hundredths(hundredths: u8) -> Result<Self, FieldError> {
        if hundredths <= 100 {
            Ok(CfgScale(hundredths))
        } else {
            CfgScale::new(f64::from(hundredths) / 100.0)
        }
    }

    /// Reads `CFGScale` from raw JSON.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        let number = value.as_f64().ok_or_else(|| {
            FieldError::new(
                path::CFG_SCALE,
                Rule::Type {
                    expected: Expected::Number,
                },
            )
        })?;
        CfgScale::new(number)
    }

    /// The value as a number, e.g. 0.5.
    pub fn value(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// The value in whole hundredths, e.g. 50.
    pub fn hundredths(self) -> u8 {
        self.0
    }
}

impl Default for CfgScale {
    fn default() -> Self {
        CfgScale::DEFAULT
    }
}

impl fmt::Display for CfgScale {
    /// As people write it: `0`, `0.05`, `0.5`, `1` (whole hundredths, without a float formatter).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => write!(f, "{whole}"),
            h if h % 10 == 0 => write!(f, "{whole}.{}", h / 10),
            h => write!(f, "{whole}.{h:02}"),
        }
    }
}

impl Serialize for CfgScale {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // 0 and 1 are written as integers, the way people (and the spec's table) write them.
        if self.0.is_multiple_of(100) {
            serializer.serialize_u8(self.0 / 100)
        } else {
            serializer.serialize_f64(self.value())
        }
    }
}

/// `duration`: 5 or 10 seconds of video at 24 frames per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Duration {
    /// Five seconds (120 frames), the default.
    #[default]
    Five,
    /// Ten seconds (240 frames).
    Ten,
}

impl Duration {
    /// Both durations, shortest first.
    pub const ALL: [Duration; 2] = [Duration::Five, Duration::Ten];
    /// Frames per second of the model's output.
    pub const FPS: u32 = 24;

    /// A duration from seconds; errors name `duration` with `unsupportedDuration`.
    pub fn from_seconds(seconds: u32) -> Result<Self, FieldError> {
        match seconds {
            5 => Ok(Duration::Five),
            10 => Ok(Duration::Ten),
            _ => Err(FieldError::new(path::DURATION, Rule::Duration)),
        }
    }

    /// Reads `duration` from raw JSON (`5`, `10`, `5.0` and `10.0` are accepted).
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        let seconds = value.as_f64().ok_or_else(|| {
            FieldError::new(
                path::DURATION,
                Rule::Type {
                    expected: Expected::Number,
                },
            )
        })?;
        if seconds == 5.0 {
            Ok(Duration::Five)
        } else if seconds == 10.0 {
            Ok(Duration::Ten)
        } else {
            Err(FieldError::new(path::DURATION, Rule::Duration))
        }
    }

    /// Length in seconds.
    pub fn seconds(self) -> u32 {
        match self {
            Duration::Five => 5,
            Duration::Ten => 10,
        }
    }

    /// Number of frames produced.
    pub fn frames(self) -> u32 {
        self.seconds() * Duration::FPS
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.seconds())
    }
}

/// The resolution tier of an [`OutputSize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// 720p: the short side is 720 px.
    P720,
    /// 1080p: the short side is 1080 px.
    P1080,
}

impl Tier {
    /// Both tiers, highest first.
    pub const ALL: [Tier; 2] = [Tier::P1080, Tier::P720];

    /// The short side in pixels.
    pub fn short_side(self) -> u32 {
        match self {
            Tier::P720 => 720,
            Tier::P1080 => 1080,
        }
    }

    /// A label such as `1080p`.
    pub fn label(self) -> &'static str {
        match self {
            Tier::P720 => "720p",
            Tier::P1080 => "1080p",
        }
    }
}

/// The aspect ratio of an [`OutputSize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Aspect {
    /// 16:9, wider than tall.
    Landscape16x9,
    /// 1:1.
    Square,
    /// 9:16, taller than wide.
    Portrait9x16,
}

impl Aspect {
    /// The three aspects, in the column order of spec §4.
    pub const ALL: [Aspect; 3] = [Aspect::Landscape16x9, Aspect::Square, Aspect::Portrait9x16];

    /// A label such as `16:9`.
    pub fn label(self) -> &'static str {
        match self {
            Aspect::Landscape16x9 => "16:9",
            Aspect::Square => "1:1",
            Aspect::Portrait9x16 => "9:16",
        }
    }
}

/// `width` × `height`: one of the six pairs of spec §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputSize {
    tier: Tier,
    aspect: Aspect,
}

impl OutputSize {
    /// The six sizes, 1080p row first, each row in the column order of spec §4.
    pub const ALL: [OutputSize; 6] = [
        OutputSize::from_parts(Tier::P1080, Aspect::Landscape16x9),
        OutputSize::from_parts(Tier::P1080, Aspect::Square),
        OutputSize::from_parts(Tier::P1080, Aspect::Portrait9x16),
        OutputSize::from_parts(Tier::P720, Aspect::Landscape16x9),
        OutputSize::from_parts(Tier::P720, Aspect::Square),
        OutputSize::from_parts(Tier::P720, Aspect::Portrait9x16),
    ];

    /// The size of a tier and an aspect; every combination exists.
    pub const fn from_parts(tier: Tier, aspect: Aspect) -> Self {
        OutputSize { tier, aspect }
    }

    /// The size with these pixel dimensions; any other pair is `unsupportedDimensions` on
    /// `["width", "height"]`.
    pub fn new(width: u32, height: u32) -> Result<Self, FieldError> {
        OutputSize::from_pixels(i64::from(width), i64::from(height))
    }

    pub(crate) fn from_pixels(width: i64, height: i64) -> Result<Self, FieldError> {
        OutputSize::ALL
            .into_iter()
            .find(|size| i64::from(size.width()) == width && i64::from(size.height()) == height)
            .ok_or_else(|| {
                FieldError::between(
                    [path::WIDTH, path::HEIGHT],
                    Rule::Dimensions { width, height },
                )
            })
    }

    /// The resolution tier.
    pub fn tier(self) -> Tier {
        self.tier
    }

    /// The aspect ratio.
    pub fn aspect(self) -> Aspect {
        self.aspect
    }

    /// Width in pixels.
    pub fn width(self) -> u32 {
        let short = self.tier.short_side();
        match self.aspect {
            Aspect::Landscape16x9 => short * 16 / 9,
            Aspect::Square | Aspect::Portrait9x16 => short,
        }
    }

    /// Height in pixels.
    pub fn height(self) -> u32 {
        let short = self.tier.short_side();
        match self.aspect {
            Aspect::Portrait9x16 => short * 16 / 9,
            Aspect::Square | Aspect::Landscape16x9 => short,
        }
    }
}

impl fmt::Display for OutputSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}", self.width(), self.height())
    }
}

impl Serialize for OutputSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut pair = serializer.serialize_struct("OutputSize", 2)?;
        pair.serialize_field("width", &self.width())?;
        pair.serialize_field("height", &self.height())?;
        pair.end()
    }
}

impl OutputSize {
    /// Reads `{"width": …, "height": …}` from raw JSON (the pair alone, as serialised).
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        let map = json::object(value, path::WIDTH)?;
        let side = |key: &str| {
            json::member(map, key)
                .and_then(json::integer)
                .map(|n| n.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
        };
        match (side(path::WIDTH), side(path::HEIGHT)) {
            (Some(width), Some(height)) => OutputSize::from_pixels(width, height),
            _ => Err(FieldError::new(
                path::WIDTH,
                Rule::Type {
                    expected: Expected::Integer,
                },
            )),
        }
    }
}

/// `outputType`: the only value this model takes is `URL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum OutputType {
    /// The video is delivered as a URL.
    #[default]
    #[serde(rename = "URL")]
    Url,
}

impl OutputType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        "URL"
    }

    /// Reads `outputType` from raw JSON.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        json::one_of(value, path::OUTPUT_TYPE, &["URL"]).map(|_| OutputType::Url)
    }
}

/// `deliveryMethod`: the only value this model takes is `async`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum DeliveryMethod {
    /// Submit, then poll with `getResponse`.
    #[default]
    #[serde(rename = "async")]
    Async,
}

impl DeliveryMethod {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        "async"
    }

    /// Reads `deliveryMethod` from raw JSON.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        json::one_of(value, path::DELIVERY_METHOD, &["async"]).map(|_| DeliveryMethod::Async)
    }
}

/// `outputFormat`: the video container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum OutputFormat {
    /// MP4 (H.264), the default.
    #[default]
    #[serde(rename = "MP4")]
    Mp4,
    /// WEBM.
    #[serde(rename = "WEBM")]
    Webm,
    /// QuickTime MOV.
    #[serde(rename = "MOV")]
    Mov,
}

impl OutputFormat {
    /// The three formats, in the order of the spec.
    pub const ALL: [OutputFormat; 3] = [OutputFormat::Mp4, OutputFormat::Webm, OutputFormat::Mov];

    /// The wire spelling, e.g. `MP4`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Mp4 => "MP4",
            OutputFormat::Webm => "WEBM",
            OutputFormat::Mov => "MOV",
        }
    }

    /// The file extension, without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Mp4 => "mp4",
            OutputFormat::Webm => "webm",
            OutputFormat::Mov => "mov",
        }
    }

    /// The media type of the file.
    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Mp4 => "video/mp4",
            OutputFormat::Webm => "video/webm",
            OutputFormat::Mov => "video/quicktime",
        }
    }

    /// Reads `outputFormat` from raw JSON; the spelling is exact (`mp4` is refused).
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        OutputFormat::ALL
            .into_iter()
            .find(|format| value.as_str() == Some(format.as_str()))
            .ok_or_else(|| {
                json::not_one_of(
                    path::OUTPUT_FORMAT,
                    &OutputFormat::ALL.map(OutputFormat::as_str),
                )
            })
    }
}

/// Defines a whole-number field held in a small integer type, with its bounds and default.
macro_rules! bounded_integer {
    (
        $(#[$doc:meta])*
        $name:ident($repr:ty), path = $path:expr, min = $min:expr, max = $max:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name($repr);

        impl $name {
            /// The smallest value allowed.
            pub const MIN: $repr = $min;
            /// The largest value allowed.
            pub const MAX: $repr = $max;

            /// The value, if inside its bounds.
            pub fn new(value: $repr) -> Result<Self, FieldError> {
                $name::from_json(&Value::from(value))
            }

            /// Reads the field from raw JSON: a whole number inside the bounds.
            pub fn from_json(value: &Value) -> Result<Self, FieldError> {
                let n = json::integer_in(
                    value,
                    $path,
                    i128::from($name::MIN),
                    Some(i128::from($name::MAX)),
                )?;
                <$repr>::try_from(n)
                    .map($name)
                    .map_err(|_| FieldError::new($path, Rule::Type { expected: Expected::Integer }))
            }

            /// The value.
            pub fn get(self) -> $repr {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

bounded_integer!(
    /// `outputQuality`: compression quality, 20–99.
    OutputQuality(u8), path = path::OUTPUT_QUALITY, min = 20, max = 99
);
bounded_integer!(
    /// `numberResults`: how many videos to make, 1–4, each with its own seed.
    NumberResults(u8), path = path::NUMBER_RESULTS, min = 1, max = 4
);
bounded_integer!(
    /// A seed, 1 to 9223372036854775807, as other Runware tasks take it (`imageInference`,
    /// spec §7). KlingAI 2.1 Pro takes none: a `videoInference` task with `seed` is refused, and
    /// each result reports the seed it used in [`VideoResult::seed`](crate::reply::VideoResult).
    Seed(i64), path = path::SEED, min = 1, max = i64::MAX
);

/// `ttl`: lifetime of the result URL in seconds, at least 60. The spec sets no upper bound; the
/// largest value held is `u64::MAX`, and only a value beyond it is told so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Ttl(u64);

impl Ttl {
    /// The smallest value allowed.
    pub const MIN: u64 = 60;

    /// A ttl of `seconds`, if at least 60.
    pub fn new(seconds: u64) -> Result<Self, FieldError> {
        Ttl::from_json(&Value::from(seconds))
    }

    /// Reads `ttl` from raw JSON: a whole number of at least 60.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        let n = json::integer_in(value, path::TTL, i128::from(Ttl::MIN), None)?;
        u64::try_from(n).map(Ttl).map_err(|_| {
            FieldError::new(
                path::TTL,
                Rule::Range {
                    min: Number::from(Ttl::MIN),
                    max: Some(Number::from(u64::MAX)),
                },
            )
        })
    }

    /// The value in seconds.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Ttl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl OutputQuality {
    /// The spec default, 95.
    pub const DEFAULT: OutputQuality = OutputQuality(95);
}

impl Default for OutputQuality {
    fn default() -> Self {
        OutputQuality::DEFAULT
    }
}

impl NumberResults {
    /// The spec default, 1.
    pub const DEFAULT: NumberResults = NumberResults(1);
}

impl Default for NumberResults {
    fn default() -> Self {
        NumberResults::DEFAULT
    }
}

/// A task's `taskUUID`: a UUID version 4, written in its hyphenated form.
///
/// Only the 8-4-4-4-12 form is read (in either letter case); it is always written in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(Uuid);

impl TaskId {
    /// A fresh random id, from `Uuid::new_v4()`.
    ///
    /// Always available natively. On wasm32-unknown-unknown it needs this crate's `v4` feature,
    /// and the final binary must give uuid a source of randomness (its `js` feature): uuid does
    /// not build `v4` there without one, and choosing it is the binary's business.
    #[cfg(any(
        feature = "v4",
        not(all(target_family = "wasm", any(target_os = "unknown", target_os = "none")))
    ))]
    pub fn new_v4() -> Self {
        TaskId(Uuid::new_v4())
    }

    /// An id from 16 random bytes, with the version and variant bits set to make a UUID v4:
    /// for callers with their own source of randomness, on any target.
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        TaskId(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// An id from a UUID, refused unless it is version 4; errors name `taskUUID`.
    pub fn new(uuid: Uuid) -> Result<Self, FieldError> {
        check_v4(uuid, path::TASK_UUID).map(TaskId)
    }

    /// Parses the hyphenated form; errors name `taskUUID`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let uuid =
            parse_hyphenated(text).ok_or_else(|| FieldError::new(path::TASK_UUID, Rule::Uuid))?;
        TaskId::new(uuid)
    }

    /// Reads `taskUUID` from raw JSON.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        TaskId::parse(json::string(value, path::TASK_UUID)?)
    }

    /// The UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// Whether `text` names this task (reply UUIDs are compared without regard to letter case).
    pub fn matches(&self, text: &str) -> bool {
        parse_hyphenated(text) == Some(self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl FromStr for TaskId {
    type Err = FieldError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TaskId::parse(text)
    }
}

impl From<TaskId> for Uuid {
    fn from(id: TaskId) -> Self {
        id.0
    }
}

impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.hyphenated())
    }
}

/// A UUID in its 8-4-4-4-12 form only: the braced, URN and bare-hex forms `uuid` also reads are
/// not what the wire uses, and accepting them would let two spellings name one task.
pub(crate) fn parse_hyphenated(text: &str) -> Option<Uuid> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if shaped {
        Uuid::try_parse(text).ok()
    } else {
        None
    }
}

/// A UUID refused unless it is version 4 of the RFC variant.
pub(crate) fn check_v4(uuid: Uuid, path: &str) -> Result<Uuid, FieldError> {
    if uuid.get_version_num() != 4 {
        return Err(FieldError::new(
            path,
            Rule::UuidVersion {
                version: uuid.get_version_num(),
            },
        ));
    }
    if uuid.get_variant() != uuid::Variant::RFC4122 {
        return Err(FieldError::new(path, Rule::Uuid));
    }
    Ok(uuid)
}

/// `safety.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SafetyMode {
    /// No content checking, the default.
    #[default]
    None,
    /// Check key frames.
    Fast,
    /// Check every frame.
    Full,
}

impl SafetyMode {
    /// The three modes, in the order of the spec.
    pub const ALL: [SafetyMode; 3] = [SafetyMode::None, SafetyMode::Fast, SafetyMode::Full];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyMode::None => "none",
            SafetyMode::Fast => "fast",
            SafetyMode::Full => "full",
        }
    }

    /// The mode in effect for a `safety` object (spec §2): `mode` wins when given; otherwise
    /// `checkContent: true` means `fast`; otherwise `none`.
    pub fn resolve(check_content: Option<bool>, mode: Option<SafetyMode>) -> SafetyMode {
        match (mode, check_content) {
            (Some(mode), _) => mode,
            (None, Some(true)) => SafetyMode::Fast,
            (None, _) => SafetyMode::None,
        }
    }

    /// Reads `safety.mode` from raw JSON.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        SafetyMode::ALL
            .into_iter()
            .find(|mode| value.as_str() == Some(mode.as_str()))
            .ok_or_else(|| {
                json::not_one_of(path::SAFETY_MODE, &SafetyMode::ALL.map(SafetyMode::as_str))
            })
    }
}

/// The `safety` object, exactly as given (absent members stay absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Safety {
    /// `checkContent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_content: Option<bool>,
    /// `mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<SafetyMode>,
}

impl Safety {
    /// A `safety` object that names the mode.
    pub fn with_mode(mode: SafetyMode) -> Self {
        Safety {
            check_content: None,
            mode: Some(mode),
        }
    }

    /// The mode in effect; see [`SafetyMode::resolve`].
    pub fn effective_mode(&self) -> SafetyMode {
        SafetyMode::resolve(self.check_content, self.mode)
    }

    /// Reads `safety` from raw JSON, reporting every broken member.
    pub fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        let map = json::object(value, path::SAFETY).map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let mut safety = Safety::default();
        for key in sorted_keys(map) {
            let Some(member) = json::member(map, key) else {
                continue;
            };
            match key {
                "checkContent" => match json::boolean(member, path::SAFETY_CHECK_CONTENT) {
                    Ok(check) => safety.check_content = Some(check),
                    Err(e) => errors.push(e),
                },
                "mode" => match SafetyMode::from_json(member) {
                    Ok(mode) => safety.mode = Some(mode),
                    Err(e) => errors.push(e),
                },
                other => errors.push(unknown_key(
                    &format!("{}.{other}", path::SAFETY),
                    other,
                    &["checkContent", "mode"],
                )),
            }
        }
        if errors.is_empty() {
            Ok(safety)
        } else {
            Err(errors)
        }
    }
}

/// The keys of a JSON object in a fixed order, so errors come out the same whatever map type
/// serde_json was built with.
pub(crate) fn sorted_keys(map: &serde_json::Map<String, Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// `unknownParameter` for `key`, suggesting a known key that differs only in letter case
/// (`cfgScale` → `CFGScale`, `taskUuid` → `taskUUID`).
pub(crate) fn unknown_key(path: &str, key: &str, known: &[&'static str]) -> FieldError {
    let suggestion = known.iter().copied().find(|k| k.eq_ignore_ascii_case(key));
    FieldError::new(path, Rule::Unknown { suggestion })
}

/// An absolute `http` or `https` URL (`webhookURL`, `uploadEndpoint`, an image URL).
///
/// The rule is the contract's and no more: the scheme must be http or https, a host must follow,
/// a port must be digits, and no whitespace or control character may appear. The text is kept
/// exactly as given, never normalised, since a signed upload URL must travel byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// A `webhookURL`; errors name `webhookURL`.
    pub fn webhook(text: impl Into<String>) -> Result<Self, FieldError> {
        HttpUrl::parse_at(text, path::WEBHOOK_URL)
    }

    /// An `uploadEndpoint`; errors name `uploadEndpoint`.
    pub fn upload_endpoint(text: impl Into<String>) -> Result<Self, FieldError> {
        HttpUrl::parse_at(text, path::UPLOAD_ENDPOINT)
    }

    /// A URL whose errors name `path`.
    pub fn parse_at(text: impl Into<String>, path: &str) -> Result<Self, FieldError> {
        let text = text.into();
        if is_http_url(&text) {
            Ok(HttpUrl(text))
        } else {
            Err(FieldError::new(path, Rule::HttpUrl))
        }
    }

    /// Reads a URL from raw JSON; errors name `path`.
    pub fn from_json_at(value: &Value, path: &str) -> Result<Self, FieldError> {
        HttpUrl::parse_at(json::string(value, path)?, path)
    }

    /// The URL, exactly as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `text` is an absolute http(s) URL with a host.
pub(crate) fn is_http_url(text: &str) -> bool {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    // Compared as bytes: the prefixes are ASCII, so slicing after them stays on a char boundary
    // whatever follows (`http://é.example` is fine).
    let has_prefix = |prefix: &str| {
        text.as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    let rest = if has_prefix("https://") {
        &text[8..]
    } else if has_prefix("http://") {
        &text[7..]
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if host_port.starts_with('[') {
        // An IPv6 literal: the port, if any, follows the closing bracket.
        match host_port.find(']') {
            Some(end) => (&host_port[..=end], host_port[end + 1..].strip_prefix(':')),
            None => return false,
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = !host.is_empty() && host != "[]";
    host_ok && port_ok
}

deserialize_with_from_json!(
    Model,
    Prompt,
    CfgScale,
    Duration,
    OutputSize,
    OutputType,
    DeliveryMethod,
    OutputFormat,
    OutputQuality,
    NumberResults,
    Seed,
    Ttl,
    TaskId,
    SafetyMode,
);

impl<'de> serde::Deserialize<'de> for HttpUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        HttpUrl::parse_at(text, "url").map_err(serde::de::Error::custom)
    }
}

impl<'de> serde::Deserialize<'de> for Safety {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Safety::from_json(&value).map_err(|errors| {
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            serde::de::Error::custom(messages.join("; "))
        })
    }
}
