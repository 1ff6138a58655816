//! Frame images: what each of the two slots holds, and the ingest that turns a user's picture
//! into an image string the model accepts (decoded by the browser, cropped to the output aspect,
//! scaled to fit, encoded to a data URI).
//!
//! The slot state is plain data in signals; the decoded pictures (browser objects that cannot
//! cross threads) are kept beside it in local storage, paired with the state by an id.

pub mod exif;
pub mod geometry;
pub mod ingest;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use runware::{FrameImage, ImageFormat};

use geometry::{CropPosition, Rect, Size};

/// One of the two frame slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The first frame (required).
    First,
    /// The last frame (optional).
    Last,
}

impl Slot {
    /// Both slots, first first.
    pub const ALL: [Slot; 2] = [Slot::First, Slot::Last];

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Slot::First => "First frame",
            Slot::Last => "Last frame",
        }
    }

    /// A short name for ids and attributes.
    pub fn key(self) -> &'static str {
        match self {
            Slot::First => "first",
            Slot::Last => "last",
        }
    }

    fn index(self) -> usize {
        match self {
            Slot::First => 0,
            Slot::Last => 1,
        }
    }
}

/// Where a frame's picture came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file (picked, dropped, pasted, or an inline image of a loaded request), decoded here.
    Local,
    /// An http(s) URL, sent as it is.
    Url,
    /// An uploaded image's UUID, sent as it is.
    Uuid,
}

/// What the ingest is doing, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stage {
    /// Reading the file: bytes read so far.
    Reading(u64),
    /// Decoding the picture.
    Decoding,
}

/// A picture on its way in.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The id the frame will have, so that a late ingest never overwrites a newer one.
    pub id: u64,
    /// The file's name.
    pub name: String,
    /// The file's size in bytes.
    pub bytes: u64,
    /// The current stage.
    pub stage: Stage,
}

impl Progress {
    /// Overall progress, 0–1: reading is the first 40 %, decoding up to 80 %, and encoding (shown
    /// on the frame itself) the rest.
    pub fn fraction(&self) -> f64 {
        match self.stage {
            Stage::Reading(done) if self.bytes > 0 => 0.4 * done as f64 / self.bytes as f64,
            Stage::Reading(_) => 0.0,
            Stage::Decoding => 0.4,
        }
    }
}

/// The encoding plan of a local picture: which part of it, at which size, in which format.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// The region of the (turned) picture that is sent, in its pixels.
    pub region: Rect,
    /// The encoded size.
    pub output: Size,
    /// PNG (transparency kept) rather than JPEG.
    pub png: bool,
}

/// The image string a frame is sent as, and what is known of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// The image string.
    pub image: Arc<FrameImage>,
    /// Its pixel size, when known.
    pub size: Option<Size>,
    /// Its encoded size in bytes, for inline images.
    pub bytes: Option<usize>,
    /// Its format, for inline images.
    pub format: Option<ImageFormat>,
    /// A small data URI of what is sent, for job cards.
    pub thumb: Option<String>,
    /// The plan it was made from (local pictures).
    pub plan: Option<Plan>,
    /// Whether the original file is sent untouched (it already fit).
    pub untouched: bool,
}

/// A frame in a slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Pairs the state with the decoded picture kept aside; new for every picture.
    pub id: u64,
    /// The file name, URL or UUID.
    pub name: String,
    /// Where it came from.
    pub origin: Origin,
    /// The picture's size as displayed (EXIF turn applied), when known.
    pub source: Option<Size>,
    /// The file's size in bytes, for local pictures.
    pub source_bytes: Option<u64>,
    /// The file's format, for local pictures (`JPEG`, `PNG`, `GIF` …).
    pub source_format: Option<String>,
    /// Whether the picture has transparency to keep.
    pub alpha: bool,
    /// An image to show: a small copy of the whole picture, or the URL itself.
    pub preview: Option<String>,
    /// Where the crop box sits.
    pub position: CropPosition,
    /// Something the user should know (an animated picture of which the first frame is used).
    pub notice: Option<String>,
    /// What is sent, once made. For a local picture it may lag behind the form while a new crop
    /// is encoded: it is current only when its plan is the plan the form asks for.
    pub output: Option<Output>,
}

/// Why a picture was refused.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The file name or text given.
    pub name: String,
    /// What is wrong, for people.
    pub message: String,
}

/// What a slot holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum FrameState {
    /// Nothing.
    #[default]
    Empty,
    /// A picture on its way in.
    Busy(Progress),
    /// A frame.
    Ready(Box<Frame>),
    /// A refused picture, with the reason.
    Failed(Failure),
}

impl FrameState {
    /// The frame, if the slot holds one.
    pub fn frame(&self) -> Option<&Frame> {
        match self {
            FrameState::Ready(frame) => Some(frame),
            _ => None,
        }
    }

    /// Whether the slot holds nothing to replace or clear: empty, or failed.
    pub fn is_vacant(&self) -> bool {
        matches!(self, FrameState::Empty | FrameState::Failed(_))
    }

    /// The image string made last (see [`Frame::output`]).
    pub fn wire(&self) -> Option<String> {
        self.frame()
            .and_then(|f| f.output.as_ref())
            .map(|o| o.image.to_wire())
    }

    /// The id of the picture in the slot or on its way in.
    pub fn id(&self) -> Option<u64> {
        match self {
            FrameState::Busy(progress) => Some(progress.id),
            FrameState::Ready(frame) => Some(frame.id),
            _ => None,
        }
    }
}

/// A decoded picture kept for re-cropping: a browser object, so not in a signal.
pub struct Picture {
    /// The id of the frame it belongs to.
    pub id: u64,
    /// The decoded copy, possibly shrunk (see [`geometry::working_size`]).
    pub bitmap: web_sys::ImageBitmap,
    /// The original file, kept when it might be sent untouched.
    pub original: Option<(ImageFormat, std::rc::Rc<[u8]>)>,
}

/// The two frame slots: a small `Copy` handle.
#[derive(Clone, Copy)]
pub struct Frames {
    /// The first slot.
    pub first: RwSignal<FrameState>,
    /// The last slot.
    pub last: RwSignal<FrameState>,
    pictures: StoredValue<[Option<Picture>; 2], LocalStorage>,
}

impl Default for Frames {
    fn default() -> Self {
        Frames::new()
    }
}

/// Ids for frames, unique for the page's life.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh frame id.
pub fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

impl Frames {
    /// Two empty slots.
    pub fn new() -> Self {
        Frames {
            first: RwSignal::new(FrameState::Empty),
            last: RwSignal::new(FrameState::Empty),
            pictures: StoredValue::new_local([None, None]),
        }
    }

    /// The state signal of `slot`.
    pub fn slot(&self, slot: Slot) -> RwSignal<FrameState> {
        match slot {
            Slot::First => self.first,
            Slot::Last => self.last,
        }
    }

    /// Keeps the decoded picture of `slot`, releasing the one it replaces.
    pub fn keep_picture(&self, slot: Slot, picture: Picture) {
        self.pictures.update_value(|p| {
            if let Some(old) = p[slot.index()].replace(picture) {
                old.bitmap.close();
            }
        });
    }

    /// Runs `f` on the decoded picture of `slot` if it belongs to frame `id`.
    pub fn with_picture<T>(&self, slot: Slot, id: u64, f: impl FnOnce(&Picture) -> T) -> Option<T> {
        self.pictures
            .with_value(|p| p[slot.index()].as_ref().filter(|pic| pic.id == id).map(f))
    }

    /// Empties `slot`, releasing its decoded picture.
    pub fn clear(&self, slot: Slot) {
        self.pictures.update_value(|p| {
            if let Some(old) = p[slot.index()].take() {
                old.bitmap.close();
            }
        });
        self.slot(slot).set(FrameState::Empty);
    }

    /// Swaps the two slots, pictures and all.
    pub fn swap(&self) {
        self.pictures.update_value(|p| p.swap(0, 1));
        let first = self.first.get_untracked();
        self.first.set(self.last.get_untracked());
        self.last.set(first);
    }

    /// Whether `slot` still holds frame `id` (an ingest or encode that finished late must not
    /// overwrite a newer picture).
    pub fn holds(&self, slot: Slot, id: u64) -> bool {
        self.slot(slot).with_untracked(|s| s.id() == Some(id))
    }

    /// Changes frame `id` of `slot` in place, if it is still there.
    pub fn update_frame(&self, slot: Slot, id: u64, f: impl FnOnce(&mut Frame)) {
        self.slot(slot).update(|state| {
            if let FrameState::Ready(frame) = state
                && frame.id == id
            {
                f(frame);
            }
        });
    }
}
