//! A button that copies text to the clipboard and says so.

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::components::handler::handler;

/// Writes `text` to the clipboard through `navigator.clipboard.writeText` (reached by
/// reflection: web-sys only binds the Clipboard API behind an unstable flag).
pub async fn copy_text(text: &str) -> Result<(), JsValue> {
    let navigator = web_sys::window().ok_or(JsValue::NULL)?.navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())?.into();
    let promise: js_sys::Promise = write.call1(&clipboard, &text.into())?.into();
    JsFuture::from(promise).await.map(|_| ())
}

/// A button copying what `text` returns when clicked, with "Copied" feedback for two seconds.
#[component]
pub fn CopyButton(
    /// The button's label.
    label: &'static str,
    /// Produces the text to copy (computed on click: it may be large).
    text: Callback<(), String>,
) -> impl IntoView {
    let status = RwSignal::new(None::<String>);
    let on_click = move |_| {
        let value = text.run(());
        leptos::task::spawn_local(async move {
            let outcome = match copy_text(&value).await {
                Ok(()) => "Copied",
                Err(_) => "Copy failed",
            };
            status.set(Some(outcome.to_owned()));
            crate::frames::ingest::sleep(2000).await;
            status.set(None);
        });
    };
    view! {
        <span class="ks-copy">
            <button type="button" class="ks-button ks-button--small" on:click=handler(on_click)>{label}</button>
            <span class="ks-copy__status" aria-live="polite">{move || status.get().unwrap_or_default()}</span>
        </span>
    }
}
