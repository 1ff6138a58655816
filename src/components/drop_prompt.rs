//! What an empty frame slot shows: how to give it a picture.

use leptos::prelude::*;

use crate::components::handler::handler;

/// The invitation of an empty slot.
#[component]
pub fn DropPrompt(
    /// Opens the slot's file picker.
    on_choose: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="ks-drop">
            <svg class="ks-drop__icon" viewBox="0 0 24 24" aria-hidden="true">
                <rect x="3" y="4" width="18" height="16" rx="3" />
                <circle cx="9" cy="10" r="1.8" />
                <path d="M4 18l5-5 4 4 3-3 4 4" />
            </svg>
            <p class="ks-drop__text">"Drop an image, paste it, or"</p>
            <button type="button" class="ks-button ks-button--primary-soft" on:click=handler(move |_| on_choose.run(()))>
                "Choose image"
            </button>
            <p class="ks-drop__hint">"Any size: it is cropped and scaled here, in your browser."</p>
        </div>
    }
}
