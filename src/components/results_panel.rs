//! The results region: every job as a card, newest first, with the history's tools.

use leptos::prelude::*;

use crate::components::{
    history_toolbar::HistoryToolbar,
    job_list::JobList,
    live_region::LiveRegion,
    when::{When, condition},
};
use crate::jobs::Jobs;
use crate::jobs::book::Filter;

/// The region that lists jobs and plays their videos.
#[component]
pub fn ResultsPanel() -> impl IntoView {
    let jobs = Jobs::expect();
    let empty = move || jobs.loaded() && jobs.count(Filter::All) == 0;
    view! {
        <section class="ks-panel ks-panel--results ks-results" aria-labelledby="ks-results-title">
            <div class="ks-results__head">
                <h2 class="ks-panel__title" id="ks-results-title">"Results"</h2>
                <HistoryToolbar />
            </div>
            <LiveRegion />
            {move || jobs.poll_problem().map(|text| view! {
                <p class="ks-results__notice" role="status">{text}</p>
            }.into_any())}
            {move || jobs.storage_problem().map(|text| view! {
                <p class="ks-results__notice ks-results__notice--warn" role="alert">{text}</p>
            }.into_any())}
            <When
                when=condition(empty)
                fallback=|| view! { <JobList /> }
            >
                <div class="ks-panel__empty ks-results__empty">
                    <svg class="ks-results__icon" viewBox="0 0 48 48" aria-hidden="true">
                        <rect x="4" y="10" width="40" height="28" rx="4" />
                        <path d="M20 18v12l10-6z" />
                    </svg>
                    <p>"No videos yet. Each video you generate appears here and stays in your history."</p>
                </div>
            </When>
        </section>
    }
}
