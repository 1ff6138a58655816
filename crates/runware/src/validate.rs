//! Validation of raw JSON tasks as a server receives them: every broken rule is reported at once,
//! each at its field path, in Runware's error shape with the task's `taskType` and `taskUUID`.

use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode, Expected, FieldError, Rule};
use crate::fields::{
    CfgScale, DeliveryMethod, Duration, HttpUrl, Model, NumberResults, OutputFormat, OutputQuality,
    OutputSize, OutputType, Prompt, Safety, TaskId, Ttl, parse_hyphenated, sorted_keys,
    unknown_key,
};
use crate::frames::{FrameImage, FrameImages, frame_input_from_json};
use crate::json;
use crate::path;
use crate::request::{
    Authentication, GetResponse, GetTaskDetails, ImageUpload, Inputs, Ping, Task, TaskType,
    VideoInference,
};

/// The top-level keys a `videoInference` task may hold (spec §2, plus the legacy `frameImages`).
/// `seed` and `providerSettings` are not among them: this model takes neither.
const VIDEO_INFERENCE_KEYS: [&str; 21] = [
    path::TASK_TYPE,
    path::TASK_UUID,
    path::MODEL,
    path::INPUTS,
    path::LEGACY_FRAME_IMAGES,
    path::POSITIVE_PROMPT,
    path::NEGATIVE_PROMPT,
    path::WIDTH,
    path::HEIGHT,
    path::DURATION,
    path::CFG_SCALE,
    path::NUMBER_RESULTS,
    path::OUTPUT_TYPE,
    path::OUTPUT_FORMAT,
    path::OUTPUT_QUALITY,
    path::DELIVERY_METHOD,
    path::WEBHOOK_URL,
    path::UPLOAD_ENDPOINT,
    path::TTL,
    path::INCLUDE_COST,
    path::SAFETY,
];

/// Validates one raw task of any type, dispatching on `taskType`.
pub fn validate_task(raw: &Value) -> Result<Task, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let task_type = json::member(map, path::TASK_TYPE);
    match task_type.and_then(Value::as_str).and_then(TaskType::parse) {
        Some(TaskType::VideoInference) => validate_video_inference(raw).map(Task::VideoInference),
        Some(TaskType::GetResponse) => validate_get_response(raw).map(Task::GetResponse),
        Some(TaskType::Authentication) => validate_authentication(raw).map(Task::Authentication),
        Some(TaskType::Ping) => validate_ping(raw).map(Task::Ping),
        Some(TaskType::ImageUpload) => validate_image_upload(raw).map(Task::ImageUpload),
        Some(TaskType::GetTaskDetails) => validate_get_task_details(raw).map(Task::GetTaskDetails),
        None => {
            let error = match task_type {
                None => FieldError::new(path::TASK_TYPE, Rule::Required),
                Some(_) => json::not_one_of(path::TASK_TYPE, &TaskType::ALL.map(TaskType::as_str)),
            };
            Err(with_context(vec![error], map))
        }
    }
}

/// Validates a request body: a JSON array of tasks (spec §1), each validated on its own.
///
/// A body that is not an array is refused as a whole, with one error.
pub fn validate_body(raw: &Value) -> Result<Vec<Result<Task, Vec<ApiError>>>, Vec<ApiError>> {
    let tasks = raw.as_array().ok_or_else(|| {
        vec![ApiError::new(
            ErrorCode::InvalidParameter,
            "the request body must be a JSON array of tasks, also for a single task",
        )]
    })?;
    Ok(tasks.iter().map(validate_task).collect())
}

/// Validates a raw `videoInference` task (spec §2–§4): `positivePrompt` is required, `seed` and
/// `providerSettings` are unknown parameters. Inline images are checked for their form here and
/// for their bytes by [`VideoInference::check_inline_images`].
pub fn validate_video_inference(raw: &Value) -> Result<VideoInference, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let mut c = Checker::new(map);
    c.task_type(TaskType::VideoInference);
    let task_uuid = c.required(path::TASK_UUID, TaskId::from_json);
    let model = c.required(path::MODEL, Model::from_json);
    let frame_images = c.frame_images();
    let positive_prompt = c.required(path::POSITIVE_PROMPT, Prompt::from_json);
    let negative_prompt = c.optional(path::NEGATIVE_PROMPT, |v| {
        Prompt::from_json(v).map_err(|e| e.at(path::NEGATIVE_PROMPT))
    });
    let size = c.size();
    let duration = c.optional(path::DURATION, Duration::from_json);
    let cfg_scale = c.optional(path::CFG_SCALE, CfgScale::from_json);
    let number_results = c.optional(path::NUMBER_RESULTS, NumberResults::from_json);
    let output_type = c.optional(path::OUTPUT_TYPE, OutputType::from_json);
    let output_format = c.optional(path::OUTPUT_FORMAT, OutputFormat::from_json);
    let output_quality = c.optional(path::OUTPUT_QUALITY, OutputQuality::from_json);
    let delivery_method = c.optional(path::DELIVERY_METHOD, DeliveryMethod::from_json);
    let webhook_url = c.optional(path::WEBHOOK_URL, |v| {
        HttpUrl::from_json_at(v, path::WEBHOOK_URL)
    });
    let upload_endpoint = c.optional(path::UPLOAD_ENDPOINT, |v| {
        HttpUrl::from_json_at(v, path::UPLOAD_ENDPOINT)
    });
    let ttl = c.optional(path::TTL, Ttl::from_json);
    let include_cost = c.optional(path::INCLUDE_COST, |v| json::boolean(v, path::INCLUDE_COST));
    let safety = c.optional_many(path::SAFETY, Safety::from_json);
    c.ttl_needs_url();
    c.unknown_keys("", &VIDEO_INFERENCE_KEYS);
    match (task_uuid, model, frame_images, positive_prompt) {
        (Some(task_uuid), Some(model), Some(frame_images), Some(positive_prompt))
            if c.errors.is_empty() =>
        {
            Ok(VideoInference {
                task_uuid,
                model,
                positive_prompt,
                negative_prompt,
                inputs: Inputs { frame_images },
                size,
                duration,
                cfg_scale,
                number_results,
                output_type,
                output_format,
                output_quality,
                delivery_method,
                webhook_url,
                upload_endpoint,
                ttl,
                include_cost,
                safety,
            })
        }
        _ => Err(c.finish()),
    }
}

/// Validates a raw `getResponse` task.
pub fn validate_get_response(raw: &Value) -> Result<GetResponse, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let mut c = Checker::new(map);
    c.task_type(TaskType::GetResponse);
    let task_uuid = c.required(path::TASK_UUID, TaskId::from_json);
    c.unknown_keys("", &[path::TASK_TYPE, path::TASK_UUID]);
    match task_uuid {
        Some(task_uuid) if c.errors.is_empty() => Ok(GetResponse { task_uuid }),
        _ => Err(c.finish()),
    }
}

/// Validates a raw `getTaskDetails` task.
pub fn validate_get_task_details(raw: &Value) -> Result<GetTaskDetails, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let mut c = Checker::new(map);
    c.task_type(TaskType::GetTaskDetails);
    let task_uuid = c.required(path::TASK_UUID, TaskId::from_json);
    c.unknown_keys("", &[path::TASK_TYPE, path::TASK_UUID]);
    match task_uuid {
        Some(task_uuid) if c.errors.is_empty() => Ok(GetTaskDetails { task_uuid }),
        _ => Err(c.finish()),
    }
}

/// Validates a raw `authentication` task; an absent or empty `apiKey` is `missingApiKey`.
pub fn validate_authentication(raw: &Value) -> Result<Authentication, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let mut c = Checker::new(map);
    c.task_type(TaskType::Authentication);
    let api_key = match json::member(map, path::API_KEY) {
        None => {
            c.errors
                .push(FieldError::new(path::API_KEY, Rule::MissingApiKey));
            None
        }
        Some(value) => json::string(value, path::API_KEY)
            .and_then(Authentication::new)
            .map_err(|e| c.errors.push(e))
            .ok(),
    };
    let session = c.optional(path::CONNECTION_SESSION_UUID, |v| {
        let text = json::string(v, path::CONNECTION_SESSION_UUID)?;
        parse_hyphenated(text)
            .ok_or_else(|| FieldError::new(path::CONNECTION_SESSION_UUID, Rule::Uuid))
    });
    c.unknown_keys(
        "",
        &[
            path::TASK_TYPE,
            path::API_KEY,
            path::CONNECTION_SESSION_UUID,
        ],
    );
    match api_key {
        Some(auth) if c.errors.is_empty() => Ok(Authentication {
            connection_session_uuid: session,
            ..auth
        }),
        _ => Err(c.finish()),
    }
}

/// Validates a raw `ping` task.
pub fn validate_ping(raw: &Value) -> Result<Ping, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let mut c = Checker::new(map);
    c.task_type(TaskType::Ping);
    let ping = c.required(path::PING, |v| json::boolean(v, path::PING));
    c.unknown_keys("", &[path::TASK_TYPE, path::PING]);
    match ping {
        Some(ping) if c.errors.is_empty() => Ok(Ping { ping }),
        _ => Err(c.finish()),
    }
}

/// Validates a raw `imageUpload` task.
pub fn validate_image_upload(raw: &Value) -> Result<ImageUpload, Vec<ApiError>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![not_an_object()]);
    };
    let mut c = Checker::new(map);
    c.task_type(TaskType::ImageUpload);
    let task_uuid = c.required(path::TASK_UUID, TaskId::from_json);
    let image = c.required(path::IMAGE, |v| FrameImage::from_json_at(v, path::IMAGE));
    c.unknown_keys("", &[path::TASK_TYPE, path::TASK_UUID, path::IMAGE]);
    match (task_uuid, image) {
        (Some(task_uuid), Some(image)) if c.errors.is_empty() => {
            Ok(ImageUpload { task_uuid, image })
        }
        _ => Err(c.finish()),
    }
}

/// The error for a task that is not a JSON object at all.
fn not_an_object() -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, "a task must be a JSON object")
}

/// Turns field errors into Runware errors carrying the task's `taskType` and `taskUUID`, taken
/// verbatim from the raw task when they are strings (even a broken `taskUUID` helps the client
/// match the error to what it sent).
fn with_context(errors: Vec<FieldError>, map: &Map<String, Value>) -> Vec<ApiError> {
    let text = |key| json::member(map, key).and_then(Value::as_str);
    let task_type = text(path::TASK_TYPE);
    let task_uuid = text(path::TASK_UUID);
    errors
        .iter()
        .map(|error| {
            let mut api = error.to_api_error();
            api.task_type = task_type.map(str::to_owned);
            api.task_uuid = task_uuid.map(str::to_owned);
            api
        })
        .collect()
}

/// Collects the errors of one task while its fields are read.
struct Checker<'a> {
    map: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Checker<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Checker {
            map,
            errors: Vec::new(),
        }
    }

    fn finish(self) -> Vec<ApiError> {
        with_context(self.errors, self.map)
    }

    fn member(&self, key: &str) -> Option<&'a Value> {
        json::member(self.map, key)
    }

    /// `taskType` must be present and be `expected`.
    fn task_type(&mut self, expected: TaskType) {
        match self.member(path::TASK_TYPE) {
            None => self
                .errors
                .push(FieldError::new(path::TASK_TYPE, Rule::Required)),
            Some(value) if value.as_str() == Some(expected.as_str()) => {}
            Some(_) => self
                .errors
                .push(json::not_one_of(path::TASK_TYPE, &[expected.as_str()])),
        }
    }

    fn optional<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(&Value) -> Result<T, FieldError>,
    ) -> Option<T> {
        let value = self.member(key)?;
        read(value).map_err(|e| self.errors.push(e)).ok()
    }

    fn optional_many<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(&Value) -> Result<T, Vec<FieldError>>,
    ) -> Option<T> {
        let value = self.member(key)?;
        read(value).map_err(|e| self.errors.extend(e)).ok()
    }

    fn required<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(&Value) -> Result<T, FieldError>,
    ) -> Option<T> {
        if self.member(key).is_none() {
            self.errors.push(FieldError::new(key, Rule::Required));
            return None;
        }
        self.optional(key, read)
    }

    /// `unknownParameter` for every key not in `known`, in a fixed order; `prefix` is the path of
    /// the object the keys belong to.
    fn unknown_keys(&mut self, prefix: &str, known: &[&'static str]) {
        let map = if prefix.is_empty() {
            Some(self.map)
        } else {
            self.member(prefix).and_then(Value::as_object)
        };
        let Some(map) = map else {
            return;
        };
        for key in sorted_keys(map) {
            if !known.contains(&key) {
                let at = if prefix.is_empty() {
                    key.to_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                self.errors.push(unknown_key(&at, key, known));
            }
        }
    }

    /// `width` and `height`: both or neither, and then one of the six pairs.
    fn size(&mut self) -> Option<OutputSize> {
        let mut side = |key: &str| {
            let value = self.member(key)?;
            let read = json::integer(value).ok_or_else(|| {
                FieldError::new(
                    key,
                    Rule::Type {
                        expected: Expected::Integer,
                    },
                )
            });
            // Out-of-range sides are clamped only for the message; no such pair exists anyway.
            Some(
                read.map(|n| n.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
                    .map_err(|e| self.errors.push(e))
                    .ok(),
            )
        };
        let width = side(path::WIDTH);
        let height = side(path::HEIGHT);
        let together = |missing: &str, present: &str| {
            FieldError::between(
                [path::WIDTH, path::HEIGHT],
                Rule::Together {
                    missing: missing.to_owned(),
                    present: present.to_owned(),
                },
            )
        };
        match (width, height) {
            (None, None) => None,
            (Some(_), None) => {
                self.errors.push(together(path::HEIGHT, path::WIDTH));
                None
            }
            (None, Some(_)) => {
                self.errors.push(together(path::WIDTH, path::HEIGHT));
                None
            }
            (Some(Some(width)), Some(Some(height))) => OutputSize::from_pixels(width, height)
                .map_err(|e| self.errors.push(e))
                .ok(),
            (Some(_), Some(_)) => None,
        }
    }

    /// `ttl` only with `outputType` `URL`: the type error on `outputType` alone would not say
    /// why `ttl` is refused too.
    fn ttl_needs_url(&mut self) {
        let output_type = self.member(path::OUTPUT_TYPE);
        if self.member(path::TTL).is_some()
            && output_type.is_some_and(|t| t.as_str() != Some(OutputType::Url.as_str()))
        {
            self.errors.push(FieldError::between(
                [path::TTL, path::OUTPUT_TYPE],
                Rule::TtlNeedsUrl,
            ));
        }
    }

    /// `inputs.frameImages`, or the legacy top-level `frameImages`, but not both.
    fn frame_images(&mut self) -> Option<FrameImages> {
        let mut modern = None;
        let mut inputs_broken = false;
        if let Some(inputs) = self.member(path::INPUTS) {
            match inputs.as_object() {
                Some(inputs) => {
                    modern = json::member(inputs, "frameImages");
                    self.unknown_keys(path::INPUTS, &["frameImages"]);
                }
                None => {
                    inputs_broken = true;
                    self.errors.push(FieldError::new(
                        path::INPUTS,
                        Rule::Type {
                            expected: Expected::Object,
                        },
                    ));
                }
            }
        }
        let legacy = self.member(path::LEGACY_FRAME_IMAGES);
        match (modern, legacy) {
            (Some(modern), Some(legacy)) => {
                self.errors.push(FieldError::between(
                    [path::FRAME_IMAGES, path::LEGACY_FRAME_IMAGES],
                    Rule::TwoFrameForms,
                ));
                self.frame_list(modern, path::FRAME_IMAGES, false);
                self.frame_list(legacy, path::LEGACY_FRAME_IMAGES, true);
                None
            }
            (Some(modern), None) => self.frame_list(modern, path::FRAME_IMAGES, false),
            (None, Some(legacy)) => self.frame_list(legacy, path::LEGACY_FRAME_IMAGES, true),
            (None, None) => {
                if !inputs_broken {
                    self.errors
                        .push(FieldError::new(path::FRAME_IMAGES, Rule::Required));
                }
                None
            }
        }
    }

    /// One frame list, every item checked, then its length and positions.
    fn frame_list(&mut self, value: &Value, base: &str, legacy: bool) -> Option<FrameImages> {
        let Some(items) = value.as_array() else {
            self.errors.push(FieldError::new(
                base,
                Rule::Type {
                    expected: Expected::Array,
                },
            ));
            return None;
        };
        let mut inputs = Vec::with_capacity(items.len());
        let mut broken = false;
        for (index, item) in items.iter().enumerate() {
            match frame_input_from_json(item, &format!("{base}[{index}]"), legacy) {
                Ok(input) => inputs.push(input),
                Err(errors) => {
                    broken = true;
                    self.errors.extend(errors);
                }
            }
        }
        if !(FrameImages::MIN..=FrameImages::MAX).contains(&items.len()) {
            self.errors.push(FieldError::new(
                base,
                Rule::Items {
                    min: FrameImages::MIN,
                    max: FrameImages::MAX,
                    actual: items.len(),
                },
            ));
            return None;
        }
        if broken {
            return None;
        }
        FrameImages::new_at(inputs, base)
            .map_err(|e| self.errors.push(e))
            .ok()
    }
}
