//! The other ways into a slot: an http(s) URL or an uploaded image's UUID (a data URI or base64
//! pasted here works too). Tucked behind a small button until wanted.

use leptos::prelude::*;
use runware::FrameImage;

use crate::components::handler::handler;
use crate::draft::Draft;
use crate::frames::{Slot, ingest};

/// A link that opens a box for a URL or UUID, checked by the crate before use.
#[component]
pub fn FrameSourceInput(
    /// Which slot.
    which: Slot,
) -> impl IntoView {
    let slot = which;
    let frames = Draft::expect().frames;
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = format!("ks-frame-{}-source", slot.key());
    let error_id = format!("{id}-error");
    let input = NodeRef::<leptos::html::Input>::new();
    let apply = move || {
        let value = text.get_untracked();
        // The crate's own rules and words; the field is named for people, not by its path.
        match FrameImage::parse(value.trim()) {
            Ok(image) => {
                error.set(None);
                text.set(String::new());
                open.set(false);
                ingest::ingest_image(frames, slot, image);
            }
            Err(e) => error.set(Some(e.at("The image").to_string())),
        }
    };
    view! {
        <button type="button" class="ks-link-button" hidden=move || open.get()
            on:click=handler(move |_| {
                        open.set(true);
                        request_animation_frame(move || { if let Some(i) = input.get() { let _ = i.focus(); } });
                    })>
            "Use a URL or an uploaded image's UUID"
        </button>
        <div class="ks-source" hidden=move || !open.get()>
                <label class="ks-field__label ks-field__label--small" for=id.clone()>"Image URL or UUID"</label>
                <div class="ks-source__row">
                    <input
                        class="ks-input"
                        class:ks-input--invalid=move || error.with(Option::is_some)
                        id=id.clone()
                        node_ref=input
                        type="text"
                        inputmode="url"
                        spellcheck="false"
                        autocomplete="off"
                        placeholder="https://… or 8-4-4-4-12 UUID"
                        aria-describedby=error_id.clone()
                        prop:value=move || text.get()
                        on:input=handler(move |ev| { text.set(event_target_value(&ev)); error.set(None); })
                        on:keydown=handler(move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); apply(); })
                    />
                    <button type="button" class="ks-button" on:click=handler(move |_| apply())>"Use"</button>
                </div>
                <p class="ks-field__error" id=error_id.clone() aria-live="polite" hidden=move || error.with(Option::is_none)>
                    {move || error.get().unwrap_or_default()}
                </p>
        </div>
    }
}
