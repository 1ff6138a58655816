//! The API key: typed into memory, optionally remembered on this device with a plain warning,
//! and forgotten in one click. It is never put in a URL, a log, an export or a share link.

use leptos::prelude::*;

use crate::components::aria_flag;

use crate::components::handler::handler;
use crate::config::Settings;

/// The key input with its show/hide toggle, the "remember" choice and the forget button.
#[component]
pub fn ApiKeyField() -> impl IntoView {
    let settings = Settings::expect();
    let shown = RwSignal::new(false);
    let has_key = move || {
        settings
            .api_key
            .with(|k| k.as_deref().is_some_and(|k| !k.is_empty()))
    };
    let hint = move || {
        String::from(if !settings.backend.get().needs_key() {
            "The simulator takes any key, or none."
        } else if settings.remember_key.get() {
            "Kept on this device until you forget it."
        } else {
            "Held in this tab's memory only: gone when you close it."
        })
    };
    view! {
        <div class="ks-field">
            <label class="ks-field__label" for="ks-api-key">"API key"</label>
            <div class="ks-source__row">
                <input
                    class="ks-input ks-input--mono"
                    id="ks-api-key"
                    type=move || String::from(if shown.get() { "text" } else { "password" })
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Your Runware API key"
                    aria-describedby="ks-api-key-hint"
                    prop:value=move || settings.api_key.get().unwrap_or_default()
                    on:input=handler(move |ev| {
                        let key = event_target_value(&ev);
                        settings.api_key.set((!key.is_empty()).then_some(key));
                    })
                />
                <button type="button" class="ks-button" aria-pressed=move || aria_flag(shown.get())
                    on:click=handler(move |_| shown.update(|s| *s = !*s))>
                    {move || String::from(if shown.get() { "Hide" } else { "Show" })}
                </button>
            </div>
            <p class="ks-field__hint" id="ks-api-key-hint">{move || hint()}</p>
            <label class="ks-check">
                <input type="checkbox" class="ks-check__input" prop:checked=move || settings.remember_key.get()
                    on:change=handler(move |ev| settings.remember_key.set(event_target_checked(&ev)))  />
                <span class="ks-check__label">"Remember on this device"</span>
            </label>
            <p class="ks-warning" role="note" hidden=move || !settings.remember_key.get()>
                    "The key is stored unencrypted in this browser. Anyone using this browser profile, "
                    "and any script running on this page, can read it. Use this only on a device that is yours alone."
            </p>
            <button type="button" class="ks-button ks-button--danger"
                hidden=move || !(has_key() || settings.remember_key.get())
                on:click=handler(move |_| settings.forget_key())>
                "Forget the key"
            </button>
        </div>
    }
}
