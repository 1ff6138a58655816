//! Reply decoding (spec §1, §5, §6) and the fold of a task's replies into its state.
//!
//! Decoding is tolerant by design: unknown members are ignored, unknown statuses and error codes
//! are kept as data, members of the wrong type are dropped rather than failing the reply, and an
//! item that fits no known shape is kept whole as [`Item::Unknown`]. Whatever the bytes,
//! [`decode`] returns; when they are not a reply, the error keeps them.

use std::borrow::Cow;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::fields::NumberResults;

/// The `status` of a video result; statuses the spec does not name are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// `processing`: still running.
    Processing,
    /// `success`: this result is done.
    Success,
    /// `error`: the task failed.
    Error,
    /// Any other status (`queued`, `pending`, …), which means "still running".
    Other(String),
}

impl Status {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Processing => "processing",
            Status::Success => "success",
            Status::Error => "error",
            Status::Other(status) => status,
        }
    }

    /// Reads a wire status.
    pub fn parse(status: &str) -> Status {
        match status {
            "processing" => Status::Processing,
            "success" => Status::Success,
            "error" => Status::Error,
            other => Status::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One `videoInference` item of a reply: a result still running, or one finished video.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "taskType", rename = "videoInference")]
pub struct VideoResult {
    /// `taskUUID`, verbatim.
    #[serde(rename = "taskUUID")]
    pub task_uuid: String,
    /// `status`.
    pub status: Status,
    /// `videoUUID`.
    #[serde(rename = "videoUUID", skip_serializing_if = "Option::is_none")]
    pub video_uuid: Option<String>,
    /// `videoURL`.
    #[serde(rename = "videoURL", skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// `imageUUID`, which some Runware video replies carry as well.
    #[serde(rename = "imageUUID", skip_serializing_if = "Option::is_none")]
    pub image_uuid: Option<String>,
    /// `seed` used for this result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// `cost` in USD, present with `includeCost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// `NSFWContent`, present when safety checking ran.
    #[serde(rename = "NSFWContent", skip_serializing_if = "Option::is_none")]
    pub nsfw_content: Option<bool>,
}

impl VideoResult {
    /// A `processing` item for `task_uuid`.
    pub fn processing(task_uuid: impl Into<String>) -> Self {
        VideoResult {
            task_uuid: task_uuid.into(),
            status: Status::Processing,
            video_uuid: None,
            video_url: None,
            image_uuid: None,
            seed: None,
            cost: None,
            nsfw_content: None,
        }
    }

    /// A `success` item: one finished video.
    pub fn success(
        task_uuid: impl Into<String>,
        video_uuid: impl Into<String>,
        video_url: impl Into<String>,
        seed: i64,
    ) -> Self {
        VideoResult {
            status: Status::Success,
            video_uuid: Some(video_uuid.into()),
            video_url: Some(video_url.into()),
            seed: Some(seed),
            ..VideoResult::processing(task_uuid)
        }
    }

    /// Sets `cost`.
    pub fn with_cost(mut self, cost: f64) -> Self {
        self.cost = Some(cost);
        self
    }

    /// Sets `NSFWContent`.
    pub fn with_nsfw_content(mut self, nsfw: bool) -> Self {
        self.nsfw_content = Some(nsfw);
        self
    }

    /// Whether this item is a finished video.
    pub fn is_success(&self) -> bool {
        self.status == Status::Success
    }

    /// Reads a video item from JSON; `None` when it is not one (see [`Item::from_value`]).
    pub fn from_value(value: &Value) -> Option<VideoResult> {
        match Item::from_value(value) {
            Item::Video(video) => Some(video),
            _ => None,
        }
    }

    /// Reads a video item; `None` without a `taskUUID`. An item with a video but no `status`
    /// counts as a success: the video is there, whatever the server forgot to say.
    fn from_map(map: &Map<String, Value>) -> Option<VideoResult> {
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let task_uuid = text("taskUUID")?;
        let video_uuid = text("videoUUID");
        let video_url = text("videoURL");
        let status = match text("status") {
            Some(status) => Status::parse(&status),
            None if video_uuid.is_some() || video_url.is_some() => Status::Success,
            None => return None,
        };
        Some(VideoResult {
            task_uuid,
            status,
            video_uuid,
            video_url,
            image_uuid: text("imageUUID"),
            seed: map.get("seed").and_then(Value::as_i64),
            cost: map.get("cost").and_then(Value::as_f64),
            nsfw_content: map.get("NSFWContent").and_then(Value::as_bool),
        })
    }
}

/// One item of a reply's `data`.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A `videoInference` result (processing, success or another status).
    Video(VideoResult),
    /// The answer to `authentication`.
    Authentication {
        /// `connectionSessionUUID`, to resume the WebSocket session later.
        connection_session_uuid: String,
    },
    /// The answer to `ping`.
    Pong,
    /// The answer to `imageUpload`.
    ImageUpload {
        /// `taskUUID` of the upload task.
        task_uuid: String,
        /// `imageUUID`, usable as a frame image afterwards.
        image_uuid: String,
        /// `imageURL`, when the server gives one.
        image_url: Option<String>,
    },
    /// An acknowledgement: a task was accepted (`{"taskType": …, "taskUUID": …}` and nothing else).
    Ack {
        /// `taskType` of the accepted task.
        task_type: String,
        /// `taskUUID` of the accepted task.
        task_uuid: String,
    },
    /// An item of no known shape, kept whole.
    Unknown(Value),
}

impl Item {
    /// Reads one item; anything unrecognised becomes [`Item::Unknown`].
    pub fn from_value(value: &Value) -> Item {
        let Some(map) = value.as_object() else {
            return Item::Unknown(value.clone());
        };
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let task_type = text("taskType");
        let recognised = match task_type.as_deref() {
            Some("authentication") => {
                text("connectionSessionUUID").map(|connection_session_uuid| Item::Authentication {
                    connection_session_uuid,
                })
            }
            Some("ping") => Some(Item::Pong),
            Some("imageUpload") => match (text("taskUUID"), text("imageUUID")) {
                (Some(task_uuid), Some(image_uuid)) => Some(Item::ImageUpload {
                    task_uuid,
                    image_uuid,
                    image_url: text("imageURL"),
                }),
                _ => ack(map),
            },
            // `getResponse` replies carry the polled task's own type, but a server that echoes
            // the poll's type still means a video item; an item without a type is read the same.
            Some("videoInference" | "getResponse") | None => VideoResult::from_map(map)
                .map(Item::Video)
                .or_else(|| ack(map)),
            Some(_) => ack(map),
        };
        recognised.unwrap_or_else(|| Item::Unknown(value.clone()))
    }

    /// The `taskUUID` the item is about, if it has one.
    pub fn task_uuid(&self) -> Option<&str> {
        match self {
            Item::Video(video) => Some(&video.task_uuid),
            Item::ImageUpload { task_uuid, .. } | Item::Ack { task_uuid, .. } => Some(task_uuid),
            Item::Unknown(value) => value.get("taskUUID").and_then(Value::as_str),
            Item::Authentication { .. } | Item::Pong => None,
        }
    }
}

/// An acknowledgement: exactly `taskType` and `taskUUID`, both strings.
fn ack(map: &Map<String, Value>) -> Option<Item> {
    if map.len() != 2 {
        return None;
    }
    let task_type = map.get("taskType")?.as_str()?.to_owned();
    let task_uuid = map.get("taskUUID")?.as_str()?.to_owned();
    Some(Item::Ack {
        task_type,
        task_uuid,
    })
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Item::Video(video) => video.serialize(serializer),
            Item::Unknown(value) => value.serialize(serializer),
            Item::Authentication {
                connection_session_uuid,
            } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("taskType", "authentication")?;
                map.serialize_entry("connectionSessionUUID", connection_session_uuid)?;
                map.end()
            }
            Item::Pong => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("taskType", "ping")?;
                map.serialize_entry("pong", &true)?;
                map.end()
            }
            Item::ImageUpload {
                task_uuid,
                image_uuid,
                image_url,
            } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("taskType", "imageUpload")?;
                map.serialize_entry("taskUUID", task_uuid)?;
                map.serialize_entry("imageUUID", image_uuid)?;
                if let Some(url) = image_url {
                    map.serialize_entry("imageURL", url)?;
                }
                map.end()
            }
            Item::Ack {
                task_type,
                task_uuid,
            } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("taskType", task_type)?;
                map.serialize_entry("taskUUID", task_uuid)?;
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Item::from_value(&value))
    }
}

impl<'de> serde::Deserialize<'de> for VideoResult {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        VideoResult::from_value(&value)
            .ok_or_else(|| serde::de::Error::custom("not a videoInference result item"))
    }
}

impl From<VideoResult> for Item {
    fn from(video: VideoResult) -> Self {
        Item::Video(video)
    }
}

/// A decoded reply: its `data` items and its `errors`, either or both possibly empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    /// The items of `data` (one item when `data` was an object).
    pub data: Vec<Item>,
    /// The entries of `errors` (or of the legacy `error`).
    pub errors: Vec<ApiError>,
}

impl Reply {
    /// A reply with items only: `{"data":[…]}`.
    pub fn success(data: Vec<Item>) -> Self {
        Reply {
            data,
            errors: Vec::new(),
        }
    }

    /// A reply with errors only: `{"errors":[…]}`.
    pub fn failure(errors: Vec<ApiError>) -> Self {
        Reply {
            data: Vec::new(),
            errors,
        }
    }

    /// Reads a reply from JSON: `None` when it has none of `data`, `errors` or `error`.
    pub fn from_value(value: &Value) -> Option<Reply> {
        let map = value.as_object()?;
        let (data, errors, error) = (map.get("data"), map.get("errors"), map.get("error"));
        if data.is_none() && errors.is_none() && error.is_none() {
            return None;
        }
        let mut reply = Reply::default();
        for item in data.map(as_list).unwrap_or_default() {
            reply.data.push(Item::from_value(item));
        }
        for entry in [errors, error].into_iter().flatten().flat_map(as_list) {
            reply.errors.push(ApiError::from_value_lenient(entry));
        }
        Some(reply)
    }

    /// The video items, of any task.
    pub fn videos(&self) -> impl Iterator<Item = &VideoResult> {
        self.data.iter().filter_map(|item| match item {
            Item::Video(video) => Some(video),
            _ => None,
        })
    }

    /// The errors about `task_uuid` (compared without regard to letter case).
    pub fn errors_for<'a>(&'a self, task_uuid: &'a str) -> impl Iterator<Item = &'a ApiError> {
        self.errors.iter().filter(move |e| {
            e.task_uuid
                .as_deref()
                .is_some_and(|t| same_task(t, task_uuid))
        })
    }

    /// The items about `task_uuid` (compared without regard to letter case).
    pub fn items_for<'a>(&'a self, task_uuid: &'a str) -> impl Iterator<Item = &'a Item> {
        self.data
            .iter()
            .filter(move |item| item.task_uuid().is_some_and(|t| same_task(t, task_uuid)))
    }
}

/// `data`/`errors` as a list: an array's elements, an object alone, nothing for `null`.
fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn same_task(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl Serialize for Reply {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `data` is written when there are items, or when there is nothing at all (an empty
        // success); `errors` only when there are errors.
        let with_data = !self.data.is_empty() || self.errors.is_empty();
        let mut map = serializer.serialize_map(None)?;
        if with_data {
            map.serialize_entry("data", &self.data)?;
        }
        if !self.errors.is_empty() {
            map.serialize_entry("errors", &self.errors)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Reply {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Reply::from_value(&value)
            .ok_or_else(|| serde::de::Error::custom("a reply needs data, errors or error"))
    }
}

/// Bytes that are not a reply; the body is kept for the log and the message shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The body is not JSON (an HTML error page, a cut-off body, …).
    #[error("the reply is not JSON: {reason}")]
    NotJson {
        /// The raw body.
        body: Vec<u8>,
        /// What the JSON reader said.
        reason: String,
    },
    /// The body is JSON but has none of `data`, `errors` or `error`.
    #[error("the reply has no data and no errors")]
    NotAReply {
        /// The raw body.
        body: Vec<u8>,
    },
}

impl DecodeError {
    /// The raw body.
    pub fn body(&self) -> &[u8] {
        match self {
            DecodeError::NotJson { body, .. } | DecodeError::NotAReply { body } => body,
        }
    }

    /// The raw body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.body())
    }
}

/// Decodes a reply body (REST) or message (WebSocket). Never panics.
///
/// JSON is UTF-8 text, so bytes that are not UTF-8 are not JSON (the reason then says where the
/// text breaks). The text is read with `from_str`, the JSON reader the browser app uses
/// everywhere else: `from_slice` would put a second copy of the parser into it.
pub fn decode(bytes: &[u8]) -> Result<Reply, DecodeError> {
    let value = std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Value>(text).map_err(|e| e.to_string()))
        .map_err(|reason| DecodeError::NotJson {
            body: bytes.to_vec(),
            reason,
        })?;
    Reply::from_value(&value).ok_or_else(|| DecodeError::NotAReply {
        body: bytes.to_vec(),
    })
}

/// Where a task stands, folded from its replies (spec §5.4).
#[derive(Debug, Clone, PartialEq)]
pub enum TaskState {
    /// Still running: `done` of `of` results are finished.
    Processing {
        /// Finished results so far.
        done: usize,
        /// `numberResults` of the task.
        of: usize,
    },
    /// Every result is finished.
    Done {
        /// The finished results, in the order first seen.
        results: Vec<VideoResult>,
    },
    /// The task failed.
    Failed {
        /// The error the server gave (boxed: an error is far larger than the other states).
        error: Box<ApiError>,
    },
}

impl TaskState {
    /// Whether the task is over (done or failed).
    pub fn is_finished(&self) -> bool {
        !matches!(self, TaskState::Processing { .. })
    }
}

/// The running fold of one task's replies, for a poller that sees them one at a time.
///
/// Each `getResponse` reply holds the task's full state, so the same video may be seen many
/// times: results are kept once each, by `videoUUID` (or `videoURL`, or the whole item). The first
/// terminal state sticks: an error after the last video, or a video after an error, changes
/// nothing. Errors without a `taskUUID` cannot be told apart between tasks polled together and
/// are left to the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskProgress {
    task_uuid: String,
    of: usize,
    results: Vec<VideoResult>,
    error: Option<ApiError>,
}

impl TaskProgress {
    /// The progress of task `task_uuid`, asked for `number_results` videos, before any reply.
    pub fn new(task_uuid: impl Into<String>, number_results: NumberResults) -> Self {
        TaskProgress {
            task_uuid: task_uuid.into(),
            of: usize::from(number_results.get()),
            results: Vec::new(),
            error: None,
        }
    }

    /// Takes in one reply (items and errors of other tasks are ignored).
    pub fn observe(&mut self, reply: &Reply) {
        let task_uuid = self.task_uuid.clone();
        for item in reply.items_for(&task_uuid) {
            if self.is_finished() {
                return;
            }
            let Item::Video(video) = item else {
                continue;
            };
            match video.status {
                Status::Success => {
                    if !self.results.iter().any(|seen| same_video(seen, video)) {
                        self.results.push(video.clone());
                    }
                }
                Status::Error => {
                    self.error = Some(
                        ApiError::new(
                            ErrorCode::Other(String::new()),
                            "the task failed without an error message",
                        )
                        .with_task(crate::TaskType::VideoInference.as_str(), &video.task_uuid)
                        .with_status("error"),
                    );
                }
                Status::Processing | Status::Other(_) => {}
            }
        }
        if self.is_finished() {
            return;
        }
        if let Some(error) = reply.errors_for(&task_uuid).next() {
            self.error = Some(error.clone());
        }
    }

    /// Whether the task is over (every result in, or an error).
    pub fn is_finished(&self) -> bool {
        self.results.len() >= self.of || self.error.is_some()
    }

    /// The state so far.
    pub fn state(&self) -> TaskState {
        if self.results.len() >= self.of {
            TaskState::Done {
                results: self.results.clone(),
            }
        } else if let Some(error) = &self.error {
            TaskState::Failed {
                error: Box::new(error.clone()),
            }
        } else {
            TaskState::Processing {
                done: self.results.len(),
                of: self.of,
            }
        }
    }

    /// The finished results so far (also those of a task that failed part-way).
    pub fn results(&self) -> &[VideoResult] {
        &self.results
    }
}

fn same_video(a: &VideoResult, b: &VideoResult) -> bool {
    match (&a.video_uuid, &b.video_uuid, &a.video_url, &b.video_url) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Folds every reply seen for task `task_uuid`, asked for `number_results` videos, into its state.
pub fn fold<'a, I>(task_uuid: &str, number_results: NumberResults, replies: I) -> TaskState
where
    I: IntoIterator<Item = &'a Reply>,
{
    let mut progress = TaskProgress::new(task_uuid, number_results);
    for reply in replies {
        progress.observe(reply);
    }
    progress.state()
}
