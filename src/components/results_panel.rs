//! The results region: generated videos and the history of jobs.

use leptos::prelude::*;

/// The region that lists jobs and plays their videos.
#[component]
pub fn ResultsPanel() -> impl IntoView {
    view! {
        <section class="ks-panel ks-panel--results" aria-labelledby="ks-results-title">
            <h2 class="ks-panel__title" id="ks-results-title">"Results"</h2>
            <div class="ks-panel__empty ks-results__empty">
                <svg class="ks-results__icon" viewBox="0 0 48 48" aria-hidden="true">
                    <rect x="4" y="10" width="40" height="28" rx="4" />
                    <path d="M20 18v12l10-6z" />
                </svg>
                <p>"No videos yet. Each video you generate appears here and stays in your history."</p>
            </div>
        </section>
    }
}
