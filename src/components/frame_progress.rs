//! The progress of a picture on its way into a slot: read, then decoded.

use leptos::prelude::*;

use crate::draft::Draft;
use crate::draft::devtools::human_bytes;
use crate::frames::{FrameState, Slot, Stage};

/// A progress bar with what is being done, for large files that take a moment.
#[component]
pub fn FrameProgress(
    /// Which slot.
    which: Slot,
) -> impl IntoView {
    let slot = which;
    let state = Draft::expect().frames.slot(slot);
    let progress = move || {
        state.with(|s| match s {
            FrameState::Busy(p) => Some(p.clone()),
            _ => None,
        })
    };
    let label = move || {
        progress().map(|p| match p.stage {
            Stage::Reading(done) => {
                format!("Reading {} of {}…", human_bytes(done), human_bytes(p.bytes))
            }
            Stage::Decoding => "Decoding…".to_string(),
        })
    };
    view! {
        <div class="ks-progress">
            <p class="ks-progress__name">{move || progress().map(|p| p.name).unwrap_or_default()}</p>
            <progress
                class="ks-progress__bar"
                max="1"
                aria-label="Preparing the image"
                // As text (the element reads it as a number): one output type for every
                // reactive property keeps one copy of the code.
                prop:value=move || crate::num::short(progress().map_or(0.0, |p| p.fraction()), 3)
            ></progress>
            <p class="ks-progress__label" aria-live="polite">{move || label().unwrap_or_default()}</p>
        </div>
    }
}
