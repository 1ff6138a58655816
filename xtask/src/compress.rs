//! `cargo xtask compress DIR`: a `.br` (brotli) and a `.gz` (gzip) beside each compressible file
//! of a release build, so that a static host can send them as they are (nginx `brotli_static on;
//! gzip_static on;`, or a CDN that serves precompressed files) instead of the 800 KB raw bundle.
//! Run by Trunk's post-build hook (`xtask/post-build.sh`) on release builds.
//!
//! Both use their strongest setting: compressing happens once per build, decompressing on every
//! visit. A compressed file that would not be smaller than its original is not written.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Extensions worth compressing: text, and wasm (which brotli shrinks to about a third). Images
/// and videos are compressed already.
const COMPRESSIBLE: [&str; 10] = [
    "html", "js", "mjs", "css", "wasm", "svg", "json", "md", "txt", "xml",
];

/// `cargo xtask compress DIR`.
pub fn main(args: &[String]) -> Result<()> {
    let [dir] = args else {
        return Err(Error::Usage("compress takes one directory".into()));
    };
    let mut files = Vec::new();
    collect(Path::new(dir), &mut files)?;
    files.sort();
    let (mut raw, mut br, mut gz) = (0u64, 0u64, 0u64);
    for path in &files {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Command(format!("cannot read {}: {e}", path.display())))?;
        raw += bytes.len() as u64;
        for (ext, packed) in [("br", brotli(&bytes)?), ("gz", gzip(&bytes)?)] {
            if packed.len() >= bytes.len() {
                continue;
            }
            if ext == "br" {
                br += packed.len() as u64;
            } else {
                gz += packed.len() as u64;
            }
            let mut name = path.as_os_str().to_owned();
            name.push(".");
            name.push(ext);
            std::fs::write(&name, &packed).map_err(|e| {
                Error::Command(format!("cannot write {}: {e}", Path::new(&name).display()))
            })?;
        }
    }
    println!(
        "compress: {} files, {:.1} KB raw -> {:.1} KB brotli, {:.1} KB gzip",
        files.len(),
        raw as f64 / 1000.0,
        br as f64 / 1000.0,
        gz as f64 / 1000.0
    );
    Ok(())
}

/// The compressible files under `dir`, at any depth.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Command(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Brotli at quality 11 with a 4 MB window, as static hosts and CDNs precompress.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .map_err(|e| Error::Failed(format!("brotli failed: {e}")))?;
    Ok(out)
}

/// Gzip at level 9, for the clients and hosts without brotli.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| Error::Failed(format!("gzip failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn both_decode_to_the_original() {
        let text = "Kling Studio ".repeat(500).into_bytes();
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(&text).unwrap()[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, text);
        let mut ungzip = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&text).unwrap()[..])
            .read_to_end(&mut ungzip)
            .unwrap();
        assert_eq!(ungzip, text);
    }
}
