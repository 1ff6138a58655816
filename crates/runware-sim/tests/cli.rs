//! The binary as scripts use it: `--help`, the one "listening" line on stdout, the API key from
//! the environment, the benchmark subcommand, and logs that never show an API key.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_runware-sim");

/// Kills the child when the test ends, even on a failed assertion.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--host",
        "--port",
        "--api-key",
        "--public-url",
        "--data-dir",
        "--delay",
        "--realistic",
        "--time-scale",
        "--ws-idle-timeout",
        "--render-concurrency",
        "--prices",
        "--credits",
        "--fault-rate",
        "--fault-status",
        "--latency-ms",
        "--drop-rate",
        "--malformed-rate",
        "--provider-timeout-rate",
        "--insufficient-credits-rate",
        "--nsfw-rate",
        "--miss-pong-rate",
        "--accepted-timeout-rate",
        "--accepted-timeout-delay",
        "--push-results",
        "--queue-time",
        "--response-retention",
        "acceptedTimeout",
        "dryRun",
        "getTaskDetails",
        "X-Sim-Fault",
        "RUNWARE_SIM_API_KEY",
        "bench",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let bench = Command::new(BIN)
        .args(["bench", "--help"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(bench.stdout)
            .unwrap()
            .contains("--pollers")
    );
}

#[tokio::test]
async fn prints_one_line_with_the_real_port_and_serves() {
    let data = tempfile::tempdir().unwrap();
    let child = Command::new(BIN)
        .args(["--port", "0", "--delay", "10ms"])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUNWARE_SIM_API_KEY", "from-env")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let stdout = guard.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().unwrap().unwrap();
    let url = line
        .strip_prefix("runware-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);

    let http = reqwest::Client::new();
    let health = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ping = r#"[{"taskType":"ping","ping":true}]"#;
    let wrong = http
        .post(format!("{url}/v1"))
        .header("authorization", "Bearer other")
        .body(ping)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = http
        .post(format!("{url}/v1"))
        .header("authorization", "Bearer from-env")
        .body(ping)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    // The data directory holds the server's folders.
    assert!(data.path().join("videos").is_dir());
    // Nothing else was printed on stdout.
    drop(guard);
    assert!(lines.next().is_none_or(|l| l.is_err()));
}

#[test]
fn bench_prints_a_table_and_json() {
    let out = Command::new(BIN)
        .args([
            "bench",
            "--json",
            "--render-runs",
            "1",
            "--pollers",
            "20",
            "--polls",
            "5",
            "--interval-ms",
            "10",
            "--burst-polls",
            "5",
        ])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    let report: serde_json::Value = serde_json::from_str(last).unwrap();
    assert!(report["render_5s_1080p_mp4"]["median_ms"].as_u64().unwrap() > 0);
    assert_eq!(report["get_response"]["requests"], 100);
    assert_eq!(report["get_response"]["errors"], 0);
    assert_eq!(report["get_response_saturated"]["requests"], 100);
    assert!(stdout.contains("p99"));
}

#[tokio::test]
async fn trace_logs_never_show_the_api_key() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    // One key configured; a second, wrong one is tried too. Neither may be logged.
    const KEY: &str = "sk-sim-log-check-5f2a9c71d3";
    const WRONG: &str = "sk-sim-wrong-key-0b8e44a6";
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--delay", "10ms", "--api-key", KEY])
        .env("RUST_LOG", "trace")
        .env_remove("RUNWARE_SIM_LOG")
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
        .strip_prefix("runware-sim listening on ")
        .unwrap()
        .to_owned();
    let ws_url = format!("{}/v1", url.replace("http://", "ws://"));

    // WebSocket: authentication with the key, a ping, a task, a close.
    let (mut ws, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
    let auth = format!(r#"[{{"taskType":"authentication","apiKey":"{KEY}"}}]"#);
    ws.send(Message::text(auth)).await.unwrap();
    let reply = ws.next().await.unwrap().unwrap().into_text().unwrap();
    assert!(reply.contains("connectionSessionUUID"), "{reply}");
    ws.send(Message::text(r#"[{"taskType":"ping","ping":true}]"#))
        .await
        .unwrap();
    let pong = ws.next().await.unwrap().unwrap().into_text().unwrap();
    assert!(pong.contains("pong"), "{pong}");
    ws.close(None).await.unwrap();
    // A socket with the wrong key is refused.
    let (mut bad, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
    let auth = format!(r#"[{{"taskType":"authentication","apiKey":"{WRONG}"}}]"#);
    bad.send(Message::text(auth)).await.unwrap();
    let refused = bad.next().await.unwrap().unwrap().into_text().unwrap();
    assert!(refused.contains("invalidApiKey"), "{refused}");
    // REST with the key in the header and in a leading authentication task.
    let http = reqwest::Client::new();
    for (header, body) in [
        (
            Some(format!("Bearer {KEY}")),
            r#"[{"taskType":"ping","ping":true}]"#.to_owned(),
        ),
        (
            None,
            format!(
                r#"[{{"taskType":"authentication","apiKey":"{KEY}"}},{{"taskType":"ping","ping":true}}]"#
            ),
        ),
        (
            Some(format!("Bearer {WRONG}")),
            r#"[{"taskType":"ping","ping":true}]"#.to_owned(),
        ),
    ] {
        let mut request = http.post(format!("{url}/v1")).body(body);
        if let Some(header) = header {
            request = request.header("authorization", header);
        }
        request.send().await.unwrap();
    }
    // Let the server finish its lines, then stop it and read everything it logged.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(guard);
    let logs = logs.join().unwrap();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "the server did not log at trace level:\n{logs}"
    );
    assert!(logs.contains("authentication"), "{logs}");
    for key in [KEY, WRONG] {
        assert!(!logs.contains(key), "the key {key} was logged:\n{logs}");
        // Nor a recognisable part of it.
        assert!(
            !logs.contains(&key[3..16]),
            "part of {key} was logged:\n{logs}"
        );
    }
}
