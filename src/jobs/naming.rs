//! Words and names: download file names, short prompts, and times written for people.

/// A prompt cut to at most `max` characters, on a word boundary when one is near, with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', ';', ':']))
}

/// A file-name-safe slug of `text`: lower-case ASCII letters and digits joined by single
/// hyphens, at most `max` characters, cut on a word boundary. Accented Latin letters lose their
/// accent; other scripts are dropped.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            gap = false;
        } else {
            gap = true;
        }
    }
    if out.len() > max {
        let cut = &out[..max];
        out = match cut.rfind('-') {
            Some(hyphen) if hyphen > max / 2 => cut[..hyphen].to_owned(),
            _ => cut.trim_end_matches('-').to_owned(),
        };
    }
    out
}

/// The common accented Latin letters, without their accent.
fn fold_accent(c: char) -> Vec<char> {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ß' => return vec!['s', 's'],
        'æ' | 'Æ' => return vec!['a', 'e'],
        'œ' | 'Œ' => return vec!['o', 'e'],
        other => other,
    };
    vec![plain]
}

/// The download name of a result: the prompt's slug, the seed and the format's extension, e.g.
/// `a-cat-stretches-in-the-sun-seed42.mp4`. Without a prompt the name starts with `kling-` and
/// the first part of the task's UUID; without a seed it ends with the result's position.
pub fn file_name(
    prompt: Option<&str>,
    task_uuid: &str,
    seed: Option<i64>,
    index: usize,
    ext: &str,
) -> String {
    let stem = prompt.map(|p| slug(p, 48)).filter(|s| !s.is_empty());
    let stem = stem.unwrap_or_else(|| {
        let short: String = task_uuid.chars().take(8).collect();
        format!("kling-{short}")
    });
    let tail = match seed {
        Some(seed) => format!("seed{seed}"),
        None => format!("{}", index + 1),
    };
    format!("{stem}-{tail}.{ext}")
}

/// A duration in whole seconds as `m:ss` (or `h:mm:ss` from an hour).
pub fn clock(ms: f64) -> String {
    let total = (ms.max(0.0) / 1000.0).floor() as u64;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// A duration for a screen reader or a sentence: `2 min 5 s`, `45 s`, `1 h 3 min`.
pub fn spoken(ms: f64) -> String {
    let total = (ms.max(0.0) / 1000.0).floor() as u64;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) if s == 0 => format!("{m} min"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

/// A range of durations in words: `8–13 s`, `2–5 min`, `40 s–2 min`.
pub fn spoken_range(lo_ms: f64, hi_ms: f64) -> String {
    let (lo, hi) = (
        (lo_ms / 1000.0).round() as u64,
        (hi_ms / 1000.0).round() as u64,
    );
    let minutes = |s: u64| s.div_ceil(60).max(1);
    if hi < 90 {
        format!("{}–{} s", lo, hi.max(lo + 1))
    } else if lo >= 60 {
        format!("{}–{} min", lo / 60, minutes(hi).max(lo / 60 + 1))
    } else {
        format!("{lo} s–{} min", minutes(hi))
    }
}

/// A price in US dollars, with three decimals under a dollar (video prices are cents).
pub fn usd(amount: f64) -> String {
    let places = if amount < 1.0 { 3 } else { 2 };
    format!("${}", crate::num::fixed(amount, places))
}

/// The name of an export file for a day (`YYYY-MM-DD`).
pub fn export_name(day: &str) -> String {
    format!("kling-studio-history-{day}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_short() {
        assert_eq!(
            slug("A cat stretches, in the SUN!", 40),
            "a-cat-stretches-in-the-sun"
        );
        assert_eq!(
            slug("Crème brûlée à la façon", 40),
            "creme-brulee-a-la-facon"
        );
        assert_eq!(slug("  ../../etc/passwd  ", 40), "etc-passwd");
        assert_eq!(slug("日本語", 40), "");
        assert_eq!(slug("one two three four five", 14), "one-two-three");
        assert_eq!(slug("abcdefghijklmnop", 5), "abcde");
    }

    #[test]
    fn ranges_are_said_in_the_unit_that_fits() {
        assert_eq!(spoken_range(7_200.0, 13_200.0), "7–13 s");
        assert_eq!(spoken_range(120_000.0, 300_000.0), "2–5 min");
        assert_eq!(spoken_range(40_000.0, 110_000.0), "40 s–2 min");
    }

    #[test]
    fn file_names_carry_prompt_seed_and_format() {
        let id = "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";
        assert_eq!(
            file_name(Some("A cat stretches"), id, Some(42), 0, "mp4"),
            "a-cat-stretches-seed42.mp4"
        );
        assert_eq!(
            file_name(None, id, Some(7), 0, "webm"),
            "kling-6f1c1f5e-seed7.webm"
        );
        assert_eq!(
            file_name(Some("日本語"), id, None, 2, "mov"),
            "kling-6f1c1f5e-3.mov"
        );
    }

    #[test]
    fn prompts_shorten_on_words() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(
            shorten("A cat stretches in the morning sun", 20),
            "A cat stretches in…"
        );
    }

    #[test]
    fn times_read_well() {
        assert_eq!(clock(83_400.0), "1:23");
        assert_eq!(clock(3_725_000.0), "1:02:05");
        assert_eq!(clock(-5.0), "0:00");
        assert_eq!(spoken(45_000.0), "45 s");
        assert_eq!(spoken(125_000.0), "2 min 5 s");
        assert_eq!(spoken(120_000.0), "2 min");
        assert_eq!(spoken(3_780_000.0), "1 h 3 min");
        assert_eq!(usd(0.49), "$0.490");
        assert_eq!(usd(2.5), "$2.50");
    }
}
