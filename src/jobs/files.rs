//! Files and the clipboard: saving a video or the history under a chosen name, and copying a
//! link. Nothing here talks to the network; the video's bytes come through the transport.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::transport::file::fetch_blob;

#[wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText(text)`; throws where the Clipboard API is missing.
    #[wasm_bindgen(js_namespace = ["navigator", "clipboard"], js_name = writeText, catch)]
    fn write_text(text: &str) -> Result<Promise, JsValue>;
}

/// Saves `blob` as a download named `name`.
fn save_blob(name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob)
        .map_err(|_| "the file could not be prepared")?;
    let clicked = click_link(&url, Some(name));
    // The download has started once the click is handled; give the browser a moment.
    let revoke = url.clone();
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&revoke);
        },
        std::time::Duration::from_secs(30),
    );
    clicked
}

/// Follows a link once, as a click would (with a `download` name when given).
fn click_link(href: &str, download: Option<&str>) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link")?
        .unchecked_into();
    link.set_href(href);
    if let Some(name) = download {
        link.set_download(name);
    }
    link.set_rel("noopener");
    link.click();
    Ok(())
}

/// Saves `text` as a file named `name` of type `mime`.
pub fn save_text(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the file could not be prepared")?;
    save_blob(name, &blob)
}

/// Downloads the video at `url` and saves it as `name`. When the server does not allow the
/// page to read the file, the link is opened instead (the browser then picks the name).
pub async fn save_video(url: &str, name: &str) -> Result<(), String> {
    match fetch_blob(url).await {
        Ok(blob) => save_blob(name, &blob),
        Err(_) => click_link(url, Some(name)),
    }
}

/// Copies `text` to the clipboard.
pub async fn copy(text: &str) -> Result<(), String> {
    let promise = write_text(text).map_err(|_| "this browser does not allow copying here")?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "copying was not allowed".to_owned())
}
