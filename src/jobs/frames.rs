//! Frame images kept apart from the job records.
//!
//! A frame given inline (a data URI or bare base64) can weigh megabytes. The journal record keeps
//! a short reference in its place and the image itself goes to a separate blob store, once per
//! distinct image (a retry of the same frames stores nothing new). Listing 1,000 jobs then reads
//! small records only, and the images are read back only to send a job again.

use runware::FrameImage;
use serde_json::Value;

/// The prefix of a reference to a stored image, in place of the image string.
pub const BLOB_REF: &str = "ks-blob:";

/// A stored image string and its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// The key: a hash of the content and its length, so equal images share one entry.
    pub key: String,
    /// The image string (a data URI or base64).
    pub value: String,
}

impl Blob {
    /// The blob of `value`, keyed by its content.
    pub fn of(value: String) -> Self {
        Blob {
            key: content_key(&value),
            value,
        }
    }
}

/// A content key: 64-bit FNV-1a of the bytes, and the length, in hex. Collisions between two
/// images of one journal are not a practical concern at this width plus the length check.
pub fn content_key(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}-{:x}", text.len())
}

/// The image strings of a request's `inputs.frameImages`, mutable, in order.
fn image_strings(request: &mut Value) -> Vec<&mut Value> {
    let Some(items) = request
        .get_mut("inputs")
        .and_then(|inputs| inputs.get_mut("frameImages"))
        .and_then(Value::as_array_mut)
    else {
        return Vec::new();
    };
    items
        .iter_mut()
        .filter_map(|item| {
            if item.is_string() {
                Some(item)
            } else {
                item.get_mut("image").filter(|image| image.is_string())
            }
        })
        .collect()
}

/// Moves every inline frame image of `request` out into blobs, leaving references behind.
/// Images given by URL or UUID are small and stay where they are.
pub fn strip(request: &mut Value) -> Vec<Blob> {
    let mut blobs: Vec<Blob> = Vec::new();
    for image in image_strings(request) {
        let Some(text) = image.as_str() else { continue };
        let inline = FrameImage::parse(text)
            .map(|f| f.is_inline())
            .unwrap_or(true);
        if !inline || text.starts_with(BLOB_REF) {
            continue;
        }
        let blob = Blob::of(text.to_owned());
        *image = Value::String(format!("{BLOB_REF}{}", blob.key));
        if !blobs.iter().any(|b| b.key == blob.key) {
            blobs.push(blob);
        }
    }
    blobs
}

/// The blob keys a stored request refers to.
pub fn references(request: &Value) -> Vec<String> {
    let mut copy = request.clone();
    image_strings(&mut copy)
        .into_iter()
        .filter_map(|image| image.as_str()?.strip_prefix(BLOB_REF).map(str::to_owned))
        .collect()
}

/// Puts the images back into a stored request; `lookup` gives a blob's value by key. Returns the
/// keys that could not be found (the request is then incomplete).
pub fn inline(request: &mut Value, lookup: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut missing = Vec::new();
    for image in image_strings(request) {
        let Some(key) = image.as_str().and_then(|t| t.strip_prefix(BLOB_REF)) else {
            continue;
        };
        match lookup(key) {
            Some(value) => *image = Value::String(value),
            None => missing.push(key.to_owned()),
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    #[test]
    fn inline_images_move_out_and_come_back() {
        let original = json!({
            "taskType": "videoInference",
            "inputs": {"frameImages": [
                PNG,
                {"image": "https://example.com/last.png", "frame": "last"}
            ]}
        });
        let mut stored = original.clone();
        let blobs = strip(&mut stored);
        assert_eq!(blobs.len(), 1);
        assert_eq!(blobs[0].value, PNG);
        let reference = stored["inputs"]["frameImages"][0]
            .as_str()
            .expect("a string");
        assert!(reference.starts_with(BLOB_REF));
        assert_eq!(
            stored["inputs"]["frameImages"][1]["image"],
            "https://example.com/last.png"
        );
        assert_eq!(references(&stored), vec![blobs[0].key.clone()]);

        let mut back = stored.clone();
        let missing = inline(&mut back, |key| {
            blobs.iter().find(|b| b.key == key).map(|b| b.value.clone())
        });
        assert!(missing.is_empty());
        assert_eq!(back, original);
        assert_eq!(inline(&mut stored, |_| None), vec![blobs[0].key.clone()]);
    }

    #[test]
    fn the_same_image_twice_is_stored_once() {
        let mut request = json!({"inputs": {"frameImages": [
            {"image": PNG, "frame": "first"}, {"image": PNG, "frame": "last"}
        ]}});
        assert_eq!(strip(&mut request).len(), 1);
        assert_eq!(references(&request).len(), 2);
    }

    #[test]
    fn keys_depend_on_content() {
        assert_eq!(content_key("abc"), content_key("abc"));
        assert_ne!(content_key("abc"), content_key("abd"));
        assert!(content_key("").ends_with("-0"));
    }
}
