//! Presets and sharing, collapsed by default: save the settings under a name, load or delete a
//! saved preset, and copy a link that carries the settings in its fragment. Neither ever holds a
//! frame or the API key.

use leptos::prelude::*;

use crate::components::copy_button::CopyButton;
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::presets::{self, Preset};

/// The link to this page with the draft's settings in the fragment.
fn share_link(fragment: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .map(|l| {
            format!(
                "{}{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!("{base}#{fragment}")
}

/// Saving, loading and sharing settings.
#[component]
pub fn PresetsPanel() -> impl IntoView {
    let draft = Draft::expect();
    let list = RwSignal::new(presets::load());
    let selected = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let save = move |_| {
        let preset = Preset {
            name: name.get_untracked(),
            settings: untrack(|| draft.settings()),
        };
        let saved = preset.name.trim().to_owned();
        list.update(|l| presets::upsert(l, preset));
        presets::save(&list.get_untracked());
        selected.set(saved.clone());
        name.set(String::new());
        status.set(Some(format!("Saved \u{201c}{saved}\u{201d}.")));
    };
    let load = move |_| {
        let wanted = selected.get_untracked();
        if let Some(p) = list.with_untracked(|l| l.iter().find(|p| p.name == wanted).cloned()) {
            let mut settings = p.settings;
            settings.crop = draft.crop.get_untracked();
            draft.apply_settings(&settings);
            status.set(Some(format!("Loaded \u{201c}{}\u{201d}.", p.name)));
        }
    };
    let delete = move |_| {
        let wanted = selected.get_untracked();
        list.update(|l| presets::remove(l, &wanted));
        presets::save(&list.get_untracked());
        selected.set(String::new());
        status.set(Some(format!("Deleted \u{201c}{wanted}\u{201d}.")));
    };
    let link = Callback::new(move |_| share_link(&untrack(|| draft.settings()).to_fragment()));
    view! {
        <details class="ks-disclosure" id="ks-presets">
            <summary class="ks-disclosure__summary">
                <span class="ks-disclosure__title">"Presets and sharing"</span>
                <span class="ks-disclosure__note">
                    {move || match list.with(Vec::len) { 0 => "none saved".to_string(), 1 => "1 saved".to_string(), n => format!("{n} saved") }}
                </span>
            </summary>
            <div class="ks-disclosure__body">
                <div class="ks-field">
                    <label class="ks-field__label" for="ks-preset">"Saved presets"</label>
                    <div class="ks-source__row">
                        <select class="ks-input ks-select" id="ks-preset"
                            on:change=handler(move |ev| selected.set(event_target_value(&ev)))>
                            <option value="" prop:selected=move || selected.with(String::is_empty)>"Choose a preset…"</option>
                            {move || list.get().into_iter().map(|p| {
                                let (value, name) = (p.name.clone(), p.name.clone());
                                view! {
                                    <option value=value prop:selected=move || selected.with(|s| *s == name)>
                                        {p.name}
                                    </option>
                                }.into_any()
                            }).collect_view()}
                        </select>
                        <button type="button" class="ks-button" disabled=move || selected.with(String::is_empty) on:click=handler(load)>"Load"</button>
                        <button type="button" class="ks-button ks-button--quiet" disabled=move || selected.with(String::is_empty) on:click=handler(delete)>"Delete"</button>
                    </div>
                </div>
                <div class="ks-field">
                    <label class="ks-field__label" for="ks-preset-name">"Save the current settings as"</label>
                    <div class="ks-source__row">
                        <input class="ks-input" id="ks-preset-name" type="text" placeholder="e.g. Slow dolly, 1080p"
                            prop:value=move || name.get() on:input=handler(move |ev| name.set(event_target_value(&ev))) />
                        <button type="button" class="ks-button" disabled=move || name.with(|n| n.trim().is_empty())
                            on:click=handler(save)>"Save"</button>
                    </div>
                </div>
                <p class="ks-field__ok" aria-live="polite">{move || status.get().unwrap_or_default()}</p>
                <div class="ks-dev__toolbar">
                    <CopyButton label="Copy share link" text=link />
                </div>
                <p class="ks-field__hint">
                    "Presets and links carry settings only: never frames, your key, or webhook and upload URLs in links."
                </p>
            </div>
        </details>
    }
}
