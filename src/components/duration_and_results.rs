//! Duration (5 or 10 s) and number of videos (1–4), side by side.

use leptos::prelude::*;
use runware::Duration;

use crate::components::choice_group::{Choice, ChoiceGroup, bind};
use crate::components::field_messages::{FieldMessages, messages_id};
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;

/// In the order of `Duration`'s options (`crate::pick::Options`).
const DURATION_CHOICES: [Choice; 2] = [Choice::new("5 s"), Choice::new("10 s")];
const COUNTS: [u8; 4] = [1, 2, 3, 4];
const COUNT_CHOICES: [Choice; 4] = [
    Choice::new("1"),
    Choice::new("2"),
    Choice::new("3"),
    Choice::new("4"),
];

/// The two small pickers of how much video to make.
#[component]
pub fn DurationAndResults() -> impl IntoView {
    let draft = Draft::expect();
    let (duration, set_duration) = draft.duration.by_index();
    let (count, set_count) = bind(&COUNTS, draft.results);
    let frames = move || {
        let d = draft.duration.get();
        format!("{} frames at {} fps", d.frames(), Duration::FPS)
    };
    let seeds = move || match draft.results.get() {
        1 => "One video.".to_string(),
        n => format!("{n} videos, each with its own seed."),
    };
    view! {
        <div class="ks-form__row">
            <div class="ks-field" hidden=draft.is_hidden(Field::Duration)>
                <ChoiceGroup
                    legend="Duration"
                    name="ks-duration"
                    id=Control::Duration.dom_id()
                    options=&DURATION_CHOICES
                    selected=duration
                    on_select=set_duration
                    described_by=format!("ks-duration-hint {}", messages_id(Control::Duration))
                    disabled=draft.is_locked(Field::Duration)
                />
                <p class="ks-field__hint" id="ks-duration-hint">{move || frames()}</p>
                <FieldMessages control=Control::Duration />
            </div>
            <div class="ks-field" hidden=draft.is_hidden(Field::Results)>
                <ChoiceGroup
                    legend="Videos"
                    name="ks-results"
                    id=Control::Results.dom_id()
                    options=&COUNT_CHOICES
                    selected=count
                    on_select=set_count
                    described_by=format!("ks-results-hint {}", messages_id(Control::Results))
                    disabled=draft.is_locked(Field::Results)
                />
                <p class="ks-field__hint" id="ks-results-hint">{move || seeds()}</p>
                <FieldMessages control=Control::Results />
            </div>
        </div>
    }
}
