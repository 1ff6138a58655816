//! Import of a request JSON (one task, or a body array holding one `videoInference`), validated
//! by the crate; a valid request is loaded into the form, an invalid one lists its problems.

use leptos::prelude::*;
use serde_json::Value;

use crate::components::handler::handler;
use crate::draft::Draft;

/// What an import came to: loaded, or the problems found, each as (path, message).
#[derive(Clone, PartialEq)]
enum Outcome {
    Loaded,
    Problems(Vec<(String, String)>),
}

/// Reads pasted text into a validated request, or the list of what is wrong with it.
fn read(text: &str) -> Result<runware::VideoInference, Vec<(String, String)>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| vec![(String::new(), format!("This is not JSON: {e}."))])?;
    let task = match value {
        Value::Array(mut items) if items.len() == 1 => items.remove(0),
        Value::Array(items) => {
            return Err(vec![(
                String::new(),
                format!("Paste one task; this array holds {}.", items.len()),
            )]);
        }
        other => other,
    };
    let pairs = |errors: Vec<runware::ApiError>| {
        errors
            .into_iter()
            .map(|e| {
                (
                    e.parameter.map(|p| p.to_string()).unwrap_or_default(),
                    e.message,
                )
            })
            .collect::<Vec<_>>()
    };
    let request = runware::validate_video_inference(&task).map_err(pairs)?;
    let images = request.check_inline_images();
    if images.is_empty() {
        Ok(request)
    } else {
        Err(pairs(images))
    }
}

/// A box to paste a request JSON into, and the outcome of importing it.
#[component]
pub fn RequestImport() -> impl IntoView {
    let draft = Draft::expect();
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let import = move |_| {
        outcome.set(Some(match read(&text.get_untracked()) {
            Ok(request) => {
                draft.load_request(&request);
                Outcome::Loaded
            }
            Err(problems) => Outcome::Problems(problems),
        }));
    };
    view! {
        <div class="ks-field ks-import">
            <label class="ks-field__label" for="ks-import">"Import a request JSON"</label>
            <textarea class="ks-input ks-input--area ks-input--mono" id="ks-import" rows="3"
                spellcheck="false" placeholder=r#"{"taskType":"videoInference", …}"#
                prop:value=move || text.get()
                on:input=handler(move |ev| { text.set(event_target_value(&ev)); outcome.set(None); })></textarea>
            <div class="ks-dev__toolbar">
                <button type="button" class="ks-button ks-button--small" on:click=handler(import)
                    disabled=move || text.with(|t| t.trim().is_empty())>"Import"</button>
            </div>
            <div aria-live="polite">
                {move || outcome.get().map(|o| match o {
                    Outcome::Loaded => view! {
                        <p class="ks-field__ok">"Loaded into the form, with a new task UUID."</p>
                    }.into_any(),
                    Outcome::Problems(problems) => view! {
                        <ul class="ks-dev__errors" aria-label="Problems in the imported request">
                            {problems.into_iter().map(|(path, message)| view! {
                                <li><code>{path}</code>" "{message}</li>
                            }.into_any()).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </div>
        </div>
    }
}
