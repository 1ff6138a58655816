//! One frame slot: takes a picture by file picker, drag and drop, paste, URL or UUID, and shows
//! it (with its crop box), its progress, or why it was refused.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::components::field_messages::FieldMessages;
use crate::components::frame_facts::FrameFacts;
use crate::components::frame_slot_head::FrameSlotHead;
use crate::components::frame_source_input::FrameSourceInput;
use crate::components::frame_view::FrameView;
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::frames::{FrameState, Slot, ingest};

/// A frame slot with its drop zone, its picture and its actions.
#[component]
pub fn FrameSlot(
    /// Which slot.
    which: Slot,
    /// Called by the "Remove" button of an optional slot (absent: no such button).
    #[prop(optional)]
    on_remove: Option<Callback<()>>,
) -> impl IntoView {
    let slot = which;
    let draft = Draft::expect();
    let frames = draft.frames;
    let state = frames.slot(slot);
    let dragging = RwSignal::new(false);
    let key = slot.key();
    let (title_id, file_id) = match slot {
        Slot::First => ("ks-frame-first-title", "ks-frame-first-file"),
        Slot::Last => ("ks-frame-last-title", "ks-frame-last-file"),
    };
    let kind = move || {
        state.with(|s| match s {
            FrameState::Empty => "empty",
            FrameState::Busy(_) => "busy",
            FrameState::Failed(_) => "failed",
            FrameState::Ready(_) => "ready",
        })
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|list| list.item(0)) {
            ingest::take_file(frames, slot, file);
        }
        // Choosing the same file again must still count as a change.
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(data) = ev.data_transfer() {
            ingest::take_transfer(frames, slot, &data);
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        if let Some(data) = ev.clipboard_data()
            && ingest::take_transfer(frames, slot, &data)
        {
            ev.prevent_default();
        }
    };
    let empty = move || state.with(FrameState::is_vacant);
    let picker = NodeRef::<leptos::html::Input>::new();
    let choose = Callback::new(move |_| {
        if let Some(input) = picker.get_untracked() {
            input.click();
        }
    });
    view! {
        <section
            class="ks-slot"
            class:ks-slot--filled=move || !empty()
            role="group"
            aria-labelledby=title_id
            data-slot=key
            // "ready" only once what is sent matches the form; tests and the benchmark wait for it.
            data-state=move || String::from(match kind() {
                "ready" if draft.is_busy(slot) => "preparing",
                other => other,
            })
        >
            // Reached through the buttons below, which open it: a real button is what people and
            // screen readers expect to press.
            <input class="ks-sr-only" type="file" accept="image/*" id=file_id tabindex="-1"
                aria-hidden="true" node_ref=picker on:change=handler(on_file) />
            <FrameSlotHead which=slot title_id=title_id on_choose=choose on_remove=on_remove />
            <div
                class="ks-slot__zone"
                class:ks-slot__zone--over=move || dragging.get()
                id=Control::of_slot(slot).dom_id()
                // A group, not a button: it holds buttons of its own (Choose image, the crop
                // box); focusable so that Ctrl+V pastes into this slot. Its name leaves out the
                // slot's, which the enclosing group gives.
                role="group"
                tabindex="0"
                aria-label="Drop or paste an image here"
                on:dragover=handler(move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); })
                on:dragleave=handler(move |_| dragging.set(false))
                on:drop=handler(on_drop)
                on:paste=handler(on_paste)
            >
                <FrameView which=slot on_choose=choose />
            </div>
            {move || state.with(|s| match s {
                FrameState::Failed(f) => Some(view! {
                    <p class="ks-slot__error" role="alert">
                        <strong>{f.name.clone()}</strong>" · "{f.message.clone()}
                    </p>
                }.into_any()),
                _ => None,
            })}
            <div hidden=move || kind() != "ready"><FrameFacts which=slot /></div>
            <div hidden=move || !empty()><FrameSourceInput which=slot /></div>
            // The empty first slot says "required" itself; the validator's line would repeat it.
            <div hidden=move || slot == Slot::First && kind() == "empty">
                <FieldMessages control=Control::of_slot(slot) />
            </div>
        </section>
    }
}
