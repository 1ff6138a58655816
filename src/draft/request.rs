//! The form's values as the raw JSON task they stand for. The raw task goes through
//! `runware::validate_video_inference`, the same validator the server runs: it either becomes the
//! typed request that is sent, or yields every broken rule at its field path.
//!
//! Free-text fields are passed on as typed (a number when they read as one, the text otherwise),
//! so that the validator, not the form, decides what is wrong and says so in its own words.

use runware::{OutputSize, TaskId, path};
use serde_json::{Map, Number, Value};

use super::settings::{DraftSettings, duration_of, format_of, safety_of};

/// The frame images as wire strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameWires {
    /// The first frame's image string.
    pub first: Option<String>,
    /// The last frame's image string.
    pub last: Option<String>,
}

/// The raw `videoInference` task for `settings` at output `size`.
pub fn raw_request(
    settings: &DraftSettings,
    size: OutputSize,
    frames: FrameWires,
    task_uuid: TaskId,
) -> Value {
    // Values are made with `Value::from`, not `json!`: the macro converts every expression
    // with `to_value` and unwraps it: a serializer and a panic path per value type in the wasm.
    let mut task = Map::new();
    let mut put = |key: &str, value: Value| {
        task.insert(key.to_owned(), value);
    };
    put(path::TASK_TYPE, Value::from("videoInference"));
    put(path::TASK_UUID, Value::from(task_uuid.to_string()));
    put(path::MODEL, Value::from(runware::MODEL_ID));
    if !settings.prompt.is_empty() {
        put(path::POSITIVE_PROMPT, Value::from(settings.prompt.as_str()));
    }
    if !settings.negative_prompt.is_empty() {
        put(
            path::NEGATIVE_PROMPT,
            Value::from(settings.negative_prompt.as_str()),
        );
    }
    let items: Vec<Value> = match (frames.first, frames.last) {
        (Some(first), Some(last)) => vec![Value::from(first), Value::from(last)],
        (Some(first), None) => vec![Value::from(first)],
        // An end frame alone must say where it goes: a plain single image is the first frame.
        (None, Some(last)) => vec![object([
            ("image", Value::from(last)),
            ("frame", "last".into()),
        ])],
        (None, None) => Vec::new(),
    };
    if !items.is_empty() {
        put(path::INPUTS, object([("frameImages", Value::from(items))]));
    }
    put(path::WIDTH, Value::from(size.width()));
    put(path::HEIGHT, Value::from(size.height()));
    put(
        path::DURATION,
        Value::from(duration_of(settings.duration).seconds()),
    );
    if let Some(cfg) = number_or_text(&settings.cfg) {
        put(path::CFG_SCALE, cfg);
    }
    put(path::NUMBER_RESULTS, Value::from(settings.results));
    put(
        path::OUTPUT_FORMAT,
        Value::from(format_of(&settings.format).as_str()),
    );
    if let Some(quality) = number_or_text(&settings.quality) {
        put(path::OUTPUT_QUALITY, quality);
    }
    if settings.include_cost {
        put(path::INCLUDE_COST, Value::Bool(true));
    }
    let safety = safety_of(&settings.safety);
    if safety != runware::SafetyMode::None {
        put(path::SAFETY, object([("mode", safety.as_str().into())]));
    }
    if let Some(ttl) = number_or_text(&settings.ttl) {
        put(path::TTL, ttl);
    }
    for (key, text) in [
        (path::WEBHOOK_URL, &settings.webhook),
        (path::UPLOAD_ENDPOINT, &settings.upload),
    ] {
        let text = text.trim();
        if !text.is_empty() {
            put(key, Value::from(text));
        }
    }
    Value::Object(task)
}

/// Above this many bytes a request body is known to be refused by some proxies (a 413 with two
/// large frames, spec §3): the form warns before sending it.
pub const BODY_WARN_BYTES: usize = 30 * 1024 * 1024;

/// About how many bytes the body of `task` takes on the wire: its frame image strings, which are
/// nearly all of it, plus the rest of the task generously counted.
pub fn body_bytes(task: &Value) -> usize {
    let frames = task
        .get("inputs")
        .and_then(|i| i.get("frameImages"))
        .and_then(Value::as_array)
        .map_or(0, |items| {
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .or_else(|| item.get("image").and_then(Value::as_str))
                        .map_or(0, str::len)
                })
                .sum()
        });
    frames + 8 * 1024
}

/// A JSON object of `members`, in their order (for the one- and two-member objects above).
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in members {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// What a typed number field stands for: nothing when empty, a JSON number when it reads as one,
/// otherwise the text itself (so that the validator reports a type error, in its words).
pub fn number_or_text(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Value::from(u));
    }
    // Only plain decimal notation counts as a number: `inf`, `NaN` and `1e3` stay text.
    let number = crate::num::parse_decimal(text).and_then(Number::from_f64);
    Some(number.map_or_else(|| Value::String(text.to_owned()), Value::Number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use runware::{Aspect, Tier};
    use serde_json::json;

    fn id() -> TaskId {
        TaskId::parse("6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f").expect("a v4 id")
    }

    const URL: &str = "https://example.com/cat.png";
    const HD: OutputSize = OutputSize::from_parts(Tier::P1080, Aspect::Landscape16x9);

    #[test]
    fn the_defaults_make_a_valid_request_with_the_spec_defaults() {
        let frames = FrameWires {
            first: Some(URL.into()),
            last: None,
        };
        let settings = DraftSettings {
            prompt: "A cat".into(),
            ..DraftSettings::default()
        };
        let raw = raw_request(&settings, HD, frames, id());
        assert_eq!(
            raw,
            json!({
                "taskType": "videoInference", "taskUUID": id().to_string(), "model": "klingai:5@2",
                "positivePrompt": "A cat", "inputs": {"frameImages": [URL]}, "width": 1920, "height": 1080, "duration": 5,
                "CFGScale": 0.5, "numberResults": 1, "outputFormat": "MP4", "outputQuality": 95
            })
        );
        let request = runware::validate_video_inference(&raw).expect("valid");
        assert_eq!(request.cfg_scale.map(|c| c.hundredths()), Some(50));
    }

    #[test]
    fn every_broken_rule_comes_back_at_its_path() {
        let settings = DraftSettings {
            prompt: "x".into(),
            cfg: "1.5".into(),
            quality: "abc".into(),
            ttl: "59".into(),
            webhook: "ftp://nope".into(),
            ..DraftSettings::default()
        };
        let raw = raw_request(&settings, HD, FrameWires::default(), id());
        let errors = runware::validate_video_inference(&raw).expect_err("invalid");
        let mut paths: Vec<String> = errors
            .iter()
            .filter_map(|e| e.parameter.as_ref().map(|p| p.to_string()))
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "CFGScale",
                "inputs.frameImages",
                "outputQuality",
                "positivePrompt",
                "ttl",
                "webhookURL"
            ]
        );
    }

    #[test]
    fn frames_are_placed_by_slot() {
        let both = FrameWires {
            first: Some(URL.into()),
            last: Some(URL.replace("cat", "dog")),
        };
        let raw = raw_request(&DraftSettings::default(), HD, both, id());
        assert_eq!(
            raw["inputs"]["frameImages"].as_array().map(Vec::len),
            Some(2)
        );
        let last = FrameWires {
            first: None,
            last: Some(URL.into()),
        };
        let settings = DraftSettings {
            prompt: "A dog".into(),
            ..DraftSettings::default()
        };
        let raw = raw_request(&settings, HD, last, id());
        assert_eq!(raw["inputs"]["frameImages"][0]["frame"], "last");
        assert!(runware::validate_video_inference(&raw).is_ok());
    }

    /// The model takes no request without a prompt, and no seed: the form sends neither way.
    #[test]
    fn an_empty_prompt_is_missing_and_no_seed_is_ever_sent() {
        let frames = FrameWires {
            first: Some(URL.into()),
            last: None,
        };
        let raw = raw_request(&DraftSettings::default(), HD, frames, id());
        assert!(raw.get("positivePrompt").is_none() && raw.get("seed").is_none());
        let errors = runware::validate_video_inference(&raw).expect_err("no prompt");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code, runware::ErrorCode::MissingParameter);
        assert_eq!(
            errors[0].parameter.as_ref().map(|p| p.to_string()),
            Some("positivePrompt".into())
        );
    }

    #[test]
    fn the_body_is_counted_by_its_frames() {
        let big = "A".repeat(20 * 1024 * 1024);
        let frames = FrameWires {
            first: Some(format!("data:image/jpeg;base64,{big}")),
            last: Some(format!("data:image/jpeg;base64,{big}")),
        };
        let raw = raw_request(&DraftSettings::default(), HD, frames, id());
        assert!(body_bytes(&raw) > BODY_WARN_BYTES);
        let small = raw_request(&DraftSettings::default(), HD, FrameWires::default(), id());
        assert!(body_bytes(&small) < 16 * 1024);
    }

    #[test]
    fn typed_numbers_stay_numbers_and_the_rest_stays_text() {
        assert_eq!(number_or_text(" 42 "), Some(json!(42)));
        assert_eq!(number_or_text("0.05"), Some(json!(0.05)));
        assert_eq!(
            number_or_text("9223372036854775808"),
            Some(json!(9223372036854775808u64))
        );
        assert_eq!(number_or_text("1e3"), Some(json!("1e3")));
        assert_eq!(number_or_text("NaN"), Some(json!("NaN")));
        assert_eq!(number_or_text("  "), None);
    }
}
