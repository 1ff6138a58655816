//! The polite live region that tells screen-reader users what happened to their jobs.

use leptos::prelude::*;

use crate::jobs::Jobs;

/// A visually hidden `aria-live` region repeating each job status change in words.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let jobs = Jobs::expect();
    view! {
        <div class="ks-visually-hidden" role="status" aria-live="polite" aria-atomic="true">
            {move || jobs.announcement()}
        </div>
    }
}
