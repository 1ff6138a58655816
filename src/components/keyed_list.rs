//! The one keyed list of the studio: rows that must survive changes to their list (a playing
//! video, a job card, a message already announced) are kept by key, not rebuilt.
//!
//! Every keyed list goes through this non-generic component, so that `<For>` is compiled once
//! for all of them instead of once per list (each copy weighs several KB in the wasm).

use leptos::prelude::*;

/// The rows of `each`, one per key, newly built only for keys that were not there before.
#[component]
pub fn KeyedList(
    /// The keys of the rows, in order (unique).
    each: Signal<Vec<String>>,
    /// Builds the row of a key, once, when the key appears.
    row: Callback<String, AnyView>,
) -> impl IntoView {
    view! {
        <For each=move || each.get() key=String::clone children=move |key| row.run(key) />
    }
}
