//! The binary as scripts use it: `--help`, the one "listening" line on stdout, the API key from
//! the environment, and the benchmark subcommand.

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
