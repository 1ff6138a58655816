//! `cargo xtask test`: every test tier in order, then a one-line summary of each.
//!
//! Tiers that depend on a failed one are skipped (and say so); the command exits non-zero when
//! any tier failed.

use std::process::Command;
use std::time::Instant;

use crate::cmd::{self, secs};
use crate::setup::{self, Needs};
use crate::{Error, Result, size};

/// The tiers, in the order they run.
const TIERS: [&str; 8] = [
    "fmt",
    "clippy",
    "native",
    "sdk",
    "component",
    "build",
    "size",
    "e2e",
];

struct Report {
    tier: &'static str,
    outcome: std::result::Result<String, String>,
    seconds: f64,
}

/// Runs the tiers named in `args` (all when none is named).
pub fn main(args: &[String]) -> Result<()> {
    for a in args {
        if !TIERS.contains(&a.as_str()) {
            return Err(Error::Usage(format!("unknown test tier `{a}`")));
        }
    }
    let wanted = |t: &str| args.is_empty() || args.iter().any(|a| a == t);
    let needs_build = wanted("build") || wanted("size") || wanted("e2e");
    setup::ensure(Needs {
        wasm: needs_build || wanted("component") || wanted("clippy"),
        browser: wanted("component") || wanted("e2e"),
        ffmpeg: wanted("native") || wanted("e2e") || wanted("sdk"),
        e2e: wanted("e2e"),
        python: wanted("sdk"),
        redis: wanted("native"),
    })?;

    let mut reports: Vec<Report> = Vec::new();
    let mut built = None;
    for tier in TIERS {
        let run_it = wanted(tier) || (tier == "build" && needs_build);
        if !run_it {
            continue;
        }
        println!("\n==> test tier: {tier}");
        let start = Instant::now();
        let outcome = if (tier == "size" || tier == "e2e") && built == Some(false) {
            Err("skipped: the release build failed".to_string())
        } else {
            run_tier(tier).map_err(|e| e.to_string())
        };
        if tier == "build" {
            built = Some(outcome.is_ok());
        }
        if let Err(e) = &outcome {
            eprintln!("    tier {tier} FAILED: {e}");
        }
        reports.push(Report {
            tier,
            outcome,
            seconds: secs(start),
        });
    }

    println!("\n==> summary");
    let failed = reports.iter().filter(|r| r.outcome.is_err()).count();
    for r in &reports {
        let (mark, text) = match &r.outcome {
            Ok(t) => ("ok  ", t.as_str()),
            Err(t) => ("FAIL", t.lines().next().unwrap_or_default()),
        };
        println!("  {mark} {:<10} {:>6.1} s  {text}", r.tier, r.seconds);
    }
    println!(
        "tiers: {} passed, {} failed",
        reports.len() - failed,
        failed
    );
    if failed > 0 {
        Err(Error::Failed(format!("{failed} test tier(s) failed")))
    } else {
        Ok(())
    }
}

fn run_tier(tier: &str) -> Result<String> {
    match tier {
        "fmt" => {
            cmd::run(cmd::command("cargo").args(["fmt", "--all", "--check"]))?;
            Ok("formatted".into())
        }
        "clippy" => {
            cmd::run(cmd::command("cargo").args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            // The app's browser-only code is compiled for wasm32 alone: lint it there too.
            cmd::run(cmd::command("cargo").args([
                "clippy",
                "--package",
                "kling-studio",
                "--all-targets",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]))?;
            Ok("no warnings (native and wasm32)".into())
        }
        "native" => {
            // The gateway's tests start a private redis-server (set-up installed it); here a
            // missing one fails them instead of skipping.
            cmd::run(
                cmd::command("cargo")
                    .args(["test", "--workspace"])
                    .env("RUNWARE_GATEWAY_REQUIRE_REDIS", "1"),
            )?;
            Ok("cargo test --workspace passed (the gateway's tests with SQLite and Redis)".into())
        }
        "component" => {
            // The runner stops chromedriver without closing its session, so each test binary
            // would leave its Chromium profile (about 75 MB) in the temporary folder: give them
            // a folder of their own, emptied after the run.
            let tmp = cmd::root().join("target").join("component-tmp");
            let _ = std::fs::remove_dir_all(&tmp);
            std::fs::create_dir_all(&tmp)
                .map_err(|e| Error::Failed(format!("cannot create {}: {e}", tmp.display())))?;
            let result = cmd::run(component_tests().env("TMPDIR", &tmp));
            let _ = std::fs::remove_dir_all(&tmp);
            result?;
            Ok("wasm-bindgen-test in headless Chromium passed".into())
        }
        "sdk" => sdk_job(),
        "build" => {
            cmd::run(&mut trunk_build())?;
            Ok("trunk build --release".into())
        }
        "size" => size::check(&cmd::root().join("dist")),
        "e2e" => {
            crate::run::build_simulator(false)?;
            cmd::run(&mut e2e_tests())?;
            Ok("Playwright in Debian's Chromium passed".into())
        }
        _ => Err(Error::Usage(format!("unknown tier {tier}"))),
    }
}

/// The `sdk` tier: Runware's own Python SDK (runware-sdk, unmodified) runs a two-frame
/// `klingai:5@2` job against the simulator over REST and over WebSocket. The simulator is
/// started here on a free loopback port and stopped afterwards; its log goes to
/// `target/sdk-tier-sim.log`.
fn sdk_job() -> Result<String> {
    let bin = crate::run::build_simulator(false)?;
    let log_path = cmd::root().join("target").join("sdk-tier-sim.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| Error::Failed(format!("cannot create {}: {e}", log_path.display())))?;
    // A key of this run's own: any non-empty key would do, this one proves the SDK sends it.
    let key = format!("sdk-tier-{}", std::process::id());
    let args: Vec<String> = [
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--delay",
        "3s..4s",
        "--api-key",
        &key,
    ]
    .map(str::to_owned)
    .to_vec();
    let (sim, url) = crate::run::spawn_simulator(&bin, &args, log)?;
    let script = cmd::root()
        .join("crates")
        .join("runware-sim")
        .join("tests")
        .join("sdk")
        .join("runware_sdk_job.py");
    let mut python = Command::new(setup::venv_python());
    python
        .arg(&script)
        .args(["--url", &url, "--api-key", &key])
        .current_dir(cmd::root());
    let line = cmd::describe(&python);
    println!("    $ {line}");
    let output = python
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| cmd::spawn_error(&line, &e));
    drop(sim);
    let output = output?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    let closing = stdout
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .unwrap_or("no result line")
        .to_owned();
    if output.status.success() {
        Ok(format!(
            "runware-sdk {}: {closing}",
            setup::RUNWARE_SDK_VERSION
        ))
    } else {
        Err(Error::Failed(format!(
            "Runware's Python SDK could not complete its job against the simulator ({closing}; \
             {}); the simulator's log is {}",
            output.status,
            log_path.display()
        )))
    }
}

/// `trunk build --release`, never reaching out to GitHub.
pub fn trunk_build() -> Command {
    let mut c = cmd::command("trunk");
    c.args(["build", "--release", "--skip-version-check", "--offline"]);
    c
}

/// Every `tests/components*.rs` file, run by wasm-bindgen-test in headless Chromium.
fn component_tests() -> Command {
    let mut c = cmd::command("cargo");
    c.args([
        "test",
        "--package",
        "kling-studio",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    let mut names: Vec<String> = std::fs::read_dir(cmd::root().join("tests"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("components") && n.ends_with(".rs"))
        .map(|n| n.trim_end_matches(".rs").to_string())
        .collect();
    names.sort();
    for name in names {
        c.args(["--test", &name]);
    }
    c.env("CHROMEDRIVER", "/usr/bin/chromedriver");
    c
}

/// Playwright's runner over `tests/e2e`, against the built `dist/`.
pub fn e2e_tests() -> Command {
    let dir = cmd::root().join("tests").join("e2e");
    let mut c = cmd::command("node");
    c.current_dir(&dir)
        .arg(
            dir.join("node_modules")
                .join("@playwright")
                .join("test")
                .join("cli.js"),
        )
        .arg("test")
        .env("KS_ROOT", cmd::root());
    c
}
