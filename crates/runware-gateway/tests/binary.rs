//! The binary as an operator runs it: a config file, the key from the environment, one
//! "listening" line on stdout, JSON logs with a request id on stderr, and the key in none of the
//! bytes a browser receives nor in the logs at trace level. Invalid files are refused at start.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{ALLOWED, KEY, Ws, sim_config, uuid, video_task};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_runware-gateway");

/// Kills the child when the test ends, even on a failed assertion.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn invalid_files_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key) in [
        ("[limits]\ndurations = [5, 7]\n", "limits.durations"),
        ("[limits]\njobs_per_hour = 3\n", "jobs_per_hour"),
        ("listen = 8788\n", "listen"),
        ("allowed_origins = [\"example.com\"]\n", "allowed_origins"),
    ] {
        let path = dir.path().join("gateway.toml");
        std::fs::write(&path, text).unwrap();
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&path)
            .env("RUNWARE_API_KEY", KEY)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{text} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(key), "{text}: {stderr}");
    }
    // A valid file without the key in the environment: the variable is named, nothing starts.
    let path = dir.path().join("ok.toml");
    std::fs::write(&path, "api_key_env = \"SITE_RUNWARE_KEY\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .env_remove("SITE_RUNWARE_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SITE_RUNWARE_KEY"));
    let out = Command::new(BIN)
        .args(["--check", "--config"])
        .arg(&path)
        .env("SITE_RUNWARE_KEY", KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_reaches_the_browser_or_the_logs() {
    let sim = runware_sim::run(sim_config("100ms..200ms")).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nupstream = \"{}/v1\"\nallowed_origins = [\"{ALLOWED}\"]\n\
             upstream_backoff_ms = 10\n[store]\nsqlite = \"{}\"\n",
            sim.url,
            dir.path().join("gateway.db").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .env("RUNWARE_API_KEY", KEY)
        .env("RUST_LOG", "trace")
        .env_remove("RUNWARE_GATEWAY_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let mut guard = Guard(child);
    let stdout = guard.0.stdout.take().unwrap();
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let url = line
        .strip_prefix("runware-gateway listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();

    // Everything a browser could receive: status lines, headers and bodies.
    let mut seen = String::new();
    let http = reqwest::Client::new();
    let mut exchange = async |request: reqwest::RequestBuilder| -> serde_json::Value {
        let reply = request.send().await.unwrap();
        seen.push_str(&format!("{}\n", reply.status()));
        for (name, value) in reply.headers() {
            seen.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("")));
        }
        let text = reply.text().await.unwrap();
        seen.push_str(&text);
        seen.push('\n');
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    };
    let v1 = format!("{url}/v1");
    let post = |body: serde_json::Value| {
        http.post(&v1)
            .header("origin", ALLOWED)
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    let task = video_task(json!({"includeCost": true}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let ack = exchange(post(
        json!([{"taskType": "authentication", "apiKey": "visitor-key"}, task]),
    ))
    .await;
    assert_eq!(ack["data"][0]["taskUUID"], id.as_str(), "{ack}");
    let mut done = false;
    for _ in 0..400 {
        let reply = exchange(post(json!([{"taskType": "getResponse", "taskUUID": id}]))).await;
        if reply["data"][0]["status"] == "success" {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done, "the job did not finish");
    exchange(post(
        json!([{"taskType": "getTaskDetails", "taskUUID": id}]),
    ))
    .await;
    exchange(post(json!([{"taskType": "accountManagement"}]))).await;
    exchange(post(json!([video_task(json!({"duration": 8}))]))).await;
    exchange(post(
        json!([{"taskType": "getResponse", "taskUUID": uuid()}]),
    ))
    .await;
    exchange(
        http.post(&v1)
            .header("origin", "https://elsewhere.example")
            .body("[]"),
    )
    .await;
    exchange(
        http.request(reqwest::Method::OPTIONS, &v1)
            .header("origin", ALLOWED)
            .header("access-control-request-method", "POST"),
    )
    .await;
    exchange(http.get(format!("{url}/healthz"))).await;
    exchange(http.get(format!("{url}/metrics"))).await;
    // The WebSocket, with a key of the visitor's own and with none.
    let mut ws = Ws::connect_with(&format!("{}/v1", url.replace("http://", "ws://")), &[])
        .await
        .unwrap();
    ws.ask(&json!([{"taskType": "authentication", "apiKey": "visitor-key"}]))
        .await;
    ws.ask(&json!([{"taskType": "ping", "ping": true}])).await;
    ws.ask(&json!([{"taskType": "getResponse", "taskUUID": id}]))
        .await;
    ws.ask(&json!([{"taskType": "imageInference"}])).await;
    seen.push_str(&ws.received.join("\n"));
    drop(ws);

    // Let the gateway finish its lines, stop it, read everything it logged.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(guard);
    let logs = logs.join().unwrap();
    sim.shutdown().await;

    assert!(seen.contains("x-request-id"), "{seen}");
    assert!(
        logs.contains("TRACE"),
        "the gateway did not log at trace level:\n{logs}"
    );
    for (name, text) in [("the browser", &seen), ("the logs", &logs)] {
        assert!(!text.contains(KEY), "the key reached {name}:\n{text}");
        assert!(
            !text.contains(&KEY[3..16]),
            "part of the key reached {name}:\n{text}"
        );
    }
    // JSON lines, each request's with its id.
    let request_line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["message"] == "request" && l["path"] == "/v1")
        .unwrap_or_else(|| panic!("no JSON request line in\n{logs}"));
    assert!(
        request_line["span"]["request_id"].as_str().is_some(),
        "{request_line}"
    );
}
