//! A prompt box with its live character count (2–2500, counted the way the validator counts).

use leptos::prelude::*;

use crate::components::aria_flag;
use runware::Prompt;

use crate::components::field_messages::{FieldMessages, has_messages, messages_id};
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;

/// The prompt or the negative prompt, with a counter and the validator's messages.
#[component]
pub fn PromptField(
    /// Which prompt: [`Control::Prompt`] or [`Control::NegativePrompt`].
    control: Control,
) -> impl IntoView {
    let draft = Draft::expect();
    let (text, label, hint, rows, placeholder) = match control {
        Control::NegativePrompt => (
            draft.negative_prompt,
            "Negative prompt",
            "What to keep out of the video. Optional.",
            "2",
            "blurry, distorted hands, text, watermark",
        ),
        _ => (
            draft.prompt,
            "Prompt",
            "Describe the motion: who moves, how, and what the camera does. Required.",
            "4",
            "The cat stretches, yawns and walks out of frame; slow push-in, soft morning light",
        ),
    };
    let id = control.dom_id();
    let field = if control == Control::NegativePrompt {
        Field::NegativePrompt
    } else {
        Field::Prompt
    };
    let count = move || text.with(|t| t.chars().count());
    // The validator decides what is wrong; the counter only turns red when it says so.
    let invalid = has_messages(control);
    let counter_id = format!("{id}-count");
    let hint_id = format!("{id}-hint");
    let described = format!("{hint_id} {counter_id} {}", messages_id(control));
    view! {
        <div class="ks-field" hidden=draft.is_hidden(field)>
            <div class="ks-field__head">
                <label class="ks-field__label" for=id>{label}</label>
                // A plain span may not carry a label: the box's description reads the words, the
                // eye reads the figures.
                <span
                    class="ks-field__count"
                    class:ks-field__count--over=move || invalid.get()
                    id=counter_id
                >
                    <span aria-hidden="true">
                        {move || count().to_string()}
                        " / "
                        {Prompt::MAX_CHARS.to_string()}
                    </span>
                    <span class="ks-sr-only">
                        {move || format!("{} of {} characters", count(), Prompt::MAX_CHARS)}
                    </span>
                </span>
            </div>
            <textarea
                class="ks-input ks-input--area"
                class:ks-input--invalid=move || invalid.get()
                id=id
                disabled=draft.is_locked(field)
                rows=rows
                placeholder=placeholder
                aria-describedby=described
                aria-required=aria_flag(control == Control::Prompt)
                aria-invalid=move || aria_flag(invalid.get())
                prop:value=move || text.get()
                on:input=handler(move |ev| text.set(event_target_value(&ev)))
                on:blur=handler(move |_| if control == Control::Prompt { draft.prompt_visited.set(true) })
            ></textarea>
            <p class="ks-field__hint" id=hint_id>{hint}</p>
            <FieldMessages control=control />
        </div>
    }
}
