//! Shared helpers of the integration tests: an in-process server on port 0, a REST client, a
//! WebSocket client, generated frames and ffprobe.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use runware_sim::{Config, Running};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// The key the tests send.
pub const KEY: &str = "test-key";

/// A server for one test.
pub struct Sim {
    pub running: Running,
    pub http: reqwest::Client,
}

/// A config for tests: port 0, short delays, compressed time, no queued phase (the tests of
/// `queued` and `progress` turn it on).
pub fn test_config() -> Config {
    Config {
        port: 0,
        delay: runware_sim::config::parse_delay_range("50ms..150ms").unwrap(),
        time_scale: 0.01,
        queue_time: runware_sim::config::parse_delay_range("0").unwrap(),
        x264_preset: "ultrafast".to_owned(),
        ..Config::default()
    }
}

/// Starts a server with the test config changed by `change`.
pub async fn start(change: impl FnOnce(&mut Config)) -> Sim {
    if std::env::var_os("RUNWARE_SIM_TEST_LOG").is_some() {
        runware_sim::init_logging("text");
    }
    let mut config = test_config();
    change(&mut config);
    let running = runware_sim::run(config).await.expect("server starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    Sim { running, http }
}

/// A REST reply.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The first error.
    pub fn error(&self) -> &Value {
        &self.body["errors"][0]
    }

    /// The error codes.
    pub fn codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["code"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `data` items.
    pub fn data(&self) -> Vec<Value> {
        self.body["data"].as_array().cloned().unwrap_or_default()
    }
}

impl Sim {
    /// `http://127.0.0.1:port/v1`.
    pub fn v1(&self) -> String {
        format!("{}/v1", self.running.url)
    }

    /// POSTs `body` with the test key.
    pub async fn post(&self, body: &Value) -> Answer {
        self.post_with(body, &[("authorization", &format!("Bearer {KEY}"))])
            .await
    }

    /// POSTs `body` with exactly these headers.
    pub async fn post_with(&self, body: &Value, headers: &[(&str, &str)]) -> Answer {
        self.post_raw(&self.v1(), body.to_string().into_bytes(), headers)
            .await
    }

    /// POSTs raw bytes to `url`.
    pub async fn post_raw(&self, url: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Answer {
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let reply = request.send().await.expect("request sent");
        let status = reply.status().as_u16();
        let text = reply.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, body, text }
    }

    /// Submits a task (REST) and checks the acknowledgement; returns its taskUUID.
    pub async fn submit(&self, task: Value) -> String {
        let id = task["taskUUID"].as_str().unwrap().to_owned();
        let answer = self.post(&json!([task])).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(
            answer.body,
            json!({"data": [{"taskType": "videoInference", "taskUUID": id}]})
        );
        id
    }

    /// Polls until every result is a success (or the task failed); returns the last reply.
    pub async fn wait(&self, task_uuid: &str) -> Answer {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let answer = self
                .post(&json!([{ "taskType": "getResponse", "taskUUID": task_uuid }]))
                .await;
            let data = answer.data();
            let done = !answer.codes().is_empty()
                || (!data.is_empty() && data.iter().all(|i| i["status"] == "success"));
            if done {
                return answer;
            }
            assert!(Instant::now() < deadline, "task {task_uuid} did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GETs a URL and returns status, headers and bytes.
    pub async fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.http.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let reply = request.send().await.expect("GET sent");
        let status = reply.status().as_u16();
        let headers = reply.headers().clone();
        let bytes = reply.bytes().await.expect("body read").to_vec();
        (status, headers, bytes)
    }

    /// The stats endpoint.
    pub async fn stats(&self) -> Value {
        let (_, _, bytes) = self
            .get(&format!("{}/sim/stats", self.running.url), &[])
            .await;
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// A PNG made by ffmpeg from a lavfi pattern (cached per pattern and size).
pub fn frame_png(pattern: &str, width: u32, height: u32) -> Vec<u8> {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>> =
        OnceLock::new();
    let key = format!("{pattern}-{width}x{height}");
    let cache = CACHE.get_or_init(Default::default);
    if let Some(bytes) = cache.lock().unwrap().get(&key) {
        return bytes.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f.png");
    let status = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("{pattern}=size={width}x{height}"))
        .args(["-frames:v", "1", "-f", "image2", "-c:v", "png"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let bytes = std::fs::read(&out).unwrap();
    cache.lock().unwrap().insert(key, bytes.clone());
    bytes
}

/// A JPEG made by ffmpeg.
pub fn frame_jpeg(pattern: &str, width: u32, height: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f.jpg");
    let status = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("{pattern}=size={width}x{height}"))
        .args(["-frames:v", "1"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    std::fs::read(&out).unwrap()
}

/// Base64 of bytes.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A data URI of a PNG.
pub fn png_uri(bytes: &[u8]) -> String {
    format!("data:image/png;base64,{}", b64(bytes))
}

/// The standard test frame: 720×720 testsrc2.
pub fn frame_a() -> String {
    png_uri(&frame_png("testsrc2", 720, 720))
}

/// A second, different frame.
pub fn frame_b() -> String {
    png_uri(&frame_png("mandelbrot", 640, 480))
}

/// A fresh task UUID.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid videoInference task at 720×720, with `extra` members merged in (a `null` removes one).
pub fn video_task(extra: Value) -> Value {
    let mut task = json!({
        "taskType": "videoInference",
        "taskUUID": uuid(),
        "model": "klingai:5@2",
        "positivePrompt": "a slow pan over a test card",
        "inputs": { "frameImages": [frame_a()] },
        "width": 720,
        "height": 720,
    });
    if let (Some(map), Value::Object(extra)) = (task.as_object_mut(), extra) {
        for (k, v) in extra {
            if v.is_null() {
                map.remove(&k);
            } else {
                map.insert(k, v);
            }
        }
    }
    task
}

/// What ffprobe says about a video file.
#[derive(Debug)]
pub struct Probe {
    pub width: u64,
    pub height: u64,
    pub fps: String,
    pub frames: u64,
    pub duration: f64,
    pub format: String,
    pub codec: String,
    pub pix_fmt: String,
    pub brand: String,
}

/// Runs ffprobe on a file (counting frames by decoding them).
pub fn ffprobe(path: &Path) -> Probe {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries"])
        .arg("stream=width,height,r_frame_rate,nb_read_frames,codec_name,pix_fmt:format=format_name,duration:format_tags=major_brand")
        .args(["-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["streams"][0];
    Probe {
        width: s["width"].as_u64().unwrap(),
        height: s["height"].as_u64().unwrap(),
        fps: s["r_frame_rate"].as_str().unwrap().to_owned(),
        frames: s["nb_read_frames"].as_str().unwrap().parse().unwrap(),
        duration: v["format"]["duration"].as_str().unwrap().parse().unwrap(),
        format: v["format"]["format_name"].as_str().unwrap().to_owned(),
        codec: s["codec_name"].as_str().unwrap().to_owned(),
        pix_fmt: s["pix_fmt"].as_str().unwrap_or("").to_owned(),
        brand: v["format"]["tags"]["major_brand"]
            .as_str()
            .unwrap_or("")
            .trim()
            .to_owned(),
    }
}

/// A WebSocket client.
pub struct Ws {
    pub stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    /// Connects to `url` (e.g. `ws://127.0.0.1:1234/v1`).
    pub async fn connect(url: &str) -> Ws {
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connects");
        Ws { stream }
    }

    /// Sends a JSON value as a text message.
    pub async fn send(&mut self, value: &Value) {
        self.stream
            .send(Message::text(value.to_string()))
            .await
            .expect("sent");
    }

    /// The next text message as JSON, within `secs` seconds; None on timeout or close.
    pub async fn next_within(&mut self, secs: f64) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match message {
                Ok(Message::Text(text)) => return serde_json::from_str(&text).ok(),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// The next message, which must arrive within 30 s.
    pub async fn next(&mut self) -> Value {
        self.next_within(30.0).await.expect("a message")
    }

    /// Polls `task_uuid` with getResponse over the socket until every result is a success or
    /// the task failed; returns that reply. Other messages (pushes) are skipped.
    pub async fn wait(&mut self, task_uuid: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            self.send(&json!([{ "taskType": "getResponse", "taskUUID": task_uuid }]))
                .await;
            let reply = self.next().await;
            let errors = reply["errors"].as_array().map_or(0, Vec::len);
            let data = reply["data"].as_array().cloned().unwrap_or_default();
            let mine = data.iter().any(|i| i["taskUUID"] == task_uuid)
                || reply["errors"][0]["taskUUID"] == task_uuid;
            if mine
                && (errors > 0
                    || (!data.is_empty() && data.iter().all(|i| i["status"] == "success")))
            {
                return reply;
            }
            assert!(Instant::now() < deadline, "task {task_uuid} did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Authenticates (optionally resuming); returns the connectionSessionUUID.
    pub async fn auth(&mut self, resume: Option<&str>) -> String {
        let mut task = json!({ "taskType": "authentication", "apiKey": KEY });
        if let Some(session) = resume {
            task["connectionSessionUUID"] = json!(session);
        }
        self.send(&json!([task])).await;
        let reply = self.next().await;
        assert_eq!(reply["data"][0]["taskType"], "authentication", "{reply}");
        reply["data"][0]["connectionSessionUUID"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// A small HTTP server on 127.0.0.1 that records every request, answers the first
/// `fail_first` of them with 500, and serves `files` on GET.
pub struct Receiver {
    pub url: String,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(fail_first: usize, files: Vec<(String, Vec<u8>)>) -> Receiver {
        use axum::body::Bytes;
        use axum::http::{HeaderMap, Method, StatusCode, Uri};
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Arc, Mutex};

        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let count = Arc::new(AtomicUsize::new(0));
        let files = Arc::new(files);
        let log = received.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let log = log.clone();
                let count = count.clone();
                let files = files.clone();
                async move {
                    if method == Method::GET {
                        return match files.iter().find(|(p, _)| *p == uri.path()) {
                            Some((_, bytes)) => (StatusCode::OK, bytes.clone()),
                            None => (StatusCode::NOT_FOUND, Vec::new()),
                        };
                    }
                    log.lock().unwrap().push(Received {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        content_type: headers
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned(),
                        body: body.to_vec(),
                    });
                    if count.fetch_add(1, Ordering::SeqCst) < fail_first {
                        (StatusCode::INTERNAL_SERVER_ERROR, Vec::new())
                    } else {
                        (StatusCode::OK, Vec::new())
                    }
                }
            },
        );
        let app = app.layer(axum::extract::DefaultBodyLimit::disable());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, received }
    }

    /// Waits until at least `n` requests (not GETs) arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} requests arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Downloads a video to a temporary file for ffprobe.
pub async fn download(sim: &Sim, url: &str, dir: &Path) -> (std::path::PathBuf, String) {
    let (status, headers, bytes) = sim.get(url, &[]).await;
    assert_eq!(status, 200, "{url}");
    let name = url.rsplit('/').next().unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let content_type = headers["content-type"].to_str().unwrap().to_owned();
    (path, content_type)
}
