//! REST: each array of tasks is one `POST`, with the key as a bearer token.

use futures::future::{Either, select};
use gloo_net::http::Request;
use gloo_timers::future::TimeoutFuture;
use runware::Task;
use runware::reply::Reply;

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
        let signal = controller.as_ref().map(|c| c.signal());
        let request = Request::post(&self.target.endpoints.rest)
            .header("Content-Type", "application/json")
            .header("Authorization", &format!("Bearer {}", self.target.api_key))
            .abort_signal(signal.as_ref())
            .body(body)
            .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        let exchange = Box::pin(async move {
            let response = request.send().await.map_err(|e| unreachable(&e))?;
            let status = response.status();
            let retry_after = response.headers().get("retry-after");
            // A connection cut while the body streams in shows up here, not at `send`.
            let bytes = response.binary().await.map_err(|e| unreachable(&e))?;
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

/// A fetch that failed: the browser gives no more than "failed to fetch" by design.
fn unreachable(error: &gloo_net::Error) -> TransportError {
    TransportError::Unreachable(error.to_string())
}
