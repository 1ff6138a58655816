//! The request tasks: `videoInference` (spec §2) and the small tasks around it (spec §1, §5),
//! `getTaskDetails` among them.
//!
//! Each struct writes its own `taskType`, so a struct alone is a complete wire task and [`Task`]
//! simply writes whichever struct it holds. Reading goes through the validator in every case
//! (`Deserialize` included), so a value of these types is always a valid request.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, FieldError, Rule};
use crate::fields::{
    CfgScale, DeliveryMethod, Duration, HttpUrl, Model, NumberResults, OutputFormat, OutputQuality,
    OutputSize, OutputType, Prompt, Safety, SafetyMode, TaskId, Ttl,
};
use crate::frames::{FrameImage, FrameImages, FrameInput};
use crate::path;

/// The `taskType` of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskType {
    /// `videoInference`.
    VideoInference,
    /// `getResponse`.
    GetResponse,
    /// `authentication`.
    Authentication,
    /// `ping`.
    Ping,
    /// `imageUpload`.
    ImageUpload,
    /// `getTaskDetails`.
    GetTaskDetails,
}

impl TaskType {
    /// Every task type, in the order of spec §1–§5.
    pub const ALL: [TaskType; 6] = [
        TaskType::VideoInference,
        TaskType::GetResponse,
        TaskType::Authentication,
        TaskType::Ping,
        TaskType::ImageUpload,
        TaskType::GetTaskDetails,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::VideoInference => "videoInference",
            TaskType::GetResponse => "getResponse",
            TaskType::Authentication => "authentication",
            TaskType::Ping => "ping",
            TaskType::ImageUpload => "imageUpload",
            TaskType::GetTaskDetails => "getTaskDetails",
        }
    }

    /// The task type of a wire spelling.
    pub fn parse(text: &str) -> Option<TaskType> {
        TaskType::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TaskType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The `inputs` object of a `videoInference` task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inputs {
    /// `inputs.frameImages`.
    pub frame_images: FrameImages,
}

/// A `videoInference` task for KlingAI 2.1 Pro, holding exactly the fields that were given.
///
/// `positivePrompt` and the frame images are required; absent optional fields stay `None` and
/// are not written, and the `*_or_default` accessors give the value the server uses for them
/// (spec §2). The model takes no `seed` (each result reports the seed it used) and no
/// `providerSettings`: both are unknown parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "taskType", rename = "videoInference", rename_all = "camelCase")]
pub struct VideoInference {
    /// `taskUUID`.
    #[serde(rename = "taskUUID")]
    pub task_uuid: TaskId,
    /// `model`.
    pub model: Model,
    /// `positivePrompt`.
    pub positive_prompt: Prompt,
    /// `negativePrompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<Prompt>,
    /// `inputs` (the frame images).
    pub inputs: Inputs,
    /// `width` and `height`, which go together.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub size: Option<OutputSize>,
    /// `duration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
    /// `CFGScale`.
    #[serde(rename = "CFGScale", skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<CfgScale>,
    /// `numberResults`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_results: Option<NumberResults>,
    /// `outputType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_type: Option<OutputType>,
    /// `outputFormat`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_format: Option<OutputFormat>,
    /// `outputQuality`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_quality: Option<OutputQuality>,
    /// `deliveryMethod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_method: Option<DeliveryMethod>,
    /// `webhookURL`.
    #[serde(rename = "webhookURL", skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<HttpUrl>,
    /// `uploadEndpoint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_endpoint: Option<HttpUrl>,
    /// `ttl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<Ttl>,
    /// `includeCost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_cost: Option<bool>,
    /// `safety`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety: Option<Safety>,
}

impl VideoInference {
    /// The smallest valid request: the model, one image as the first frame and the prompt;
    /// everything else is left to the server's defaults.
    pub fn new(task_uuid: TaskId, first_frame: FrameImage, prompt: Prompt) -> Self {
        VideoInference::with_frame_images(task_uuid, FrameImages::first(first_frame), prompt)
    }

    /// The smallest valid request with the given frame images and prompt.
    pub fn with_frame_images(task_uuid: TaskId, frame_images: FrameImages, prompt: Prompt) -> Self {
        VideoInference {
            task_uuid,
            model: Model::KlingAi21Pro,
            positive_prompt: prompt,
            negative_prompt: None,
            inputs: Inputs { frame_images },
            size: None,
            duration: None,
            cfg_scale: None,
            number_results: None,
            output_type: None,
            output_format: None,
            output_quality: None,
            delivery_method: None,
            webhook_url: None,
            upload_endpoint: None,
            ttl: None,
            include_cost: None,
            safety: None,
        }
    }

    /// Replaces the frame images.
    pub fn with_frames(mut self, frame_images: FrameImages) -> Self {
        self.inputs.frame_images = frame_images;
        self
    }

    /// Adds (or replaces) the last frame, keeping the first frame if there is one.
    pub fn with_last_frame(mut self, last: FrameImage) -> Self {
        self.inputs.frame_images = match self.inputs.frame_images.first_frame() {
            Some(first) => FrameImages::first_and_last(first.clone(), last),
            None => FrameImages::last_only(last),
        };
        self
    }

    /// Replaces `positivePrompt`.
    pub fn with_prompt(mut self, prompt: Prompt) -> Self {
        self.positive_prompt = prompt;
        self
    }

    /// Sets `negativePrompt`.
    pub fn with_negative_prompt(mut self, prompt: Prompt) -> Self {
        self.negative_prompt = Some(prompt);
        self
    }

    /// Sets `width` and `height`.
    pub fn with_size(mut self, size: OutputSize) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets `duration`.
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// Sets `CFGScale`.
    pub fn with_cfg_scale(mut self, cfg_scale: CfgScale) -> Self {
        self.cfg_scale = Some(cfg_scale);
        self
    }

    /// Sets `numberResults`.
    pub fn with_number_results(mut self, number_results: NumberResults) -> Self {
        self.number_results = Some(number_results);
        self
    }

    /// Sets `outputType`.
    pub fn with_output_type(mut self, output_type: OutputType) -> Self {
        self.output_type = Some(output_type);
        self
    }

    /// Sets `outputFormat`.
    pub fn with_output_format(mut self, output_format: OutputFormat) -> Self {
        self.output_format = Some(output_format);
        self
    }

    /// Sets `outputQuality`.
    pub fn with_output_quality(mut self, output_quality: OutputQuality) -> Self {
        self.output_quality = Some(output_quality);
        self
    }

    /// Sets `deliveryMethod`.
    pub fn with_delivery_method(mut self, delivery_method: DeliveryMethod) -> Self {
        self.delivery_method = Some(delivery_method);
        self
    }

    /// Sets `webhookURL`.
    pub fn with_webhook_url(mut self, url: HttpUrl) -> Self {
        self.webhook_url = Some(url);
        self
    }

    /// Sets `uploadEndpoint`.
    pub fn with_upload_endpoint(mut self, url: HttpUrl) -> Self {
        self.upload_endpoint = Some(url);
        self
    }

    /// Sets `ttl` (valid since `outputType` can only be `URL`).
    pub fn with_ttl(mut self, ttl: Ttl) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Sets `includeCost`.
    pub fn with_include_cost(mut self, include_cost: bool) -> Self {
        self.include_cost = Some(include_cost);
        self
    }

    /// Sets the `safety` object.
    pub fn with_safety(mut self, safety: Safety) -> Self {
        self.safety = Some(safety);
        self
    }

    /// Sets `safety.mode` (keeping `safety.checkContent` if set).
    pub fn with_safety_mode(mut self, mode: SafetyMode) -> Self {
        let mut safety = self.safety.unwrap_or_default();
        safety.mode = Some(mode);
        self.safety = Some(safety);
        self
    }

    /// The frame images.
    pub fn frame_images(&self) -> &FrameImages {
        &self.inputs.frame_images
    }

    /// `duration`, or the default 5 s.
    pub fn duration_or_default(&self) -> Duration {
        self.duration.unwrap_or_default()
    }

    /// `CFGScale`, or the default 0.5.
    pub fn cfg_scale_or_default(&self) -> CfgScale {
        self.cfg_scale.unwrap_or_default()
    }

    /// `numberResults`, or the default 1.
    pub fn number_results_or_default(&self) -> NumberResults {
        self.number_results.unwrap_or_default()
    }

    /// `outputType`, or the default `URL`.
    pub fn output_type_or_default(&self) -> OutputType {
        self.output_type.unwrap_or_default()
    }

    /// `outputFormat`, or the default `MP4`.
    pub fn output_format_or_default(&self) -> OutputFormat {
        self.output_format.unwrap_or_default()
    }

    /// `outputQuality`, or the default 95.
    pub fn output_quality_or_default(&self) -> OutputQuality {
        self.output_quality.unwrap_or_default()
    }

    /// `deliveryMethod`, or the default `async`.
    pub fn delivery_method_or_default(&self) -> DeliveryMethod {
        self.delivery_method.unwrap_or_default()
    }

    /// `includeCost`, or the default `false`.
    pub fn include_cost_or_default(&self) -> bool {
        self.include_cost.unwrap_or(false)
    }

    /// The safety mode in effect (spec §2: `mode` wins, `checkContent: true` means `fast`).
    pub fn safety_mode(&self) -> SafetyMode {
        self.safety.unwrap_or_default().effective_mode()
    }

    /// Decodes every inline frame image (data URI or base64) and checks it against spec §3
    /// (format, 300–2048 px per side, at most 20 MB, and an aspect ratio between 1:2.5 and
    /// 2.5:1), returning one error per image that fails, at its path, in Runware's shape with
    /// this task's `taskType` and `taskUUID`. Images given by UUID or URL are not fetched, so
    /// their pixel size is unknown and no rule about it applies.
    ///
    /// This is kept out of [`crate::validate_task`] because it decodes megabytes: the simulator
    /// calls it after validation, the app before sending a file it did not encode itself.
    pub fn check_inline_images(&self) -> Vec<ApiError> {
        let task_uuid = self.task_uuid.to_string();
        self.inputs
            .frame_images
            .items()
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let at = match item {
                    FrameInput::Plain(_) => path::frame_item(index),
                    FrameInput::Placed { .. } => path::frame_image(index),
                };
                item.image().inspect().err().map(|error| {
                    error
                        .at(at)
                        .to_api_error()
                        .with_task(TaskType::VideoInference.as_str(), &task_uuid)
                })
            })
            .collect()
    }
}

/// A `getResponse` task: poll the state of an earlier task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "taskType", rename = "getResponse")]
pub struct GetResponse {
    /// `taskUUID` of the task to poll.
    #[serde(rename = "taskUUID")]
    pub task_uuid: TaskId,
}

impl GetResponse {
    /// A poll of the task `task_uuid`.
    pub fn new(task_uuid: TaskId) -> Self {
        GetResponse { task_uuid }
    }
}

/// A `getTaskDetails` task: the original request and its response for any past task of the
/// account (spec §5.5), asked for when `getResponse` no longer knows a task the client sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "taskType", rename = "getTaskDetails")]
pub struct GetTaskDetails {
    /// `taskUUID` of the task asked about.
    #[serde(rename = "taskUUID")]
    pub task_uuid: TaskId,
}

impl GetTaskDetails {
    /// The details of the task `task_uuid`.
    pub fn new(task_uuid: TaskId) -> Self {
        GetTaskDetails { task_uuid }
    }
}

/// An `authentication` task: the API key, and the session to resume on a WebSocket reconnect.
///
/// Its `Debug` output hides the key, so it can be logged.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "taskType", rename = "authentication")]
pub struct Authentication {
    /// `apiKey`; never empty when built with [`Authentication::new`] or read by the validator.
    #[serde(rename = "apiKey")]
    pub api_key: String,
    /// `connectionSessionUUID`, to resume a WebSocket session.
    #[serde(
        rename = "connectionSessionUUID",
        skip_serializing_if = "Option::is_none"
    )]
    pub connection_session_uuid: Option<Uuid>,
}

impl Authentication {
    /// Authentication with `api_key`; an empty key is `missingApiKey`.
    pub fn new(api_key: impl Into<String>) -> Result<Self, FieldError> {
        let api_key = api_key.into();
        if api_key.is_empty() {
            return Err(FieldError::new(path::API_KEY, Rule::MissingApiKey));
        }
        Ok(Authentication {
            api_key,
            connection_session_uuid: None,
        })
    }

    /// Asks to resume the WebSocket session `session`.
    pub fn resuming(mut self, session: Uuid) -> Self {
        self.connection_session_uuid = Some(session);
        self
    }
}

impl fmt::Debug for Authentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authentication")
            .field("api_key", &"<hidden>")
            .field("connection_session_uuid", &self.connection_session_uuid)
            .finish()
    }
}

/// A `ping` task, the WebSocket keep-alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "taskType", rename = "ping")]
pub struct Ping {
    /// `ping`; `true` in every ping this crate writes.
    pub ping: bool,
}

impl Default for Ping {
    fn default() -> Self {
        Ping { ping: true }
    }
}

/// An `imageUpload` task: store an image once and refer to it by UUID afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "taskType", rename = "imageUpload")]
pub struct ImageUpload {
    /// `taskUUID`.
    #[serde(rename = "taskUUID")]
    pub task_uuid: TaskId,
    /// `image`: usually a data URI or base64.
    pub image: FrameImage,
}

impl ImageUpload {
    /// An upload of `image`.
    pub fn new(task_uuid: TaskId, image: FrameImage) -> Self {
        ImageUpload { task_uuid, image }
    }
}

/// Any request task, written with its `taskType` first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Task {
    /// `videoInference`.
    VideoInference(VideoInference),
    /// `getResponse`.
    GetResponse(GetResponse),
    /// `authentication`.
    Authentication(Authentication),
    /// `ping`.
    Ping(Ping),
    /// `imageUpload`.
    ImageUpload(ImageUpload),
    /// `getTaskDetails`.
    GetTaskDetails(GetTaskDetails),
}

impl Task {
    /// The task's type.
    pub fn task_type(&self) -> TaskType {
        match self {
            Task::VideoInference(_) => TaskType::VideoInference,
            Task::GetResponse(_) => TaskType::GetResponse,
            Task::Authentication(_) => TaskType::Authentication,
            Task::Ping(_) => TaskType::Ping,
            Task::ImageUpload(_) => TaskType::ImageUpload,
            Task::GetTaskDetails(_) => TaskType::GetTaskDetails,
        }
    }

    /// The task's `taskUUID`, for the task types that have one.
    pub fn task_uuid(&self) -> Option<TaskId> {
        match self {
            Task::VideoInference(task) => Some(task.task_uuid),
            Task::GetResponse(task) => Some(task.task_uuid),
            Task::ImageUpload(task) => Some(task.task_uuid),
            Task::GetTaskDetails(task) => Some(task.task_uuid),
            Task::Authentication(_) | Task::Ping(_) => None,
        }
    }
}

impl From<VideoInference> for Task {
    fn from(task: VideoInference) -> Self {
        Task::VideoInference(task)
    }
}

impl From<GetResponse> for Task {
    fn from(task: GetResponse) -> Self {
        Task::GetResponse(task)
    }
}

impl From<Authentication> for Task {
    fn from(task: Authentication) -> Self {
        Task::Authentication(task)
    }
}

impl From<Ping> for Task {
    fn from(task: Ping) -> Self {
        Task::Ping(task)
    }
}

impl From<ImageUpload> for Task {
    fn from(task: ImageUpload) -> Self {
        Task::ImageUpload(task)
    }
}

impl From<GetTaskDetails> for Task {
    fn from(task: GetTaskDetails) -> Self {
        Task::GetTaskDetails(task)
    }
}

/// The request body for `tasks`: always a JSON array, also for one task (spec §1).
pub fn encode(tasks: &[Task]) -> Result<String, serde_json::Error> {
    serde_json::to_string(tasks)
}

/// Implements `Deserialize` through a validator, so serde reads only valid requests; the serde
/// error holds every message, joined.
macro_rules! deserialize_with_validator {
    ($($type:ty => $validate:path),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
                $validate(&value).map_err(|errors| {
                    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                    serde::de::Error::custom(messages.join("; "))
                })
            }
        }
    )*};
}

deserialize_with_validator!(
    Task => crate::validate::validate_task,
    VideoInference => crate::validate::validate_video_inference,
    GetResponse => crate::validate::validate_get_response,
    Authentication => crate::validate::validate_authentication,
    Ping => crate::validate::validate_ping,
    ImageUpload => crate::validate::validate_image_upload,
    GetTaskDetails => crate::validate::validate_get_task_details,
);
