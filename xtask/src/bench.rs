//! `cargo xtask bench`: every benchmark of the project, one table of figures, and the same figures
//! as JSON under `bench-results/` (git-ignored). Benchmarks report; they never fail on a timing.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::cmd::{self, secs};
use crate::setup::{self, Needs};
use crate::{Result, size, test};

/// One measured figure.
struct Figure {
    bench: &'static str,
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
        bench: "bundle",
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
            bench: "bundle",
            name: format!("{name} brotli"),
            value: s.brotli as f64 / 1000.0,
            unit: "KB".into(),
            goal,
        });
    }

    print_table(&figures);
    write_json(&figures)
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
