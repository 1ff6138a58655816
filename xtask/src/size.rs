//! The size budget of the release bundle: wasm + js + css, measured raw and brotli-compressed
//! (quality 11, as a static host or CDN would serve them).

use std::path::Path;

use crate::{Error, Result};

/// The budget for the whole bundle, brotli-compressed, in bytes: 300 KB. It is a guard against
/// bloat (a dependency pulled in by mistake, a generic instantiated per type), not a target.
pub const BUDGET_BROTLI: u64 = 300_000;

/// Raw and compressed sizes of one kind of file.
#[derive(Default, Clone, Copy)]
pub struct Sizes {
    /// Bytes on disk.
    pub raw: u64,
    /// Bytes after brotli.
    pub brotli: u64,
}

/// The bundle's sizes by kind.
pub struct Bundle {
    /// `.wasm` files.
    pub wasm: Sizes,
    /// `.js` files.
    pub js: Sizes,
    /// `.css` files.
    pub css: Sizes,
}

impl Bundle {
    /// All three kinds together.
    pub fn total(&self) -> Sizes {
        Sizes {
            raw: self.wasm.raw + self.js.raw + self.css.raw,
            brotli: self.wasm.brotli + self.js.brotli + self.css.brotli,
        }
    }
}

/// Measures the files at the top of `dist`.
pub fn measure(dist: &Path) -> Result<Bundle> {
    let entries = std::fs::read_dir(dist).map_err(|e| {
        Error::Failed(format!(
            "cannot read {}: {e} (build it first)",
            dist.display()
        ))
    })?;
    let mut bundle = Bundle {
        wasm: Sizes::default(),
        js: Sizes::default(),
        css: Sizes::default(),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let slot = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => &mut bundle.wasm,
            Some("js") => &mut bundle.js,
            Some("css") => &mut bundle.css,
            _ => continue,
        };
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::Failed(format!("cannot read {}: {e}", path.display())))?;
        slot.raw += bytes.len() as u64;
        slot.brotli += crate::compress::brotli(&bytes)?.len() as u64;
    }
    if bundle.wasm.raw == 0 {
        return Err(Error::Failed(format!(
            "no .wasm file in {}",
            dist.display()
        )));
    }
    Ok(bundle)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Prints the table and fails when the brotli total is over budget.
pub fn check(dist: &Path) -> Result<String> {
    let bundle = measure(dist)?;
    println!("    {:<6} {:>12} {:>12}", "", "raw", "brotli");
    for (name, s) in [
        ("wasm", bundle.wasm),
        ("js", bundle.js),
        ("css", bundle.css),
        ("total", bundle.total()),
    ] {
        println!("    {:<6} {:>12} {:>12}", name, kb(s.raw), kb(s.brotli));
    }
    let total = bundle.total().brotli;
    let summary = format!("{} brotli of {} budget", kb(total), kb(BUDGET_BROTLI));
    if total > BUDGET_BROTLI {
        Err(Error::Failed(format!("bundle is over budget: {summary}")))
    } else {
        Ok(summary)
    }
}
