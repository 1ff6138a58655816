//! The `type` and `documentation` members of error objects.
//!
//! Runware's errors name the parameter at fault, its data type (`"type": "integer"`) and a link
//! to the documentation of that parameter (spec §6). The `runware` crate builds errors with the
//! code, message and parameter; the simulator adds the other two on the way out, where it knows
//! them, so that every reply it sends looks like Runware's.

use serde_json::Value;

/// Runware's documentation.
const DOCS: &str = "https://runware.ai/docs";

/// Fills in `type` and `documentation` of one error object when they are absent and known.
pub fn decorate(error: &mut Value) {
    let Some(map) = error.as_object_mut() else {
        return;
    };
    let parameter = map
        .get("parameter")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let task_type = map
        .get("taskType")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if !map.contains_key("type")
        && let Some(kind) = parameter.as_deref().and_then(data_type)
    {
        map.insert("type".to_owned(), Value::from(kind));
    }
    if !map.contains_key("documentation")
        && let Some(url) = documentation(task_type.as_deref(), parameter.as_deref())
    {
        map.insert("documentation".to_owned(), Value::from(url));
    }
}

/// The page about a task type, with the anchor of a parameter where the page has one per
/// parameter. `None` for task types without a page of their own (authentication, ping).
pub fn documentation(task_type: Option<&str>, parameter: Option<&str>) -> Option<String> {
    let (page, per_parameter) = match task_type {
        // The model's own page documents every request field of klingai:5@2.
        Some("videoInference") if parameter.is_some() => ("models/klingai-2-1-pro", true),
        None if parameter.is_some_and(is_video_field) => ("models/klingai-2-1-pro", true),
        Some("videoInference") => ("models/klingai-2-1-pro", false),
        Some("getResponse") => ("platform/task-polling", false),
        Some("getTaskDetails") => ("platform/task-details", false),
        Some("imageUpload") => ("platform/image-upload", false),
        _ => return None,
    };
    let mut url = format!("{DOCS}/{page}");
    if per_parameter && let Some(parameter) = parameter {
        url.push_str("#request-");
        url.push_str(&anchor(parameter));
    }
    Some(url)
}

/// Whether a path starts with one of the request fields of `videoInference`.
fn is_video_field(parameter: &str) -> bool {
    let head = parameter.split(['.', '[']).next().unwrap_or(parameter);
    matches!(
        head,
        "taskUUID"
            | "model"
            | "inputs"
            | "frameImages"
            | "positivePrompt"
            | "negativePrompt"
            | "width"
            | "height"
            | "duration"
            | "CFGScale"
            | "numberResults"
            | "outputType"
            | "outputFormat"
            | "outputQuality"
            | "deliveryMethod"
            | "webhookURL"
            | "uploadEndpoint"
            | "ttl"
            | "includeCost"
            | "safety"
    )
}

/// `inputs.frameImages[1].image` → `inputs-frameimages-image`.
fn anchor(parameter: &str) -> String {
    let mut out = String::with_capacity(parameter.len());
    let mut in_index = false;
    for c in parameter.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if in_index => {}
            '.' => out.push('-'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The data type of a request field, in Runware's words; `None` where a field has several
/// shapes (a frame image is a string or an object) or is not one of the model's fields.
fn data_type(parameter: &str) -> Option<&'static str> {
    Some(match parameter {
        "taskType"
        | "taskUUID"
        | "model"
        | "positivePrompt"
        | "negativePrompt"
        | "outputType"
        | "outputFormat"
        | "deliveryMethod"
        | "webhookURL"
        | "uploadEndpoint"
        | "safety.mode"
        | "apiKey"
        | "connectionSessionUUID"
        | "image" => "string",
        "width" | "height" | "numberResults" | "outputQuality" | "ttl" => "integer",
        "CFGScale" => "float",
        "includeCost" | "safety.checkContent" | "ping" => "boolean",
        "inputs" | "safety" => "object",
        "inputs.frameImages" | "frameImages" => "array",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameter_errors_get_type_and_documentation() {
        let mut error = json!({"code": "invalidParameter", "message": "x", "parameter": "width",
            "taskType": "videoInference"});
        decorate(&mut error);
        assert_eq!(error["type"], "integer");
        assert_eq!(
            error["documentation"],
            "https://runware.ai/docs/models/klingai-2-1-pro#request-width"
        );
        let mut frame = json!({"code": "invalidParameter", "message": "x",
            "parameter": "inputs.frameImages[1].image"});
        decorate(&mut frame);
        assert!(frame.get("type").is_none());
        assert_eq!(
            frame["documentation"],
            "https://runware.ai/docs/models/klingai-2-1-pro#request-inputs-frameimages-image"
        );
    }

    #[test]
    fn existing_members_are_kept_and_unknown_ones_left_out() {
        let mut error = json!({"code": "c", "message": "m", "type": "simulatedFault"});
        decorate(&mut error);
        assert_eq!(error["type"], "simulatedFault");
        assert!(error.get("documentation").is_none());
        let mut poll = json!({"code": "taskFailedOrNotFound", "message": "m",
            "parameter": "taskUUID", "taskType": "getResponse"});
        decorate(&mut poll);
        assert_eq!(poll["type"], "string");
        assert_eq!(
            poll["documentation"],
            "https://runware.ai/docs/platform/task-polling"
        );
        let mut key = json!({"code": "invalidApiKey", "message": "m", "parameter": "apiKey",
            "taskType": "authentication"});
        decorate(&mut key);
        assert!(key.get("documentation").is_none());
        let mut fault = json!({"code": "invalidParameter", "message": "m", "parameter": "fault"});
        decorate(&mut fault);
        assert!(fault.get("documentation").is_none() && fault.get("type").is_none());
    }
}
