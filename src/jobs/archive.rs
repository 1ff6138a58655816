//! The journal as a file: export every job with its images, and import either such a file (to
//! move a history between browsers, pending jobs included) or plain `videoInference` requests,
//! which are submitted as new jobs.

use runware::{ApiError, TaskId, VideoInference};
use serde_json::{Map, Value};

use super::frames::Blob;
use super::json;
use super::model::Job;

/// The `format` member that marks an export file.
pub const FORMAT: &str = "kling-studio-journal";
/// The export format's version.
pub const VERSION: u32 = 1;

/// An export file: `{"format", "version", "exportedAt", "jobs": [...], "blobs": {key: value}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Archive {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written.
    pub version: u32,
    /// When it was written (ms since the epoch).
    pub exported_at: f64,
    /// Every job, newest first.
    pub jobs: Vec<Job>,
    /// Frame images and pictures the jobs refer to, each once.
    pub blobs: Vec<Blob>,
}

impl Archive {
    /// An archive of `jobs` and their `blobs`.
    pub fn new(jobs: Vec<Job>, blobs: Vec<Blob>, now: f64) -> Self {
        Archive {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at: now,
            jobs,
            blobs,
        }
    }

    /// The text of the export file.
    pub fn to_text(&self) -> String {
        let mut blobs = Map::new();
        for blob in &self.blobs {
            blobs.insert(blob.key.clone(), Value::from(blob.value.as_str()));
        }
        let mut file = Map::new();
        file.insert("format".to_owned(), Value::from(self.format.as_str()));
        file.insert("version".to_owned(), Value::from(self.version));
        file.insert("exportedAt".to_owned(), Value::from(self.exported_at));
        let jobs = self.jobs.iter().map(Job::to_json).collect::<Vec<_>>();
        file.insert("jobs".to_owned(), Value::Array(jobs));
        file.insert("blobs".to_owned(), Value::Object(blobs));
        json::text(&Value::Object(file))
    }

    /// Reads an export file already parsed (its `format` checked by the caller).
    fn from_json(value: &Value) -> Result<Archive, String> {
        let member = |key: &str| value.get(key).filter(|v| !v.is_null());
        let damaged = |key: &str| format!("`{key}` is missing or cannot be read");
        let jobs = member("jobs")
            .and_then(Value::as_array)
            .ok_or_else(|| damaged("jobs"))?
            .iter()
            .map(Job::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let mut blobs = Vec::new();
        if let Some(found) = member("blobs") {
            for (key, value) in found.as_object().ok_or_else(|| damaged("blobs"))? {
                let value = value.as_str().ok_or_else(|| damaged("blobs"))?;
                blobs.push(Blob {
                    key: key.clone(),
                    value: value.to_owned(),
                });
            }
        }
        Ok(Archive {
            format: FORMAT.to_owned(),
            version: member("version")
                .and_then(Value::as_u64)
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| damaged("version"))?,
            exported_at: member("exportedAt")
                .and_then(Value::as_f64)
                .ok_or_else(|| damaged("exportedAt"))?,
            jobs,
            blobs,
        })
    }
}

/// What an imported file holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Import {
    /// A history exported earlier.
    Archive(Archive),
    /// Requests to submit, each with a fresh `taskUUID`.
    Requests(Vec<VideoInference>),
}

/// Why a file could not be imported; the text is shown as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON at all.
    #[error("This file is not JSON: {0}")]
    NotJson(String),
    /// JSON, but neither an export nor a request.
    #[error(
        "This file is neither a Kling Studio history nor a videoInference request (an object or an array of them)."
    )]
    Unknown,
    /// An export written by a newer version.
    #[error("This history was written by a newer Kling Studio (format version {0}).")]
    NewerVersion(u32),
    /// An export whose jobs could not be read.
    #[error("This history is damaged: {0}")]
    Damaged(String),
    /// Requests that break the model's rules.
    #[error("Request {index} cannot be sent: {messages}")]
    Invalid {
        /// 1-based position of the request in the file.
        index: usize,
        /// Every broken rule, joined.
        messages: String,
    },
}

/// Reads an imported file; `fresh` gives each request its new `taskUUID` (a request is never
/// sent under the UUID it had, which may have been used before).
pub fn read(text: &str, mut fresh: impl FnMut() -> TaskId) -> Result<Import, ImportError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    if value.get("format").and_then(Value::as_str) == Some(FORMAT) {
        let version = value.get("version").and_then(Value::as_u64).unwrap_or(0);
        if version > u64::from(VERSION) {
            return Err(ImportError::NewerVersion(
                u32::try_from(version).unwrap_or(u32::MAX),
            ));
        }
        return Archive::from_json(&value)
            .map(Import::Archive)
            .map_err(ImportError::Damaged);
    }
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err(ImportError::Unknown),
    };
    let is_request =
        |v: &Value| v.get("taskType").and_then(Value::as_str) == Some("videoInference");
    if items.is_empty() || !items.iter().all(is_request) {
        return Err(ImportError::Unknown);
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, mut item)| {
            item["taskUUID"] = Value::String(fresh().to_string());
            runware::validate_video_inference(&item).map_err(|errors| ImportError::Invalid {
                index: index + 1,
                messages: join(&errors),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Import::Requests)
}

fn join(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> TaskId {
        TaskId::parse("11111111-2222-4333-8444-555555555555").expect("v4")
    }

    #[test]
    fn a_request_file_gets_a_fresh_uuid_and_is_validated() {
        let text = r#"{"taskType":"videoInference","taskUUID":"6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
            "model":"klingai:5@2","positivePrompt":"A cat","inputs":{"frameImages":["https://example.com/a.png"]},"numberResults":3}"#;
        let Ok(Import::Requests(requests)) = read(text, fresh) else {
            panic!("requests")
        };
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].task_uuid, fresh());
        assert_eq!(requests[0].number_results_or_default().get(), 3);

        let bad = r#"[{"taskType":"videoInference","model":"klingai:5@2","inputs":{"frameImages":["https://example.com/a.png"]},"duration":7}]"#;
        assert!(matches!(
            read(bad, fresh),
            Err(ImportError::Invalid { index: 1, .. })
        ));
    }

    #[test]
    fn archives_round_trip() {
        let blob = Blob {
            key: "k".into(),
            value: "v".into(),
        };
        let archive = Archive::new(vec![], vec![blob], 5.0);
        let text = archive.to_text();
        assert_eq!(read(&text, fresh), Ok(Import::Archive(archive)));
        let newer = text.replace("\"version\":1", "\"version\":9");
        assert_eq!(read(&newer, fresh), Err(ImportError::NewerVersion(9)));
    }

    #[test]
    fn other_files_are_refused_with_a_reason() {
        assert!(matches!(
            read("<html>", fresh),
            Err(ImportError::NotJson(_))
        ));
        assert_eq!(read("[1, 2]", fresh), Err(ImportError::Unknown));
        assert_eq!(read("[]", fresh), Err(ImportError::Unknown));
        assert_eq!(
            read(r#"{"taskType":"ping"}"#, fresh),
            Err(ImportError::Unknown)
        );
    }
}
