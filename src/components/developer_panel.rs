//! The developer panel, collapsed by default: the exact request JSON (inline images shortened in
//! view, whole when copied), the same request as a `curl` command for the REST endpoint, the
//! `getResponse` poll, and the import of a request JSON.

use leptos::prelude::*;
use runware::Task;
use serde_json::Value;

use crate::components::copy_button::CopyButton;
use crate::components::handler::handler;
use crate::components::request_import::RequestImport;
use crate::components::when::{When, condition};
use crate::config::Settings;
use crate::draft::Draft;
use crate::draft::devtools::{self, human_bytes};

/// The developer tools for the request being drafted.
#[component]
pub fn DeveloperPanel() -> impl IntoView {
    let draft = Draft::expect();
    let settings = Settings::expect();
    let open = RwSignal::new(false);
    // The body exactly as it would be POSTed: the validated request, re-encoded by the crate;
    // while the form is invalid, the raw task, so that the problem can be seen in place.
    let body = Memo::new(move |_| {
        draft.checked().with(|c| match &c.result {
            Ok(request) => runware::encode(&[Task::from(request.clone())]).unwrap_or_default(),
            Err(_) => Value::Array(vec![c.raw.clone()]).to_string(),
        })
    });
    let valid = move || draft.checked().with(|c| c.result.is_ok());
    let shown = move || {
        let value: Value = body
            .with(|b| serde_json::from_str(b))
            .unwrap_or(Value::Null);
        devtools::pretty_body(&devtools::shorten_images(&value))
    };
    let note = move || {
        if valid() {
            format!(
                "valid request · {}",
                human_bytes(body.with(String::len) as u64)
            )
        } else {
            let n = draft
                .checked()
                .with(|c| c.result.as_ref().err().map_or(0, Vec::len));
            format!(
                "{n} {} in the request",
                if n == 1 { "problem" } else { "problems" }
            )
        }
    };
    let errors = move || {
        draft.checked().with(|c| match &c.result {
            Err(errors) => errors
                .iter()
                .map(|e| {
                    (
                        e.parameter
                            .as_ref()
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        crate::draft::fields::local_message(e),
                    )
                })
                .collect(),
            Ok(_) => Vec::new(),
        })
    };
    let copy_json = Callback::new(move |_| body.get_untracked());
    let copy_curl = Callback::new(move |_| {
        devtools::curl(
            &untrack(|| settings.endpoints_here()).rest,
            &body.get_untracked(),
        )
    });
    let copy_poll = Callback::new(move |_| {
        devtools::poll_snippet(
            &untrack(|| settings.endpoints_here()).rest,
            &draft.task_uuid.get_untracked().to_string(),
        )
    });
    view! {
        <details class="ks-disclosure ks-dev" id="ks-developer"
            on:toggle=handler(move |ev| open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open()))>
            <summary class="ks-disclosure__summary">
                <span class="ks-disclosure__title">"Developer"</span>
                <span class="ks-disclosure__note">{move || note()}</span>
            </summary>
            <When when=condition(move || open.get())>
                <div class="ks-disclosure__body">
                    <div class="ks-dev__toolbar">
                        <CopyButton label="Copy JSON" text=copy_json />
                        <CopyButton label="Copy as curl" text=copy_curl />
                        <CopyButton label="Copy poll snippet" text=copy_poll />
                    </div>
                    <p class="ks-field__hint">
                        "Commands read the key from "<code>{devtools::KEY_PLACEHOLDER}</code>
                        "; it is never copied. Inline images are shortened here and whole when copied."
                    </p>
                    <pre class="ks-code" tabindex="0" aria-label="Request JSON"><code>{move || shown()}</code></pre>
                        <ul class="ks-dev__errors" hidden=move || draft.checked().with(|c| c.result.is_ok()) aria-label="Problems in the request">
                            {move || errors().into_iter().map(|error| view! {
                                <li><code>{error.0}</code>" "{error.1}</li>
                            }.into_any()).collect_view()}
                        </ul>
                    <RequestImport />
                </div>
            </When>
        </details>
    }
}
