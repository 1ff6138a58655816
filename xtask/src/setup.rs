//! Idempotent tool set-up: each step checks the installed version first and skips what is right,
//! so a second run costs well under a second. Each step prints what it did and how long it took.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cmd::{self, secs};
use crate::{Error, Result};

/// Trunk's version: 0.22 needs a newer rustc than this project's.
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from npm; Debian's binaryen (108) produces a wasm that loads as a blank page.
const BINARYEN_VERSION: &str = "132.0.0";
/// esbuild minifies the JS glue of release builds (Trunk's own JS minifier fails on it).
const ESBUILD_VERSION: &str = "0.25.12";
/// Runware's own Python SDK, which the `sdk` tier runs against the simulator. Its dependencies
/// are pinned beside the test script, in `crates/runware-sim/tests/sdk/requirements.txt`.
pub const RUNWARE_SDK_VERSION: &str = "1.4.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Which groups of tools a command needs.
#[derive(Clone, Copy)]
pub struct Needs {
    /// wasm target, trunk, wasm-bindgen, wasm-opt: to build the app.
    pub wasm: bool,
    /// chromium and chromedriver: browser tests and browser benchmarks.
    pub browser: bool,
    /// ffmpeg: the simulator renders videos with it.
    pub ffmpeg: bool,
    /// The npm packages of the end-to-end tests.
    pub e2e: bool,
    /// A Python venv in `.tools/python` with Runware's Python SDK: the `sdk` tier.
    pub python: bool,
    /// redis-server: the gateway's tests start a private one (and `run --gateway` can use it).
    pub redis: bool,
}

impl Needs {
    /// Everything the project uses.
    pub fn all() -> Self {
        Needs {
            wasm: true,
            browser: true,
            ffmpeg: true,
            e2e: true,
            python: true,
            redis: true,
        }
    }
}

/// Installs whatever `needs` asks for and is missing.
pub fn ensure(needs: Needs) -> Result<()> {
    let start = Instant::now();
    println!("==> set-up");
    let mut apt = Vec::new();
    if needs.browser {
        apt.extend(["chromium", "chromium-driver", "fonts-dejavu-core"]);
    }
    if needs.ffmpeg {
        apt.push("ffmpeg");
    }
    if needs.redis {
        apt.push("redis-server");
    }
    if needs.e2e && cmd::output(Command::new("npm").arg("--version")).is_none() {
        apt.extend(["nodejs", "npm"]);
    }
    step("Debian packages", || apt_packages(&apt))?;
    if needs.wasm {
        step("rust target wasm32-unknown-unknown", wasm_target)?;
        step(&format!("trunk {TRUNK_VERSION}"), trunk)?;
        step(
            "wasm-bindgen-cli (as Cargo.lock's wasm-bindgen)",
            wasm_bindgen,
        )?;
        step(
            &format!("wasm-opt (npm binaryen@{BINARYEN_VERSION})"),
            wasm_opt,
        )?;
        step(&format!("esbuild {ESBUILD_VERSION} (npm)"), esbuild)?;
    }
    if needs.e2e {
        step("npm packages of the browser tests", e2e_packages)?;
    }
    if needs.python {
        step(
            &format!("runware-sdk {RUNWARE_SDK_VERSION} (PyPI) in .tools/python"),
            runware_sdk,
        )?;
    }
    println!("==> set-up done in {:.1} s", secs(start));
    Ok(())
}

/// What a step did.
enum Outcome {
    Present(String),
    Installed(String),
}

fn step(name: &str, f: impl FnOnce() -> Result<Outcome>) -> Result<()> {
    let start = Instant::now();
    match f()? {
        Outcome::Present(what) => println!("  ok   {name}: {what} ({:.1} s)", secs(start)),
        Outcome::Installed(what) => {
            println!("  new  {name}: installed {what} in {:.1} s", secs(start))
        }
    }
    Ok(())
}

fn announce(name: &str) {
    println!("  ...  installing {name} (this happens once)");
}

fn apt_packages(wanted: &[&str]) -> Result<Outcome> {
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|p| !dpkg_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(Outcome::Present(if wanted.is_empty() {
            "none needed".into()
        } else {
            wanted.join(", ")
        }));
    }
    let list = missing.join(" ");
    let is_root = cmd::output(Command::new("id").arg("-u")).as_deref() == Some("0");
    let sudo = !is_root && cmd::output(Command::new("sudo").args(["-n", "true"])).is_some();
    if !is_root && !sudo {
        return Err(Error::Setup(format!(
            "the Debian packages {list} are missing and installing them needs root.\n\
             Run `sudo apt-get update && sudo apt-get install -y {list}` once, then this command again."
        )));
    }
    announce(&list);
    let apt = |args: &[&str]| -> Result<()> {
        let mut c = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd::run(&mut c).map_err(|e| {
            Error::Setup(format!(
                "{e}\nCould not install {list} with apt-get; check the package sources."
            ))
        })
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(missing.iter().copied());
    apt(&args)?;
    Ok(Outcome::Installed(list))
}

fn dpkg_installed(package: &str) -> bool {
    cmd::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .is_some_and(|s| s.ends_with("install ok installed"))
}

fn wasm_target() -> Result<Outcome> {
    let installed = cmd::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or_else(|| Error::Setup("`rustup` is needed to add the wasm32 target".into()))?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(Outcome::Present("installed".into()));
    }
    announce(WASM_TARGET);
    cmd::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
        .map_err(|e| Error::Setup(e.to_string()))?;
    Ok(Outcome::Installed(WASM_TARGET.into()))
}

/// The version a tool prints for `--version`, e.g. "trunk 0.21.14" → "0.21.14".
fn tool_version(program: &str) -> Option<String> {
    let out = cmd::output(cmd::command(program).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_string)
}

fn cargo_install(krate: &str, version: &str, locked: bool) -> Result<()> {
    announce(&format!("{krate} {version} with cargo install"));
    let mut c = Command::new("cargo");
    c.args(["install", krate, "--version", version]);
    if locked {
        c.arg("--locked");
    }
    cmd::run(&mut c).map_err(|e| {
        Error::Setup(format!(
            "{e}\nCould not build {krate} {version}; is crates.io reachable?"
        ))
    })
}

fn trunk() -> Result<Outcome> {
    if tool_version("trunk").as_deref() == Some(TRUNK_VERSION) {
        return Ok(Outcome::Present(TRUNK_VERSION.into()));
    }
    cargo_install("trunk", TRUNK_VERSION, true)?;
    Ok(Outcome::Installed(TRUNK_VERSION.into()))
}

/// wasm-bindgen's version as Cargo.lock records it: the CLI must match it exactly.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .map_err(|e| Error::Setup(format!("cannot read Cargo.lock: {e}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_string());
        }
    }
    Err(Error::Setup(
        "Cargo.lock names no wasm-bindgen; run `cargo generate-lockfile`".into(),
    ))
}

fn wasm_bindgen() -> Result<Outcome> {
    let want = locked_wasm_bindgen()?;
    let have_cli = tool_version("wasm-bindgen");
    let have_runner = tool_version("wasm-bindgen-test-runner");
    if have_cli.as_deref() == Some(want.as_str()) && have_runner.as_deref() == Some(want.as_str()) {
        return Ok(Outcome::Present(want));
    }
    // Not --locked: the registry mirror lacks one of the CLI's locked dependencies.
    cargo_install("wasm-bindgen-cli", &want, false)?;
    Ok(Outcome::Installed(want))
}

fn wasm_opt() -> Result<Outcome> {
    let bin = cmd::tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt");
    let major = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    let have = cmd::output(Command::new(&bin).arg("--version"));
    if have
        .as_deref()
        .is_some_and(|v| v.contains(&format!("version {major}")))
    {
        return Ok(Outcome::Present(format!("version {major} in .tools/")));
    }
    announce(&format!("binaryen@{BINARYEN_VERSION} from npm"));
    std::fs::create_dir_all(cmd::tools_dir())
        .map_err(|e| Error::Setup(format!("cannot create .tools/: {e}")))?;
    let pkg = format!("binaryen@{BINARYEN_VERSION}");
    npm_install(&cmd::tools_dir(), &pkg)?;
    Ok(Outcome::Installed(pkg))
}

/// `npm install`s one pinned package into `prefix`/node_modules, without touching any
/// package.json.
fn npm_install(prefix: &Path, pkg: &str) -> Result<()> {
    cmd::run(Command::new("npm").current_dir(prefix).args([
        "install",
        "--prefix",
        ".",
        "--no-audit",
        "--no-fund",
        "--no-save",
        "--loglevel=error",
        pkg,
    ]))
    .map_err(|e| Error::Setup(format!("{e}\nCould not install {pkg} from npm.")))
}

/// esbuild in `.tools/esbuild/` (its own prefix: an `npm install --no-save` there never prunes
/// binaryen), where `xtask/post-build.sh` looks for it.
fn esbuild() -> Result<Outcome> {
    let prefix = cmd::tools_dir().join("esbuild");
    let bin = prefix.join("node_modules").join(".bin").join("esbuild");
    if cmd::output(Command::new(&bin).arg("--version")).as_deref() == Some(ESBUILD_VERSION) {
        return Ok(Outcome::Present(format!(
            "{ESBUILD_VERSION} in .tools/esbuild/"
        )));
    }
    let pkg = format!("esbuild@{ESBUILD_VERSION}");
    announce(&format!("{pkg} from npm"));
    std::fs::create_dir_all(&prefix)
        .map_err(|e| Error::Setup(format!("cannot create .tools/esbuild/: {e}")))?;
    npm_install(&prefix, &pkg)?;
    Ok(Outcome::Installed(pkg))
}

/// A stamp of package-lock.json kept inside node_modules: equal stamp, nothing to install.
fn lock_stamp(lock: &Path) -> Option<String> {
    let bytes = std::fs::read(lock).ok()?;
    // FNV-1a: enough to notice that the lock file changed.
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    Some(format!("{hash:016x}"))
}

fn e2e_packages() -> Result<Outcome> {
    let dir = cmd::root().join("tests").join("e2e");
    let stamp_file = dir.join("node_modules").join(".ks-lock-stamp");
    let want = lock_stamp(&dir.join("package-lock.json"))
        .ok_or_else(|| Error::Setup("tests/e2e/package-lock.json is missing".into()))?;
    if std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(want.as_str()) {
        return Ok(Outcome::Present("as package-lock.json".into()));
    }
    announce("tests/e2e packages with npm ci");
    // PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the tests drive Debian's Chromium, never a downloaded one.
    cmd::run(
        Command::new("npm")
            .current_dir(&dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]),
    )
    .map_err(|e| {
        Error::Setup(format!(
            "{e}\nCould not install the browser tests' packages."
        ))
    })?;
    std::fs::write(&stamp_file, &want)
        .map_err(|e| Error::Setup(format!("cannot write {}: {e}", stamp_file.display())))?;
    Ok(Outcome::Installed(
        "packages of tests/e2e/package-lock.json".into(),
    ))
}

/// The venv of the `sdk` tier.
pub fn python_dir() -> PathBuf {
    cmd::tools_dir().join("python")
}

/// The venv's interpreter.
pub fn venv_python() -> PathBuf {
    python_dir().join("bin").join("python")
}

/// The pinned packages of the `sdk` tier.
pub fn sdk_requirements() -> PathBuf {
    cmd::root()
        .join("crates")
        .join("runware-sim")
        .join("tests")
        .join("sdk")
        .join("requirements.txt")
}

/// A venv in `.tools/python` holding exactly `requirements.txt`; skipped when the installed
/// runware-sdk is the pinned one and the requirements file has not changed since it was
/// installed (a stamp in the venv, as for the npm packages).
fn runware_sdk() -> Result<Outcome> {
    let requirements = sdk_requirements();
    let stamp_file = python_dir().join(".ks-requirements-stamp");
    let want = lock_stamp(&requirements)
        .ok_or_else(|| Error::Setup(format!("{} is missing", requirements.display())))?;
    let python = venv_python();
    let installed = cmd::output(Command::new(&python).args([
        "-c",
        "import importlib.metadata as m; print(m.version('runware-sdk'))",
    ]));
    let stamped = std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(want.as_str());
    if stamped && installed.as_deref() == Some(RUNWARE_SDK_VERSION) {
        return Ok(Outcome::Present(format!(
            "{RUNWARE_SDK_VERSION} in .tools/python"
        )));
    }
    if cmd::output(Command::new(&python).arg("--version")).is_none() {
        announce("a Python venv in .tools/python");
        std::fs::create_dir_all(cmd::tools_dir())
            .map_err(|e| Error::Setup(format!("cannot create .tools/: {e}")))?;
        cmd::run(
            Command::new("python3")
                .args(["-m", "venv"])
                .arg(python_dir()),
        )
        .map_err(|e| {
            Error::Setup(format!(
                "{e}\nCould not make a Python venv: Python 3 with its venv module is needed \
                     (on Debian: `apt-get install -y python3-venv`)."
            ))
        })?;
    }
    announce(&format!("runware-sdk=={RUNWARE_SDK_VERSION} with pip"));
    cmd::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
            ])
            .arg(&requirements),
    )
    .map_err(|e| {
        Error::Setup(format!(
            "{e}\nCould not install runware-sdk {RUNWARE_SDK_VERSION} from PyPI."
        ))
    })?;
    std::fs::write(&stamp_file, &want)
        .map_err(|e| Error::Setup(format!("cannot write {}: {e}", stamp_file.display())))?;
    Ok(Outcome::Installed(format!(
        "runware-sdk {RUNWARE_SDK_VERSION} and its pinned dependencies"
    )))
}
