//! The Runware wire contract for KlingAI 2.1 Pro (`klingai:5@2`), shared by the browser app (as a
//! client) and the local simulator (as a server), so that both agree on every byte.
//!
//! - Typed requests ([`VideoInference`] and the other [`Task`]s) built from newtypes whose
//!   constructors refuse what the contract refuses: a request that exists is a valid request.
//! - [`validate_task`]: a raw JSON task checked as a server receives it, with *every* broken rule
//!   reported at once, in Runware's [`ApiError`] shape, at its field path.
//! - [`image`]: format and pixel size read from an image's headers, and the model's limits
//!   (sides, aspect ratio, weight), checked on inline frames by
//!   [`VideoInference::check_inline_images`].
//! - [`reply`]: tolerant decoding of every reply shape (results with `progress`, every status
//!   word, errors wherever a server puts them, `getTaskDetails` answers, dry-run
//!   acknowledgements), and the fold of a task's replies into its state.
//!
//! The wire contract itself is `spec/RUNWARE.md`; the decisions this crate takes where it is
//! silent are documented on the items they concern.
//!
//! ```
//! use runware::reply::{self, Item, TaskState};
//! use runware::{Aspect, Duration, FrameImage, OutputSize, Prompt, Task, TaskId, Tier, VideoInference};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Build a request: the first frame and the prompt are required, the rest is optional.
//! let id = TaskId::parse("6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f")?;
//! let first_frame = FrameImage::parse("https://example.com/cat.png")?;
//! let prompt = Prompt::new("A cat stretches in the morning sun")?;
//! let request = VideoInference::new(id, first_frame, prompt)
//!     .with_size(OutputSize::from_parts(Tier::P1080, Aspect::Landscape16x9))
//!     .with_duration(Duration::Ten);
//!
//! // Encode it: the body is always an array of tasks, with the exact wire names.
//! let body = runware::encode(&[Task::from(request.clone())])?;
//! assert_eq!(
//!     body,
//!     r#"[{"taskType":"videoInference","taskUUID":"6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f","model":"klingai:5@2","positivePrompt":"A cat stretches in the morning sun","inputs":{"frameImages":["https://example.com/cat.png"]},"width":1920,"height":1080,"duration":10}]"#
//! );
//!
//! // A server reads it back through the same rules.
//! let raw: serde_json::Value = serde_json::from_str(&body)?;
//! assert_eq!(runware::validate_task(&raw[0]), Ok(Task::VideoInference(request)));
//!
//! // Decode a reply and fold it into the task's state.
//! let reply = reply::decode(br#"{"data":[{"taskType":"videoInference","status":"success",
//!     "taskUUID":"6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f","videoUUID":"b7e0c2a4-1d3f-4e5a-8b9c-0d1e2f3a4b5c",
//!     "videoURL":"https://example.com/video.mp4","seed":42,"cost":0.49}]}"#)?;
//! let Item::Video(video) = &reply.data[0] else { panic!("a video item") };
//! assert_eq!(video.video_url.as_deref(), Some("https://example.com/video.mp4"));
//!
//! let state = reply::fold(&id.to_string(), Default::default(), [&reply]);
//! assert!(matches!(state, TaskState::Done { results } if results.len() == 1));
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod image;
pub mod path;
pub mod reply;

mod error;
mod fields;
mod frames;
mod json;
mod request;
mod validate;

pub use error::{ApiError, ErrorCode, Expected, FieldError, Parameter, Rule};
pub use fields::{
    Aspect, CfgScale, DeliveryMethod, Duration, HttpUrl, MODEL_ID, Model, NumberResults,
    OutputFormat, OutputQuality, OutputSize, OutputType, Prompt, Safety, SafetyMode, Seed, TaskId,
    Tier, Ttl,
};
pub use frames::{FrameImage, FrameImages, FrameInput, FramePosition};
pub use image::ImageFormat;
pub use request::{
    Authentication, GetResponse, GetTaskDetails, ImageUpload, Inputs, Ping, Task, TaskType,
    VideoInference, encode,
};
pub use validate::{
    validate_authentication, validate_body, validate_get_response, validate_get_task_details,
    validate_image_upload, validate_ping, validate_task, validate_video_inference,
};
