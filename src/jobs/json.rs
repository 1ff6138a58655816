//! The journal's JSON shape of a job, written and read by hand through [`serde_json::Value`].
//!
//! The journal (IndexedDB), the export file and the messages between tabs all carry jobs in
//! this one shape. Going through `Value`, whose reader and writer the app needs anyway, instead
//! of serde derives keeps their generated (de)serializers out of the wasm (8 KB of the brotli
//! bundle when measured).
//!
//! The shape is the one the derives used to write (camelCase members, `null` for an absent
//! optional), so every journal and export already stored reads back. Reading is as strict as
//! before where it matters: a record without its identity, times, request, settings or phase is
//! refused (and counted as damaged); unknown members are ignored.

use runware::ApiError;
use serde_json::{Map, Value};

use super::model::{Job, JobResult, JobSettings, Phase, Thumbs};
use crate::config::Backend;

/// A JSON object being read; errors name the member at fault.
type Fields = Map<String, Value>;

/// Member `key` when present and not `null`.
fn member<'a>(fields: &'a Fields, key: &str) -> Option<&'a Value> {
    fields.get(key).filter(|v| !v.is_null())
}

/// An optional member: absent or `null` is `None`; present but unreadable is an error.
fn optional<T>(
    fields: &Fields,
    key: &'static str,
    read: fn(&Value) -> Option<T>,
) -> Result<Option<T>, &'static str> {
    match member(fields, key) {
        None => Ok(None),
        Some(value) => read(value).map(Some).ok_or(key),
    }
}

/// A required member.
fn required<T>(
    fields: &Fields,
    key: &'static str,
    read: fn(&Value) -> Option<T>,
) -> Result<T, &'static str> {
    optional(fields, key, read)?.ok_or(key)
}

fn string(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn small<T: TryFrom<u64>>(value: &Value) -> Option<T> {
    T::try_from(value.as_u64()?).ok()
}

/// Builds an object member by member.
struct Writer(Fields);

impl Writer {
    fn put(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Puts `value` only when there is one: members added later are left out when they say
    /// nothing, so a record reads and writes as it did before they existed.
    fn put_some<T: Into<Value>>(&mut self, key: &str, value: Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), value.into());
        }
        self
    }

    fn done(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.0))
    }
}

fn writer() -> Writer {
    Writer(Map::new())
}

impl Phase {
    /// The phase named `name` (its [`Phase::slug`]).
    fn from_slug(name: &str) -> Option<Phase> {
        [
            Phase::Sending,
            Phase::Processing,
            Phase::Waiting,
            Phase::Done,
            Phase::Failed,
        ]
        .into_iter()
        .find(|p| p.slug() == name)
    }
}

/// `{"kind":"simulator"}`, `{"kind":"runware"}` or `{"kind":"custom","url":…}`: the journal's
/// spelling of a backend, fixed here so that the journal does not change with the settings.
fn backend_to_json(backend: &Backend) -> Value {
    let (kind, url) = match backend {
        Backend::Simulator => ("simulator", None),
        Backend::Runware => ("runware", None),
        Backend::Custom(url) => ("custom", Some(url)),
    };
    let mut out = writer();
    out.put("kind", kind);
    if let Some(url) = url {
        out.put("url", url.as_str());
    }
    out.done()
}

fn backend_from_json(value: &Value) -> Option<Backend> {
    let fields = value.as_object()?;
    match fields.get("kind")?.as_str()? {
        "simulator" => Some(Backend::Simulator),
        "runware" => Some(Backend::Runware),
        "custom" => Some(Backend::Custom(string(fields.get("url")?)?)),
        _ => None,
    }
}

impl JobResult {
    fn to_json(&self) -> Value {
        writer()
            .put("videoUuid", self.video_uuid.as_deref())
            .put("videoUrl", self.video_url.as_deref())
            .put("seed", self.seed)
            .put("cost", self.cost)
            .put("nsfw", self.nsfw)
            .put("receivedAt", self.received_at)
            .done()
    }

    fn from_json(value: &Value) -> Option<JobResult> {
        let f = value.as_object()?;
        let read = || -> Result<JobResult, &'static str> {
            Ok(JobResult {
                video_uuid: optional(f, "videoUuid", string)?,
                video_url: optional(f, "videoUrl", string)?,
                seed: optional(f, "seed", Value::as_i64)?,
                cost: optional(f, "cost", Value::as_f64)?,
                nsfw: optional(f, "nsfw", Value::as_bool)?,
                received_at: required(f, "receivedAt", Value::as_f64)?,
            })
        };
        read().ok()
    }
}

impl JobSettings {
    fn to_json(&self) -> Value {
        let size = self
            .size
            .map(|(w, h)| Value::Array(vec![w.into(), h.into()]));
        writer()
            .put("prompt", self.prompt.as_deref())
            .put("negativePrompt", self.negative_prompt.as_deref())
            .put("size", size)
            .put("durationS", self.duration_s)
            .put("cfgScale", self.cfg_scale)
            .put("seed", self.seed)
            .put("numberResults", self.number_results)
            .put("format", self.format.as_str())
            .put("quality", self.quality)
            .put("ttlS", self.ttl_s)
            .put("includeCost", self.include_cost)
            .put("safety", self.safety.as_str())
            .put("frames", self.frames)
            .done()
    }

    fn from_json(value: &Value) -> Option<JobSettings> {
        let f = value.as_object()?;
        let size = |v: &Value| match v.as_array()?.as_slice() {
            [w, h] => Some((small(w)?, small(h)?)),
            _ => None,
        };
        let read = || -> Result<JobSettings, &'static str> {
            Ok(JobSettings {
                prompt: optional(f, "prompt", string)?,
                negative_prompt: optional(f, "negativePrompt", string)?,
                size: optional(f, "size", size)?,
                duration_s: required(f, "durationS", small)?,
                cfg_scale: required(f, "cfgScale", Value::as_f64)?,
                seed: optional(f, "seed", Value::as_i64)?,
                number_results: required(f, "numberResults", small)?,
                format: required(f, "format", string)?,
                quality: required(f, "quality", small)?,
                ttl_s: optional(f, "ttlS", Value::as_u64)?,
                include_cost: optional(f, "includeCost", Value::as_bool)?.unwrap_or(false),
                safety: optional(f, "safety", string)?.unwrap_or_default(),
                frames: required(f, "frames", small)?,
            })
        };
        read().ok()
    }
}

impl Job {
    /// The job as the journal, the export file and the other tabs get it.
    pub fn to_json(&self) -> Value {
        let thumbs = writer()
            .put("first", self.thumbs.first.as_deref())
            .put("last", self.thumbs.last.as_deref())
            .done();
        let results: Vec<Value> = self.results.iter().map(JobResult::to_json).collect();
        // The contract's own writer (its members are the contract's business), to text and
        // back: `to_value` would add a second serializer of it to the wasm.
        let error = self.error.as_ref().and_then(|e| {
            let text = serde_json::to_string(e).ok()?;
            serde_json::from_str::<Value>(&text).ok()
        });
        writer()
            .put("id", self.id.as_str())
            .put("createdAt", self.created_at)
            .put("backend", backend_to_json(&self.backend))
            .put("request", self.request.clone())
            .put("settings", self.settings.to_json())
            .put("thumbs", thumbs)
            .put("phase", self.phase.slug())
            .put("results", results)
            .put("error", error)
            .put("acceptedAt", self.accepted_at)
            .put("finishedAt", self.finished_at)
            .put("attempts", self.attempts)
            .put("nextSendAt", self.next_send_at)
            .put("sendProblem", self.send_problem.as_deref())
            .put("retryOf", self.retry_of.as_deref())
            .put("waitingSince", self.waiting_since)
            .put("sendingSince", self.sending_since)
            .put_some("progress", self.progress)
            .put_some("queued", self.queued.then_some(true))
            .put_some("needsDetails", self.needs_details.then_some(true))
            .done()
    }

    /// Reads a job written by [`Job::to_json`] (or by any earlier version); the error says
    /// which member is missing or unreadable.
    pub fn from_json(value: &Value) -> Result<Job, String> {
        let read = || -> Result<Job, &'static str> {
            let f = value.as_object().ok_or("job")?;
            let thumbs = match member(f, "thumbs") {
                Some(value) => Some(value.as_object().ok_or("thumbs")?),
                None => None,
            };
            let thumb = |key: &'static str| thumbs.map_or(Ok(None), |t| optional(t, key, string));
            let results = optional(f, "results", |v| {
                v.as_array()?.iter().map(JobResult::from_json).collect()
            })?;
            Ok(Job {
                id: required(f, "id", string)?,
                created_at: required(f, "createdAt", Value::as_f64)?,
                backend: optional(f, "backend", backend_from_json)?.unwrap_or_default(),
                request: f.get("request").cloned().ok_or("request")?,
                settings: required(f, "settings", JobSettings::from_json)?,
                thumbs: Thumbs {
                    first: thumb("first")?,
                    last: thumb("last")?,
                },
                phase: required(f, "phase", |v| Phase::from_slug(v.as_str()?))?,
                results: results.unwrap_or_default(),
                error: member(f, "error").map(ApiError::from_value_lenient),
                accepted_at: optional(f, "acceptedAt", Value::as_f64)?,
                finished_at: optional(f, "finishedAt", Value::as_f64)?,
                checked_at: None,
                attempts: optional(f, "attempts", small)?.unwrap_or(0),
                next_send_at: optional(f, "nextSendAt", Value::as_f64)?,
                send_problem: optional(f, "sendProblem", string)?,
                retry_of: optional(f, "retryOf", string)?,
                waiting_since: optional(f, "waitingSince", Value::as_f64)?,
                sending_since: optional(f, "sendingSince", Value::as_f64)?,
                progress: optional(f, "progress", small)?,
                queued: optional(f, "queued", Value::as_bool)?.unwrap_or(false),
                needs_details: optional(f, "needsDetails", Value::as_bool)?.unwrap_or(false),
                progress_span: None,
            })
        };
        read().map_err(|key| format!("a job's `{key}` is missing or cannot be read"))
    }

    /// The job as JSON text.
    pub fn to_text(&self) -> String {
        text(&self.to_json())
    }

    /// Reads a job from JSON text.
    pub fn from_text(text: &str) -> Result<Job, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Job::from_json(&value)
    }
}

/// `value` as compact JSON text (the one writer the app uses for `Value`).
pub fn text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as the serde derives wrote it, before this module: it must keep reading.
    const EARLIER: &str = r#"{"id":"6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f","createdAt":1700000000123.0,"backend":{"kind":"custom","url":"https://api.example.com/v1"},"request":{"inputs":{"frameImages":["ks-blob:abc-1"]},"taskType":"videoInference"},"settings":{"prompt":"A cat","negativePrompt":null,"size":[1920,1080],"durationS":5,"cfgScale":0.5,"seed":-42,"numberResults":2,"format":"MP4","quality":95,"ttlS":3600,"includeCost":true,"safety":"fast","frames":1},"thumbs":{"first":"k1","last":null},"phase":"failed","results":[{"videoUuid":"v1","videoUrl":"https://x/v1.mp4","seed":7,"cost":0.25,"nsfw":false,"receivedAt":1700000100000.5}],"error":{"code":"timeoutProvider","message":"the provider timed out","parameter":["width","height"],"taskUUID":"6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f","min":1},"acceptedAt":1700000001000.0,"finishedAt":1700000200000.0,"attempts":3,"nextSendAt":null,"sendProblem":"busy","retryOf":"11111111-2222-4333-8444-555555555555","waitingSince":1700000001000.0,"sendingSince":null}"#;

    /// The same with a simulator backend, no error, no size, and members left out.
    const EARLIER_SPARSE: &str = r#"{"id":"a","createdAt":5,"backend":{"kind":"simulator"},"request":{"taskType":"videoInference"},"settings":{"durationS":10,"cfgScale":0.5,"numberResults":1,"format":"WEBM","quality":95,"frames":2},"phase":"processing"}"#;

    fn earlier() -> Job {
        let mut error = ApiError::new(
            runware::ErrorCode::TimeoutProvider,
            "the provider timed out",
        )
        .with_task_uuid("6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f")
        .with_min(1);
        error.parameter = Some(runware::Parameter::Many(vec![
            "width".into(),
            "height".into(),
        ]));
        Job {
            id: "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f".into(),
            created_at: 1_700_000_000_123.0,
            backend: Backend::Custom("https://api.example.com/v1".into()),
            request: serde_json::json!({"taskType": "videoInference", "inputs": {"frameImages": ["ks-blob:abc-1"]}}),
            settings: JobSettings {
                prompt: Some("A cat".into()),
                negative_prompt: None,
                size: Some((1920, 1080)),
                duration_s: 5,
                cfg_scale: 0.5,
                seed: Some(-42),
                number_results: 2,
                format: "MP4".into(),
                quality: 95,
                ttl_s: Some(3600),
                include_cost: true,
                safety: "fast".into(),
                frames: 1,
            },
            thumbs: Thumbs {
                first: Some("k1".into()),
                last: None,
            },
            phase: Phase::Failed,
            results: vec![JobResult {
                video_uuid: Some("v1".into()),
                video_url: Some("https://x/v1.mp4".into()),
                seed: Some(7),
                cost: Some(0.25),
                nsfw: Some(false),
                received_at: 1_700_000_100_000.5,
            }],
            error: Some(error),
            accepted_at: Some(1_700_000_001_000.0),
            finished_at: Some(1_700_000_200_000.0),
            checked_at: None,
            attempts: 3,
            next_send_at: None,
            send_problem: Some("busy".into()),
            retry_of: Some("11111111-2222-4333-8444-555555555555".into()),
            waiting_since: Some(1_700_000_001_000.0),
            sending_since: None,
            progress: None,
            queued: false,
            needs_details: false,
            progress_span: None,
        }
    }

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).expect("json")
    }

    #[test]
    fn records_written_earlier_still_read() {
        assert_eq!(Job::from_text(EARLIER), Ok(earlier()));
        let sparse = Job::from_text(EARLIER_SPARSE).expect("a job");
        assert_eq!(sparse.backend, Backend::Simulator);
        assert_eq!(sparse.phase, Phase::Processing);
        assert_eq!(sparse.thumbs, Thumbs::default());
        assert!(sparse.results.is_empty() && sparse.error.is_none());
        assert_eq!(sparse.attempts, 0);
        assert_eq!(sparse.settings.safety, "");
        assert!(!sparse.settings.include_cost);
    }

    #[test]
    fn records_are_written_as_before() {
        assert_eq!(earlier().to_json(), parsed(EARLIER));
        let mut job = earlier();
        job.checked_at = Some(3.0);
        assert_eq!(Job::from_text(&job.to_text()), Ok(earlier()));
    }

    #[test]
    fn progress_and_recovery_marks_round_trip() {
        let job = Job {
            progress: Some(42),
            queued: true,
            needs_details: true,
            ..earlier()
        };
        let value = job.to_json();
        assert_eq!(
            (&value["progress"], &value["queued"], &value["needsDetails"]),
            (&Value::from(42), &Value::Bool(true), &Value::Bool(true))
        );
        assert_eq!(Job::from_json(&value), Ok(job));
    }

    #[test]
    fn backends_keep_the_settings_spelling() {
        for backend in [
            Backend::Simulator,
            Backend::Runware,
            Backend::Custom("https://x.test/v1".into()),
        ] {
            let derived = serde_json::to_value(&backend).expect("json");
            assert_eq!(backend_to_json(&backend), derived);
            assert_eq!(backend_from_json(&derived), Some(backend));
        }
    }

    #[test]
    fn damaged_records_are_refused_with_the_member_at_fault() {
        let mut value = parsed(EARLIER);
        value["phase"] = "lost".into();
        assert_eq!(
            Job::from_json(&value),
            Err("a job's `phase` is missing or cannot be read".into())
        );
        let mut value = parsed(EARLIER);
        value["settings"]["numberResults"] = 300.into();
        assert!(Job::from_json(&value).is_err());
        let mut value = parsed(EARLIER);
        value.as_object_mut().expect("object").remove("createdAt");
        assert!(Job::from_json(&value).is_err());
        assert!(Job::from_text("[1]").is_err());
        assert!(Job::from_text("{").is_err());
    }
}
