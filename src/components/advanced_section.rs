//! The "Advanced" section, collapsed by default: output format and quality, cost reporting,
//! safety checking, and delivery (link lifetime, webhook, upload endpoint).

use leptos::prelude::*;
use runware::{OutputFormat, SafetyMode};

use crate::components::choice_group::{Choice, ChoiceGroup};
use crate::components::field_messages::FieldMessages;
use crate::components::handler::handler;
use crate::components::text_field::TextField;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;

/// In the order of `SafetyMode`'s options (`crate::pick::Options`).
const SAFETY_CHOICES: [Choice; 3] = [
    Choice::new("Off"),
    Choice::new("Key frames"),
    Choice::new("All frames"),
];

/// The advanced settings; while closed, its summary counts the problems inside.
#[component]
pub fn AdvancedSection() -> impl IntoView {
    let draft = Draft::expect();
    // What the badge says, empty when all is well: a `String` memo like the developer panel's,
    // so no memo code is compiled for a count of its own.
    let problems = Memo::new(move |_| {
        let count = draft
            .blockers()
            .iter()
            .filter(|b| b.control.is_advanced())
            .count();
        match count {
            0 => String::new(),
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        }
    });
    let has_problems = move || problems.with(|p| !p.is_empty());
    let summary = move || {
        let safety = match draft.safety.get() {
            SafetyMode::None => "no safety check",
            SafetyMode::Fast => "key frames checked",
            SafetyMode::Full => "all frames checked",
        };
        format!(
            "{} · quality {} · {safety}",
            draft.format.get().as_str(),
            draft.quality.get()
        )
    };
    let (safety, set_safety) = draft.safety.by_index();
    view! {
        <details class="ks-disclosure" id="ks-advanced">
            <summary class="ks-disclosure__summary">
                <span class="ks-disclosure__title">"Advanced"</span>
                <span class="ks-disclosure__note">{move || summary()}</span>
                <span class="ks-badge ks-badge--danger" hidden=move || !has_problems()>
                        {move || problems.get()}
                    </span>
            </summary>
            <div class="ks-disclosure__body">
                <div class="ks-form__row">
                    <div class="ks-field" hidden=draft.is_hidden(Field::Format)>
                        <label class="ks-field__label" for=Control::Format.dom_id()>"Output format"</label>
                        <select
                            class="ks-input ks-select"
                            id=Control::Format.dom_id()
                            disabled=draft.is_locked(Field::Format)
                            on:change=handler(move |ev| {
                                let name = event_target_value(&ev);
                                draft.format.set(crate::draft::settings::format_of(&name));
                            })
                        >
                            {OutputFormat::ALL.into_iter().map(|f| view! {
                                <option value=f.as_str() prop:selected=move || draft.format.get() == f>
                                    {f.as_str()}
                                </option>
                            }.into_any()).collect_view()}
                        </select>
                        <FieldMessages control=Control::Format />
                    </div>
                    <TextField control=Control::Quality field=Field::Quality label="Output quality" value=draft.quality
                        hint="20–99; default 95." inputmode="numeric" />
                </div>
                <ChoiceGroup legend="Safety check" name="ks-safety" id=Control::Safety.dom_id()
                    options=&SAFETY_CHOICES selected=safety on_select=set_safety
                    disabled=draft.is_locked(Field::Safety) hidden=draft.is_hidden(Field::Safety) />
                <FieldMessages control=Control::Safety />
                <label class="ks-check" id=Control::IncludeCost.dom_id() hidden=draft.is_hidden(Field::IncludeCost)>
                    <input type="checkbox" class="ks-check__input" prop:checked=move || draft.include_cost.get()
                        on:change=handler(move |ev| draft.include_cost.set(event_target_checked(&ev)))
                        disabled=draft.is_locked(Field::IncludeCost) />
                    <span class="ks-check__label">"Report the cost of each video"</span>
                    <span class="ks-check__hint">"Also lets the studio estimate the next job's cost."</span>
                </label>
                <FieldMessages control=Control::IncludeCost />
                <TextField control=Control::Ttl field=Field::Ttl label="Link lifetime (seconds)" value=draft.ttl
                    hint="How long video URLs stay valid; at least 60. Empty: the server's default."
                    placeholder="3600" inputmode="numeric" />
                <TextField control=Control::Webhook field=Field::WebhookUrl label="Webhook URL" value=draft.webhook
                    hint="Each finished video is also POSTed here." placeholder="https://…" inputmode="url" />
                <TextField control=Control::Upload field=Field::UploadEndpoint label="Upload endpoint" value=draft.upload
                    hint="Each finished video's bytes are PUT here." placeholder="https://…" inputmode="url" />
            </div>
        </details>
    }
}
