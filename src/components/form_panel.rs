//! The form region: where a creator sets up a video.

use leptos::prelude::*;

/// The region that holds the generation form.
#[component]
pub fn FormPanel() -> impl IntoView {
    view! {
        <section class="ks-panel ks-panel--form" id="ks-form" aria-labelledby="ks-form-title">
            <h2 class="ks-panel__title" id="ks-form-title">"Create"</h2>
            <p class="ks-panel__empty">
                "Pick a first frame, describe the motion, and choose how the video should look."
            </p>
        </section>
    }
}
