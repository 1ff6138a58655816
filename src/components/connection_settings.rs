//! Connection settings: which server (the local simulator, Runware, or another URL), over which
//! transport, and the API key, held in memory unless the user asks this device to remember it.

use leptos::prelude::*;

use crate::components::api_key_field::ApiKeyField;
use crate::components::handler::handler;
use crate::config::{Backend, Settings, TransportChoice, TransportKind};
use crate::pick::{Options, Pick};

/// The backend kinds offered, without the custom URL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simulator,
    Runware,
    Custom,
}

impl Options for Kind {
    const OPTIONS: &'static [Kind] = &[Kind::Simulator, Kind::Runware, Kind::Custom];
}

fn kind_of(backend: &Backend) -> Kind {
    match backend {
        Backend::Simulator => Kind::Simulator,
        Backend::Runware => Kind::Runware,
        Backend::Custom(_) => Kind::Custom,
    }
}

/// The collapsible connection panel at the top of the form.
#[component]
pub fn ConnectionSettings() -> impl IntoView {
    let settings = Settings::expect();
    let draft = crate::draft::Draft::expect();
    let asks_for_key = draft.asks_for_key();
    let chosen = Pick::new(kind_of(&settings.backend.get_untracked()));
    let url = RwSignal::new(match settings.backend.get_untracked() {
        Backend::Custom(url) => url,
        _ => String::new(),
    });
    let url_error = RwSignal::new(None::<String>);
    let set_custom = move || match Backend::custom(&url.get_untracked()) {
        Ok(backend) => {
            url_error.set(None);
            settings.backend.set(backend);
        }
        Err(e) => url_error.set(Some(crate::frames::ingest::sentence(&e.to_string()))),
    };
    let choose = move |kind: Kind| {
        chosen.set(kind);
        match kind {
            Kind::Simulator => settings.backend.set(Backend::Simulator),
            Kind::Runware => settings.backend.set(Backend::Runware),
            Kind::Custom => set_custom(),
        }
    };
    let transport_name = move || match settings.transport_kind() {
        TransportKind::Rest => "REST",
        TransportKind::WebSocket => "WebSocket",
    };
    let summary = move || {
        let server = match settings.backend.get() {
            Backend::Simulator => "Local simulator".to_string(),
            Backend::Runware => "Runware".to_string(),
            Backend::Custom(url) => url,
        };
        format!("{server} · {}", transport_name())
    };
    let radio = move |kind: Kind, label: &'static str| {
        view! {
            <label class="ks-choice__option">
                <input type="radio" name="ks-backend" class="ks-choice__input"
                    prop:checked=move || chosen.get() == kind on:change=handler(move |_| choose(kind)) />
                <span class="ks-choice__face">{label}</span>
            </label>
        }
    };
    view! {
        <details class="ks-disclosure ks-connection" id="ks-settings">
            <summary class="ks-disclosure__summary">
                <span class="ks-disclosure__title">"Connection"</span>
                <span class="ks-disclosure__note">{move || summary()}</span>
                <span class="ks-badge ks-badge--danger" hidden=move || !(asks_for_key && settings.missing_key())>"Key needed"</span>
            </summary>
            // A form of its own, so that the browser treats the key field as a credential field.
            <form class="ks-disclosure__body" autocomplete="off" on:submit=handler(|ev: leptos::ev::SubmitEvent| ev.prevent_default())>
                <fieldset class="ks-choice">
                    <legend class="ks-field__label">"Server"</legend>
                    <div class="ks-choice__options">
                        {radio(Kind::Simulator, "Simulator")}
                        {radio(Kind::Runware, "Runware")}
                        {radio(Kind::Custom, "Custom")}
                    </div>
                </fieldset>
                <div class="ks-field" hidden=move || chosen.get() != Kind::Custom>
                        <label class="ks-field__label" for="ks-backend-url">"Server URL (REST)"</label>
                        <input class="ks-input" id="ks-backend-url" type="url" spellcheck="false"
                            placeholder="https://example.com/v1" aria-describedby="ks-backend-url-error"
                            prop:value=move || url.get()
                            on:input=handler(move |ev| url.set(event_target_value(&ev)))
                            on:change=handler(move |_| set_custom()) />
                        <p class="ks-field__error" id="ks-backend-url-error" hidden=move || url_error.with(Option::is_none)>
                            {move || url_error.get().unwrap_or_default()}
                        </p>
                </div>
                <div class="ks-field">
                    <label class="ks-field__label" for="ks-transport">"Transport"</label>
                    <select class="ks-input ks-select" id="ks-transport" on:change=handler(move |ev| {
                        settings.transport.set(match event_target_value(&ev).as_str() {
                            "rest" => TransportChoice::Rest,
                            "ws" => TransportChoice::WebSocket,
                            _ => TransportChoice::Auto,
                        });
                    })>
                        <option value="auto" prop:selected=move || settings.transport.get() == TransportChoice::Auto>
                            {move || format!("Auto ({} here)", transport_name())}
                        </option>
                        <option value="rest" prop:selected=move || settings.transport.get() == TransportChoice::Rest>"REST"</option>
                        <option value="ws" prop:selected=move || settings.transport.get() == TransportChoice::WebSocket>"WebSocket"</option>
                    </select>
                </div>
                {draft.asks_for_key().then(|| view! { <ApiKeyField /> }.into_any())}
            </form>
        </details>
    }
}
