//! Rendered videos: where they are, until when they may be served, and the HTTP handler that
//! serves them with Range support (so a `<video>` element can seek) and 410 after their `ttl`.
//!
//! A `Range` header that is not one well-formed byte range is ignored, as RFC 9110 §14.2
//! allows: the answer is 200 with the whole file. One valid range gets 206 (or 416 when it
//! starts past the end).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::server::AppState;

/// One served video.
#[derive(Debug, Clone)]
pub struct VideoEntry {
    /// The file on disk.
    pub path: PathBuf,
    /// Its Content-Type.
    pub mime: &'static str,
    /// After this instant the URL answers 410 and the file is deleted.
    pub expires_at: Option<Instant>,
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Servable.
    Found(PathBuf, &'static str),
    /// Existed, but its ttl ran out.
    Expired,
    /// Never existed.
    Missing,
}

/// The registry of served videos, keyed by file name (`<videoUUID>.<ext>`).
#[derive(Debug, Default)]
pub struct Videos {
    inner: Mutex<HashMap<String, VideoEntry>>,
}

impl Videos {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VideoEntry>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a finished video under `name`.
    pub fn insert(&self, name: String, entry: VideoEntry) {
        self.lock().insert(name, entry);
    }

    /// Finds a video; an expired one has its file removed (the entry stays, to answer 410).
    pub fn lookup(&self, name: &str) -> Lookup {
        let mut map = self.lock();
        let Some(entry) = map.get_mut(name) else {
            return Lookup::Missing;
        };
        match entry.expires_at {
            Some(at) if Instant::now() >= at => {
                if entry.path.as_os_str().is_empty() {
                    return Lookup::Expired;
                }
                let path = std::mem::take(&mut entry.path);
                drop(map);
                // Best effort: the answer is 410 whether or not the file could be deleted.
                let _ = std::fs::remove_file(path);
                Lookup::Expired
            }
            _ => Lookup::Found(entry.path.clone(), entry.mime),
        }
    }

    /// Deletes the files of every expired video; called now and then so expired files do not
    /// wait for a request to be removed.
    pub fn sweep(&self) {
        let names: Vec<String> = self.lock().keys().cloned().collect();
        for name in names {
            let _ = self.lookup(&name);
        }
    }
}

/// `GET`/`HEAD /videos/{name}`.
pub async fn serve(
    State(state): State<AppState>,
    Path(name): Path<String>,
    mut request: Request,
) -> Response {
    state.stats.update(|s| s.video_requests += 1);
    let servable = request
        .headers()
        .get(header::RANGE)
        .map(|v| v.to_str().is_ok_and(is_one_byte_range));
    if servable == Some(false) {
        request.headers_mut().remove(header::RANGE);
    }
    match state.videos.lookup(&name) {
        Lookup::Missing => (StatusCode::NOT_FOUND, "no such video\n").into_response(),
        Lookup::Expired => (StatusCode::GONE, "this video's ttl has expired\n").into_response(),
        Lookup::Found(path, mime) => {
            match ServeFile::new(path).oneshot(request).await {
                Ok(response) => {
                    let mut response = response.map(Body::new);
                    // ServeFile guesses from the extension; the registry knows the real type.
                    if response.status().is_success() {
                        response
                            .headers_mut()
                            .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
                    }
                    response
                }
                Err(never) => match never {},
            }
        }
    }
}

/// Whether a `Range` value is exactly one byte range: `bytes=a-b` (a ≤ b), `bytes=a-` or
/// `bytes=-n` (n > 0). Other units, several ranges and malformed values are not.
pub fn is_one_byte_range(value: &str) -> bool {
    let Some((unit, spec)) = value.trim().split_once('=') else {
        return false;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return false;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return false;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (first.trim(), last.trim()) {
        ("", suffix) => number(suffix).is_some_and(|n| n > 0),
        (first, "") => number(first).is_some(),
        (first, last) => matches!((number(first), number(last)), (Some(a), Some(b)) if a <= b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn byte_ranges() {
        for ok in ["bytes=0-99", "bytes=100-", "bytes=-500", "Bytes = 5-5"] {
            assert!(is_one_byte_range(ok), "{ok}");
        }
        for bad in [
            "bytes=abc",
            "bytes=5-2",
            "bytes=-0",
            "items=0-5",
            "bytes=0-1,5-6",
            "bytes=",
            "bytes=-",
            "0-5",
            "bytes=1-2-3",
            "bytes=99999999999999999999999-",
        ] {
            assert!(!is_one_byte_range(bad), "{bad}");
        }
    }

    #[test]
    fn expiry_turns_found_into_expired() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.mp4");
        std::fs::write(&file, b"x").unwrap();
        let videos = Videos::default();
        videos.insert(
            "a.mp4".into(),
            VideoEntry {
                path: file.clone(),
                mime: "video/mp4",
                expires_at: Some(Instant::now() + Duration::from_secs(3600)),
            },
        );
        assert_eq!(
            videos.lookup("a.mp4"),
            Lookup::Found(file.clone(), "video/mp4")
        );
        assert_eq!(videos.lookup("b.mp4"), Lookup::Missing);
        videos.insert(
            "a.mp4".into(),
            VideoEntry {
                path: file.clone(),
                mime: "video/mp4",
                expires_at: Some(Instant::now()),
            },
        );
        assert_eq!(videos.lookup("a.mp4"), Lookup::Expired);
        assert!(!file.exists());
        assert_eq!(videos.lookup("a.mp4"), Lookup::Expired);
    }
}
