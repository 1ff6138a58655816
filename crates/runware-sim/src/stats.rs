//! Counters for tests and demos, served as JSON at `GET /sim/stats` and reset by
//! `DELETE /sim/stats`.
//!
//! End-to-end tests count what the app really sent (for example how often it polled), so the
//! counters are kept per transport, per task type, per client and per task.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// The transport a request came by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `POST /v1`.
    Rest,
    /// A message on the `/v1` WebSocket.
    Ws,
}

impl Transport {
    /// The name used in logs and stats.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Rest => "rest",
            Transport::Ws => "ws",
        }
    }
}

/// A snapshot of every counter; the JSON shape of `GET /sim/stats`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StatsSnapshot {
    /// `/v1` requests per transport: `rest` (HTTP requests) and `ws` (WebSocket messages).
    pub requests: BTreeMap<String, u64>,
    /// Tasks received per `taskType` (valid or not), over both transports.
    pub tasks: BTreeMap<String, u64>,
    /// `getResponse` tasks received.
    pub get_response: GetResponseStats,
    /// `videoInference` jobs: accepted (each once, however often it was retried), finished.
    pub jobs: JobStats,
    /// WebSocket connections.
    pub ws: WsStats,
    /// Errors sent, per error `code`.
    pub errors: BTreeMap<String, u64>,
    /// Faults injected, per directive name.
    pub faults: BTreeMap<String, u64>,
    /// ffmpeg renders.
    pub renders: RenderStats,
    /// Webhook POSTs.
    pub webhooks: DeliveryStats,
    /// Upload PUTs.
    pub uploads: DeliveryStats,
    /// Video file requests answered (any status).
    pub video_requests: u64,
}

/// `getResponse` counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GetResponseStats {
    /// All `getResponse` tasks.
    pub total: u64,
    /// Per transport.
    pub by_transport: BTreeMap<String, u64>,
    /// Per client: the `X-Sim-Client` header or `client` query parameter when given, else
    /// `rest` for REST and `ws:<connectionSessionUUID>` for WebSocket.
    pub by_client: BTreeMap<String, u64>,
    /// Per polled `taskUUID`.
    pub by_task: BTreeMap<String, u64>,
}

/// Job counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobStats {
    /// Jobs accepted and started (a retry answered `conflictTaskUUID` is not one).
    pub accepted: u64,
    /// Jobs whose every result succeeded.
    pub succeeded: u64,
    /// Jobs that failed.
    pub failed: u64,
    /// `videoInference` tasks validated by a dry run (`?dryRun=1`), which start nothing.
    pub dry_runs: u64,
}

/// WebSocket counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WsStats {
    /// Upgrades accepted.
    pub connections: u64,
    /// Sockets open now.
    pub open: u64,
    /// Successful resumes of an earlier `connectionSessionUUID`.
    pub resumes: u64,
    /// Sockets closed by the idle timeout.
    pub idle_closes: u64,
    /// Messages replayed from a session buffer on resume.
    pub replayed: u64,
    /// Results pushed without being asked for.
    pub pushed: u64,
}

/// Render counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RenderStats {
    /// Renders started.
    pub started: u64,
    /// Renders finished.
    pub finished: u64,
    /// Renders that failed.
    pub failed: u64,
    /// Sum of render wall times, ms.
    pub total_ms: u64,
    /// Longest render, ms.
    pub max_ms: u64,
}

/// Outgoing delivery counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryStats {
    /// HTTP attempts made.
    pub attempts: u64,
    /// Deliveries that succeeded.
    pub delivered: u64,
    /// Deliveries given up after every retry.
    pub failed: u64,
}

/// The live counters.
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<StatsSnapshot>,
}

impl Stats {
    /// Changes the counters under the lock. A poisoned lock is taken over: counters are plain
    /// numbers and cannot be left half-updated in a harmful way.
    pub fn update(&self, f: impl FnOnce(&mut StatsSnapshot)) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard);
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Zeroes every counter except the number of open sockets, which stays true.
    pub fn reset(&self) {
        self.update(|s| {
            let open = s.ws.open;
            *s = StatsSnapshot::default();
            s.ws.open = open;
        });
    }

    /// Counts one `/v1` request.
    pub fn request(&self, transport: Transport) {
        self.update(|s| *s.requests.entry(transport.as_str().to_owned()).or_default() += 1);
    }

    /// Counts a task by type.
    pub fn task(&self, task_type: &str) {
        self.update(|s| *s.tasks.entry(task_type.to_owned()).or_default() += 1);
    }

    /// Counts a `getResponse` task.
    pub fn get_response(&self, transport: Transport, client: &str, task_uuid: &str) {
        self.update(|s| {
            let g = &mut s.get_response;
            g.total += 1;
            *g.by_transport
                .entry(transport.as_str().to_owned())
                .or_default() += 1;
            *g.by_client.entry(client.to_owned()).or_default() += 1;
            *g.by_task.entry(task_uuid.to_owned()).or_default() += 1;
        });
    }

    /// Counts an error sent, by code.
    pub fn error(&self, code: &str) {
        self.update(|s| *s.errors.entry(code.to_owned()).or_default() += 1);
    }

    /// Counts the directives of an injected fault.
    pub fn fault(&self, spec: &crate::faults::FaultSpec) {
        if spec.is_empty() {
            return;
        }
        let text = spec.to_string();
        self.update(|s| {
            for part in text.split(',') {
                let name = part.split('=').next().unwrap_or(part);
                *s.faults.entry(name.to_owned()).or_default() += 1;
            }
        });
    }
}
