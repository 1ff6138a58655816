//! The wire paths of request fields, as they appear in [`ApiError::parameter`](crate::ApiError).
//!
//! The app maps an error back to the form field that caused it by comparing with these.

/// `taskType`.
pub const TASK_TYPE: &str = "taskType";
/// `taskUUID`.
pub const TASK_UUID: &str = "taskUUID";
/// `model`.
pub const MODEL: &str = "model";
/// `inputs`.
pub const INPUTS: &str = "inputs";
/// `inputs.frameImages`.
pub const FRAME_IMAGES: &str = "inputs.frameImages";
/// The legacy top-level `frameImages`.
pub const LEGACY_FRAME_IMAGES: &str = "frameImages";
/// `positivePrompt`.
pub const POSITIVE_PROMPT: &str = "positivePrompt";
/// `negativePrompt`.
pub const NEGATIVE_PROMPT: &str = "negativePrompt";
/// `width`.
pub const WIDTH: &str = "width";
/// `height`.
pub const HEIGHT: &str = "height";
/// `duration`.
pub const DURATION: &str = "duration";
/// `CFGScale`.
pub const CFG_SCALE: &str = "CFGScale";
/// `seed`: not a `videoInference` field of this model (an unknown parameter there), but the
/// path an error about it names.
pub const SEED: &str = "seed";
/// `providerSettings`: not a field of this model (an unknown parameter).
pub const PROVIDER_SETTINGS: &str = "providerSettings";
/// `numberResults`.
pub const NUMBER_RESULTS: &str = "numberResults";
/// `outputType`.
pub const OUTPUT_TYPE: &str = "outputType";
/// `outputFormat`.
pub const OUTPUT_FORMAT: &str = "outputFormat";
/// `outputQuality`.
pub const OUTPUT_QUALITY: &str = "outputQuality";
/// `deliveryMethod`.
pub const DELIVERY_METHOD: &str = "deliveryMethod";
/// `webhookURL`.
pub const WEBHOOK_URL: &str = "webhookURL";
/// `uploadEndpoint`.
pub const UPLOAD_ENDPOINT: &str = "uploadEndpoint";
/// `ttl`.
pub const TTL: &str = "ttl";
/// `includeCost`.
pub const INCLUDE_COST: &str = "includeCost";
/// `safety`.
pub const SAFETY: &str = "safety";
/// `safety.checkContent`.
pub const SAFETY_CHECK_CONTENT: &str = "safety.checkContent";
/// `safety.mode`.
pub const SAFETY_MODE: &str = "safety.mode";
/// `apiKey` (authentication).
pub const API_KEY: &str = "apiKey";
/// `connectionSessionUUID` (authentication).
pub const CONNECTION_SESSION_UUID: &str = "connectionSessionUUID";
/// `ping` (ping).
pub const PING: &str = "ping";
/// `image` (imageUpload).
pub const IMAGE: &str = "image";

/// The path of item `index` of `inputs.frameImages`, e.g. `inputs.frameImages[1]`.
pub fn frame_item(index: usize) -> String {
    format!("{FRAME_IMAGES}[{index}]")
}

/// The path of the image of item `index` in its object form, e.g. `inputs.frameImages[1].image`.
pub fn frame_image(index: usize) -> String {
    format!("{FRAME_IMAGES}[{index}].image")
}

/// The path of the position of item `index`, e.g. `inputs.frameImages[1].frame`.
pub fn frame_position(index: usize) -> String {
    format!("{FRAME_IMAGES}[{index}].frame")
}
