//! Why a job failed, in Runware's own terms, with a way to try again.

use leptos::prelude::*;
use runware::ApiError;

use crate::components::handler::handler;
use crate::jobs::Jobs;

/// The error's code, message and task, and "Retry" (same settings, a new taskUUID).
#[component]
pub fn JobError(
    /// The failed job's `taskUUID`.
    id: String,
    /// The error the server gave.
    error: ApiError,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let code = if error.code.as_str().is_empty() {
        "error".to_owned()
    } else {
        error.code.to_string()
    };
    let task = error.task_uuid.clone().unwrap_or_else(|| id.clone());
    let parameter = error.parameter.as_ref().map(|p| p.to_string());
    let retry = move |_| jobs.retry(id.clone());
    view! {
        <div class="ks-job__error" role="group" aria-label="What went wrong">
            <p class="ks-job__error-message">
                <code class="ks-job__code">{code}</code>
                " "
                {error.message.clone()}
            </p>
            <dl class="ks-job__error-facts">
                {parameter.map(|p| view! {
                    <div><dt>"Field"</dt><dd><code>{p}</code></dd></div>
                }.into_any())}
                <div><dt>"taskUUID"</dt><dd><code class="ks-job__uuid">{task}</code></dd></div>
            </dl>
            <button type="button" class="ks-results__button ks-results__button--primary" on:click=handler(retry)>
                "Retry"
                <span class="ks-visually-hidden">" with the same settings"</span>
            </button>
        </div>
    }
}
