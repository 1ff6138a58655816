//! What can be done with any job: load its settings into the form, or delete it.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::when::{When, condition};
use crate::jobs::Jobs;
use crate::jobs::model::Phase;

/// "Use these settings" and "Delete" (which asks once more before it deletes).
#[component]
pub fn JobActions(
    /// The job's `taskUUID`.
    id: String,
    /// The job's phase: deleting a running job says that its videos will be lost.
    phase: Memo<Phase>,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let confirming = RwSignal::new(false);
    let cancel = NodeRef::<leptos::html::Button>::new();
    // Focus follows the question, so keyboard users answer it where they are (once it is in the
    // page: after the next frame, which costs less wasm than an effect watching the button).
    let ask = move |_| {
        confirming.set(true);
        request_animation_frame(move || {
            if let Some(button) = cancel.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let use_id = id.clone();
    let delete_id = id.clone();
    view! {
        <div class="ks-job__actions">
            <button
                type="button"
                class="ks-results__button ks-results__button--quiet"
                on:click=handler(move |ev: leptos::ev::MouseEvent| {
                    jobs.use_settings(use_id.clone());
                    // Brought into view, so that the settings just loaded are seen.
                    crate::components::show_beside(&ev, "ks-form");
                })
            >
                "Use these settings"
            </button>
            <When
                when=condition(move || confirming.get())
                fallback=move || view! {
                    <button
                        type="button"
                        class="ks-results__button ks-results__button--quiet ks-job__delete"
                        on:click=handler(ask)
                    >
                        "Delete"
                    </button>
                }
            >
                <span class="ks-job__confirm" role="group" aria-label="Confirm deletion">
                    <span class="ks-job__confirm-text">
                        {move || String::from(if phase.get().is_finished() {
                            "Delete this job from the history?"
                        } else {
                            "This job is still running; delete it and stop following it?"
                        })}
                    </span>
                    <button
                        type="button"
                        class="ks-results__button ks-results__button--danger"
                        on:click=handler({
                            let id = delete_id.clone();
                            move |_| {
                                jobs.delete(id.clone());
                                jobs.announce("The job is deleted from the history.");
                            }
                        })
                    >
                        "Delete"
                    </button>
                    <button type="button" node_ref=cancel class="ks-results__button ks-results__button--quiet" on:click=handler(move |_| confirming.set(false))>
                        "Cancel"
                    </button>
                </span>
            </When>
        </div>
    }
}
