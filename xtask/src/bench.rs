//! `cargo xtask bench`: every benchmark of the project, one table of figures, and the same figures
//! as JSON under `bench-results/` (git-ignored). Benchmarks report; they never fail on a timing.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::cmd::{self, secs};
use crate::setup::{self, Needs};
use crate::{Result, size, test};

/// One measured figure.
struct Figure {
    bench: String,
    name: String,
    value: f64,
    unit: String,
    goal: String,
}

/// Runs the benchmarks and prints their figures.
pub fn main(_args: &[String]) -> Result<()> {
    setup::ensure(Needs::all())?;
    let mut figures = Vec::new();

    println!("\n==> bench: release build and bundle size");
    let start = Instant::now();
    cmd::run(&mut test::trunk_build())?;
    figures.push(Figure {
        bench: "bundle".into(),
        name: "release build (warm cache)".into(),
        value: secs(start),
        unit: "s".into(),
        goal: String::new(),
    });
    let bundle = size::measure(&cmd::root().join("dist"))?;
    for (name, s) in [
        ("wasm", bundle.wasm),
        ("js", bundle.js),
        ("css", bundle.css),
        ("total", bundle.total()),
    ] {
        let goal = if name == "total" {
            format!("<= {} KB", size::BUDGET_BROTLI / 1000)
        } else {
            String::new()
        };
        figures.push(Figure {
            bench: "bundle".into(),
            name: format!("{name} brotli"),
            value: s.brotli as f64 / 1000.0,
            unit: "KB".into(),
            goal,
        });
    }

    let sim = crate::run::build_simulator(true)?;
    simulator_bench(&sim, &mut figures)?;
    browser_benches(&sim, &mut figures)?;

    print_table(&figures);
    write_json(&figures)
}

/// Unit and goal of the figures the benchmark scripts report, by name.
fn describe(name: &str) -> (&'static str, &'static str) {
    match name {
        "ingest_ms" => ("ms", "<= 300 ms for a 24 MP JPEG"),
        "payload_ratio" => ("x", "<= 0.2 of the whole-file data URI"),
        "get_response_per_min" | "get_response_per_min_ws" => {
            ("req/min", "<= 15 with 10 jobs in flight")
        }
        "ready_to_visible_p90_ms" | "ready_to_visible_p90_ms_ws" => ("ms", "<= 3000"),
        "ready_to_visible_ms"
        | "ready_to_visible_ms_ws"
        | "ready_to_playable_ms"
        | "ready_to_playable_ms_ws" => ("ms", ""),
        "ingest_cold_ms" | "ingest_longest_task_ms" => ("ms", ""),
        "payload_kb" | "source_kb" => ("KB", ""),
        "get_response_tasks_per_min" | "get_response_tasks_per_min_ws" => ("tasks/min", ""),
        _ => ("", ""),
    }
}

/// The simulator's own benchmark: render time of a 5 s 1080p MP4, and getResponse latency with
/// 500 concurrent pollers, paced (one poll a second each, as SDKs poll) and saturated (back to back).
fn simulator_bench(sim: &std::path::Path, figures: &mut Vec<Figure>) -> Result<()> {
    println!("\n==> bench: simulator (render and polling)");
    let out = std::process::Command::new(sim)
        .args(["bench", "--json"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| cmd::spawn_error(&sim.display().to_string(), &e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    let Some(json) = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
    else {
        println!(
            "    the simulator bench printed no figures ({})",
            out.status
        );
        return Ok(());
    };
    let mut push = |name: &str, value: Option<f64>, unit: &str, goal: &str| {
        if let Some(value) = value {
            figures.push(Figure {
                bench: "simulator".into(),
                name: name.into(),
                value,
                unit: unit.into(),
                goal: goal.into(),
            });
        }
    };
    let render = &json["render_5s_1080p_mp4"];
    push(
        "render 5 s 1080p MP4 (median)",
        render["median_ms"].as_f64().map(|ms| ms / 1000.0),
        "s",
        "<= 5 s on 2 cores",
    );
    for (key, label) in [
        ("get_response", "getResponse, 500 pollers at 1/s"),
        (
            "get_response_saturated",
            "getResponse, 500 pollers back to back",
        ),
    ] {
        let p = &json[key];
        push(&format!("{label}: p50"), p["p50_ms"].as_f64(), "ms", "");
        push(
            &format!("{label}: p99"),
            p["p99_ms"].as_f64(),
            "ms",
            "< 20 ms",
        );
        push(&format!("{label}: errors"), p["errors"].as_f64(), "", "0");
    }
    Ok(())
}

/// Runs every `tests/e2e/bench/*.bench.mjs` against the built app and the simulator; each prints
/// its figures as a last line `BENCH_JSON {"name": number, ...}`.
fn browser_benches(sim: &std::path::Path, figures: &mut Vec<Figure>) -> Result<()> {
    let dir = cmd::root().join("tests").join("e2e").join("bench");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut scripts: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".bench.mjs"))
        .collect();
    scripts.sort();
    if scripts.is_empty() {
        return Ok(());
    }
    for script in scripts {
        let name = script
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(".bench.mjs")
                    .to_string()
            })
            .unwrap_or_default();
        println!("\n==> bench: {name}");
        let mut c = cmd::command("node");
        c.arg(&script)
            .current_dir(&dir)
            .env("KS_ROOT", cmd::root())
            .env("KS_DIST", cmd::root().join("dist"))
            .env("KS_SIM_BIN", sim)
            .stdout(std::process::Stdio::piped());
        let out = c.output().map_err(|e| cmd::spawn_error("node", &e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        let parsed = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("BENCH_JSON "))
            .and_then(|j| serde_json::from_str::<serde_json::Map<String, Value>>(j).ok());
        let Some(map) = parsed.filter(|_| out.status.success()) else {
            println!("    {name}: no figures ({})", out.status);
            figures.push(Figure {
                bench: name.clone(),
                name: "did not report".into(),
                value: f64::NAN,
                unit: String::new(),
                goal: String::new(),
            });
            continue;
        };
        for (key, value) in map {
            let (unit, goal) = describe(&key);
            figures.push(Figure {
                bench: name.clone(),
                name: key,
                value: value.as_f64().unwrap_or(f64::NAN),
                unit: unit.into(),
                goal: goal.into(),
            });
        }
    }
    Ok(())
}

fn print_table(figures: &[Figure]) {
    println!(
        "\n{:<10} {:<44} {:>12} {:<6} goal",
        "bench", "figure", "value", "unit"
    );
    for f in figures {
        println!(
            "{:<10} {:<44} {:>12.2} {:<6} {}",
            f.bench, f.name, f.value, f.unit, f.goal
        );
    }
}

fn write_json(figures: &[Figure]) -> Result<()> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let rows: Vec<Value> = figures
        .iter()
        .map(|f| {
            json!({"bench": f.bench, "figure": f.name, "value": f.value, "unit": f.unit, "goal": f.goal})
        })
        .collect();
    let doc = json!({"unixTime": stamp, "figures": rows});
    let dir = cmd::root().join("bench-results");
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let write = |name: String| std::fs::write(dir.join(name), &text);
    std::fs::create_dir_all(&dir)
        .and_then(|()| write(format!("bench-{stamp}.json")))
        .and_then(|()| write("latest.json".into()))
        .map_err(|e| crate::Error::Command(format!("cannot write bench-results/: {e}")))?;
    println!("\nfigures written to bench-results/latest.json");
    Ok(())
}
