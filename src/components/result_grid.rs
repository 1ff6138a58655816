//! A job's videos: one player each in a grid, or side by side in sync to compare them.

use leptos::prelude::*;

use crate::components::aria_flag;

use crate::components::handler::handler;
use crate::components::video_shape;
use crate::components::{
    compare_view::CompareView,
    keyed_list::KeyedList,
    result_player::ResultPlayer,
    when::{When, condition},
};
use crate::jobs::model::{JobResult, JobSettings};

/// What keeps a result's player in place as others arrive: its UUID, or else its URL.
fn result_key(result: &JobResult) -> String {
    result
        .video_uuid
        .clone()
        .or_else(|| result.video_url.clone())
        .unwrap_or_default()
}

/// The results of job `id`, with "Compare side by side" once there are two or more.
#[component]
pub fn ResultGrid(
    /// The job's `taskUUID`.
    id: String,
    /// The job's settings (for file names and captions).
    settings: JobSettings,
    /// The finished results, as they arrive.
    results: Memo<Vec<JobResult>>,
    /// The first frame's picture, the videos' poster.
    poster: RwSignal<Option<String>>,
    /// Results still being made: each holds its place in the grid until it arrives.
    pending: Signal<usize>,
) -> impl IntoView {
    let comparing = RwSignal::new(false);
    let count = move || results.with(Vec::len);
    let several = move || count() >= 2;
    let total = usize::from(settings.number_results.max(1));
    let keys = Signal::derive(move || results.with(|r| r.iter().map(result_key).collect()));
    let waiting = move || (count()..count() + pending.get()).collect::<Vec<_>>();
    let grid_settings = settings.clone();
    let size = settings.size;
    view! {
        <div class="ks-results-grid" class:ks-results-grid--comparing=move || comparing.get()>
            <When when=condition(several)>
                <button
                    type="button"
                    class="ks-results__button ks-results-grid__toggle"
                    aria-pressed=move || aria_flag(comparing.get())
                    on:click=handler(move |_| comparing.update(|c| *c = !*c))
                >
                    {move || String::from(if comparing.get() { "Back to the grid" } else { "Compare side by side" })}
                </button>
            </When>
            <When
                when=condition(move || comparing.get() && several())
                fallback=move || {
                    let id = id.clone();
                    let settings = grid_settings.clone();
                    view! {
                        <ul class="ks-results-grid__list" data-count=move || (count() + pending.get()).to_string() aria-label="Videos">
                            <KeyedList each=keys row=Callback::new(move |key: String| {
                                // Results only ever arrive, in order: a new key's place is final.
                                let found = results.with_untracked(|all| {
                                    all.iter().enumerate().find(|(_, r)| result_key(r) == key).map(|(i, r)| (i, r.clone()))
                                });
                                found.map(|(index, result)| view! {
                                    <li class="ks-results-grid__item">
                                        <ResultPlayer
                                            id=id.clone()
                                            settings=settings.clone()
                                            result
                                            index
                                            total
                                            poster
                                        />
                                    </li>
                                }.into_any()).into_any()
                            }) />
                            {move || waiting().into_iter().map(|i| view! {
                                <li class="ks-results-grid__item">
                                    <div class="ks-result__placeholder" style=video_shape(size)>
                                        <span class="ks-result__spinner" aria-hidden="true"></span>
                                        {format!("Making video {} of {total}…", i + 1)}
                                    </div>
                                </li>
                            }.into_any()).collect_view()}
                        </ul>
                    }
                }
            >
                <CompareView results=results.get_untracked() poster size />
            </When>
        </div>
    }
}
