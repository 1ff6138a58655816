//! Short names for the imports between the wasm and its JS glue.
//!
//! wasm-bindgen names each import after the JS function it binds plus a 16-digit hash
//! (`__wbg_setTimeout_4eb823e8b72fbe79`). Every name is written twice, in the wasm's import section
//! and as a key of the imports object in the glue, and the hex digits are noise to a compressor:
//! the studio's ~270 imports cost about 6.6 KB brotli that way. This step renames them `a`, `b`, …
//! `Z`, `ba`, … in both files, the way Emscripten minifies its import names. It runs as a Trunk
//! post-build hook (`xtask/post-build.sh`), so `dist/` never holds unminified names.
//!
//! Exports with long names (`wasm_bindgen__convert__closures_____invoke__h1a2b…`) are renamed the
//! same way.
//!
//! An import is renamed only when its name appears exactly once in the glue, as an object key, and
//! an export only when the glue uses its name only as `wasm.<name>`; anything else is left alone,
//! so a change in wasm-bindgen's output can cost bytes but never break the page. Running the step
//! twice changes nothing the second time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// `cargo xtask minify-imports DIR`: minifies every `<name>_bg.wasm` with its `<name>.js` in DIR.
pub fn main(args: &[String]) -> Result<()> {
    let [dir] = args else {
        return Err(Error::Usage("minify-imports takes one directory".into()));
    };
    let dir = Path::new(dir);
    let pairs = glue_pairs(dir)?;
    if pairs.is_empty() {
        return Err(Error::Command(format!(
            "minify-imports: no `*_bg.wasm` with its `.js` glue in {}",
            dir.display()
        )));
    }
    for (wasm_path, js_path) in pairs {
        let wasm = read(&wasm_path)?;
        let js = std::fs::read_to_string(&js_path)
            .map_err(|e| Error::Command(format!("cannot read {}: {e}", js_path.display())))?;
        let out = minify(&wasm, &js)?;
        if out.renamed == 0 {
            println!(
                "    minify-imports: {} already minified",
                wasm_path.display()
            );
            continue;
        }
        write(&wasm_path, &out.wasm)?;
        write(&js_path, out.js.as_bytes())?;
        println!(
            "    minify-imports: {} imports and exports renamed, {} → {} bytes (wasm + js)",
            out.renamed,
            wasm.len() + js.len(),
            out.wasm.len() + out.js.len()
        );
    }
    Ok(())
}

/// The `(wasm, js)` file pairs of a wasm-bindgen output directory.
fn glue_pairs(dir: &Path) -> Result<Vec<(PathBuf, PathBuf)>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Command(format!("cannot list {}: {e}", dir.display())))?;
    let mut pairs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(stem) = name.strip_suffix("_bg.wasm") {
            let js = dir.join(format!("{stem}.js"));
            if js.is_file() {
                pairs.push((path.clone(), js));
            }
        }
    }
    pairs.sort();
    Ok(pairs)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Command(format!("cannot read {}: {e}", path.display())))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", path.display())))
}

/// The rewritten pair, and how many names were changed.
#[derive(Debug)]
pub struct Minified {
    /// The wasm with short import names.
    pub wasm: Vec<u8>,
    /// The glue with the same short names as keys.
    pub js: String,
    /// How many imports and exports were renamed.
    pub renamed: usize,
}

/// Renames the imports of `wasm` from its glue module that `js` defines once as object keys.
///
/// The glue module is the one whose name ends in `_bg.js` (wasm-bindgen names it after the file
/// it would write, e.g. `./kling-studio_bg.js`, whatever Trunk later calls the files).
pub fn minify(wasm: &[u8], js: &str) -> Result<Minified> {
    let imports = import_names(wasm)?;
    let exports = export_names(wasm)?;
    let key_counts = key_occurrences(js);
    let mut taken: std::collections::HashSet<&str> =
        imports.iter().map(|(_, field)| field.as_str()).collect();
    let mut map: HashMap<String, String> = HashMap::new();
    let mut next = 0usize;
    for (module, field) in &imports {
        // Short names are never renamed again, and a name used elsewhere in the glue is kept.
        if !is_glue(module) || field.len() <= 3 || map.contains_key(field) {
            continue;
        }
        if key_counts.get(field.as_str()).map(|c| (c.total, c.keys)) != Some((1, 1)) {
            continue;
        }
        let short = fresh_name(&mut next, &taken, &key_counts);
        taken.insert(field.as_str());
        map.insert(field.clone(), short);
    }
    let mut export_map: HashMap<String, String> = HashMap::new();
    let export_taken: std::collections::HashSet<&str> =
        exports.iter().map(String::as_str).collect();
    for name in &exports {
        let used = key_counts.get(name.as_str());
        if name.len() <= 3 || used.is_none_or(|c| c.total == 0 || c.total != c.members) {
            continue;
        }
        let short = loop {
            let candidate = fresh_name(&mut next, &taken, &key_counts);
            if !export_taken.contains(candidate.as_str()) {
                break candidate;
            }
        };
        export_map.insert(name.clone(), short);
    }
    if map.is_empty() && export_map.is_empty() {
        return Ok(Minified {
            wasm: wasm.to_vec(),
            js: js.to_string(),
            renamed: 0,
        });
    }
    let wasm = rename(wasm, &map, &export_map)?;
    let js = rename_in_glue(js, &map, &export_map);
    Ok(Minified {
        wasm,
        js,
        renamed: map.len() + export_map.len(),
    })
}

/// The next short name that is neither an import's name nor a word of the glue.
fn fresh_name(
    next: &mut usize,
    taken: &std::collections::HashSet<&str>,
    words: &HashMap<&str, Uses>,
) -> String {
    loop {
        let candidate = short_name(*next);
        *next += 1;
        if !taken.contains(candidate.as_str()) && !words.contains_key(candidate.as_str()) {
            return candidate;
        }
    }
}

/// `a` … `z`, `A` … `Z`, `ba` …: never starting with a digit, so always a plain JS key.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// How an identifier-like word is used in the glue.
#[derive(Default, Clone, Copy)]
struct Uses {
    /// Every occurrence.
    total: usize,
    /// As an object key, `word:`.
    keys: usize,
    /// As an export, `wasm.word`.
    members: usize,
}

/// One identifier-like word of the glue.
struct Word {
    /// Its byte range.
    start: usize,
    end: usize,
    /// Followed by `:` (an object key).
    key: bool,
    /// Preceded by `wasm.` (an export).
    member: bool,
}

/// Every identifier-like word of `js`, in order.
fn words(js: &str) -> impl Iterator<Item = Word> + '_ {
    let bytes = js.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !is_word_byte(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        let before = &js[..start];
        Some(Word {
            start,
            end: i,
            key: bytes.get(i) == Some(&b':'),
            member: before.ends_with("wasm.")
                && !before[..start - 5].ends_with(|c: char| c.is_ascii() && is_word_byte(c as u8)),
        })
    })
}

/// For every identifier-like word of `js`, how it is used.
fn key_occurrences(js: &str) -> HashMap<&str, Uses> {
    let mut counts: HashMap<&str, Uses> = HashMap::new();
    for word in words(js) {
        let entry = counts.entry(&js[word.start..word.end]).or_default();
        entry.total += 1;
        entry.keys += usize::from(word.key);
        entry.members += usize::from(word.member);
    }
    counts
}

fn is_glue(module: &str) -> bool {
    module.ends_with("_bg.js")
}

/// Replaces each import's `old:` key by `new:` (each occurs exactly once, checked by the caller)
/// and each export's `wasm.old` by `wasm.new`.
fn rename_in_glue(
    js: &str,
    imports: &HashMap<String, String>,
    exports: &HashMap<String, String>,
) -> String {
    let mut out = String::with_capacity(js.len());
    let mut copied = 0;
    for word in words(js) {
        let text = &js[word.start..word.end];
        let short = if word.key {
            imports.get(text)
        } else if word.member {
            exports.get(text)
        } else {
            None
        };
        if let Some(short) = short {
            out.push_str(&js[copied..word.start]);
            out.push_str(short);
            copied = word.end;
        }
    }
    out.push_str(&js[copied..]);
    out
}

/// A reader over a wasm binary.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).ok_or_else(truncated)?;
        self.at += 1;
        Ok(b)
    }

    fn leb(&mut self) -> Result<u64> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(Error::Command("minify-imports: bad LEB128 number".into()));
            }
        }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(len).ok_or_else(truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or_else(truncated)?;
        self.at = end;
        Ok(slice)
    }

    fn name(&mut self) -> Result<String> {
        let len = self.leb()? as usize;
        let raw = self.take(len)?;
        String::from_utf8(raw.to_vec())
            .map_err(|_| Error::Command("minify-imports: an import name is not UTF-8".into()))
    }

    /// Skips an import's description (what it imports), which follows its two names.
    fn skip_import_kind(&mut self) -> Result<()> {
        match self.byte()? {
            // A function: its type index.
            0x00 => self.leb().map(drop),
            // A table: its element type, then limits.
            0x01 => {
                self.byte()?;
                self.skip_limits()
            }
            // A memory: limits.
            0x02 => self.skip_limits(),
            // A global: value type and mutability.
            0x03 => self.take(2).map(drop),
            // A tag: attribute and type index.
            0x04 => {
                self.byte()?;
                self.leb().map(drop)
            }
            other => Err(Error::Command(format!(
                "minify-imports: unknown import kind {other:#x}"
            ))),
        }
    }

    /// Skips an export's description: its kind and index.
    fn skip_export_kind(&mut self) -> Result<()> {
        self.byte()?;
        self.leb().map(drop)
    }

    fn skip_limits(&mut self) -> Result<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }
}

fn truncated() -> Error {
    Error::Command("minify-imports: the wasm file is truncated".into())
}

fn push_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let b = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    push_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

const IMPORT_SECTION: u8 = 2;
const EXPORT_SECTION: u8 = 7;

/// Walks the sections of `wasm`, handing the import section's payload to `f`.
fn sections(wasm: &[u8], mut f: impl FnMut(u8, &[u8]) -> Result<()>) -> Result<()> {
    if wasm.get(..4) != Some(b"\0asm") {
        return Err(Error::Command("minify-imports: not a wasm file".into()));
    }
    let mut r = Reader { bytes: wasm, at: 8 };
    while r.at < wasm.len() {
        let id = r.byte()?;
        let len = r.leb()? as usize;
        let payload = r.take(len)?;
        f(id, payload)?;
    }
    Ok(())
}

/// Calls `entry` for each entry of the vector that section `id` holds (import and export
/// sections are both a counted vector of entries).
fn each_entry(wasm: &[u8], id: u8, mut entry: impl FnMut(&mut Reader) -> Result<()>) -> Result<()> {
    sections(wasm, |section, payload| {
        if section != id {
            return Ok(());
        }
        let mut r = Reader {
            bytes: payload,
            at: 0,
        };
        for _ in 0..r.leb()? {
            entry(&mut r)?;
        }
        Ok(())
    })
}

/// A section's vector of entries, each rewritten by `entry`: it reads one entry from the reader
/// and appends what replaces it.
fn rewrite_entries(
    payload: &[u8],
    mut entry: impl FnMut(&mut Reader, &mut Vec<u8>) -> Result<()>,
) -> Result<Vec<u8>> {
    let mut r = Reader {
        bytes: payload,
        at: 0,
    };
    let count = r.leb()?;
    let mut out = Vec::with_capacity(payload.len());
    push_leb(&mut out, count);
    for _ in 0..count {
        entry(&mut r, &mut out)?;
    }
    Ok(out)
}

/// Every import as (module, name), in order.
fn import_names(wasm: &[u8]) -> Result<Vec<(String, String)>> {
    let mut names = Vec::new();
    each_entry(wasm, IMPORT_SECTION, |r| {
        let module = r.name()?;
        let field = r.name()?;
        r.skip_import_kind()?;
        names.push((module, field));
        Ok(())
    })?;
    Ok(names)
}

/// Every export's name, in order.
fn export_names(wasm: &[u8]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    each_entry(wasm, EXPORT_SECTION, |r| {
        names.push(r.name()?);
        r.skip_export_kind()
    })?;
    Ok(names)
}

/// `wasm` with the glue's imports renamed by `imports` and exports by `exports`; every other byte
/// is kept.
fn rename(
    wasm: &[u8],
    map: &HashMap<String, String>,
    exports: &HashMap<String, String>,
) -> Result<Vec<u8>> {
    let mut out = wasm[..8].to_vec();
    sections(wasm, |id, payload| {
        let payload = if id == IMPORT_SECTION {
            rewrite_entries(payload, |r, out| {
                let module = r.name()?;
                let field = r.name()?;
                let kind_start = r.at;
                r.skip_import_kind()?;
                let name = match map.get(&field) {
                    Some(short) if is_glue(&module) => short.as_str(),
                    _ => field.as_str(),
                };
                push_name(out, &module);
                push_name(out, name);
                out.extend_from_slice(&r.bytes[kind_start..r.at]);
                Ok(())
            })?
        } else if id == EXPORT_SECTION {
            rewrite_entries(payload, |r, out| {
                let name = r.name()?;
                let kind_start = r.at;
                r.skip_export_kind()?;
                push_name(out, exports.get(&name).unwrap_or(&name));
                out.extend_from_slice(&r.bytes[kind_start..r.at]);
                Ok(())
            })?
        } else {
            payload.to_vec()
        };
        out.push(id);
        push_leb(&mut out, payload.len() as u64);
        out.extend_from_slice(&payload);
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "./app_bg.js";

    /// A module importing three functions from the glue, a memory from `env`, and exporting one.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // Type section: one type, () -> ().
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let mut imports = Vec::new();
        push_leb(&mut imports, names.len() as u64 + 1);
        for name in names {
            push_name(&mut imports, GLUE);
            push_name(&mut imports, name);
            imports.extend_from_slice(&[0x00, 0]);
        }
        push_name(&mut imports, "env");
        push_name(&mut imports, "memory");
        imports.extend_from_slice(&[0x02, 1, 1, 2]);
        wasm.push(IMPORT_SECTION);
        push_leb(&mut wasm, imports.len() as u64);
        wasm.extend_from_slice(&imports);
        // A custom section after it, kept byte for byte.
        wasm.extend_from_slice(&[0, 5, 4, b'n', b'o', b't', b'e']);
        wasm
    }

    fn glue(names: &[&str]) -> String {
        let keys: Vec<String> = names
            .iter()
            .map(|n| format!("        {n}: function(arg0) {{ return arg0; }},\n"))
            .collect();
        format!(
            "const import0 = {{\n{}}};\nexport {{ import0 }};\n",
            keys.concat()
        )
    }

    #[test]
    fn renames_glue_imports_in_both_files() {
        let names = [
            "__wbg_setTimeout_4eb823e8b72fbe79",
            "__wbg_fetch_0123456789abcdef",
            "__wbindgen_generic_0000000000000001",
        ];
        let out = minify(&module(&names), &glue(&names)).expect("minifies");
        assert_eq!(out.renamed, 3);
        let imports = import_names(&out.wasm).expect("still a module");
        let fields: Vec<&str> = imports.iter().map(|(_, f)| f.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "memory"]);
        for (short, old) in ["a", "b", "c"].iter().zip(names) {
            assert!(out.js.contains(&format!("        {short}: function")));
            assert!(!out.js.contains(old));
        }
        // Everything after the import section is untouched.
        assert!(out.wasm.ends_with(&[0, 5, 4, b'n', b'o', b't', b'e']));
    }

    /// `module(names)` with an export section: `exports` all name the first import.
    fn with_exports(names: &[&str], exports: &[&str]) -> Vec<u8> {
        let mut wasm = module(names);
        let mut section = Vec::new();
        push_leb(&mut section, exports.len() as u64);
        for name in exports {
            push_name(&mut section, name);
            section.extend_from_slice(&[0x00, 0]);
        }
        wasm.push(EXPORT_SECTION);
        push_leb(&mut wasm, section.len() as u64);
        wasm.extend_from_slice(&section);
        wasm
    }

    #[test]
    fn renames_exports_the_glue_only_calls() {
        let names = ["__wbg_now_89abcdef01234567"];
        let invoke = "wasm_bindgen__convert__closures_____invoke__h0123456789abcdef";
        let mut js = glue(&names);
        js.push_str(&format!(
            "function run() {{ return wasm.{invoke}(1) + wasm.start(); }}\n"
        ));
        js.push_str("const start = 1; // a word of the glue: `start` is kept as an export\n");
        let out = minify(&with_exports(&names, &[invoke, "start"]), &js).expect("minifies");
        assert_eq!(out.renamed, 2);
        let exports = export_names(&out.wasm).expect("exports");
        assert_eq!(exports.len(), 2);
        assert!(exports[0].len() <= 2, "{exports:?}");
        assert_eq!(exports[1], "start");
        let call = format!("return wasm.{}(1) + wasm.start();", exports[0]);
        assert!(out.js.contains(&call), "{}", out.js);
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let names = [
            "__wbg_now_89abcdef01234567",
            "__wbg_random_fedcba9876543210",
        ];
        let once = minify(&module(&names), &glue(&names)).expect("minifies");
        let twice = minify(&once.wasm, &once.js).expect("minifies");
        assert_eq!(twice.renamed, 0);
        assert_eq!(twice.wasm, once.wasm);
        assert_eq!(twice.js, once.js);
    }

    #[test]
    fn names_used_elsewhere_in_the_glue_are_kept() {
        let names = ["__wbg_log_0123456789abcdef", "__wbg_warn_fedcba9876543210"];
        let mut js = glue(&names);
        js.push_str("console.debug(import0.__wbg_log_0123456789abcdef);\n");
        let out = minify(&module(&names), &js).expect("minifies");
        assert_eq!(out.renamed, 1);
        assert!(out.js.contains("__wbg_log_0123456789abcdef: function"));
        let imports = import_names(&out.wasm).expect("still a module");
        assert_eq!(imports[0].1, "__wbg_log_0123456789abcdef");
        assert_eq!(imports[1].1, "a");
    }

    #[test]
    fn short_names_skip_words_the_glue_already_uses() {
        let names = ["__wbg_alert_0123456789abcdef"];
        let mut js = glue(&names);
        js.push_str("const a = 1;\n");
        let out = minify(&module(&names), &js).expect("minifies");
        assert!(out.js.contains("        b: function"));
    }

    #[test]
    fn short_names_run_through_letters() {
        assert_eq!(short_name(0), "a");
        assert_eq!(short_name(51), "Z");
        assert_eq!(short_name(52), "ba");
        assert_eq!(short_name(53), "bb");
    }

    #[test]
    fn refuses_what_is_not_wasm() {
        assert!(minify(b"not wasm", "").is_err());
        assert!(minify(b"\0asm\x01\0\0\0\x02\x05\x01", "").is_err());
    }
}
