//! The history's tools: the status filter, export and import.

use leptos::prelude::*;

use crate::components::aria_flag;
use wasm_bindgen::JsCast;

use crate::components::handler::handler;
use crate::jobs::Jobs;
use crate::jobs::book::Filter;
use crate::jobs::{files, naming};

/// Filter buttons with counts, "Export" (the whole history as JSON) and "Import" (a history or
/// a `videoInference` request file), with what happened said next to them.
#[component]
pub fn HistoryToolbar() -> impl IntoView {
    let jobs = Jobs::expect();
    // The sentence about the last export or import, and whether it tells of a failure (signal
    // types the studio uses elsewhere: no extra compiled copies).
    let message = RwSignal::new(None::<String>);
    let failed = RwSignal::new(false);
    // A sentence about a success fades after a while; errors stay.
    let say = move |ok: bool, text: String| {
        failed.set(!ok);
        message.set(Some(text.clone()));
        if ok {
            set_timeout(
                move || {
                    if message.with_untracked(|m| m.as_deref() == Some(text.as_str())) {
                        message.set(None);
                    }
                },
                std::time::Duration::from_secs(8),
            );
        }
    };
    let export = move |_| {
        leptos::task::spawn_local(async move {
            let Some(text) = jobs.export().await else {
                return;
            };
            let day: String = js_sys::Date::new_0()
                .to_iso_string()
                .as_string()
                .unwrap_or_default()
                .chars()
                .take(10)
                .collect();
            let outcome = files::save_text(&naming::export_name(&day), &text, "application/json");
            match outcome {
                Ok(()) => say(true, format!("Exported {} jobs.", jobs.count(Filter::All))),
                Err(e) => say(false, format!("Export failed: {e}")),
            }
        });
    };
    let import = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            let outcome = match text {
                Some(text) => jobs.import(text).await,
                None => Err("The file could not be read.".to_owned()),
            };
            match outcome {
                Ok(done) => say(true, done),
                Err(why) => say(false, why),
            }
        });
    };
    view! {
        <div class="ks-history">
            <div class="ks-history__filters" role="group" aria-label="Show jobs">
                {Filter::ALL.into_iter().map(|f| view! {
                    <button
                        type="button"
                        class="ks-history__filter"
                        aria-pressed=move || aria_flag(jobs.filter.get() == f)
                        on:click=handler(move |_| jobs.filter.set(f))
                    >
                        {f.label()}
                        <span class="ks-history__count">{move || jobs.count(f).to_string()}</span>
                    </button>
                }.into_any()).collect_view()}
            </div>
            <div class="ks-history__files">
                <button type="button" class="ks-results__button ks-results__button--quiet" on:click=handler(export)>
                    "Export"
                </button>
                <label class="ks-results__button ks-results__button--quiet ks-history__import">
                    "Import…"
                    <input type="file" accept="application/json,.json" class="ks-visually-hidden" on:change=handler(import) />
                </label>
            </div>
            {move || message.get().map(|text| view! {
                <p class="ks-history__message" class:ks-history__message--error=failed.get_untracked() role="status">{text}</p>
            }.into_any())}
        </div>
    }
}
