//! `runware-sim bench`: the two figures the project tracks, measured on this machine.
//!
//! (a) the wall time of rendering a 5 s 1080p MP4 from two frames, as the server does it;
//! (b) `getResponse` latency with many concurrent pollers against an in-process server on
//! loopback. Both are bounded in count and time and stop by themselves; nothing is asserted,
//! the numbers are printed as a table, and with `--json` as one JSON object on the last line.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use clap::Args;
use serde_json::{Value, json};

use crate::SimError;
use crate::config::{Config, DelayRange};
use crate::render::{Container, RenderJob, RenderSettings, Renderer, WebmCodec, synth_frame};

/// Options of the benchmark.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Also print the results as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
    /// How many times the 1080p render is measured (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub render_runs: u32,
    /// Concurrent getResponse pollers.
    #[arg(long, default_value_t = 500)]
    pub pollers: usize,
    /// getResponse requests per poller in the paced phase.
    #[arg(long, default_value_t = 10)]
    pub polls: usize,
    /// Pause between two polls of one poller in the paced phase, in ms. Runware's SDKs poll
    /// every 1-3 s; 1000 is the busiest of those clients.
    #[arg(long, default_value_t = 1000)]
    pub interval_ms: u64,
    /// getResponse requests per poller in the saturated phase, where every poller sends its
    /// next poll as soon as the last one is answered (0 skips the phase).
    #[arg(long, default_value_t = 20)]
    pub burst_polls: usize,
    /// Stop polling after this many seconds even if not every poll was sent.
    #[arg(long, default_value_t = 60)]
    pub max_seconds: u64,
    /// Skip the render measurement.
    #[arg(long)]
    pub skip_render: bool,
    /// Skip the polling measurement.
    #[arg(long)]
    pub skip_poll: bool,
}

/// Render figures, milliseconds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RenderFigures {
    /// Each run.
    pub runs_ms: Vec<u64>,
    /// Median run.
    pub median_ms: u64,
    /// Fastest run.
    pub min_ms: u64,
    /// Slowest run.
    pub max_ms: u64,
}

/// Polling figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PollFigures {
    /// Concurrent pollers.
    pub pollers: usize,
    /// Pause between two polls of one poller (0: back to back).
    pub interval_ms: u64,
    /// Requests completed.
    pub requests: usize,
    /// Requests that failed (transport error, non-200, or a reply that is not the task state).
    pub errors: usize,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Slowest request, ms.
    pub max_ms: f64,
    /// Requests per second over the whole run.
    pub requests_per_s: f64,
}

/// Runs the benchmark with the server options of `config` (ffmpeg path, presets, …).
pub async fn run(args: BenchArgs, config: Config) -> Result<(), SimError> {
    let dir = tempfile::tempdir().map_err(|e| SimError::Bench(e.to_string()))?;
    let render = if args.skip_render {
        None
    } else {
        Some(bench_render(&args, &config, dir.path()).await?)
    };
    let poll = if args.skip_poll {
        None
    } else {
        Some(bench_poll(&args, &config, dir.path()).await?)
    };

    println!("{:<44} {:>12}", "benchmark", "result");
    if let Some(r) = &render {
        println!(
            "{:<44} {:>10.2} s   (goal <= 5 s; runs: {})",
            "render 5 s 1080p MP4 (median)",
            r.median_ms as f64 / 1000.0,
            r.runs_ms
                .iter()
                .map(|ms| format!("{:.2}", *ms as f64 / 1000.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some((paced, saturated)) = &poll {
        print_poll(
            &format!(
                "{} pollers, one poll each {} ms",
                paced.pollers, paced.interval_ms
            ),
            paced,
            "  (goal < 20 ms)",
        );
        if let Some(saturated) = saturated {
            print_poll(
                &format!("{} pollers, back to back", saturated.pollers),
                saturated,
                "",
            );
        }
    }
    if args.json {
        let report = json!({
            "render_5s_1080p_mp4": render,
            "get_response": poll.as_ref().map(|p| &p.0),
            "get_response_saturated": poll.as_ref().map(|p| &p.1),
            "goals": { "render_ms": 5000, "p99_ms": 20, "errors": 0 },
        });
        println!("{report}");
    }
    Ok(())
}

fn print_poll(title: &str, p: &PollFigures, goal: &str) {
    println!("getResponse, {title}:");
    println!("{:<44} {:>10.2} ms", "  p50", p.p50_ms);
    println!("{:<44} {:>10.2} ms{goal}", "  p99", p.p99_ms);
    println!("{:<44} {:>10.2} ms", "  max", p.max_ms);
    println!(
        "{:<44} {:>12}",
        "  requests / errors",
        format!("{} / {}", p.requests, p.errors)
    );
    println!("{:<44} {:>10.0} /s", "  throughput", p.requests_per_s);
}

async fn bench_render(
    args: &BenchArgs,
    config: &Config,
    dir: &Path,
) -> Result<RenderFigures, SimError> {
    let bench_err = |e: crate::render::RenderError| SimError::Bench(e.to_string());
    let first = dir.join("first.png");
    let last = dir.join("last.png");
    // Sizes other than the output's, so the cover-scaling is part of what is measured.
    synth_frame(&config.ffmpeg, "testsrc2", 1600, 1200, &first)
        .await
        .map_err(bench_err)?;
    synth_frame(&config.ffmpeg, "mandelbrot", 1280, 960, &last)
        .await
        .map_err(bench_err)?;
    let renderer = Renderer::new(
        RenderSettings {
            ffmpeg: config.ffmpeg.clone(),
            x264_preset: config.x264_preset.clone(),
            webm_codec: WebmCodec::Vp9,
            timeout: Duration::from_secs(300),
        },
        1,
    );
    let mut runs = Vec::new();
    for run in 0..args.render_runs.max(1) {
        let job = RenderJob {
            first: Some(first.clone()),
            last: Some(last.clone()),
            width: 1920,
            height: 1080,
            seconds: 5,
            container: Container::Mp4,
            quality: 95,
            seed: u64::from(run) + 1,
            output: dir.join(format!("bench-{run}.mp4")),
        };
        let started = Instant::now();
        renderer.render(&job).await.map_err(bench_err)?;
        runs.push(started.elapsed().as_millis() as u64);
    }
    let mut sorted = runs.clone();
    sorted.sort_unstable();
    Ok(RenderFigures {
        median_ms: sorted[sorted.len() / 2],
        min_ms: sorted[0],
        max_ms: sorted[sorted.len() - 1],
        runs_ms: runs,
    })
}

/// Starts a server with finished tasks, then measures a paced phase and a saturated one.
async fn bench_poll(
    args: &BenchArgs,
    config: &Config,
    dir: &Path,
) -> Result<(PollFigures, Option<PollFigures>), SimError> {
    let frame = dir.join("poll-frame.png");
    synth_frame(&config.ffmpeg, "testsrc2", 720, 720, &frame)
        .await
        .map_err(|e| SimError::Bench(e.to_string()))?;
    let bytes = tokio::fs::read(&frame)
        .await
        .map_err(|e| SimError::Bench(e.to_string()))?;
    let data_uri = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    let server_config = Config {
        port: 0,
        api_key: None,
        public_url: None,
        data_dir: None,
        delay: DelayRange {
            min: Duration::ZERO,
            max: Duration::ZERO,
        },
        realistic: false,
        ..config.clone()
    };
    let server = crate::run(server_config).await?;
    let url = format!("{}/v1", server.url);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| SimError::Bench(e.to_string()))?;

    // A few finished tasks, so each poll returns a full success state (the heaviest reply).
    let mut tasks = Vec::new();
    for i in 0..4 {
        let task_uuid = uuid::Uuid::new_v4().to_string();
        let body = json!([{
            "taskType": "videoInference",
            "taskUUID": task_uuid,
            "model": "klingai:5@2",
            "positivePrompt": "benchmark",
            "inputs": { "frameImages": [data_uri] },
            "width": 720, "height": 720,
            "numberResults": 1 + i % 2,
            "includeCost": true,
        }]);
        let reply = post(&client, &url, &body).await?;
        if reply.get("errors").is_some() {
            return Err(SimError::Bench(format!("submission refused: {reply}")));
        }
        tasks.push(task_uuid);
    }
    let ready_by = Instant::now() + Duration::from_secs(180);
    for task in &tasks {
        loop {
            let reply = post(
                &client,
                &url,
                &json!([{ "taskType": "getResponse", "taskUUID": task }]),
            )
            .await?;
            if reply.get("errors").is_some() {
                return Err(SimError::Bench(format!("task failed: {reply}")));
            }
            let items = reply["data"].as_array().cloned().unwrap_or_default();
            if !items.is_empty() && items.iter().all(|i| i["status"] == "success") {
                break;
            }
            if Instant::now() > ready_by {
                return Err(SimError::Bench("tasks did not finish in 180 s".to_owned()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    let tasks = Arc::new(tasks);
    let max_time = Duration::from_secs(args.max_seconds.max(1));
    let paced = poll_phase(
        &url,
        &tasks,
        args.pollers,
        args.polls,
        Duration::from_millis(args.interval_ms),
        max_time,
    )
    .await;
    let saturated = if paced.is_ok() && args.burst_polls > 0 {
        Some(
            poll_phase(
                &url,
                &tasks,
                args.pollers,
                args.burst_polls,
                Duration::ZERO,
                max_time,
            )
            .await,
        )
    } else {
        None
    };
    server.shutdown().await;
    Ok((paced?, saturated.transpose()?))
}

/// `pollers` concurrent pollers, each sending `polls` getResponse requests `interval` apart
/// (back to back when zero), each poller on its own connection.
async fn poll_phase(
    url: &str,
    tasks: &Arc<Vec<String>>,
    pollers: usize,
    polls: usize,
    interval: Duration,
    max_time: Duration,
) -> Result<PollFigures, SimError> {
    let pollers = pollers.max(1);
    let polls = polls.max(1);
    // Every poller first opens its connection with one untimed poll, then all start together:
    // the figures are for steady polling, not for 500 TCP handshakes at once.
    let barrier = Arc::new(tokio::sync::Barrier::new(pollers + 1));
    let mut handles = Vec::with_capacity(pollers);
    for poller in 0..pollers {
        // One client (one connection pool) per poller, as separate app instances would have;
        // a shared pool would also add its own lock to every request.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SimError::Bench(e.to_string()))?;
        let url = url.to_owned();
        let tasks = tasks.clone();
        let barrier = barrier.clone();
        handles.push(tokio::spawn(async move {
            let task = &tasks[poller % tasks.len()];
            let body = json!([{ "taskType": "getResponse", "taskUUID": task }]).to_string();
            let _ = poll_once(&client, &url, &body).await;
            barrier.wait().await;
            if !interval.is_zero() {
                // Spread the pollers over one interval, as independent clients would be.
                let offset = interval.mul_f64(poller as f64 / pollers as f64);
                tokio::time::sleep(offset).await;
            }
            let mut latencies = Vec::with_capacity(polls);
            let mut errors = 0usize;
            let deadline = Instant::now() + max_time;
            for _ in 0..polls {
                if Instant::now() > deadline {
                    break;
                }
                let t = Instant::now();
                let ok = poll_once(&client, &url, &body).await;
                latencies.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
                if !interval.is_zero() {
                    tokio::time::sleep(interval.saturating_sub(t.elapsed())).await;
                }
            }
            (latencies, errors)
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for handle in handles {
        match handle.await {
            Ok((l, e)) => {
                latencies.extend(l);
                errors += e;
            }
            Err(_) => errors += 1,
        }
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    Ok(PollFigures {
        pollers,
        interval_ms: interval.as_millis() as u64,
        requests: latencies.len(),
        errors,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
        requests_per_s: latencies.len() as f64 / elapsed.as_secs_f64().max(1e-9),
    })
}

/// One timed `getResponse`; true when it answered 200 with the task's items.
async fn poll_once(client: &reqwest::Client, url: &str, body: &str) -> bool {
    match client
        .post(url)
        .header("Authorization", "Bearer bench")
        .header("Content-Type", "application/json")
        .header("X-Sim-Client", "bench")
        .body(body.to_owned())
        .send()
        .await
    {
        Ok(reply) if reply.status().is_success() => reply
            .json::<Value>()
            .await
            .map(|v| v["data"].as_array().is_some_and(|a| !a.is_empty()))
            .unwrap_or(false),
        _ => false,
    }
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Result<Value, SimError> {
    let reply = client
        .post(url)
        .header("Authorization", "Bearer bench")
        .json(body)
        .send()
        .await
        .map_err(|e| SimError::Bench(e.to_string()))?;
    reply
        .json::<Value>()
        .await
        .map_err(|e| SimError::Bench(e.to_string()))
}
