//! A labelled one-line text input bound to a draft signal, with a hint and its messages.

use leptos::prelude::*;

use crate::components::aria_flag;

use crate::components::field_messages::{FieldMessages, has_messages, messages_id};
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;

/// One text setting: label, input, hint, and the validator's messages for `control`.
#[component]
pub fn TextField(
    /// The control (its id and its messages).
    control: Control,
    /// The field as an embedding page names it (to lock or hide it).
    field: Field,
    /// The visible label.
    label: &'static str,
    /// The value as typed.
    value: RwSignal<String>,
    /// A line explaining the setting.
    hint: &'static str,
    /// Placeholder text.
    #[prop(optional)]
    placeholder: &'static str,
    /// `inputmode`, e.g. `numeric` or `url`.
    #[prop(default = "text")]
    inputmode: &'static str,
) -> impl IntoView {
    let draft = Draft::expect();
    let id = control.dom_id();
    let hint_id = format!("{id}-hint");
    let invalid = has_messages(control);
    view! {
        <div class="ks-field" hidden=draft.is_hidden(field)>
            <label class="ks-field__label" for=id>{label}</label>
            <input
                class="ks-input"
                class:ks-input--invalid=move || invalid.get()
                id=id
                disabled=draft.is_locked(field)
                type="text"
                inputmode=inputmode
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                aria-describedby=format!("{hint_id} {}", messages_id(control))
                aria-invalid=move || aria_flag(invalid.get())
                prop:value=move || value.get()
                on:input=handler(move |ev| value.set(event_target_value(&ev)))
            />
            <p class="ks-field__hint" id=hint_id>{hint}</p>
            <FieldMessages control=control />
        </div>
    }
}
