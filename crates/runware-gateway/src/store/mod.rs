//! The gateway's state behind one trait: which jobs this site started, each visitor's hourly
//! count and running jobs, the day's spend, and the site's own price per second at each size.
//!
//! Two implementations: [`sqlite::SqliteStore`] (one instance, the default) and
//! [`redis::RedisStore`] (several instances behind a load balancer). Each decision that reads
//! and then writes (admitting a job, settling it, releasing it) happens in one atomic step of the
//! store itself (an SQLite `IMMEDIATE` transaction, a Redis Lua script), so concurrent submits on
//! one or several instances can never together pass a limit or overrun the budget.
//!
//! Money is kept in micro-dollars (integers), so that ten reservations of one dollar sum to
//! exactly ten dollars.

pub mod redis;
pub mod sqlite;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::config::{CheckedLimits, StoreKind};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// A millisecond-precision "now".
pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Milliseconds in a UTC day.
pub const DAY_MS: Millis = 86_400_000;
/// Milliseconds in an hour.
pub const HOUR_MS: Millis = 3_600_000;

/// The UTC day of `ms`, as days since the epoch: the key of the day's spend.
pub fn day_of(ms: Millis) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// A job about to be sent upstream.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Its `taskUUID` (lower case).
    pub task_uuid: String,
    /// The visitor who sends it.
    pub visitor: String,
    /// What is reserved from the day's budget, micro-USD.
    pub reserved_micros: i64,
    /// `duration` in seconds.
    pub seconds: u32,
    /// `numberResults`.
    pub results: u8,
    /// The size key (`1280x720`, or `1080p` when the visitor left the size to the server).
    pub size: String,
    /// Whether the visitor asked for `includeCost`.
    pub include_cost: bool,
}

/// A job this site started, as the store remembers it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Its `taskUUID`.
    pub task_uuid: String,
    /// Who sent it.
    pub visitor: String,
    /// When, ms since the epoch.
    pub created_ms: Millis,
    /// Reserved, micro-USD.
    pub reserved_micros: i64,
    /// `duration` in seconds.
    pub seconds: u32,
    /// `numberResults`.
    pub results: u8,
    /// The size key.
    pub size: String,
    /// Whether the visitor asked for `includeCost`.
    pub include_cost: bool,
    /// Whether it was settled (finished and its cost counted).
    pub settled: bool,
}

/// What [`Store::admit`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Recorded and reserved: send it.
    Admitted,
    /// This `taskUUID` is already a job of this site (a retried submit): nothing new is
    /// reserved.
    Known(JobRecord),
    /// Refused by a rule.
    Refused(Refusal),
}

/// A limit a job would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The visitor started `limit` jobs in the last hour; the oldest leaves the window in
    /// `retry_after_ms`.
    Rate {
        /// `jobs_per_visitor_per_hour`.
        limit: u32,
        /// Until a job may start again.
        retry_after_ms: Millis,
    },
    /// The visitor has `limit` jobs running.
    Concurrency {
        /// `concurrent_jobs_per_visitor`.
        limit: u32,
    },
    /// The day's budget cannot hold this job's reservation.
    Budget {
        /// Spent and reserved so far today, micro-USD.
        spent_micros: i64,
        /// Until the next UTC day.
        retry_after_ms: Millis,
    },
}

/// The store could not be reached or answered something unexpected.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Redis failed.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// A blocking task could not finish.
    #[error("store task: {0}")]
    Join(String),
    /// A value in the store is not what this gateway writes.
    #[error("unexpected value in the store: {0}")]
    Corrupt(String),
}

/// The limits a decision needs, as plain numbers.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Jobs per visitor per hour.
    pub jobs_per_hour: u32,
    /// Running jobs per visitor.
    pub concurrent_jobs: u32,
    /// The day's budget, micro-USD.
    pub daily_budget_micros: i64,
    /// After this long a running job stops counting, ms.
    pub job_expiry_ms: Millis,
}

impl From<&CheckedLimits> for Bounds {
    fn from(limits: &CheckedLimits) -> Self {
        Bounds {
            jobs_per_hour: limits.jobs_per_hour,
            concurrent_jobs: limits.concurrent_jobs,
            daily_budget_micros: limits.daily_budget_micros,
            job_expiry_ms: i64::try_from(limits.job_expiry.as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// The gateway's state. Every method is one atomic step of the store.
#[async_trait]
pub trait Store: Send + Sync {
    /// Checks the visitor's hourly count and running jobs and the day's budget, and when all
    /// hold, records the job and reserves its cost, all at once.
    async fn admit(
        &self,
        job: &NewJob,
        bounds: &Bounds,
        now: Millis,
    ) -> Result<Admission, StoreError>;

    /// Forgets a job upstream refused: its reservation, its place in the hourly count and in
    /// the running jobs. Nothing happens to a settled job.
    async fn release(&self, task_uuid: &str) -> Result<(), StoreError>;

    /// The job with this `taskUUID`, if this site started it.
    async fn job(&self, task_uuid: &str) -> Result<Option<JobRecord>, StoreError>;

    /// Marks a job finished: its reservation is replaced by `cost_micros` in its day's spend,
    /// it stops running, and (when `price_micros_per_second` is given) the site's price for its
    /// size is updated. Only the first call for a job counts; `true` when it was this one.
    async fn settle(
        &self,
        task_uuid: &str,
        cost_micros: i64,
        price_micros_per_second: Option<i64>,
        now: Millis,
    ) -> Result<bool, StoreError>;

    /// The site's latest price per second (per result) for a size key, from settled jobs.
    async fn price_per_second(&self, size: &str) -> Result<Option<i64>, StoreError>;

    /// Spent and reserved on `day` (see [`day_of`]), micro-USD.
    async fn spent(&self, day: i64) -> Result<i64, StoreError>;

    /// Whether the store answers (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens the configured store.
pub async fn open(kind: &StoreKind) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match kind {
        StoreKind::Sqlite(path) => Arc::new(sqlite::SqliteStore::open(path)?),
        StoreKind::Redis { url, prefix } => {
            Arc::new(redis::RedisStore::connect(url, prefix).await?)
        }
    })
}
