//! Fetching a finished video as a file, so that it can be saved under a name of our choosing
//! (a link's `download` name is ignored across origins, and results live on another origin).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::RequestInit;

use super::TransportError;
use super::rest::fetch;

/// The body at `url` as a browser `Blob`.
pub async fn fetch_blob(url: &str) -> Result<web_sys::Blob, TransportError> {
    let response = fetch(url, &RequestInit::new()).await?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return Err(TransportError::Refused {
            status,
            body: response.status_text(),
        });
    }
    let promise = response
        .blob()
        .map_err(|_| TransportError::Unreachable("the file could not be read".into()))?;
    JsFuture::from(promise)
        .await
        .map_err(|_| TransportError::Unreachable("the download was cut short".into()))?
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| TransportError::Unreachable("the file could not be read".into()))
}
