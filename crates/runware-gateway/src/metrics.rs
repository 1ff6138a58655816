//! Counters for `GET /metrics`, written in Prometheus' text format (version 0.0.4).
//!
//! Only numbers and fixed label values are written: never a key, a visitor address or a prompt.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The rules a request can be refused by, as the `rule` label of
/// `runware_gateway_refusals_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The page's origin is not allowed (403).
    Origin,
    /// A task type or model the site does not offer (403).
    TaskType,
    /// The request breaks the contract (400).
    Invalid,
    /// Outside the site's durations, sizes or result counts (400).
    Limits,
    /// The visitor's hourly count (429).
    Rate,
    /// The visitor's running jobs (429).
    Concurrency,
    /// The day's budget (402).
    Budget,
    /// A `getResponse`/`getTaskDetails` for a task this site did not start.
    NotOurs,
}

impl Rule {
    const ALL: [Rule; 8] = [
        Rule::Origin,
        Rule::TaskType,
        Rule::Invalid,
        Rule::Limits,
        Rule::Rate,
        Rule::Concurrency,
        Rule::Budget,
        Rule::NotOurs,
    ];

    fn label(self) -> &'static str {
        match self {
            Rule::Origin => "origin",
            Rule::TaskType => "task_type",
            Rule::Invalid => "invalid",
            Rule::Limits => "limits",
            Rule::Rate => "rate",
            Rule::Concurrency => "concurrency",
            Rule::Budget => "budget",
            Rule::NotOurs => "not_ours",
        }
    }

    fn index(self) -> usize {
        Rule::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Every counter of one gateway instance.
#[derive(Debug, Default)]
pub struct Metrics {
    requests_rest: AtomicU64,
    requests_ws: AtomicU64,
    jobs_accepted: AtomicU64,
    jobs_settled: AtomicU64,
    jobs_released: AtomicU64,
    settled_micros: AtomicU64,
    refusals: [AtomicU64; 8],
    upstream_retries: AtomicU64,
    upstream_failures: AtomicU64,
    upstream: Mutex<Histogram>,
}

impl Metrics {
    /// One request from a visitor (REST) or one message (WebSocket).
    pub fn request(&self, websocket: bool) {
        let counter = if websocket {
            &self.requests_ws
        } else {
            &self.requests_rest
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A job upstream accepted.
    pub fn job_accepted(&self) {
        self.jobs_accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// A job settled at `cost_micros`.
    pub fn job_settled(&self, cost_micros: i64) {
        self.jobs_settled.fetch_add(1, Ordering::Relaxed);
        self.settled_micros
            .fetch_add(u64::try_from(cost_micros).unwrap_or(0), Ordering::Relaxed);
    }

    /// A reservation given back because upstream refused the job.
    pub fn job_released(&self) {
        self.jobs_released.fetch_add(1, Ordering::Relaxed);
    }

    /// A refusal by `rule`.
    pub fn refused(&self, rule: Rule) {
        self.refusals[rule.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// One more attempt of an upstream request.
    pub fn upstream_retry(&self) {
        self.upstream_retries.fetch_add(1, Ordering::Relaxed);
    }

    /// An upstream request that failed after every attempt.
    pub fn upstream_failure(&self) {
        self.upstream_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The time of one upstream attempt.
    pub fn upstream_latency(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut h = self.upstream.lock().unwrap_or_else(|e| e.into_inner());
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The text of `/metrics`; `spent_today_micros` and `budget_micros` come from the store.
    pub fn render(&self, spent_today_micros: Option<i64>, budget_micros: i64) -> String {
        let mut out = String::new();
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let usd = |micros: f64| micros / 1_000_000.0;
        let _ = writeln!(
            out,
            "# HELP runware_gateway_requests_total Requests from visitors (REST requests, WebSocket messages).\n\
             # TYPE runware_gateway_requests_total counter\n\
             runware_gateway_requests_total{{transport=\"rest\"}} {}\n\
             runware_gateway_requests_total{{transport=\"ws\"}} {}",
            get(&self.requests_rest),
            get(&self.requests_ws)
        );
        let _ = writeln!(
            out,
            "# HELP runware_gateway_jobs_total Jobs by what became of them.\n\
             # TYPE runware_gateway_jobs_total counter\n\
             runware_gateway_jobs_total{{outcome=\"accepted\"}} {}\n\
             runware_gateway_jobs_total{{outcome=\"settled\"}} {}\n\
             runware_gateway_jobs_total{{outcome=\"released\"}} {}",
            get(&self.jobs_accepted),
            get(&self.jobs_settled),
            get(&self.jobs_released)
        );
        let _ = writeln!(
            out,
            "# HELP runware_gateway_settled_spend_usd_total Cost reported by Runware for the jobs this instance settled.\n\
             # TYPE runware_gateway_settled_spend_usd_total counter\n\
             runware_gateway_settled_spend_usd_total {}",
            usd(get(&self.settled_micros) as f64)
        );
        if let Some(spent) = spent_today_micros {
            let _ = writeln!(
                out,
                "# HELP runware_gateway_spend_today_usd Spent and reserved today (UTC), all instances.\n\
                 # TYPE runware_gateway_spend_today_usd gauge\n\
                 runware_gateway_spend_today_usd {}",
                usd(spent as f64)
            );
        }
        let _ = writeln!(
            out,
            "# HELP runware_gateway_daily_budget_usd The configured daily budget.\n\
             # TYPE runware_gateway_daily_budget_usd gauge\n\
             runware_gateway_daily_budget_usd {}",
            usd(budget_micros as f64)
        );
        let _ = writeln!(
            out,
            "# HELP runware_gateway_refusals_total Requests refused, by rule.\n\
             # TYPE runware_gateway_refusals_total counter"
        );
        for rule in Rule::ALL {
            let _ = writeln!(
                out,
                "runware_gateway_refusals_total{{rule=\"{}\"}} {}",
                rule.label(),
                get(&self.refusals[rule.index()])
            );
        }
        let _ = writeln!(
            out,
            "# HELP runware_gateway_upstream_retries_total Upstream attempts after the first.\n\
             # TYPE runware_gateway_upstream_retries_total counter\n\
             runware_gateway_upstream_retries_total {}\n\
             # HELP runware_gateway_upstream_failures_total Upstream requests that failed after every attempt.\n\
             # TYPE runware_gateway_upstream_failures_total counter\n\
             runware_gateway_upstream_failures_total {}",
            get(&self.upstream_retries),
            get(&self.upstream_failures)
        );
        let h = self.upstream.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(
            out,
            "# HELP runware_gateway_upstream_latency_seconds Time of each upstream attempt.\n\
             # TYPE runware_gateway_upstream_latency_seconds histogram"
        );
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
            let _ = writeln!(
                out,
                "runware_gateway_upstream_latency_seconds_bucket{{le=\"{bound}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "runware_gateway_upstream_latency_seconds_bucket{{le=\"+Inf\"}} {}\n\
             runware_gateway_upstream_latency_seconds_sum {}\n\
             runware_gateway_upstream_latency_seconds_count {}",
            h.count, h.sum, h.count
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.refused(Rule::Budget);
        m.upstream_latency(Duration::from_millis(20));
        m.upstream_latency(Duration::from_millis(700));
        m.job_settled(350_000);
        let text = m.render(Some(1_000_000), 20_000_000);
        assert!(text.contains("runware_gateway_refusals_total{rule=\"budget\"} 1"));
        assert!(text.contains("runware_gateway_upstream_latency_seconds_bucket{le=\"0.025\"} 1"));
        assert!(text.contains("runware_gateway_upstream_latency_seconds_bucket{le=\"1\"} 2"));
        assert!(text.contains("runware_gateway_upstream_latency_seconds_count 2"));
        assert!(text.contains("runware_gateway_settled_spend_usd_total 0.35"));
        assert!(text.contains("runware_gateway_spend_today_usd 1"));
    }
}
