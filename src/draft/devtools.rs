//! What the developer panel shows and copies: the request JSON with inline images shortened for
//! reading, a `curl` command for the REST endpoint, and the `getResponse` poll. The API key is
//! never written: commands read it from the `RUNWARE_API_KEY` environment variable.

use serde_json::Value;

/// The placeholder that stands for the key in every command.
pub const KEY_PLACEHOLDER: &str = "$RUNWARE_API_KEY";

/// Inline images longer than this are shortened in the view.
const SHORTEN_ABOVE: usize = 96;

/// A copy of `value` in which every long inline image (data URI or bare base64) is cut to its
/// head and its size, e.g. `data:image/jpeg;base64,/9j/4AAQSkZJ… (612 KB)`.
pub fn shorten_images(value: &Value) -> Value {
    match value {
        Value::String(text) if text.len() > SHORTEN_ABOVE && looks_inline(text) => {
            let head: String = text.chars().take(48).collect();
            Value::String(format!("{head}… ({})", human_bytes(text.len() as u64)))
        }
        Value::Array(items) => Value::Array(items.iter().map(shorten_images).collect()),
        Value::Object(map) => {
            // Inserted one by one: collecting into a map sorts the pairs first, which is one
            // more sort instantiation in the wasm.
            let mut short = serde_json::Map::new();
            for (key, value) in map {
                short.insert(key.clone(), shorten_images(value));
            }
            Value::Object(short)
        }
        other => other.clone(),
    }
}

/// Whether a long string is an inline image: a data URI, or a kilobyte and more of nothing but
/// base64 symbols (no prompt looks like that).
fn looks_inline(text: &str) -> bool {
    text.starts_with("data:")
        || text.len() > 1_000
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// The order in which the fields of a task are shown: the order of the spec's table, so that
/// a task being drafted reads like the request it will become.
const FIELD_ORDER: [&str; 20] = [
    "taskType",
    "taskUUID",
    "model",
    "positivePrompt",
    "negativePrompt",
    "inputs",
    "width",
    "height",
    "duration",
    "CFGScale",
    "numberResults",
    "outputType",
    "outputFormat",
    "outputQuality",
    "deliveryMethod",
    "webhookURL",
    "uploadEndpoint",
    "ttl",
    "includeCost",
    "safety",
];

/// A body (an array of tasks) pretty-printed with each task's fields in the spec's order, and
/// any other key after them, so that a raw task reads the same as an encoded one.
///
/// Values are printed with `{:#}` (serde_json's pretty `Display`, the same text as
/// `to_string_pretty`), which the app has anyway: `to_string_pretty` would be one more
/// instantiation of the JSON writer.
pub fn pretty_body(body: &Value) -> String {
    let Some(tasks) = body.as_array() else {
        return format!("{body:#}");
    };
    let indent = |text: String, by: &str| text.replace('\n', &format!("\n{by}"));
    let task_text = |task: &Value| -> String {
        let Some(map) = task.as_object() else {
            return indent(format!("{task:#}"), "  ");
        };
        // The spec's fields in its order, then the others in the map's (alphabetical) order;
        // picked rather than sorted: a sort is one more generic instantiation in the wasm.
        let known = FIELD_ORDER.iter().filter_map(|f| map.get_key_value(*f));
        let others = map
            .iter()
            .filter(|(k, _)| !FIELD_ORDER.contains(&k.as_str()));
        let fields: Vec<String> = known
            .chain(others)
            .map(|(k, value)| {
                let value = format!("{value:#}");
                format!("    {}: {}", Value::from(k.as_str()), indent(value, "    "))
            })
            .collect();
        format!("  {{\n{}\n  }}", fields.join(",\n"))
    };
    let items: Vec<String> = tasks.iter().map(task_text).collect();
    format!("[\n{}\n]", items.join(",\n"))
}

/// A byte count for people: `812 B`, `612 KB`, `8.4 MB` (decimal units, as file managers show).
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{} KB", (bytes + 500) / 1_000),
        _ => format!("{} MB", crate::num::fixed(bytes as f64 / 1e6, 1)),
    }
}

/// A `curl` command that POSTs `body` (a JSON array of tasks) to `endpoint`.
///
/// The body goes through a quoted here-document, so nothing in it is expanded by the shell,
/// and the key through a double-quoted header, so that the shell does expand the variable.
pub fn curl(endpoint: &str, body: &str) -> String {
    format!(
        "curl -sS -X POST '{endpoint}' \\\n  -H 'Content-Type: application/json' \\\n  -H \"Authorization: Bearer {KEY_PLACEHOLDER}\" \\\n  --data-binary @- <<'JSON'\n{body}\nJSON"
    )
}

/// The `getResponse` poll for `task_uuid`, as a `curl` command to `endpoint`.
pub fn poll_snippet(endpoint: &str, task_uuid: &str) -> String {
    let mut task = serde_json::Map::new();
    task.insert("taskType".into(), "getResponse".into());
    task.insert("taskUUID".into(), task_uuid.into());
    curl(
        endpoint,
        &Value::Array(vec![Value::Object(task)]).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_inline_images_are_shortened_and_the_rest_kept() {
        let data = format!("data:image/jpeg;base64,{}", "A".repeat(612_000));
        let url = format!("https://example.com/{}", "a".repeat(200));
        let value =
            json!({"inputs": {"frameImages": [data, url.clone()]}, "positivePrompt": "A cat"});
        let short = shorten_images(&value);
        let first = short["inputs"]["frameImages"][0]
            .as_str()
            .unwrap_or_default();
        assert!(
            first.starts_with("data:image/jpeg;base64,AAAA") && first.ends_with("… (612 KB)"),
            "{first}"
        );
        assert_eq!(short["inputs"]["frameImages"][1], json!(url));
        assert_eq!(short["positivePrompt"], "A cat");
    }

    #[test]
    fn tasks_are_printed_in_the_spec_order_and_parse_back() {
        let body = json!([{"CFGScale": 1.5, "taskType": "videoInference", "zzz": 1, "inputs": {"frameImages": ["a"]}, "duration": 5}]);
        let text = pretty_body(&body);
        let order: Vec<usize> = ["taskType", "inputs", "duration", "CFGScale", "zzz"]
            .iter()
            .map(|k| text.find(&format!("\"{k}\"")).unwrap_or(usize::MAX))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(body));
        assert!(
            text.contains("\n    \"inputs\": {\n      \"frameImages\": ["),
            "{text}"
        );
    }

    #[test]
    fn byte_counts_read_like_a_file_manager() {
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(611_600), "612 KB");
        assert_eq!(human_bytes(8_400_000), "8.4 MB");
    }

    #[test]
    fn commands_name_the_key_only_by_placeholder() {
        let command = curl(
            "https://api.runware.ai/v1",
            r#"[{"taskType":"ping","ping":true}]"#,
        );
        assert!(command.contains("Bearer $RUNWARE_API_KEY"));
        assert!(command.contains("<<'JSON'\n[{\"taskType\":\"ping\",\"ping\":true}]\nJSON"));
        let poll = poll_snippet(
            "http://127.0.0.1:8080/v1",
            "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
        );
        assert!(
            poll.contains(r#""taskType":"getResponse""#)
                && poll.contains("'http://127.0.0.1:8080/v1'")
        );
    }
}
