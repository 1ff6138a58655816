//! Why a job failed, in Runware's own terms, with a way to try again where trying again can
//! help, and what to do instead where it cannot.

use leptos::prelude::*;
use runware::{ApiError, ErrorCode};

use crate::components::handler::handler;
use crate::jobs::Jobs;

/// What the user can do about `code` other than sending the same job again, when sending it
/// again cannot help.
fn remedy(code: &ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::InvalidApiKey | ErrorCode::MissingApiKey => Some(
            "The server did not take the API key. Check the key under Connection at the top of \
             the form, then use these settings again.",
        ),
        ErrorCode::InsufficientCredits => Some(
            "The Runware account has too little credit for this job. Top it up in your Runware \
             dashboard, then use these settings again.",
        ),
        _ => None,
    }
}

/// The error's code, message and task, and "Retry" (same settings, a new taskUUID), or what to do
/// when a retry cannot help.
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
    let remedy = remedy(&error.code);
    let retried = RwSignal::new(false);
    let retry = move |ev: leptos::ev::MouseEvent| {
        jobs.retry(id.clone());
        retried.set(true);
        // The new job is listed first: the list is brought into view.
        crate::components::show_beside(&ev, "ks-jobs");
    };
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
            {match remedy {
                Some(what) => view! { <p class="ks-job__remedy">{what}</p> }.into_any(),
                None => view! {
                    <div class="ks-job__retry">
                        <button type="button" class="ks-results__button ks-results__button--primary" on:click=handler(retry)>
                            "Retry"
                            <span class="ks-visually-hidden">" with the same settings"</span>
                        </button>
                        <span class="ks-job__retried" role="status">
                            {move || String::from(if retried.get() { "Sent again as a new job, at the top of the list." } else { "" })}
                        </span>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
