//! The frames: the first-frame slot, the optional last-frame slot, and swapping them. A picture
//! pasted anywhere outside a text box goes to the first empty slot.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::frame_slot::FrameSlot;
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::frames::{FrameState, Slot, ingest};

/// Whether a paste happened in a place that takes text (where it must be left alone).
fn pasted_into_text(ev: &web_sys::ClipboardEvent) -> bool {
    // The studio may live in a shadow root: the composed path's first node is the real target.
    let target = ev.composed_path().get(0);
    let Some(element) = target.dyn_ref::<web_sys::HtmlElement>() else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

/// Both frame slots with the swap between them.
#[component]
pub fn FramesField() -> impl IntoView {
    let draft = Draft::expect();
    let frames = draft.frames;
    let asked_for_last = RwSignal::new(false);
    let last_filled = move || frames.last.with(|s| *s != FrameState::Empty);
    let show_last = move || asked_for_last.get() || last_filled();
    let handle = window_event_listener(ev::paste, move |ev| {
        if ev.default_prevented() || pasted_into_text(&ev) {
            return;
        }
        let empty = |slot: Slot| {
            frames
                .slot(slot)
                .with_untracked(|s| matches!(s, FrameState::Empty | FrameState::Failed(_)))
        };
        let slot = if !empty(Slot::First) && untrack(show_last) && empty(Slot::Last) {
            Slot::Last
        } else {
            Slot::First
        };
        if let Some(data) = ev.clipboard_data()
            && ingest::take_transfer(frames, slot, &data)
        {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
    let both = move || {
        frames.first.with(|s| *s != FrameState::Empty)
            || frames.last.with(|s| *s != FrameState::Empty)
    };
    view! {
        <fieldset class="ks-frames">
            <legend class="ks-sr-only">"Frames"</legend>
            <FrameSlot which=Slot::First />
            <button type="button" class="ks-add-frame" hidden=move || asked_for_last.get() || last_filled()
                on:click=handler(move |_| asked_for_last.set(true))>
                        <span class="ks-add-frame__plus" aria-hidden="true">"+"</span>
                        "Add a last frame"
                <span class="ks-add-frame__hint">"optional: the video ends on it"</span>
            </button>
            <div class="ks-frames__last" hidden=move || !show_last()>
                <div class="ks-frames__between">
                    <button type="button" class="ks-button ks-button--small ks-button--quiet"
                        disabled=move || !both()
                        on:click=handler(move |_| frames.swap())>
                        <svg class="ks-icon" viewBox="0 0 16 16" aria-hidden="true">
                            <path d="M5 2v11M2 10l3 3 3-3M11 14V3M8 6l3-3 3 3" />
                        </svg>
                        "Swap first and last"
                    </button>
                </div>
                <FrameSlot which=Slot::Last on_remove=Callback::new(move |_| asked_for_last.set(false)) />
            </div>
        </fieldset>
    }
}
