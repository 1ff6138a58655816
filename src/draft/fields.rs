//! Which control of the form a validation error belongs to, from the error's field path, so that
//! each message is shown beside the control that caused it.

use runware::{ApiError, Parameter, path};

/// A control of the form (or the request as a whole, for what no control owns).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    /// The first-frame slot (also owns errors about the frame list as a whole).
    FirstFrame,
    /// The last-frame slot.
    LastFrame,
    /// The prompt.
    Prompt,
    /// The negative prompt.
    NegativePrompt,
    /// Resolution and aspect.
    Size,
    /// Duration.
    Duration,
    /// CFG scale.
    CfgScale,
    /// Number of results.
    Results,
    /// Output format.
    Format,
    /// Output quality.
    Quality,
    /// Include cost.
    IncludeCost,
    /// Safety check.
    Safety,
    /// Time to live of the result URLs.
    Ttl,
    /// Webhook URL.
    Webhook,
    /// Upload endpoint.
    Upload,
    /// The request as a whole (task id, model, unknown keys).
    Request,
    /// The connection settings (server and API key), outside the request.
    Connection,
}

impl Control {
    /// The control's visible label, used to name it in the list of what blocks submitting.
    pub fn label(self) -> &'static str {
        match self {
            Control::FirstFrame => "First frame",
            Control::LastFrame => "Last frame",
            Control::Prompt => "Prompt",
            Control::NegativePrompt => "Negative prompt",
            Control::Size => "Output size",
            Control::Duration => "Duration",
            Control::CfgScale => "Prompt adherence",
            Control::Results => "Videos",
            Control::Format => "Output format",
            Control::Quality => "Output quality",
            Control::IncludeCost => "Include cost",
            Control::Safety => "Safety check",
            Control::Ttl => "Link lifetime",
            Control::Webhook => "Webhook URL",
            Control::Upload => "Upload endpoint",
            Control::Request => "Request",
            Control::Connection => "Connection",
        }
    }

    /// The id of the element that takes focus for this control (in the form's own tree).
    pub fn dom_id(self) -> &'static str {
        match self {
            Control::FirstFrame => "ks-frame-first",
            Control::LastFrame => "ks-frame-last",
            Control::Prompt => "ks-prompt",
            Control::NegativePrompt => "ks-negative-prompt",
            Control::Size => "ks-size",
            Control::Duration => "ks-duration",
            Control::CfgScale => "ks-cfg-number",
            Control::Results => "ks-results",
            Control::Format => "ks-format",
            Control::Quality => "ks-quality",
            Control::IncludeCost => "ks-include-cost",
            Control::Safety => "ks-safety",
            Control::Ttl => "ks-ttl",
            Control::Webhook => "ks-webhook",
            Control::Upload => "ks-upload",
            Control::Request => "ks-developer",
            Control::Connection => "ks-api-key",
        }
    }

    /// The control of a frame slot.
    pub fn of_slot(slot: crate::frames::Slot) -> Control {
        match slot {
            crate::frames::Slot::First => Control::FirstFrame,
            crate::frames::Slot::Last => Control::LastFrame,
        }
    }

    /// Whether the control lives in the collapsed "Advanced" section.
    pub fn is_advanced(self) -> bool {
        matches!(
            self,
            Control::Format
                | Control::Quality
                | Control::IncludeCost
                | Control::Safety
                | Control::Ttl
                | Control::Webhook
                | Control::Upload
        )
    }
}

/// Which frame slot each item of `inputs.frameImages` came from, in item order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameLayout {
    /// Whether the first slot contributed an item (it then comes first).
    pub has_first: bool,
}

impl FrameLayout {
    /// The slot of item `index`.
    fn slot(self, index: usize) -> Control {
        match (self.has_first, index) {
            (true, 0) => Control::FirstFrame,
            _ => Control::LastFrame,
        }
    }
}

/// The control a field path belongs to.
pub fn control_of(field: &str, layout: FrameLayout) -> Control {
    if let Some(rest) = field.strip_prefix(path::FRAME_IMAGES) {
        // `[i]`, `[i].image` or `[i].frame` name one item; the bare list belongs to the first slot.
        let index = rest
            .strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .and_then(|i| i.parse::<usize>().ok());
        return index.map_or(Control::FirstFrame, |i| layout.slot(i));
    }
    match field {
        path::INPUTS | path::LEGACY_FRAME_IMAGES => Control::FirstFrame,
        path::POSITIVE_PROMPT => Control::Prompt,
        path::NEGATIVE_PROMPT => Control::NegativePrompt,
        path::WIDTH | path::HEIGHT => Control::Size,
        path::DURATION => Control::Duration,
        path::CFG_SCALE => Control::CfgScale,
        path::NUMBER_RESULTS => Control::Results,
        path::OUTPUT_FORMAT | path::OUTPUT_TYPE => Control::Format,
        path::OUTPUT_QUALITY => Control::Quality,
        path::INCLUDE_COST => Control::IncludeCost,
        path::SAFETY | path::SAFETY_MODE | path::SAFETY_CHECK_CONTENT => Control::Safety,
        path::TTL => Control::Ttl,
        path::WEBHOOK_URL => Control::Webhook,
        path::UPLOAD_ENDPOINT => Control::Upload,
        _ => Control::Request,
    }
}

/// The control an error belongs to: that of its first path (a rule between fields, such as
/// `ttl` with `outputType`, is shown at the field it names first).
pub fn control_of_error(error: &ApiError, layout: FrameLayout) -> Control {
    error
        .parameter
        .as_ref()
        .and_then(|p| p.paths().first().map(|f| control_of(f, layout)))
        .unwrap_or(Control::Request)
}

/// An error's message as shown beside its control: the validator's words without the leading
/// field path, which the control's label already names (`positivePrompt must be 2 to 2500
/// characters long` becomes `must be 2 to 2500 characters long`).
///
/// Only a message about one field loses its path: one about several (`width × height 1920×1081
/// is not a supported size`) needs every word.
pub fn local_message(error: &ApiError) -> String {
    let message = error.message.as_str();
    let Some(Parameter::One(path)) = &error.parameter else {
        return message.to_string();
    };
    // The model takes no request without a prompt: say what to write, not only that it is
    // missing.
    if is_missing_prompt(error) {
        return format!(
            "is required: describe the motion in {} to {} characters",
            runware::Prompt::MIN_CHARS,
            runware::Prompt::MAX_CHARS
        );
    }
    message
        .strip_prefix(path.as_str())
        .map(|rest| rest.strip_prefix(':').unwrap_or(rest))
        .filter(|rest| rest.starts_with(' '))
        .map_or_else(|| message.to_string(), |rest| rest.trim_start().to_string())
}

/// Whether `error` says only that the prompt is missing.
pub fn is_missing_prompt(error: &ApiError) -> bool {
    error.code == runware::ErrorCode::MissingParameter
        && matches!(&error.parameter, Some(Parameter::One(p)) if p == path::POSITIVE_PROMPT)
}

/// The messages of `errors` that belong to `control`, as shown beside it.
pub fn messages_for(errors: &[ApiError], control: Control, layout: FrameLayout) -> Vec<String> {
    errors
        .iter()
        .filter(|e| control_of_error(e, layout) == control)
        .map(local_message)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_paths_go_to_the_slot_that_made_the_item() {
        let both = FrameLayout { has_first: true };
        let last_only = FrameLayout { has_first: false };
        assert_eq!(control_of("inputs.frameImages", both), Control::FirstFrame);
        assert_eq!(
            control_of("inputs.frameImages[0]", both),
            Control::FirstFrame
        );
        assert_eq!(
            control_of("inputs.frameImages[1]", both),
            Control::LastFrame
        );
        assert_eq!(
            control_of("inputs.frameImages[0].image", last_only),
            Control::LastFrame
        );
        assert_eq!(
            control_of("inputs.frameImages[1].frame", both),
            Control::LastFrame
        );
    }

    #[test]
    fn every_field_of_the_spec_has_a_control() {
        let layout = FrameLayout::default();
        for (field, control) in [
            ("positivePrompt", Control::Prompt),
            ("negativePrompt", Control::NegativePrompt),
            ("width", Control::Size),
            ("height", Control::Size),
            ("duration", Control::Duration),
            ("CFGScale", Control::CfgScale),
            ("numberResults", Control::Results),
            ("seed", Control::Request),
            ("providerSettings", Control::Request),
            ("outputFormat", Control::Format),
            ("outputQuality", Control::Quality),
            ("includeCost", Control::IncludeCost),
            ("safety.mode", Control::Safety),
            ("ttl", Control::Ttl),
            ("webhookURL", Control::Webhook),
            ("uploadEndpoint", Control::Upload),
            ("taskUUID", Control::Request),
            ("cfgScale", Control::Request),
        ] {
            assert_eq!(control_of(field, layout), control, "{field}");
        }
    }

    #[test]
    fn errors_are_sorted_to_their_controls() {
        let raw = serde_json::json!({
            "taskType": "videoInference", "taskUUID": "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
            "model": "klingai:5@2", "inputs": {"frameImages": ["https://e.com/a.png"]},
            "positivePrompt": "A cat", "CFGScale": 2, "width": 1920, "height": 1081, "ttl": 10
        });
        let errors = runware::validate_video_inference(&raw).expect_err("invalid");
        let layout = FrameLayout { has_first: true };
        assert_eq!(
            messages_for(&errors, Control::CfgScale, layout),
            ["must be between 0 and 1"]
        );
        assert_eq!(messages_for(&errors, Control::Size, layout).len(), 1);
        assert_eq!(messages_for(&errors, Control::Ttl, layout).len(), 1);
        assert!(messages_for(&errors, Control::Prompt, layout).is_empty());
        // A rule between fields names both; its message is kept whole.
        let size = messages_for(&errors, Control::Size, layout);
        assert!(
            size[0].starts_with("width × height 1920×1081 is not a supported size"),
            "{size:?}"
        );
    }

    #[test]
    fn a_missing_prompt_says_what_to_write() {
        let raw = serde_json::json!({
            "taskType": "videoInference", "taskUUID": "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
            "model": "klingai:5@2", "inputs": {"frameImages": ["https://e.com/a.png"]}
        });
        let errors = runware::validate_video_inference(&raw).expect_err("no prompt");
        let layout = FrameLayout { has_first: true };
        assert_eq!(
            messages_for(&errors, Control::Prompt, layout),
            ["is required: describe the motion in 2 to 2500 characters"]
        );
    }

    #[test]
    fn image_errors_lose_their_path_too() {
        let error = runware::FieldError::new(
            "inputs.frameImages[0]",
            runware::Rule::Image(runware::image::ImageError::Truncated(
                runware::ImageFormat::Jpeg,
            )),
        )
        .to_api_error();
        assert_eq!(local_message(&error), "the JPEG file is cut short");
    }
}
