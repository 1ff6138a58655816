//! Output size: resolution × aspect, the pixel size they make, and whether frames are cropped
//! to that aspect.

use leptos::prelude::*;

use crate::components::choice_group::{Choice, ChoiceGroup};
use crate::components::field_messages::FieldMessages;
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;

const LANDSCAPE: &str = "M2.5 5.5h15v9h-15z";
const SQUARE: &str = "M5 5h10v10H5z";
const PORTRAIT: &str = "M5.5 2.5h9v15h-9z";
const AUTO: &str = "M3 7V3h4M13 3h4v4M17 13v4h-4M7 17H3v-4";

/// In the order of `Tier`'s options (`crate::pick::Options`).
const TIER_CHOICES: [Choice; 2] = [Choice::new("720p"), Choice::new("1080p")];
/// In the order of the aspect's options, `None` (auto) first (`crate::pick::Options`).
const ASPECT_CHOICES: [Choice; 4] = [
    Choice::with_icon("Auto", AUTO),
    Choice::with_icon("16:9", LANDSCAPE),
    Choice::with_icon("1:1", SQUARE),
    Choice::with_icon("9:16", PORTRAIT),
];

/// Resolution and aspect pickers with the resulting pixel size.
#[component]
pub fn SizePicker() -> impl IntoView {
    let draft = Draft::expect();
    let (tier, set_tier) = draft.tier.by_index();
    let (aspect, set_aspect) = draft.aspect.by_index();
    let size = move || draft.output_size();
    let auto_note = move || {
        draft.aspect.get().is_none().then(|| {
            let has_frame = draft
                .frames
                .first
                .with(|s| s.frame().and_then(|f| f.source).is_some())
                || draft
                    .frames
                    .last
                    .with(|s| s.frame().and_then(|f| f.source).is_some());
            if has_frame {
                format!(
                    "Auto: {} is nearest to your frame.",
                    draft.effective_aspect().label()
                )
            } else {
                "Auto: follows the shape of your first frame (16:9 until then).".to_string()
            }
        })
    };
    let crop_label = move || format!("Crop frames to {}", draft.effective_aspect().label());
    view! {
        <fieldset class="ks-field ks-size" id=Control::Size.dom_id()
            hidden={draft.is_hidden(Field::Resolution) && draft.is_hidden(Field::Aspect)}>
            <legend class="ks-field__label ks-size__legend">
                "Output size"
                <span class="ks-size__pixels" aria-live="polite">
                    {move || format!("{} × {} px", size().width(), size().height())}
                </span>
            </legend>
            <div class="ks-size__pickers">
                <ChoiceGroup legend="Resolution" name="ks-tier" options=&TIER_CHOICES selected=tier
                    on_select=set_tier disabled=draft.is_locked(Field::Resolution)
                    hidden=draft.is_hidden(Field::Resolution) />
                <ChoiceGroup
                    legend="Aspect ratio"
                    name="ks-aspect"
                    options=&ASPECT_CHOICES
                    selected=aspect
                    on_select=set_aspect
                    described_by="ks-size-hint"
                    disabled=draft.is_locked(Field::Aspect)
                    hidden=draft.is_hidden(Field::Aspect)
                />
            </div>
            <p class="ks-field__hint" id="ks-size-hint">{move || auto_note().unwrap_or_default()}</p>
            <label class="ks-check">
                <input type="checkbox" class="ks-check__input" prop:checked=move || draft.crop.get()
                    on:change=handler(move |ev| draft.crop.set(event_target_checked(&ev)))  />
                <span class="ks-check__label">{move || crop_label()}</span>
                <span class="ks-check__hint">
                    "When off, frames are sent whole, only scaled to fit."
                </span>
            </label>
            <FieldMessages control=Control::Size />
        </fieldset>
    }
}
