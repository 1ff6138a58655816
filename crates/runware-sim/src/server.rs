//! The HTTP side: shared state, the router, the REST endpoint, CORS, the body limit, and the one
//! log line per request.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use runware::{ApiError, ErrorCode};
use serde::Deserialize;
use tower_http::cors::{Any, CorsLayer};

use crate::config::Config;
use crate::delivery::Courier;
use crate::dispatch::{self, Auth, Origin, Reply};
use crate::engine::Engine;
use crate::faults::FaultSpec;
use crate::frames::Images;
use crate::render::Renderer;
use crate::sessions::Sessions;
use crate::stats::{Stats, Transport};
use crate::videos::{self, Videos};
use crate::ws;

/// The header that asks for faults on one request.
pub const FAULT_HEADER: &str = "x-sim-fault";
/// The header that names the client in `/sim/stats`.
pub const CLIENT_HEADER: &str = "x-sim-client";

/// Everything the handlers share.
#[derive(Debug)]
pub struct Shared {
    /// The configuration the server started with.
    pub config: Config,
    /// Base of every `videoURL`, without a trailing slash.
    pub public_url: String,
    /// Where videos, frames and uploaded images are written.
    pub data_dir: PathBuf,
    /// Submitted tasks and their results.
    pub engine: Engine,
    /// WebSocket sessions.
    pub sessions: Sessions,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Served videos.
    pub videos: Videos,
    /// Images stored by `imageUpload`.
    pub images: Images,
    /// The ffmpeg runner.
    pub renderer: Renderer,
    /// Outgoing HTTP.
    pub courier: Courier,
    /// The simulated balance, when `--credits` is set.
    pub credits: Mutex<Option<f64>>,
}

/// Cheap-to-clone handle on [`Shared`].
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the REST handler tells the log middleware about a request.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    /// Task types in the request, in order.
    pub task_types: Vec<String>,
    /// Task UUIDs in the request, in order.
    pub task_ids: Vec<String>,
    /// Faults applied.
    pub faults: String,
    /// Error codes sent.
    pub errors: Vec<String>,
}

/// The query parameters `/v1` understands (REST and WebSocket upgrade).
#[derive(Debug, Default, Deserialize)]
pub struct V1Query {
    /// A fault spec, as in `X-Sim-Fault`.
    pub fault: Option<String>,
    /// A client name for `/sim/stats`.
    pub client: Option<String>,
    /// `1` (or `true`): validate every task and acknowledge it with `"dryRun": true`, starting
    /// nothing. On the WebSocket URL it applies to the whole connection.
    #[serde(rename = "dryRun")]
    pub dry_run: Option<String>,
}

impl V1Query {
    /// Whether `dryRun` asks for a dry run; an unreadable value is the client's error.
    pub fn dry_run(&self) -> Result<bool, Box<ApiError>> {
        match self.dry_run.as_deref().map(str::trim) {
            None | Some("0" | "false") => Ok(false),
            Some("" | "1" | "true") => Ok(true),
            Some(other) => Err(Box::new(
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("dryRun must be 1 or 0, not `{other}`"),
                )
                .with_parameter("dryRun"),
            )),
        }
    }
}

/// Builds the router.
pub fn router(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::RANGE,
            HeaderName::from_static(FAULT_HEADER),
            HeaderName::from_static(CLIENT_HEADER),
        ])
        .expose_headers([
            header::CONTENT_RANGE,
            header::ACCEPT_RANGES,
            header::CONTENT_LENGTH,
        ])
        .max_age(Duration::from_secs(600));
    let limit = state.config.body_limit_mb.saturating_mul(1024 * 1024);
    Router::new()
        .route("/v1", get(ws::upgrade).post(rest))
        .route("/v1/", get(ws::upgrade).post(rest))
        // The app's dev server proxies its WebSocket on a path of its own; the same path here
        // lets a proxy pass it through unchanged.
        .route("/ws/v1", get(ws::upgrade))
        .route("/healthz", get(healthz))
        .route("/sim/stats", get(stats).delete(reset_stats))
        .route("/videos/{name}", get(videos::serve))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(log_request))
        .layer(cors)
        .with_state(state)
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn stats(State(state): State<AppState>) -> impl IntoResponse {
    axum::Json(state.stats.snapshot())
}

/// `DELETE /sim/stats`: resets the counters, for a caller with the API key (as on `/v1`:
/// `Authorization: Bearer <key>`); otherwise 401 in Runware's error shape.
async fn reset_stats(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(error) = dispatch::check_key(&state.config, bearer(&headers).as_deref()) {
        return dispatch::http_reply(Reply::refused(*error));
    }
    state.stats.reset();
    StatusCode::NO_CONTENT.into_response()
}

/// The key of an `Authorization: Bearer <key>` header.
fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .unwrap_or(v)
                .trim()
                .to_owned()
        })
}

/// Writes the one structured line per HTTP request. The REST handler adds its task details as
/// a response extension; other routes log method, path and status only.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let upgrade = request.headers().contains_key(header::UPGRADE);
    let response = next.run(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    match response.extensions().get::<RequestLog>() {
        Some(log) => tracing::info!(
            transport = "rest",
            %method,
            path,
            status,
            task_types = log.task_types.join(","),
            task_ids = log.task_ids.join(","),
            errors = log.errors.join(","),
            faults = log.faults,
            duration_ms = format!("{ms:.1}"),
            "request"
        ),
        None => tracing::info!(
            transport = if upgrade { "ws-upgrade" } else { "http" },
            %method,
            path,
            status,
            duration_ms = format!("{ms:.1}"),
            "request"
        ),
    }
    response
}

/// Reads the faults asked for by header and query; an unreadable spec is the client's error.
pub fn requested_faults(headers: &HeaderMap, query: &V1Query) -> Result<FaultSpec, Box<ApiError>> {
    let mut spec = FaultSpec::default();
    let header = headers
        .get(FAULT_HEADER)
        .map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned());
    for (source, text) in [("X-Sim-Fault", header), ("fault", query.fault.clone())] {
        if let Some(text) = text {
            let parsed: FaultSpec = text.parse().map_err(|e: crate::faults::FaultParseError| {
                Box::new(
                    ApiError::new(ErrorCode::InvalidParameter, e.to_string())
                        .with_parameter(source),
                )
            })?;
            spec = spec.merge(&parsed);
        }
    }
    Ok(spec)
}

/// `POST /v1`.
async fn rest(
    State(state): State<AppState>,
    Query(query): Query<V1Query>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    state.stats.request(Transport::Rest);
    let mut log = RequestLog::default();
    let requested = match requested_faults(&headers, &query) {
        Ok(spec) => spec,
        Err(error) => return finish(&state, Reply::refused(*error), log),
    };
    let dry_run = match query.dry_run() {
        Ok(dry_run) => dry_run,
        Err(error) => return finish(&state, Reply::refused(*error), log),
    };
    let faults = state.config.faults.roll().merge(&requested);
    log.faults = faults.to_string();
    state.stats.fault(&faults);
    if let Some(latency) = faults.latency {
        tokio::time::sleep(latency).await;
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let error = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                dispatch::too_large(state.config.body_limit_mb)
            } else {
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("the request body could not be read: {rejection}"),
                )
            };
            let status = rejection.status().as_u16();
            return finish(&state, Reply::refused(error).with_status(status), log);
        }
    };
    let client = headers
        .get(CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.client)
        .unwrap_or_else(|| "rest".to_owned());
    let origin = Origin {
        transport: Transport::Rest,
        client,
        session: None,
        auth: Auth::Rest {
            bearer: bearer(&headers),
        },
        faults: faults.clone(),
        dry_run,
    };
    let reply = dispatch::execute(&state, &origin, &body).await;
    if faults.accepted_timeout && reply.accepted > 0 {
        // The job runs; only the news of its acceptance comes too late for the client.
        tokio::time::sleep(state.config.accepted_timeout_delay).await;
    }
    log.task_types = reply.task_types.clone();
    log.task_ids = reply.task_ids.clone();
    if faults.drop {
        let mut response = Response::new(Body::from_stream(futures_util::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::other(
                "connection dropped on purpose (simulated fault)",
            ))
        })));
        response.extensions_mut().insert(log);
        return response;
    }
    if faults.malformed {
        let mut response = (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            dispatch::malformed(&reply.to_json()),
        )
            .into_response();
        response.extensions_mut().insert(log);
        return response;
    }
    finish(&state, reply, log)
}

/// Turns a reply into the HTTP response, counting its errors.
fn finish(state: &AppState, reply: Reply, mut log: RequestLog) -> Response {
    for error in &reply.errors {
        state.stats.error(error.code.as_str());
        log.errors.push(error.code.as_str().to_owned());
    }
    let mut response = dispatch::http_reply(reply);
    response.extensions_mut().insert(log);
    response
}
