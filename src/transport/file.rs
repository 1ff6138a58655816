//! Fetching a finished video as a file, so that it can be saved under a name of our choosing
//! (a link's `download` name is ignored across origins, and results live on another origin).

use gloo_net::http::Request;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::TransportError;

/// The body at `url` as a browser `Blob`.
pub async fn fetch_blob(url: &str) -> Result<web_sys::Blob, TransportError> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| TransportError::Unreachable(e.to_string()))?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return Err(TransportError::Refused {
            status,
            body: response.status_text(),
        });
    }
    let raw: web_sys::Response = response.into();
    let promise = raw
        .blob()
        .map_err(|_| TransportError::Unreachable("the file could not be read".into()))?;
    JsFuture::from(promise)
        .await
        .map_err(|_| TransportError::Unreachable("the download was cut short".into()))?
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| TransportError::Unreachable("the file could not be read".into()))
}
