//! Frame images: the store behind `imageUpload`, and turning a request's frames into files ffmpeg
//! can read.
//!
//! Inline images (data URI, base64) are decoded by the `runware` crate; URLs are fetched with a
//! time limit; UUIDs name images stored earlier by `imageUpload`. Every image is checked against
//! the model's limits by the same crate, whatever way it arrived, before anything is rendered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use runware::image::ImageFacts;
use runware::{ApiError, ErrorCode, FrameImage, FrameImages, FrameInput, FramePosition};
use uuid::Uuid;

use crate::server::AppState;

/// An image kept by `imageUpload`.
#[derive(Debug, Clone)]
pub struct StoredImage {
    /// Its file.
    pub path: PathBuf,
    /// Its format and size.
    pub facts: ImageFacts,
}

/// Images stored by `imageUpload`, by `imageUUID`.
#[derive(Debug, Default)]
pub struct Images {
    inner: Mutex<HashMap<Uuid, StoredImage>>,
}

impl Images {
    /// Remembers an image.
    pub fn insert(&self, id: Uuid, image: StoredImage) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, image);
    }

    /// Finds an image.
    pub fn get(&self, id: &Uuid) -> Option<StoredImage> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }
}

/// Files that are deleted when the last holder lets go: a task's decoded frames live until its
/// last result is rendered.
#[derive(Debug, Default)]
pub struct TempFiles(pub Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            // Best effort: a leftover frame in the data directory harms nothing.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A task's frames as files.
#[derive(Debug, Default)]
pub struct ResolvedFrames {
    /// The image the clip starts on.
    pub first: Option<PathBuf>,
    /// The image the clip ends on.
    pub last: Option<PathBuf>,
    /// Width over height of the first frame (of the last when there is no first).
    pub aspect: Option<f64>,
    /// The files written for this task (not uploaded images, which are shared).
    pub temp: TempFiles,
}

/// Gets the bytes of an image string and checks them. `path` names the field in errors.
pub async fn image_bytes(
    state: &AppState,
    image: &FrameImage,
    path: &str,
) -> Result<(Vec<u8>, ImageFacts), ApiError> {
    let invalid =
        |message: String| ApiError::new(ErrorCode::InvalidParameter, message).with_parameter(path);
    let bytes = match image {
        FrameImage::Uuid(id) => {
            let stored = state.images.get(id).ok_or_else(|| {
                invalid(format!(
                    "no image with UUID {id} was uploaded (use an imageUpload task first)"
                ))
            })?;
            let bytes = tokio::fs::read(&stored.path)
                .await
                .map_err(|e| invalid(format!("the uploaded image {id} cannot be read: {e}")))?;
            return Ok((bytes, stored.facts));
        }
        FrameImage::Url(url) => state
            .courier
            .fetch(url, runware::image::MAX_BYTES)
            .await
            .map_err(|e| invalid(format!("the image at {url} could not be fetched: {e}")))?
            .to_vec(),
        inline => match inline.decode() {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(invalid("the image has no data".to_owned())),
            Err(e) => return Err(e.at(path).to_api_error()),
        },
    };
    if let FrameImage::DataUri { .. } = image {
        // Also checks that the declared type matches the bytes.
        if let Err(e) = image.inspect() {
            return Err(e.at(path).to_api_error());
        }
    }
    let facts = runware::image::inspect(&bytes).map_err(|e| e.to_api_error(path))?;
    Ok((bytes, facts))
}

/// Writes a task's frames to files. `frames_path` is the request's field for errors
/// (`inputs.frameImages`, or `frameImages` for the legacy form).
pub async fn resolve(
    state: &AppState,
    task_uuid: &str,
    frames: &FrameImages,
    frames_path: &str,
) -> Result<ResolvedFrames, ApiError> {
    let mut resolved = ResolvedFrames::default();
    for (index, (position, image)) in frames.positioned().into_iter().enumerate() {
        // The same paths the runware crate uses: the item, or its `image` in the object form.
        let path = match frames.items().get(index) {
            Some(FrameInput::Placed { .. }) => format!("{frames_path}[{index}].image"),
            _ => format!("{frames_path}[{index}]"),
        };
        let (file, facts) = match image {
            // An uploaded image is already a file; no copy needed.
            FrameImage::Uuid(id) => match state.images.get(id) {
                Some(stored) => (stored.path, stored.facts),
                None => {
                    image_bytes(state, image, &path).await?;
                    continue;
                }
            },
            _ => {
                let (bytes, facts) = image_bytes(state, image, &path).await?;
                let file = state
                    .data_dir
                    .join("frames")
                    .join(format!("{task_uuid}-{index}.{}", facts.format.extension()));
                write(&file, &bytes).await.map_err(|e| {
                    ApiError::new(
                        ErrorCode::Other("serverError".to_owned()),
                        format!("the frame could not be stored: {e}"),
                    )
                })?;
                resolved.temp.0.push(file.clone());
                (file, facts)
            }
        };
        if position == FramePosition::First || resolved.aspect.is_none() {
            resolved.aspect = Some(f64::from(facts.width) / f64::from(facts.height.max(1)));
        }
        match position {
            FramePosition::First => resolved.first = Some(file),
            FramePosition::Last => resolved.last = Some(file),
        }
    }
    Ok(resolved)
}

async fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    tokio::fs::write(path, bytes).await
}
