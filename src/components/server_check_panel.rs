//! "Check with the server" beside Generate: the exact request validated by the backend in a dry
//! run, and its verdict, each refusal leading to the control it is about.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::{self, Control};
use crate::draft::server_check::{ServerCheck, Verdict};
use crate::draft::submit::Submitter;

/// What the verdict area shows, derived from the check and the form as it stands.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Nothing,
    Checking,
    Accepted,
    Refused(Vec<(Control, String)>),
    Note(String),
}

/// The dry-run button and the server's verdict on the request as it stands.
#[component]
pub fn ServerCheckPanel(
    /// The form's submitter, which knows what blocks the request and where each control is.
    submitter: Submitter,
) -> impl IntoView {
    let draft = Draft::expect();
    let shown = Memo::new(move |_| {
        let checked = draft.checked().get();
        draft.server_check.with(|check| {
            if !check.is_about(&checked.raw) {
                return Shown::Nothing;
            }
            match check {
                ServerCheck::Idle => Shown::Nothing,
                ServerCheck::Checking { .. } => Shown::Checking,
                ServerCheck::Answered { verdict, .. } => match verdict {
                    Verdict::Accepted => Shown::Accepted,
                    Verdict::Refused(errors) => Shown::Refused(
                        errors
                            .iter()
                            .map(|e| {
                                (
                                    fields::control_of_error(e, checked.layout),
                                    fields::local_message(e),
                                )
                            })
                            .collect(),
                    ),
                    Verdict::RanPerhaps(id) => Shown::Note(format!(
                        "The server did not confirm a dry run and may have started the job \
                         (task UUID {id}): it is in your history, followed like any other."
                    )),
                    Verdict::Unanswered(reason) => {
                        Shown::Note(format!("Could not check: {reason}."))
                    }
                },
            }
        })
    });
    let busy = move || shown.with(|s| *s == Shown::Checking);
    let verdict = move || {
        match shown.get() {
        Shown::Nothing => ().into_any(),
        Shown::Checking => view! { <p class="ks-servercheck__line">"Checking with the server…"</p> }.into_any(),
        Shown::Accepted => view! {
            <p class="ks-servercheck__line ks-servercheck__line--ok">
                "The server accepts this request. Nothing was generated or charged."
            </p>
        }.into_any(),
        Shown::Refused(items) => view! {
            <p class="ks-servercheck__line ks-servercheck__line--refused">"The server would refuse this request:"</p>
            <ul class="ks-servercheck__list">
                {items.into_iter().map(|(control, message)| view! {
                    <li>
                        <button type="button" class="ks-link-button"
                            on:click=handler(move |_| submitter.focus(control))>
                            <strong>{control.label()}</strong>
                        </button>
                        ": " {crate::frames::ingest::sentence(&message)}
                    </li>
                }.into_any()).collect_view()}
            </ul>
        }.into_any(),
        Shown::Note(text) => view! { <p class="ks-servercheck__line">{text}</p> }.into_any(),
    }
    };
    view! {
        <div class="ks-servercheck">
            <button type="button" class="ks-button ks-button--small ks-servercheck__button"
                aria-describedby="ks-check-verdict"
                disabled=busy
                on:click=handler(move |_| submitter.check_with_server())>
                "Check with the server"
            </button>
            <div class="ks-servercheck__verdict" id="ks-check-verdict" role="status">{verdict}</div>
        </div>
    }
}
