//! The browser side of frame images: a user's picture read, checked, decoded, cropped, scaled and
//! encoded into an image string the model accepts.
//!
//! Heavy work never blocks typing: the file is read in slices with a pause between them, the
//! browser decodes and shrinks the picture itself (`createImageBitmap` with resize options, off
//! the main thread in Chromium), and the encoding uses an `OffscreenCanvas` whose `convertToBlob`
//! is asynchronous. The picture's headers are checked by the `runware` crate, so a truncated
//! JPEG or an SVG is refused with the same words the server would use.

use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Array, Reflect, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use runware::image::{self, ImageError, OtherFormat};
use runware::{FrameImage, ImageFormat};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, DataTransfer, File, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions,
    ImageOrientation, OffscreenCanvas, OffscreenCanvasRenderingContext2d, ResizeQuality,
};

use super::geometry::{self, CropPosition, Rect, Size};
use super::{
    Failure, Frame, FrameState, Frames, Origin, Output, Picture, Plan, Progress, Slot, Stage, exif,
    next_id,
};

/// Files are read in slices of this size, with a pause between slices.
const SLICE: u64 = 4 * 1024 * 1024;
/// JPEG quality of what is sent: visually lossless for photos, a fraction of PNG's size.
const JPEG_QUALITY: f64 = 0.92;
/// Long side of the picture shown for cropping (about twice the column's width, for sharp
/// screens).
const PREVIEW_SIDE: u32 = 800;
/// Long side of the job-card image.
const THUMB_SIDE: u32 = 256;
/// The most a frame is sent as: Runware takes 20 MB, Kling's own API 10 MB (spec §3), so a
/// frame above this is encoded again, smaller.
pub const SEND_LIMIT_BYTES: usize = 10 * 1024 * 1024;
/// Qualities tried, in turn, for a JPEG (or WEBP) that came out above [`SEND_LIMIT_BYTES`].
const SMALLER_QUALITIES: [f64; 4] = [0.85, 0.75, 0.6, 0.45];

/// Takes a file (picked, dropped or pasted) into `slot`.
pub fn ingest_blob(frames: Frames, slot: Slot, blob: Blob, name: String) {
    let id = next_id();
    let bytes = blob.size() as u64;
    frames.slot(slot).set(FrameState::Busy(Progress {
        id,
        name: name.clone(),
        bytes,
        stage: Stage::Reading(0),
    }));
    spawn_local(async move {
        let loaded = load(frames, slot, id, &blob, &name).await;
        if !frames.holds(slot, id) {
            if let Ok((_, picture)) = loaded {
                picture.bitmap.close();
            }
            return;
        }
        match loaded {
            Ok((frame, picture)) => {
                let bitmap = picture.bitmap.clone();
                let alpha = frame.alpha;
                frames.keep_picture(slot, picture);
                frames.slot(slot).set(FrameState::Ready(Box::new(frame)));
                let preview = preview_of(&bitmap, alpha).await;
                frames.update_frame(slot, id, |f| f.preview = preview);
            }
            Err(message) => frames
                .slot(slot)
                .set(FrameState::Failed(Failure { name, message })),
        }
    });
}

/// Takes the first file of a drop or paste into `slot`; otherwise an image string it carries
/// (a URL dragged from another page). Returns whether anything was taken.
pub fn take_transfer(frames: Frames, slot: Slot, data: &DataTransfer) -> bool {
    if let Some(file) = data.files().and_then(|list| list.item(0)) {
        take_file(frames, slot, file);
        return true;
    }
    let text = data
        .get_data("text/uri-list")
        .ok()
        .filter(|t| !t.is_empty())
        .or_else(|| data.get_data("text/plain").ok())
        .unwrap_or_default();
    let first_line = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap_or("")
        .trim();
    match runware::FrameImage::parse(first_line) {
        Ok(image) => {
            ingest_image(frames, slot, image);
            true
        }
        Err(_) => false,
    }
}

/// Takes a file into `slot`.
pub fn take_file(frames: Frames, slot: Slot, file: File) {
    let name = file.name();
    ingest_blob(frames, slot, file.into(), name);
}

/// Takes an image string into `slot`: a URL or UUID is used as it is; inline bytes (a data URI
/// or base64, e.g. from a loaded request) are decoded like a file.
pub fn ingest_image(frames: Frames, slot: Slot, image: FrameImage) {
    let remote = |origin: Origin, name: String, preview: Option<String>| Frame {
        id: next_id(),
        name,
        origin,
        source: None,
        source_bytes: None,
        source_format: None,
        alpha: false,
        preview,
        position: CropPosition::CENTRE,
        notice: None,
        output: Some(Output {
            image: Arc::new(image.clone()),
            size: None,
            bytes: None,
            format: None,
            thumb: None,
            plan: None,
            untouched: true,
        }),
    };
    let frame = match &image {
        FrameImage::Url(url) => remote(Origin::Url, url.clone(), Some(url.clone())),
        FrameImage::Uuid(uuid) => remote(Origin::Uuid, uuid.to_string(), None),
        FrameImage::DataUri { mime, .. } => {
            let bytes = image.decode().ok().flatten().unwrap_or_default();
            let name = format!("Inline {} image", mime);
            match blob_of(&bytes, mime.mime()) {
                Ok(blob) => ingest_blob(frames, slot, blob, name),
                Err(message) => fail_now(frames, slot, name, message),
            }
            return;
        }
        FrameImage::Base64(_) => {
            let bytes = image.decode().ok().flatten().unwrap_or_default();
            let name = "Inline image".to_string();
            match blob_of(&bytes, "") {
                Ok(blob) => ingest_blob(frames, slot, blob, name),
                Err(message) => fail_now(frames, slot, name, message),
            }
            return;
        }
    };
    frames.clear(slot);
    frames.slot(slot).set(FrameState::Ready(Box::new(frame)));
}

/// Refuses the picture `id` in `slot` (if it is still there) with `message`.
pub fn fail(frames: Frames, slot: Slot, id: u64, message: String) {
    if frames.holds(slot, id) {
        let name = frames
            .slot(slot)
            .with_untracked(|s| s.frame().map(|f| f.name.clone()))
            .unwrap_or_default();
        fail_now(frames, slot, name, message);
    }
}

fn fail_now(frames: Frames, slot: Slot, name: String, message: String) {
    frames.clear(slot);
    frames
        .slot(slot)
        .set(FrameState::Failed(Failure { name, message }));
}

/// A sentence from a lower-case message: capital first letter, full stop at the end.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out = chars
        .next()
        .map(crate::draft::case::uppercase)
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Reads, checks and decodes a picture; the frame it becomes (to be encoded next) and the
/// decoded picture kept for cropping.
async fn load(
    frames: Frames,
    slot: Slot,
    id: u64,
    blob: &Blob,
    name: &str,
) -> Result<(Frame, Picture), String> {
    let progress = |stage| {
        frames.slot(slot).update(|s| {
            if let FrameState::Busy(p) = s
                && p.id == id
            {
                p.stage = stage;
            }
        });
    };
    let bytes = read(blob, |done| progress(Stage::Reading(done))).await?;
    let sniffed = image::sniff(&bytes);
    // What the headers say; formats the model does not take but the browser can decode (GIF,
    // BMP, AVIF …) are converted, SVG and damaged files are refused.
    let (format_label, known, animated, alpha) = match &sniffed {
        Ok(facts) => (
            facts.format.to_string(),
            Some(Size::new(facts.width, facts.height)),
            facts.animated,
            facts.has_alpha.unwrap_or(false),
        ),
        Err(
            error @ (ImageError::Unsupported(OtherFormat::Svg)
            | ImageError::Empty
            | ImageError::Truncated(_)
            | ImageError::Corrupt { .. }),
        ) => return Err(sentence(&error.to_string())),
        Err(ImageError::Unsupported(other)) => {
            let gif = *other == OtherFormat::Gif;
            (other.to_string(), None, gif && gif_is_animated(&bytes), gif)
        }
        Err(_) => ("image".to_string(), None, false, false),
    };
    let orientation = match &sniffed {
        Ok(facts) if facts.format == ImageFormat::Jpeg => exif::jpeg_orientation(&bytes),
        _ => None,
    };
    let known = known.map(|size| exif::oriented(size, orientation));
    if let Some(size) = known {
        too_small(size)?;
    }
    progress(Stage::Decoding);
    let target = known
        .map(geometry::working_size)
        .filter(|work| Some(*work) != known);
    let mime = match &sniffed {
        Ok(facts) => facts.format.mime().to_string(),
        Err(_) => blob.type_(),
    };
    let turned = orientation.is_some_and(|o| o != 1);
    let bitmap = decode(blob, &mime, target, turned)
        .await
        .map_err(|_| match &sniffed {
            Err(error) => sentence(&error.to_string()),
            Ok(facts) => format!(
                "The {} file could not be decoded: its image data is damaged.",
                facts.format
            ),
        })?;
    let work = Size::new(bitmap.width(), bitmap.height());
    let source = match known {
        // Trust the decoder's turn if it disagrees with the EXIF reading.
        Some(size)
            if (size.width > size.height) == (work.width > work.height)
                || work.width == work.height =>
        {
            size
        }
        Some(size) => Size::new(size.height, size.width),
        None => work,
    };
    if let Err(message) = too_small(source) {
        bitmap.close();
        return Err(message);
    }
    let untouched_ok = matches!(&sniffed, Ok(f) if !f.animated && image::check_limits(f).is_ok())
        && orientation.is_none_or(|o| o == 1);
    let original = match (&sniffed, untouched_ok) {
        (Ok(facts), true) => Some((facts.format, Rc::from(bytes))),
        _ => None,
    };
    let frame = Frame {
        id,
        name: name.to_string(),
        origin: Origin::Local,
        source: Some(source),
        source_bytes: Some(blob.size() as u64),
        source_format: Some(format_label),
        alpha,
        // Drawn once the frame is in (see `ingest_blob`): it is not on the way to the data URI.
        preview: None,
        position: CropPosition::CENTRE,
        notice: animated.then(|| "Animated image: its first frame is used.".to_string()),
        output: None,
    };
    Ok((
        frame,
        Picture {
            id,
            bitmap,
            original,
        },
    ))
}

/// A small copy of the whole picture to show for cropping, as a data URI.
async fn preview_of(bitmap: &ImageBitmap, alpha: bool) -> Option<String> {
    let work = Size::new(bitmap.width(), bitmap.height());
    let canvas = draw(
        bitmap,
        Rect::whole(work),
        geometry::shrink_long_side(work, PREVIEW_SIDE),
    )
    .ok()?;
    let kind = if alpha { "image/png" } else { "image/jpeg" };
    let bytes = to_bytes(&canvas, kind, 0.85).await.ok()?;
    Some(data_uri(&bytes, alpha))
}

/// The model's lower limit on a side, in the crate's words.
fn too_small(size: Size) -> Result<(), String> {
    if size.short_side() < image::MIN_SIDE {
        return Err(sentence(
            &ImageError::TooSmall {
                width: size.width,
                height: size.height,
                min: image::MIN_SIDE,
            }
            .to_string(),
        ));
    }
    Ok(())
}

/// Makes the image string of frame `id` in `slot` by `plan`; `source` is the picture's size.
pub async fn encode(
    frames: Frames,
    slot: Slot,
    id: u64,
    source: Size,
    plan: Plan,
) -> Result<Output, String> {
    let gone = || "The picture was replaced while it was being prepared.".to_string();
    let (bitmap, original) = frames
        .with_picture(slot, id, |p| (p.bitmap.clone(), p.original.clone()))
        .ok_or_else(gone)?;
    let work = Size::new(bitmap.width(), bitmap.height());
    let rect = geometry::rescale(plan.region, source, work);
    let broken = |_| "The browser could not draw this picture.".to_string();
    // Nothing to crop, scale or convert: the file goes as it is, byte for byte (unless it is
    // larger than a frame may be sent).
    if let Some((format, bytes)) = original
        && plan.region == Rect::whole(source)
        && plan.output == source
        && bytes.len() <= SEND_LIMIT_BYTES
    {
        return Ok(Output {
            image: Arc::new(FrameImage::from_bytes(format, &bytes)),
            size: Some(source),
            bytes: Some(bytes.len()),
            format: Some(format),
            thumb: None,
            plan: Some(plan),
            untouched: true,
        });
    }
    let canvas = draw(&bitmap, rect, plan.output).map_err(broken)?;
    let kind = if plan.png { "image/png" } else { "image/jpeg" };
    let mut bytes = to_bytes(&canvas, kind, JPEG_QUALITY)
        .await
        .map_err(broken)?;
    // Too large to send (a noisy photo at 2048 px, a PNG with transparency): encoded again at
    // lower qualities; a transparent picture goes as WEBP, which keeps its alpha and is lossy.
    let smaller = if plan.png { "image/webp" } else { "image/jpeg" };
    for quality in SMALLER_QUALITIES {
        if bytes.len() <= SEND_LIMIT_BYTES {
            break;
        }
        bytes = to_bytes(&canvas, smaller, quality).await.map_err(broken)?;
    }
    if bytes.len() > SEND_LIMIT_BYTES {
        return Err(format!(
            "Even encoded smaller, this picture takes {:.1} MB, more than the {} MB a frame may have. \
             Try a smaller or less detailed image.",
            bytes.len() as f64 / (1024.0 * 1024.0),
            SEND_LIMIT_BYTES / (1024 * 1024)
        ));
    }
    // The crate checks what was made against the model's limits (20 MB above all).
    let facts = image::inspect(&bytes).map_err(|e| sentence(&e.to_string()))?;
    Ok(Output {
        image: Arc::new(FrameImage::from_bytes(facts.format, &bytes)),
        size: Some(Size::new(facts.width, facts.height)),
        bytes: Some(bytes.len()),
        format: Some(facts.format),
        thumb: None,
        plan: Some(plan),
        untouched: false,
    })
}

/// Adds the job-card image (small, JPEG) to frame `id`'s output made by `plan`. It comes after
/// the image it shows, so that it never delays it.
pub async fn add_thumb(frames: Frames, slot: Slot, id: u64, source: Size, plan: Plan) {
    let Some(bitmap) = frames.with_picture(slot, id, |p| p.bitmap.clone()) else {
        return;
    };
    let work = Size::new(bitmap.width(), bitmap.height());
    let rect = geometry::rescale(plan.region, source, work);
    let Ok(canvas) = draw(
        &bitmap,
        rect,
        geometry::shrink_long_side(plan.output, THUMB_SIDE),
    ) else {
        return;
    };
    let Ok(bytes) = to_bytes(&canvas, "image/jpeg", 0.8).await else {
        return;
    };
    let thumb = data_uri(&bytes, false);
    frames.update_frame(slot, id, |f| {
        if let Some(output) = f.output.as_mut().filter(|o| o.plan == Some(plan)) {
            output.thumb = Some(thumb);
        }
    });
}

/// Reads a blob in slices, reporting the bytes read and pausing between slices so that the
/// page stays responsive while a large file comes in.
async fn read(blob: &Blob, mut report: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    let unreadable = |_| "The file could not be read.".to_string();
    let total = blob.size() as u64;
    let mut out = Vec::with_capacity(total as usize);
    let mut at = 0;
    while at < total {
        let end = (at + SLICE).min(total);
        let part = blob
            .slice_with_f64_and_f64(at as f64, end as f64)
            .map_err(unreadable)?;
        let buffer = JsFuture::from(part.array_buffer())
            .await
            .map_err(unreadable)?;
        let array = Uint8Array::new(&buffer);
        let start = out.len();
        out.resize(start + array.length() as usize, 0);
        array.copy_to(&mut out[start..]);
        at = end;
        report(at);
        if at < total {
            sleep(0).await;
        }
    }
    Ok(out)
}

/// Decodes a picture, turned as its EXIF says, and shrunk toward `target` when it is larger.
///
/// Measured in Chromium on a 24-megapixel JPEG: `createImageBitmap` with resize options decodes
/// off the main thread but then resizes on it (a 70–100 ms freeze, whatever the quality), while
/// WebCodecs' `ImageDecoder` with a desired size decodes straight to about that size with the
/// JPEG decoder's own scaling, off the main thread, in about half the time. So `ImageDecoder` is
/// used where it exists, and `createImageBitmap` elsewhere. A picture turned by EXIF goes the
/// `createImageBitmap` way, which is specified to apply the turn.
async fn decode(
    blob: &Blob,
    mime: &str,
    target: Option<Size>,
    turned: bool,
) -> Result<ImageBitmap, JsValue> {
    if !turned && let Some(bitmap) = webcodecs::decode(blob, mime, target).await {
        return Ok(bitmap);
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let options = ImageBitmapOptions::new();
    options.set_image_orientation(ImageOrientation::FromImage);
    if let Some(size) = target {
        options.set_resize_width(size.width);
        options.set_resize_height(size.height);
        // Medium (mipmaps, then linear): high costs more on the main thread for no visible gain,
        // since the copy is resampled once more, with high quality, to the output size.
        options.set_resize_quality(ResizeQuality::Medium);
    }
    let promise = window.create_image_bitmap_with_blob_and_image_bitmap_options(blob, &options)?;
    JsFuture::from(promise).await?.dyn_into()
}

/// WebCodecs' `ImageDecoder`, bound by hand (web-sys only has it behind its unstable flag).
mod webcodecs {
    use js_sys::{Object, Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Blob, ImageBitmap};

    use crate::frames::geometry::Size;

    // Bound as typed imports rather than looked up with `Reflect` and called as `Function`s:
    // each call is then one import, with no property lookups and casts around it in the wasm.
    #[wasm_bindgen]
    extern "C" {
        /// `ImageDecoder`.
        type ImageDecoder;
        #[wasm_bindgen(constructor, catch)]
        fn new(init: &Object) -> Result<ImageDecoder, JsValue>;
        #[wasm_bindgen(method)]
        fn decode(this: &ImageDecoder) -> Promise;
        #[wasm_bindgen(method)]
        fn close(this: &ImageDecoder);
        #[wasm_bindgen(static_method_of = ImageDecoder, js_name = isTypeSupported)]
        fn is_type_supported(kind: &str) -> Promise;
        /// `ImageDecodeResult`.
        type Decoded;
        #[wasm_bindgen(method, getter)]
        fn image(this: &Decoded) -> VideoFrame;
        /// `VideoFrame`.
        type VideoFrame;
        #[wasm_bindgen(method, catch, js_name = close)]
        fn close_frame(this: &VideoFrame) -> Result<(), JsValue>;
        /// `createImageBitmap` of a `VideoFrame`.
        #[wasm_bindgen(catch, js_name = createImageBitmap)]
        fn bitmap_of(frame: &VideoFrame) -> Result<Promise, JsValue>;
    }

    /// The first frame of `blob` decoded near `target` as a bitmap; `None` when the browser has
    /// no `ImageDecoder` or it cannot take the picture (the caller then decodes another way).
    pub async fn decode(blob: &Blob, mime: &str, target: Option<Size>) -> Option<ImageBitmap> {
        let global = js_sys::global();
        if mime.is_empty() || !Reflect::has(&global, &"ImageDecoder".into()).unwrap_or(false) {
            return None;
        }
        let supported = JsFuture::from(ImageDecoder::is_type_supported(mime))
            .await
            .ok()?;
        if !supported.is_truthy() {
            return None;
        }
        let init = Object::new();
        let set = |k: &str, v: JsValue| Reflect::set(&init, &k.into(), &v).ok();
        set("data", blob.stream().into())?;
        set("type", mime.into())?;
        if let Some(size) = target {
            set("desiredWidth", size.width.into())?;
            set("desiredHeight", size.height.into())?;
        }
        let decoder = ImageDecoder::new(&init).ok()?;
        let decoded = JsFuture::from(decoder.decode()).await;
        decoder.close();
        let frame = decoded.ok()?.unchecked_into::<Decoded>().image();
        // A VideoFrame: copied into a bitmap (cheap), then released.
        let bitmap = match bitmap_of(&frame) {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        let _ = frame.close_frame();
        bitmap?.dyn_into().ok()
    }
}

/// Draws `rect` of `bitmap` onto a new canvas of `size`, with the best smoothing the browser has.
fn draw(bitmap: &ImageBitmap, rect: Rect, size: Size) -> Result<OffscreenCanvas, JsValue> {
    let canvas = OffscreenCanvas::new(size.width, size.height)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    // Not in web-sys's bindings for OffscreenCanvas yet; Chromium and Firefox honour it.
    let _ = Reflect::set(&context, &"imageSmoothingQuality".into(), &"high".into());
    context.draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        bitmap,
        f64::from(rect.x),
        f64::from(rect.y),
        f64::from(rect.width),
        f64::from(rect.height),
        0.0,
        0.0,
        f64::from(size.width),
        f64::from(size.height),
    )?;
    Ok(canvas)
}

/// Encodes a canvas (`image/jpeg` at `quality`, or `image/png`) and returns the file's bytes.
async fn to_bytes(canvas: &OffscreenCanvas, kind: &str, quality: f64) -> Result<Vec<u8>, JsValue> {
    let options = ImageEncodeOptions::new();
    options.set_type(kind);
    options.set_quality(quality);
    let blob: Blob = JsFuture::from(canvas.convert_to_blob_with_options(&options)?)
        .await?
        .dyn_into()?;
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A data URI of encoded bytes (PNG when `png`, JPEG otherwise), through the crate's encoder.
fn data_uri(bytes: &[u8], png: bool) -> String {
    let format = if png {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    };
    FrameImage::from_bytes(format, bytes).to_wire()
}

/// A blob holding `bytes`, typed `kind`.
fn blob_of(bytes: &[u8], kind: &str) -> Result<Blob, String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(kind);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| "The image could not be read.".to_string())
}

/// Whether a GIF is animated: animated GIFs carry the NETSCAPE2.0 looping extension.
fn gif_is_animated(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"NETSCAPE2.0")
}

/// Waits `ms` milliseconds (0: until the browser has handled what is pending, such as keys).
///
/// The timer future the transports use anyway: no promise and closure of its own in the wasm.
pub async fn sleep(ms: i32) {
    gloo_timers::future::TimeoutFuture::new(ms.max(0) as u32).await;
}
