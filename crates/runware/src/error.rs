//! Errors in Runware's own shape (spec §6), and the field-level errors the typed values produce.
//!
//! [`ApiError`] is what travels on the wire: the simulator sends it, the app receives it. [`FieldError`]
//! is what a fallible constructor returns: the field path plus the [`Rule`] that was broken. Every
//! user-facing sentence about a broken rule is written by `FieldError`'s `Display`, so the form and
//! the server say exactly the same thing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};

use crate::fields::OutputSize;
use crate::frames::FramePosition;
use crate::image::ImageError;

/// An error code of spec §6; unknown codes are kept as [`ErrorCode::Other`], never rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `missingApiKey`: no key was given (401).
    MissingApiKey,
    /// `invalidApiKey`: the key is wrong (401).
    InvalidApiKey,
    /// `invalidParameter`: a value outside its rule (400).
    InvalidParameter,
    /// `missingParameter`: a required field is absent (400).
    MissingParameter,
    /// `unknownParameter`: a key the model does not take (400).
    UnknownParameter,
    /// `unsupportedDuration`: `duration` is not 5 or 10 (400).
    UnsupportedDuration,
    /// `unsupportedDimensions`: a width/height pair outside spec §4 (400).
    UnsupportedDimensions,
    /// `conflictTaskUUID`: a `taskUUID` used before (400).
    ConflictTaskUuid,
    /// `insufficientCredits`: the balance is too low (402).
    InsufficientCredits,
    /// `timeoutProvider`: generation failed upstream, reported through `getResponse` (200).
    TimeoutProvider,
    /// `taskFailedOrNotFound`: `getResponse` for an unknown task (200).
    TaskFailedOrNotFound,
    /// Any other code, kept verbatim (possibly empty when a reply gave none).
    Other(String),
}

impl ErrorCode {
    /// Every code the spec names, in the order of its table.
    pub const KNOWN: [ErrorCode; 11] = [
        ErrorCode::MissingApiKey,
        ErrorCode::InvalidApiKey,
        ErrorCode::InvalidParameter,
        ErrorCode::MissingParameter,
        ErrorCode::UnknownParameter,
        ErrorCode::UnsupportedDuration,
        ErrorCode::UnsupportedDimensions,
        ErrorCode::ConflictTaskUuid,
        ErrorCode::InsufficientCredits,
        ErrorCode::TimeoutProvider,
        ErrorCode::TaskFailedOrNotFound,
    ];

    /// The wire spelling of the code.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::MissingApiKey => "missingApiKey",
            ErrorCode::InvalidApiKey => "invalidApiKey",
            ErrorCode::InvalidParameter => "invalidParameter",
            ErrorCode::MissingParameter => "missingParameter",
            ErrorCode::UnknownParameter => "unknownParameter",
            ErrorCode::UnsupportedDuration => "unsupportedDuration",
            ErrorCode::UnsupportedDimensions => "unsupportedDimensions",
            ErrorCode::ConflictTaskUuid => "conflictTaskUUID",
            ErrorCode::InsufficientCredits => "insufficientCredits",
            ErrorCode::TimeoutProvider => "timeoutProvider",
            ErrorCode::TaskFailedOrNotFound => "taskFailedOrNotFound",
            ErrorCode::Other(code) => code,
        }
    }

    /// Reads a wire code; a code the spec does not name becomes [`ErrorCode::Other`].
    pub fn parse(code: &str) -> ErrorCode {
        ErrorCode::KNOWN
            .iter()
            .find(|known| known.as_str() == code)
            .cloned()
            .unwrap_or_else(|| ErrorCode::Other(code.to_owned()))
    }

    /// The HTTP status of spec §6 that goes with this code. Unknown codes map to 400, the status
    /// of a request the server refused for a reason of its own.
    pub fn http_status(&self) -> u16 {
        match self {
            ErrorCode::MissingApiKey | ErrorCode::InvalidApiKey => 401,
            ErrorCode::InsufficientCredits => 402,
            ErrorCode::TimeoutProvider | ErrorCode::TaskFailedOrNotFound => 200,
            ErrorCode::InvalidParameter
            | ErrorCode::MissingParameter
            | ErrorCode::UnknownParameter
            | ErrorCode::UnsupportedDuration
            | ErrorCode::UnsupportedDimensions
            | ErrorCode::ConflictTaskUuid
            | ErrorCode::Other(_) => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> Self {
        ErrorCode::parse(code)
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&code))
    }
}

/// The `parameter` of an error: one field path, or several for a rule between fields.
///
/// Read by [`Parameter::from_json`], also through serde.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Parameter {
    /// A single field path, e.g. `inputs.frameImages[1].frame`.
    One(String),
    /// The fields a rule between fields ties together, e.g. `["width", "height"]`.
    Many(Vec<String>),
}

impl Parameter {
    /// Reads a path (a string) or several (an array of strings); `None` for anything else.
    pub fn from_json(value: &Value) -> Option<Parameter> {
        match value {
            Value::String(path) => Some(Parameter::One(path.clone())),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .map(Parameter::Many),
            _ => None,
        }
    }

    /// Every path named, in order.
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Parameter::One(path) => vec![path.as_str()],
            Parameter::Many(paths) => paths.iter().map(String::as_str).collect(),
        }
    }

    /// Whether `path` is one of the paths named.
    pub fn mentions(&self, path: &str) -> bool {
        self.paths().contains(&path)
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.paths().join(", "))
    }
}

/// Through [`Parameter::from_json`], so that serde and the reply decoder accept exactly the same
/// shapes, and a wrong one is told in words rather than as an untagged-enum mismatch.
impl<'de> Deserialize<'de> for Parameter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Parameter::from_json(&value).ok_or_else(|| {
            serde::de::Error::custom("a parameter must be a path or an array of paths")
        })
    }
}

impl From<&str> for Parameter {
    fn from(path: &str) -> Self {
        Parameter::One(path.to_owned())
    }
}

impl From<String> for Parameter {
    fn from(path: String) -> Self {
        Parameter::One(path)
    }
}

/// One error object of spec §6, exactly as Runware writes it.
///
/// Optional members are omitted when absent; unknown members are ignored when reading (see
/// [`ApiError::from_json`]).
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ApiError {
    /// What went wrong, as a code.
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
    /// The field (or fields) at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<Parameter>,
    /// Runware's error `type`, kept verbatim.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The `taskType` of the task at fault.
    #[serde(rename = "taskType", default, skip_serializing_if = "Option::is_none")]
    pub task_type: Option<String>,
    /// The `taskUUID` of the task at fault, verbatim (it may itself be the broken value).
    #[serde(rename = "taskUUID", default, skip_serializing_if = "Option::is_none")]
    pub task_uuid: Option<String>,
    /// A link to the documentation of the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// The values the field may take.
    #[serde(
        rename = "allowedValues",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_values: Option<Value>,
    /// The smallest value (or length) the field may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    /// The largest value (or length) the field may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    /// `"error"` when the entry reports a failed task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl ApiError {
    /// An error with only a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            parameter: None,
            r#type: None,
            task_type: None,
            task_uuid: None,
            documentation: None,
            allowed_values: None,
            min: None,
            max: None,
            status: None,
        }
    }

    /// `missingApiKey`: no key was given.
    pub fn missing_api_key() -> Self {
        FieldError::new(crate::path::API_KEY, Rule::MissingApiKey)
            .to_api_error()
            .with_task_type(crate::TaskType::Authentication.as_str())
    }

    /// `invalidApiKey`: the key is wrong.
    pub fn invalid_api_key() -> Self {
        ApiError::new(ErrorCode::InvalidApiKey, "the API key is not valid")
            .with_parameter(crate::path::API_KEY)
            .with_task_type(crate::TaskType::Authentication.as_str())
    }

    /// `conflictTaskUUID`: the task's UUID was used before.
    pub fn conflict_task_uuid(task_type: &str, task_uuid: &str) -> Self {
        ApiError::new(
            ErrorCode::ConflictTaskUuid,
            "this taskUUID was used by an earlier task; every task needs a new UUID v4",
        )
        .with_parameter(crate::path::TASK_UUID)
        .with_task(task_type, task_uuid)
    }

    /// `insufficientCredits`: the balance is too low for the task.
    pub fn insufficient_credits() -> Self {
        ApiError::new(
            ErrorCode::InsufficientCredits,
            "the account has too little credit for this task",
        )
    }

    /// `taskFailedOrNotFound`: `getResponse` asked for a task the server does not know.
    pub fn task_failed_or_not_found(task_uuid: &str) -> Self {
        ApiError::new(
            ErrorCode::TaskFailedOrNotFound,
            "no task with this taskUUID is known, or it failed",
        )
        .with_parameter(crate::path::TASK_UUID)
        .with_task(crate::TaskType::GetResponse.as_str(), task_uuid)
        .with_status("error")
    }

    /// `timeoutProvider`: the generation of a `videoInference` task failed upstream.
    pub fn timeout_provider(task_uuid: &str, message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::TimeoutProvider, message)
            .with_task(crate::TaskType::VideoInference.as_str(), task_uuid)
            .with_status("error")
    }

    /// Sets `parameter` to one path or several.
    pub fn with_parameter(mut self, parameter: impl Into<Parameter>) -> Self {
        self.parameter = Some(parameter.into());
        self
    }

    /// Sets `parameter` to several paths (a rule between fields).
    pub fn with_parameters<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.parameter = Some(Parameter::Many(paths.into_iter().map(Into::into).collect()));
        self
    }

    /// Sets `taskType` and `taskUUID`.
    pub fn with_task(self, task_type: &str, task_uuid: &str) -> Self {
        self.with_task_type(task_type).with_task_uuid(task_uuid)
    }

    /// Sets `taskType`.
    pub fn with_task_type(mut self, task_type: &str) -> Self {
        self.task_type = Some(task_type.to_owned());
        self
    }

    /// Sets `taskUUID`.
    pub fn with_task_uuid(mut self, task_uuid: &str) -> Self {
        self.task_uuid = Some(task_uuid.to_owned());
        self
    }

    /// Sets `type`.
    pub fn with_type(mut self, error_type: impl Into<String>) -> Self {
        self.r#type = Some(error_type.into());
        self
    }

    /// Sets `documentation`.
    pub fn with_documentation(mut self, url: impl Into<String>) -> Self {
        self.documentation = Some(url.into());
        self
    }

    /// Sets `allowedValues`.
    pub fn with_allowed_values(mut self, values: Value) -> Self {
        self.allowed_values = Some(values);
        self
    }

    /// Sets `min`.
    pub fn with_min(mut self, min: impl Into<Value>) -> Self {
        self.min = Some(min.into());
        self
    }

    /// Sets `max`.
    pub fn with_max(mut self, max: impl Into<Value>) -> Self {
        self.max = Some(max.into());
        self
    }

    /// Sets `status` (Runware writes `"error"` for a failed task).
    pub fn with_status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// The HTTP status of spec §6 for this error's code.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// Reads an error object strictly: `code` and `message` must be strings; each optional
    /// member may be absent or `null`, and must otherwise have its type (`parameter` a path or
    /// paths; `allowedValues`, `min` and `max` any JSON); unknown members are ignored. `None`
    /// when a rule is broken. This is also how serde reads an `ApiError`.
    pub fn from_json(value: &Value) -> Option<ApiError> {
        let map = value.as_object()?;
        let present = |key: &str| map.get(key).filter(|v| !v.is_null());
        // `Some(None)`: absent; `None`: present with the wrong type.
        let text = |key: &str| match present(key) {
            None => Some(None),
            Some(v) => v.as_str().map(|t| Some(t.to_owned())),
        };
        Some(ApiError {
            code: ErrorCode::parse(map.get("code")?.as_str()?),
            message: map.get("message")?.as_str()?.to_owned(),
            parameter: match present("parameter") {
                None => None,
                Some(p) => Some(Parameter::from_json(p)?),
            },
            r#type: text("type")?,
            task_type: text("taskType")?,
            task_uuid: text("taskUUID")?,
            documentation: text("documentation")?,
            allowed_values: present("allowedValues").cloned(),
            min: present("min").cloned(),
            max: present("max").cloned(),
            status: text("status")?,
        })
    }

    /// Reads an error object as leniently as possible: members of the wrong type are dropped
    /// instead of failing the whole error, and a missing message is replaced by the raw JSON,
    /// so that a reply's error is always shown, never lost.
    pub fn from_value_lenient(value: &Value) -> ApiError {
        let Value::Object(map) = value else {
            let message = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            return ApiError::new(ErrorCode::Other(String::new()), message);
        };
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let present = |key: &str| map.get(key).filter(|v| !v.is_null()).cloned();
        let code = text("code").map_or(ErrorCode::Other(String::new()), |c| ErrorCode::parse(&c));
        let message = text("message").unwrap_or_else(|| value.to_string());
        let parameter = map.get("parameter").and_then(Parameter::from_json);
        ApiError {
            code,
            message,
            parameter,
            r#type: text("type"),
            task_type: text("taskType"),
            task_uuid: text("taskUUID"),
            documentation: text("documentation"),
            allowed_values: present("allowedValues"),
            min: present("min"),
            max: present("max"),
            status: text("status"),
        }
    }
}

/// Through [`ApiError::from_json`], so that serde reads an error by exactly its rules (`null` as
/// absent, unknown members ignored, a member of the wrong type refused).
impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ApiError::from_json(&value)
            .ok_or_else(|| serde::de::Error::custom("not a Runware error object"))
    }
}

/// The JSON type a field must have, for [`Rule::Type`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// A JSON string.
    String,
    /// A whole JSON number.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// An item of `inputs.frameImages`: an image string, or `{image, frame}`.
    FrameItem,
    /// An item of the legacy top-level `frameImages`: `{inputImage, frame}`.
    LegacyFrameItem,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::String => "a string",
            Expected::Integer => "a whole number",
            Expected::Number => "a number",
            Expected::Boolean => "true or false",
            Expected::Object => "an object",
            Expected::Array => "an array",
            Expected::FrameItem => "an image string or an object with \"image\" and \"frame\"",
            Expected::LegacyFrameItem => "an object with \"inputImage\" and \"frame\"",
        })
    }
}

/// The rule a value broke; paired with a path in [`FieldError`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    /// A required field is absent.
    Required,
    /// Two fields go together and only one was given (`width` and `height`).
    Together {
        /// The field that is absent.
        missing: String,
        /// The field that is present.
        present: String,
    },
    /// The API key is absent or empty.
    MissingApiKey,
    /// A key the task does not take; `suggestion` is the known key it most likely meant.
    Unknown {
        /// A known key spelt the same apart from letter case.
        suggestion: Option<&'static str>,
    },
    /// The value has the wrong JSON type.
    Type {
        /// The type the field needs.
        expected: Expected,
    },
    /// The text's length, in Unicode scalar values, is outside `min..=max`.
    Length {
        /// Fewest characters allowed.
        min: usize,
        /// Most characters allowed.
        max: usize,
        /// Characters given.
        actual: usize,
    },
    /// The number is outside `min..=max` (no upper bound when `max` is `None`).
    Range {
        /// Smallest value allowed.
        min: Number,
        /// Largest value allowed, if any.
        max: Option<Number>,
    },
    /// The number is inside its range but not a multiple of `step`.
    Step {
        /// The grid the value must lie on.
        step: Number,
        /// Smallest value allowed.
        min: Number,
        /// Largest value allowed.
        max: Number,
    },
    /// The value is not one of `allowed`.
    OneOf {
        /// The values the field may take.
        allowed: Vec<Value>,
    },
    /// `duration` is a number other than 5 or 10.
    Duration,
    /// The width/height pair is not one of spec §4.
    Dimensions {
        /// The width given.
        width: i64,
        /// The height given.
        height: i64,
    },
    /// The array holds too few or too many items.
    Items {
        /// Fewest items allowed.
        min: usize,
        /// Most items allowed.
        max: usize,
        /// Items given.
        actual: usize,
    },
    /// The string is not a UUID in its 8-4-4-4-12 form.
    Uuid,
    /// The UUID is well formed but not version 4.
    UuidVersion {
        /// The version it has.
        version: usize,
    },
    /// The string is not an absolute `http` or `https` URL.
    HttpUrl,
    /// The string is none of the image forms of spec §3.
    ImageString,
    /// The data URI is not `data:image/<type>;base64,<data>`.
    DataUri,
    /// The data URI's media type is not PNG, JPEG or WEBP.
    DataUriType {
        /// The media type given.
        found: String,
    },
    /// The base64 text is not valid standard base64.
    Base64,
    /// Two frame images are on the same position.
    SamePosition {
        /// The position both claim.
        position: FramePosition,
    },
    /// `ttl` was given with an `outputType` other than `URL`.
    TtlNeedsUrl,
    /// Frame images were given both in `inputs.frameImages` and in the legacy `frameImages`.
    TwoFrameForms,
    /// The image's bytes break a rule of spec §3 (format, size in pixels or in bytes).
    Image(ImageError),
}

impl Rule {
    /// The spec §6 code that reports this rule.
    pub fn code(&self) -> ErrorCode {
        match self {
            Rule::Required | Rule::Together { .. } => ErrorCode::MissingParameter,
            Rule::MissingApiKey => ErrorCode::MissingApiKey,
            Rule::Unknown { .. } => ErrorCode::UnknownParameter,
            Rule::Duration => ErrorCode::UnsupportedDuration,
            Rule::Dimensions { .. } => ErrorCode::UnsupportedDimensions,
            _ => ErrorCode::InvalidParameter,
        }
    }

    /// The `allowedValues` that go with this rule, if it has a closed set.
    pub fn allowed_values(&self) -> Option<Value> {
        match self {
            Rule::OneOf { allowed } => Some(Value::Array(allowed.clone())),
            Rule::Duration => Some(Value::from(vec![Value::from(5), Value::from(10)])),
            Rule::Dimensions { .. } => Some(Value::Array(
                OutputSize::ALL
                    .iter()
                    .map(|size| {
                        let mut pair = serde_json::Map::new();
                        pair.insert("width".into(), size.width().into());
                        pair.insert("height".into(), size.height().into());
                        Value::Object(pair)
                    })
                    .collect(),
            )),
            Rule::DataUriType { .. } => Some(Value::from(
                ["image/png", "image/jpeg", "image/webp"]
                    .map(Value::from)
                    .to_vec(),
            )),
            _ => None,
        }
    }

    /// The `min` and `max` that go with this rule, if it has bounds.
    pub fn bounds(&self) -> (Option<Value>, Option<Value>) {
        match self {
            Rule::Length { min, max, .. } | Rule::Items { min, max, .. } => {
                (Some(Value::from(*min)), Some(Value::from(*max)))
            }
            Rule::Range { min, max } => (
                Some(Value::Number(min.clone())),
                max.clone().map(Value::Number),
            ),
            Rule::Step { min, max, .. } => (
                Some(Value::Number(min.clone())),
                Some(Value::Number(max.clone())),
            ),
            Rule::Image(error) => error.bounds(),
            _ => (None, None),
        }
    }
}

/// A value that broke a rule: where (`parameter`) and which rule.
///
/// Its `Display` is the sentence shown to a person, the same one the server puts in `message`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct FieldError {
    /// The field path (or paths, for a rule between fields).
    pub parameter: Parameter,
    /// The rule that was broken.
    pub rule: Rule,
}

impl FieldError {
    /// A broken `rule` at one `path`.
    pub fn new(path: impl Into<String>, rule: Rule) -> Self {
        FieldError {
            parameter: Parameter::One(path.into()),
            rule,
        }
    }

    /// A broken `rule` that ties several fields together.
    pub fn between<I, S>(paths: I, rule: Rule) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        FieldError {
            parameter: Parameter::Many(paths.into_iter().map(Into::into).collect()),
            rule,
        }
    }

    /// The same rule at another path: a value type used in several places (a prompt, an image)
    /// reports a default path that the caller moves to where the value really sits.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.parameter = Parameter::One(path.into());
        self
    }

    /// The first (usually only) path.
    pub fn path(&self) -> &str {
        match &self.parameter {
            Parameter::One(path) => path,
            Parameter::Many(paths) => paths.first().map_or("", String::as_str),
        }
    }

    /// The spec §6 code for this error.
    pub fn code(&self) -> ErrorCode {
        self.rule.code()
    }

    /// This error as Runware writes it, with `allowedValues`, `min` and `max` where they apply.
    pub fn to_api_error(&self) -> ApiError {
        let (min, max) = self.rule.bounds();
        ApiError {
            parameter: Some(self.parameter.clone()),
            allowed_values: self.rule.allowed_values(),
            min,
            max,
            ..ApiError::new(self.code(), self.to_string())
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        error.to_api_error()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.parameter;
        match &self.rule {
            Rule::Required => write!(f, "{field} is required"),
            Rule::Together { missing, present } => {
                write!(
                    f,
                    "{missing} is required when {present} is given: give both or neither"
                )
            }
            Rule::MissingApiKey => write!(f, "an API key is required"),
            Rule::Unknown { suggestion: None } => {
                write!(f, "{field} is not a parameter this task takes")
            }
            Rule::Unknown {
                suggestion: Some(known),
            } => write!(
                f,
                "{field} is not a parameter this task takes; did you mean {known}?"
            ),
            Rule::Type { expected } => write!(f, "{field} must be {expected}"),
            Rule::Length { min, max, actual } => write!(
                f,
                "{field} must be {min} to {max} characters long; it has {actual}"
            ),
            Rule::Range {
                min,
                max: Some(max),
            } => write!(f, "{field} must be between {min} and {max}"),
            Rule::Range { min, max: None } => write!(f, "{field} must be at least {min}"),
            Rule::Step { step, min, max } => write!(
                f,
                "{field} must be between {min} and {max} in steps of {step} (two decimals at most)"
            ),
            Rule::OneOf { allowed } => {
                let names: Vec<String> = allowed.iter().map(Value::to_string).collect();
                match names.as_slice() {
                    [only] => write!(f, "{field} must be {only}"),
                    _ => write!(f, "{field} must be one of {}", names.join(", ")),
                }
            }
            Rule::Duration => write!(f, "{field} must be 5 or 10 seconds"),
            Rule::Dimensions { width, height } => {
                let sizes: Vec<String> = OutputSize::ALL.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "width × height {width}×{height} is not a supported size; use one of {}",
                    sizes.join(", ")
                )
            }
            Rule::Items { min, max, actual } => {
                write!(f, "{field} must hold {min} to {max} items; it has {actual}")
            }
            Rule::Uuid => write!(
                f,
                "{field} must be a UUID v4 (8-4-4-4-12 hexadecimal digits)"
            ),
            Rule::UuidVersion { version } => {
                write!(
                    f,
                    "{field} must be a UUID v4; this one is version {version}"
                )
            }
            Rule::HttpUrl => write!(f, "{field} must be an absolute http or https URL"),
            Rule::ImageString => write!(
                f,
                "{field} must be an image: a UUID v4, an http(s) URL, a data URI or base64"
            ),
            Rule::DataUri => write!(
                f,
                "{field} is not a valid data URI; expected data:image/<png|jpeg|webp>;base64,<data>"
            ),
            Rule::DataUriType { found } => write!(
                f,
                "{field} is {found}; only image/png, image/jpeg and image/webp are accepted"
            ),
            Rule::Base64 => write!(f, "{field} is not valid base64"),
            Rule::SamePosition { position } => write!(
                f,
                "two frame images are both on the {} frame; each position takes one image",
                position.as_str()
            ),
            Rule::TtlNeedsUrl => write!(f, "ttl applies only when outputType is \"URL\""),
            Rule::TwoFrameForms => write!(
                f,
                "give the frame images once: in inputs.frameImages or in the legacy frameImages, not both"
            ),
            Rule::Image(error) => write!(f, "{field}: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_objects_are_read_strictly_or_leniently() {
        let read = |v: Value| serde_json::from_value::<ApiError>(v).ok();
        let full = json!({"code": "x", "message": "m", "parameter": ["a", "b"], "min": null,
            "max": 3, "type": null});
        let error = read(full).expect("reads");
        assert_eq!(
            error.parameter,
            Some(Parameter::Many(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            (error.min, error.max, error.r#type),
            (None, Some(json!(3)), None)
        );
        for broken in [
            json!({"message": "m"}),
            json!({"code": "x", "message": null}),
            json!({"code": "x", "message": "m", "parameter": 1}),
            json!({"code": "x", "message": "m", "parameter": ["a", 1]}),
            json!({"code": "x", "message": "m", "status": false}),
            json!("m"),
        ] {
            assert_eq!(read(broken.clone()), None, "{broken}");
        }
        let lenient = ApiError::from_value_lenient(&json!({"code": "x", "parameter": 1}));
        assert_eq!(
            (lenient.message.as_str(), lenient.parameter),
            (r#"{"code":"x","parameter":1}"#, None)
        );
    }
}
