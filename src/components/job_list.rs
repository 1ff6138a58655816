//! The history: the jobs passing the filter, newest first, a page at a time so that a history
//! of a thousand jobs stays quick.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::job_card::JobCard;
use crate::components::keyed_list::KeyedList;
use crate::components::when::{When, condition};
use crate::jobs::Jobs;

/// Cards shown at first, and added by each "Show more".
const PAGE: usize = 20;

/// The cards of the filtered history, with "Show more" when there are more.
#[component]
pub fn JobList() -> impl IntoView {
    let jobs = Jobs::expect();
    let shown = RwSignal::new(PAGE);
    // A new filter starts again from the first page.
    Effect::new(move |previous: Option<_>| {
        let filter = jobs.filter.get();
        if previous.is_some_and(|p| p != filter) {
            shown.set(PAGE);
        }
        filter
    });
    let ids = Memo::new(move |_| jobs.ids());
    let visible =
        Signal::derive(move || ids.with(|ids| ids.iter().take(shown.get()).cloned().collect()));
    let more = move || ids.with(Vec::len).saturating_sub(shown.get());
    let has_more = move || more() > 0;
    view! {
        <When when=condition(move || ids.with(|ids| ids.is_empty()) && jobs.loaded())>
            <p class="ks-results__none">"No jobs match this filter."</p>
        </When>
        <ol class="ks-jobs" id="ks-jobs" aria-label="Jobs, newest first">
            <KeyedList each=visible row=Callback::new(|id| view! {
                <li class="ks-jobs__item">
                    <JobCard id />
                </li>
            }.into_any()) />
        </ol>
        <When when=condition(has_more)>
            <button
                type="button"
                class="ks-results__button ks-jobs__more"
                on:click=handler(move |_| shown.update(|n| *n += PAGE))
            >
                {move || format!("Show {} more ({} older)", more().min(PAGE), more())}
            </button>
        </When>
    }
}
