//! What a frame slot's drop zone shows: the invitation when empty, the progress of a picture on
//! its way in, or the picture itself (with its crop box, by URL, or as an uploaded image).

use leptos::prelude::*;

use crate::components::drop_prompt::DropPrompt;
use crate::components::frame_crop::FrameCrop;
use crate::components::frame_progress::FrameProgress;
use crate::components::remote_preview::RemotePreview;
use crate::draft::Draft;
use crate::frames::{FrameState, Origin, Slot};

/// The kinds of content a zone shows.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Invitation,
    Progress,
    Crop,
    Remote,
    Uploaded,
}

/// The content of one slot's drop zone.
#[component]
pub fn FrameView(
    /// Which slot.
    which: Slot,
    /// Opens the slot's file picker.
    on_choose: Callback<()>,
) -> impl IntoView {
    let state = Draft::expect().frames.slot(which);
    // A memo, so that the picture is rebuilt only when what is shown changes, not each time the
    // frame does (a nudged crop box keeps its focus).
    let shown = Memo::new(move |_| {
        state.with(|s| match s {
            FrameState::Busy(_) => Shown::Progress,
            FrameState::Ready(f) => match f.origin {
                Origin::Local => Shown::Crop,
                Origin::Url => Shown::Remote,
                Origin::Uuid => Shown::Uploaded,
            },
            FrameState::Empty | FrameState::Failed(_) => Shown::Invitation,
        })
    });
    move || match shown.get() {
        Shown::Progress => view! { <FrameProgress which=which /> }.into_any(),
        Shown::Crop => view! { <FrameCrop which=which /> }.into_any(),
        Shown::Remote => view! { <RemotePreview which=which /> }.into_any(),
        Shown::Uploaded => view! {
            <div class="ks-slot__uuid">
                <svg class="ks-slot__icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 16V4M7 9l5-5 5 5M4 20h16" />
                </svg>
                <span>"Uploaded image"</span>
            </div>
        }
        .into_any(),
        Shown::Invitation => view! { <DropPrompt on_choose=on_choose /> }.into_any(),
    }
}
