//! Seed: random (a new one for every video) or fixed (to repeat or vary a result on purpose).

use leptos::prelude::*;

use crate::components::aria_flag;

use crate::components::field_messages::{FieldMessages, has_messages, messages_id};
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;

/// A random seed in the range most tools show (1 to 2³²−1).
fn roll() -> String {
    ((js_sys::Math::random() * 4_294_967_294.0) as u64 + 1).to_string()
}

/// The seed mode and, when fixed, the seed itself with a button to roll a new one.
#[component]
pub fn SeedField() -> impl IntoView {
    let draft = Draft::expect();
    let seed = draft.seed;
    // The last fixed seed, so that switching to random and back restores it.
    let last_fixed = StoredValue::new(None::<String>);
    let fixed = move || seed.with(Option::is_some);
    let choose_random = move |_| {
        last_fixed.set_value(seed.get_untracked());
        seed.set(None);
    };
    let choose_fixed = move |_| {
        let value = last_fixed.get_value().unwrap_or_else(roll);
        seed.set(Some(value));
    };
    let invalid = has_messages(Control::Seed);
    view! {
        <fieldset class="ks-field ks-seed" hidden=draft.is_hidden(Field::Seed) disabled=draft.is_locked(Field::Seed)>
            <legend class="ks-field__label">"Seed"</legend>
            <div class="ks-seed__row">
                <div class="ks-choice__options" role="presentation">
                    <label class="ks-choice__option">
                        <input type="radio" name="ks-seed-mode" class="ks-choice__input"
                            prop:checked=move || !fixed() on:change=handler(choose_random) />
                        <span class="ks-choice__face">"Random"</span>
                    </label>
                    <label class="ks-choice__option">
                        <input type="radio" name="ks-seed-mode" class="ks-choice__input"
                            prop:checked=move || seed.with(Option::is_some) on:change=handler(choose_fixed) />
                        <span class="ks-choice__face">"Fixed"</span>
                    </label>
                </div>
                    <input
                        hidden=move || !fixed()
                        class="ks-input ks-seed__input"
                        class:ks-input--invalid=move || invalid.get()
                        id=Control::Seed.dom_id()
                        type="text"
                        inputmode="numeric"
                        aria-label="Seed value"
                        aria-describedby=messages_id(Control::Seed)
                        aria-invalid=move || aria_flag(invalid.get())
                        prop:value=move || seed.get().unwrap_or_default()
                        on:input=handler(move |ev| seed.set(Some(event_target_value(&ev))))
                    />
                    <button type="button" class="ks-button ks-button--icon" hidden=move || !fixed()
                        aria-label="Roll a new seed" title="Roll a new seed"
                        on:click=handler(move |_| seed.set(Some(roll())))>
                        <svg class="ks-icon ks-icon--dice" viewBox="0 0 16 16" aria-hidden="true">
                            <rect x="2" y="2" width="12" height="12" rx="3" />
                            <circle cx="5.3" cy="5.3" r="1.1" /><circle cx="10.7" cy="10.7" r="1.1" />
                            <circle cx="8" cy="8" r="1.1" />
                        </svg>
                    </button>
            </div>
            <p class="ks-field__hint">
                {move || String::from(if fixed() {
                    "The same seed and settings give the same video again."
                } else {
                    "A new seed each time; finished videos show theirs."
                })}
            </p>
            <FieldMessages control=Control::Seed />
        </fieldset>
    }
}
