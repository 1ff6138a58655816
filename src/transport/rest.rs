//! REST: each array of tasks is one `POST`, with the key as a bearer token.

use futures::future::{Either, select};
use gloo_timers::future::TimeoutFuture;
use js_sys::Uint8Array;
use runware::Task;
use runware::reply::Reply;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use super::{Target, TransportError, read_http};

/// The REST transport.
#[derive(Clone, Debug)]
pub struct Rest {
    target: Target,
}

impl Rest {
    /// A REST transport to `target`.
    pub fn new(target: Target) -> Self {
        Rest { target }
    }

    /// Where it sends.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// `POST`s `tasks`; a request that has not answered after `timeout_ms` is aborted.
    pub async fn send(&self, tasks: &[Task], timeout_ms: u32) -> Result<Reply, TransportError> {
        let body = runware::encode(tasks).map_err(|e| {
            TransportError::Unreachable(format!("the request could not be written: {e}"))
        })?;
        let controller = web_sys::AbortController::new().ok();
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        init.set_signal(controller.as_ref().map(|c| c.signal()).as_ref());
        if let Ok(headers) = Headers::new() {
            let _ = headers.set("Content-Type", "application/json");
            let _ = headers.set("Authorization", &format!("Bearer {}", self.target.api_key));
            init.set_headers(&headers);
        }
        let url = &self.target.endpoints.rest;
        let exchange = Box::pin(async move {
            let response = fetch(url, &init).await?;
            let status = response.status();
            let retry_after = response.headers().get("retry-after").ok().flatten();
            // A connection cut while the body streams in shows up here, not at `fetch`.
            let bytes = bytes(&response).await?;
            read_http(status, &bytes, retry_after.as_deref())
        });
        match select(exchange, TimeoutFuture::new(timeout_ms)).await {
            Either::Left((answer, _)) => answer,
            Either::Right(((), _)) => {
                if let Some(controller) = controller {
                    controller.abort();
                }
                Err(TransportError::Timeout(timeout_ms / 1000))
            }
        }
    }
}

/// The browser's `fetch`, used directly (an HTTP client crate would add its own request and
/// error types to the wasm): the response whatever its status, or why there is none.
pub(super) async fn fetch(url: &str, init: &RequestInit) -> Result<Response, TransportError> {
    let window = web_sys::window()
        .ok_or_else(|| TransportError::Unreachable("no window to fetch from".to_owned()))?;
    let response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(|e| unreachable(&e))?;
    Ok(response.unchecked_into())
}

/// The whole body of `response`.
async fn bytes(response: &Response) -> Result<Vec<u8>, TransportError> {
    let promise = response.array_buffer().map_err(|e| unreachable(&e))?;
    let buffer = JsFuture::from(promise).await.map_err(|e| unreachable(&e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A fetch that failed: the browser gives no more than "Failed to fetch" by design.
fn unreachable(error: &JsValue) -> TransportError {
    let text = match error.dyn_ref::<js_sys::Error>() {
        Some(e) => format!("{}: {}", String::from(e.name()), String::from(e.message())),
        None => error
            .as_string()
            .unwrap_or_else(|| "the request failed".to_owned()),
    };
    TransportError::Unreachable(text)
}
