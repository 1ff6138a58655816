//! Shared helpers of the gateway's integration tests: the simulator in-process as the real
//! upstream, a gateway in front of it on port 0 (SQLite or Redis), a private `redis-server`, a
//! REST client that plays many visitors through `X-Forwarded-For`, and a WebSocket client.

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use runware_gateway::{ApiKey, Config};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// The site's key: the simulator accepts only this one.
pub const KEY: &str = "sk-gateway-test-7d41c9e2b85a";
/// The page origin the test gateways allow.
pub const ALLOWED: &str = "http://allowed.example";

/// Which store a gateway uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A private redis-server.
    Redis,
}

/// A private `redis-server` on a free port, stopped when dropped.
pub struct RedisServer {
    child: Child,
    pub url: String,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl RedisServer {
    /// Starts one, or `None` (with a message) when `redis-server` is not installed and the run
    /// does not require it. Under `cargo xtask test` (`RUNWARE_GATEWAY_REQUIRE_REDIS=1`) a
    /// missing server fails the test.
    pub fn start() -> Option<RedisServer> {
        let present = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !present {
            assert!(
                std::env::var_os("RUNWARE_GATEWAY_REQUIRE_REDIS").is_none(),
                "redis-server is not installed (`cargo xtask setup` installs it)"
            );
            eprintln!(
                "SKIPPED: redis-server is not installed; `cargo xtask setup` (or apt-get install redis-server) installs it"
            );
            return None;
        }
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let server = RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }
}

/// A simulator config for tests: port 0, short delays unless told, no queued phase, the key.
pub fn sim_config(delay: &str) -> runware_sim::Config {
    runware_sim::Config {
        port: 0,
        api_key: Some(KEY.to_owned()),
        delay: runware_sim::config::parse_delay_range(delay).expect("a delay"),
        time_scale: 1.0,
        queue_time: runware_sim::config::parse_delay_range("0").expect("no queue"),
        x264_preset: "ultrafast".to_owned(),
        ..runware_sim::Config::default()
    }
}

/// The gateway config of the tests: the simulator upstream, port 0, loopback trusted as a
/// proxy (so that `X-Forwarded-For` names the visitor), quick retries.
pub fn gateway_config(upstream: &str) -> Config {
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        upstream: upstream.to_owned(),
        allowed_origins: vec![ALLOWED.to_owned()],
        trusted_proxies: vec!["127.0.0.1".to_owned()],
        upstream_backoff_ms: 10,
        ..Config::default()
    };
    config.limits.jobs_per_visitor_per_hour = 100;
    config.limits.concurrent_jobs_per_visitor = 100;
    config.limits.daily_budget_usd = 1000.0;
    config
}

/// A simulator, and gateways in front of it sharing one store.
pub struct Harness {
    pub sim: runware_sim::Running,
    pub gateways: Vec<runware_gateway::Running>,
    pub http: reqwest::Client,
    pub store: runware_gateway::config::StoreKind,
    _dir: tempfile::TempDir,
    _redis: Option<Arc<RedisServer>>,
}

/// Starts the simulator (results after `delay`) and `instances` gateways on one store, with the
/// config changed by `change`. `None` when Redis is asked for and not installed.
pub async fn start_many(
    backend: Backend,
    instances: usize,
    delay: &str,
    change: impl Fn(&mut Config),
) -> Option<Harness> {
    if std::env::var_os("RUNWARE_GATEWAY_TEST_LOG").is_some() {
        runware_gateway::logging::init("text", &ApiKey::new(KEY).expect("a key"));
    }
    let redis = match backend {
        Backend::Redis => Some(Arc::new(RedisServer::start()?)),
        Backend::Sqlite => None,
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sim = runware_sim::run(sim_config(delay))
        .await
        .expect("the simulator starts");
    let mut config = gateway_config(&format!("{}/v1", sim.url));
    match &redis {
        Some(redis) => config.store.redis = Some(redis.url.clone()),
        None => config.store.sqlite = Some(dir.path().join("gateway.db")),
    }
    change(&mut config);
    let settings = config.check().expect("a valid test config");
    let mut gateways = Vec::new();
    for _ in 0..instances {
        let key = ApiKey::new(KEY).expect("a key");
        gateways.push(
            runware_gateway::run(settings.clone(), key)
                .await
                .expect("the gateway starts"),
        );
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client");
    Some(Harness {
        sim,
        gateways,
        http,
        store: settings.store,
        _dir: dir,
        _redis: redis,
    })
}

/// One gateway.
pub async fn start(backend: Backend, delay: &str, change: impl Fn(&mut Config)) -> Option<Harness> {
    start_many(backend, 1, delay, change).await
}

/// A reply as the visitor sees it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn error(&self) -> &Value {
        &self.body["errors"][0]
    }

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

    pub fn data(&self) -> Vec<Value> {
        self.body["data"].as_array().cloned().unwrap_or_default()
    }

    pub fn retry_after(&self) -> Option<u64> {
        self.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    }

    /// Errors always come with `"data": []` beside them.
    pub fn assert_shape(&self) {
        assert!(self.body["data"].is_array(), "no data array: {}", self.text);
    }
}

impl Harness {
    pub fn gateway(&self) -> &runware_gateway::Running {
        &self.gateways[0]
    }

    /// POSTs `body` to gateway `instance` as `visitor`, with extra headers.
    pub async fn post_to(
        &self,
        instance: usize,
        visitor: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .post(self.gateways[instance].v1())
            .header("content-type", "application/json")
            .header("x-forwarded-for", visitor)
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let reply = request.send().await.expect("request sent");
        let status = reply.status().as_u16();
        let headers = reply.headers().clone();
        let text = reply.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// POSTs `body` to the first gateway as `visitor`.
    pub async fn post(&self, visitor: &str, body: &Value) -> Answer {
        self.post_to(0, visitor, body, &[]).await
    }

    /// Polls `task_uuid` through the gateway until every result is a success or it failed.
    pub async fn wait(&self, visitor: &str, task_uuid: &str) -> Answer {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let answer = self
                .post(
                    visitor,
                    &json!([{ "taskType": "getResponse", "taskUUID": task_uuid }]),
                )
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

    /// The simulator's counters.
    pub async fn sim_stats(&self) -> Value {
        self.http
            .get(format!("{}/sim/stats", self.sim.url))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// The gateway's `/metrics` text.
    pub async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.gateway().url))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// Today's spend in USD as the store has it.
    pub async fn spent_today(&self) -> f64 {
        let store = runware_gateway::store::open(&self.store)
            .await
            .expect("the store opens");
        let day = runware_gateway::store::day_of(runware_gateway::store::now_ms());
        store.spent(day).await.expect("spend") as f64 / 1e6
    }
}

/// A metric's value in a `/metrics` text.
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in\n{text}"))
}

/// A PNG made by ffmpeg (cached).
pub fn frame_png() -> &'static str {
    static FRAME: OnceLock<String> = OnceLock::new();
    FRAME.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let out = dir.path().join("f.png");
        let status = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
            .args(["-f", "lavfi", "-i", "testsrc2=size=720x720"])
            .args(["-frames:v", "1", "-f", "image2", "-c:v", "png"])
            .arg(&out)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success());
        let bytes = std::fs::read(&out).expect("the frame");
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    })
}

/// A fresh task UUID.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid 5 s 720×720 videoInference task, with `extra` merged in (`null` removes a key).
pub fn video_task(extra: Value) -> Value {
    let mut task = json!({
        "taskType": "videoInference",
        "taskUUID": uuid(),
        "model": "klingai:5@2",
        "positivePrompt": "a slow pan over a test card",
        "inputs": { "frameImages": [frame_png()] },
        "width": 720,
        "height": 720,
        "duration": 5,
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

/// A WebSocket client.
pub struct Ws {
    pub stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// Every text message received, for checks on the bytes.
    pub received: Vec<String>,
}

impl Ws {
    /// Connects with these extra handshake headers; the handshake's error on refusal.
    pub async fn connect_with(
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = url.into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                value.parse().expect("a header value"),
            );
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Ws {
            stream,
            received: Vec::new(),
        })
    }

    pub async fn send(&mut self, value: &Value) {
        self.stream
            .send(Message::text(value.to_string()))
            .await
            .expect("sent");
    }

    /// The next text message, within 30 s.
    pub async fn next(&mut self) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .expect("a message in time")
                .expect("the socket is open")
                .expect("a message");
            if let Message::Text(text) = message {
                self.received.push(text.to_string());
                return serde_json::from_str(&text).expect("JSON");
            }
        }
    }

    /// Sends and returns the reply.
    pub async fn ask(&mut self, value: &Value) -> Value {
        self.send(value).await;
        self.next().await
    }

    /// Polls until every result is a success or the task failed.
    pub async fn wait(&mut self, task_uuid: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let reply = self
                .ask(&json!([{ "taskType": "getResponse", "taskUUID": task_uuid }]))
                .await;
            let data = reply["data"].as_array().cloned().unwrap_or_default();
            let failed = reply["errors"].as_array().is_some_and(|e| !e.is_empty());
            if failed || (!data.is_empty() && data.iter().all(|i| i["status"] == "success")) {
                return reply;
            }
            assert!(Instant::now() < deadline, "task {task_uuid} did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs an async test body once with SQLite and once with Redis, as `<name>::sqlite` and
/// `<name>::redis`.
#[macro_export]
macro_rules! with_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::common::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis() {
                super::$name(super::common::Backend::Redis).await;
            }
        }
    )*};
}
