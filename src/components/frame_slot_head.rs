//! The head of a frame slot: its name, whether it is required, and its actions (replace, clear,
//! and for the optional slot, remove).

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::draft::Draft;
use crate::frames::{FrameState, Slot};

/// The title row of a frame slot.
#[component]
pub fn FrameSlotHead(
    /// Which slot.
    which: Slot,
    /// The id of the title, which names the slot's group.
    title_id: &'static str,
    /// Opens the slot's file picker.
    on_choose: Callback<()>,
    /// Removes an optional slot (absent: no such button).
    on_remove: Option<Callback<()>>,
) -> impl IntoView {
    let frames = Draft::expect().frames;
    let slot = which;
    let state = frames.slot(slot);
    let (tag, clear_label) = if slot == Slot::First {
        ("required", "Clear the first frame")
    } else {
        ("optional", "Clear the last frame")
    };
    view! {
        <div class="ks-slot__head">
            <h3 class="ks-slot__title" id=title_id>
                {slot.label()}
                <span class="ks-slot__tag">{tag}</span>
            </h3>
            <div class="ks-slot__actions">
                <button type="button" class="ks-button ks-button--small" hidden=move || state.with(FrameState::is_vacant)
                    on:click=handler(move |_| on_choose.run(()))>"Replace"</button>
                <button type="button" class="ks-button ks-button--small" hidden=move || state.with(FrameState::is_vacant)
                    aria-label=clear_label
                    on:click=handler(move |_| frames.clear(slot))>"Clear"</button>
                {on_remove.map(|remove| view! {
                    <button type="button" class="ks-button ks-button--small ks-button--quiet"
                        aria-label="Remove the last frame slot"
                        on:click=handler(move |_| { frames.clear(slot); remove.run(()); })>"Remove"</button>
                }.into_any())}
            </div>
        </div>
    }
}
