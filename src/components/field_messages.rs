//! The validation messages of one control, shown right below it and announced to screen readers.

use leptos::prelude::*;

use crate::components::keyed_list::KeyedList;
use crate::draft::Draft;
use crate::draft::fields::Control;

/// The id of the message list of `control`, for `aria-describedby`.
pub fn messages_id(control: Control) -> String {
    format!("{}-messages", control.dom_id())
}

/// Whether the validator has something to say about `control` (one definition for every field
/// that turns red: one compiled copy of the memo).
pub fn has_messages(control: Control) -> Memo<bool> {
    let draft = Draft::expect();
    Memo::new(move |_| !draft.messages(control).is_empty())
}

/// The messages the validator reports for `control`, in its words; empty when all is well.
#[component]
pub fn FieldMessages(
    /// The control whose messages are shown.
    control: Control,
) -> impl IntoView {
    let draft = Draft::expect();
    let messages = Memo::new(move |_| draft.messages(control));
    view! {
        <div class="ks-field__messages" id=messages_id(control) aria-live="polite">
            <KeyedList each=messages.into() row=Callback::new(|message: String| view! {
                <p class="ks-field__error">
                    <svg class="ks-icon" viewBox="0 0 16 16" aria-hidden="true">
                        <circle cx="8" cy="8" r="7" />
                        <path d="M8 4.5v4.5M8 11.2v.3" />
                    </svg>
                    <span>{crate::frames::ingest::sentence(&message)}</span>
                </p>
            }.into_any()) />
        </div>
    }
}
