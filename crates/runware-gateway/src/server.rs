//! The HTTP side: the router, the origin rule (CORS and the WebSocket `Origin` check), the
//! visitor's address, a request id per request, `/healthz` and `/metrics`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ipnet::IpNet;
use runware::ApiError;
use serde::Deserialize;
use tracing::Instrument;

use crate::config::Settings;
use crate::gateway::{Answer, Caller, Gateway};
use crate::metrics::Rule;
use crate::store::{day_of, now_ms};
use crate::ws;

/// The largest request body: two frames of 10 MB each, base64-encoded, and the rest.
pub const BODY_LIMIT: usize = 40 * 1024 * 1024;

/// The header carrying the request id, in both directions.
pub const REQUEST_ID: &str = "x-request-id";

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The rules and the upstream.
    pub gateway: Arc<Gateway>,
    /// The checked configuration.
    pub settings: Arc<Settings>,
}

/// `?dryRun=1` on `/v1` (REST, or the WebSocket URL for the whole connection).
#[derive(Debug, Default, Deserialize)]
pub struct V1Query {
    /// `1` or `true` for a dry run.
    #[serde(rename = "dryRun")]
    pub dry_run: Option<String>,
}

impl V1Query {
    /// Whether a dry run is asked for.
    pub fn dry_run(&self) -> bool {
        matches!(
            self.dry_run.as_deref().map(str::trim),
            Some("" | "1" | "true")
        )
    }
}

/// Builds the router.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/v1", get(ws::upgrade).post(rest).options(preflight))
        .route("/v1/", get(ws::upgrade).post(rest).options(preflight))
        .layer(middleware::from_fn_with_state(state.clone(), origin_rule));
    Router::new()
        .merge(v1)
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(request_context))
        .with_state(state)
}

/// The visitor's address: the peer, or, when the peer is a trusted proxy, the last address
/// of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn visitor_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Turns an [`Answer`] into an HTTP response.
pub fn http_answer(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        answer.body.to_string(),
    )
        .into_response();
    if let Some(seconds) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The origin of a request, if it has one ("null" counts as one, and is never allowed).
fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("null").trim().to_ascii_lowercase())
}

/// The 403 for a page whose origin is not allowed.
pub fn origin_refused(origin: &str) -> Answer {
    Answer::refused(
        403,
        &[ApiError::new(
            runware::ErrorCode::Other("originNotAllowed".into()),
            format!(
                "This video service is not offered to pages on {origin}: only the sites its owner named may use it."
            ),
        )
        .with_parameter("Origin")],
    )
}

/// The origin rule on `/v1`: a browser request from a page not in `allowed_origins` is
/// refused with 403 (preflights and WebSocket upgrades included); an allowed one gets the CORS
/// headers. Requests without `Origin` (not from a browser page) pass: the limits still apply.
async fn origin_rule(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(origin) = origin(request.headers()) else {
        return next.run(request).await;
    };
    if !state.settings.allowed_origins.contains(&origin) {
        state.gateway.metrics.refused(Rule::Origin);
        tracing::info!(origin, "origin refused");
        return http_answer(origin_refused(&origin));
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After, X-Request-Id"),
    );
    response
}

/// A CORS preflight from an allowed origin (the origin rule already refused the others).
async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, Content-Type, X-Request-Id"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

/// A request id (the caller's `X-Request-Id` when it is short and plain, else a new one) in a
/// span around the request, in the reply's header, and one log line per request.
async fn request_context(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            %method,
            path,
            status,
            duration_ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    response
}

/// `POST /v1`.
async fn rest(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<V1Query>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.gateway.metrics.request(false);
    let visitor = visitor_address(peer.ip(), &headers, &state.settings.trusted_proxies);
    let caller = Caller {
        visitor: visitor.to_string(),
        session: None,
        dry_run: query.dry_run(),
    };
    let answer = state.gateway.handle(&caller, &body).await;
    tracing::debug!(visitor = %caller.visitor, status = answer.status, "answered");
    http_answer(answer)
}

/// `GET /healthz`: 200 while the store answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.gateway.store.ping().await {
        Ok(()) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "store unavailable"})),
            )
                .into_response()
        }
    }
}

/// `GET /metrics` in Prometheus' text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let spent = state.gateway.store.spent(day_of(now_ms())).await.ok();
    let text = state
        .gateway
        .metrics
        .render(spent, state.gateway.limits.daily_budget_micros);
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )
        .body(Body::from(text))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        // A client's own claim, then the proxy chain: the last untrusted address wins.
        let h = headers("1.1.1.1, 198.51.100.7, 10.0.0.5");
        assert_eq!(
            visitor_address(peer, &h, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(visitor_address(stranger, &h, &trusted), stranger);
        // No header: the proxy itself.
        assert_eq!(visitor_address(peer, &HeaderMap::new(), &trusted), peer);
    }
}
