//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use runware::{ApiError, Prompt, Task, VideoInference};
use serde_json::{Value, json};

/// A valid task UUID (version 4).
pub const TASK: &str = "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";
/// Image UUIDs from the model page's examples.
pub const IMAGE_A: &str = "aac49721-1964-481a-ae78-8a4e29b91402";
pub const IMAGE_B: &str = "3ad204c3-a9de-4963-8a1a-c3911e3afafe";

/// The prompt of [`base()`].
pub const PROMPT: &str = "A paper boat drifts down a rain-soaked street";

/// [`PROMPT`] as a typed prompt.
pub fn prompt() -> Prompt {
    Prompt::new(PROMPT).expect("a valid prompt")
}

/// The smallest valid raw `videoInference` task.
pub fn base() -> Value {
    json!({
        "taskType": "videoInference",
        "taskUUID": TASK,
        "model": "klingai:5@2",
        "positivePrompt": PROMPT,
        "inputs": {"frameImages": [IMAGE_A]}
    })
}

/// `base()` with one top-level member set.
pub fn with(key: &str, value: Value) -> Value {
    let mut task = base();
    task[key] = value;
    task
}

/// `base()` with `inputs.frameImages` replaced.
pub fn with_frames(frames: Value) -> Value {
    let mut task = base();
    task["inputs"]["frameImages"] = frames;
    task
}

/// Validates and expects success.
pub fn ok(raw: &Value) -> VideoInference {
    match runware::validate_video_inference(raw) {
        Ok(task) => task,
        Err(errors) => panic!("expected a valid task, got {errors:#?}"),
    }
}

/// Validates and expects failure.
pub fn errors(raw: &Value) -> Vec<ApiError> {
    match runware::validate_task(raw) {
        Ok(task) => panic!("expected errors, got {task:#?}"),
        Err(errors) => errors,
    }
}

/// Validates and expects exactly one error.
pub fn one_error(raw: &Value) -> ApiError {
    let mut errors = errors(raw);
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.remove(0)
}

/// The `parameter` of an error as a JSON value (a string or an array).
pub fn parameter(error: &ApiError) -> Value {
    serde_json::to_value(&error.parameter).expect("parameter serialises")
}

/// The task's encoding as a JSON value.
pub fn encoded(task: impl Into<Task>) -> Value {
    serde_json::to_value(task.into()).expect("a task serialises")
}

/// Reads a fixture under `tests/fixtures/`.
pub fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The names of the fixtures in `tests/fixtures/<dir>`, sorted.
pub fn fixture_names(dir: &str) -> Vec<String> {
    let full = format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&full)
        .unwrap_or_else(|e| panic!("{full}: {e}"))
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}
