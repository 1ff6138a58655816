//! Bundles the stylesheets of `style/` into one string compiled into the app.
//!
//! The studio mounts inside a shadow root when embedded, and a shadow root sees only the styles
//! placed inside it, so the app carries its own stylesheet instead of relying on `<link>`s in the
//! page. Order: tokens, base and layout first (they define what the rest use), then every other
//! file by name. Comments and runs of white space are dropped.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=style");
    let dir = Path::new("style");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".css"))
                .collect()
        })
        .unwrap_or_default();
    let rank = |n: &str| match n {
        "tokens.css" => 0,
        "base.css" => 1,
        "layout.css" => 2,
        _ => 3,
    };
    files.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));

    let mut css = String::new();
    for name in &files {
        let text = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("cannot read style/{name}: {e}"));
        css.push_str(&minify(&text));
        css.push('\n');
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("styles.css");
    std::fs::write(&out, css).expect("write the bundled stylesheet");
}

/// Drops comments, folds white space (none is kept after a `:`, whether it ends a property name
/// or opens a value), and drops the `;` before a `}`, leaving quoted strings as they are.
///
/// A space before a `:` is kept: in a selector (`.ks-app :focus-visible`) it is a combinator.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut prev = ' ';
            for d in chars.by_ref() {
                if prev == '*' && d == '/' {
                    break;
                }
                prev = d;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let last = out.chars().last();
            let glue = matches!(c, '{' | '}' | ';' | ',' | '>')
                || matches!(last, None | Some('{' | '}' | ';' | ',' | '>' | ':'));
            if !glue {
                out.push(' ');
            }
            pending_space = false;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        // The last declaration of a block needs no `;`.
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
    }
    out
}
