//! The SQLite store: one file, no server to run. Every decision is one `BEGIN IMMEDIATE`
//! transaction, which takes the database's write lock before it reads, so two decisions (of
//! this process or of another one on the same file) never interleave.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    Admission, Bounds, DAY_MS, HOUR_MS, JobRecord, Millis, NewJob, Refusal, Store, StoreError,
    day_of,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    task_uuid    TEXT PRIMARY KEY,
    visitor      TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    reserved     INTEGER NOT NULL,
    seconds      INTEGER NOT NULL,
    results      INTEGER NOT NULL,
    size         TEXT NOT NULL,
    include_cost INTEGER NOT NULL,
    settled_ms   INTEGER,
    cost         INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_by_visitor ON jobs (visitor, created_ms);
CREATE TABLE IF NOT EXISTS spend (day INTEGER PRIMARY KEY, micros INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS prices (
    size TEXT PRIMARY KEY,
    micros_per_second INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
";

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (and creates when missing) the database file.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let connection = Connection::open(path)?;
        // WAL lets readers go on while a decision writes; the busy timeout makes a second
        // process on the same file wait for the lock instead of failing.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(SCHEMA)?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `f` on the connection on a blocking thread.
    async fn with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = connection.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Join(e.to_string()))?
    }
}

fn read_job(row: &rusqlite::Row<'_>) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        task_uuid: row.get(0)?,
        visitor: row.get(1)?,
        created_ms: row.get(2)?,
        reserved_micros: row.get(3)?,
        seconds: row.get(4)?,
        results: row.get(5)?,
        size: row.get(6)?,
        include_cost: row.get(7)?,
        settled: row.get::<_, Option<i64>>(8)?.is_some(),
    })
}

const JOB_COLUMNS: &str =
    "task_uuid, visitor, created_ms, reserved, seconds, results, size, include_cost, settled_ms";

fn find_job(connection: &Connection, task_uuid: &str) -> Result<Option<JobRecord>, StoreError> {
    Ok(connection
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE task_uuid = ?1"),
            params![task_uuid],
            read_job,
        )
        .optional()?)
}

#[async_trait]
impl Store for SqliteStore {
    async fn admit(
        &self,
        job: &NewJob,
        bounds: &Bounds,
        now: Millis,
    ) -> Result<Admission, StoreError> {
        let job = job.clone();
        let bounds = *bounds;
        self.with(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(known) = find_job(&tx, &job.task_uuid)? {
                return Ok(Admission::Known(known));
            }
            let hour_ago = now - HOUR_MS;
            let (in_hour, oldest): (u32, Option<Millis>) = tx.query_row(
                "SELECT COUNT(*), MIN(created_ms) FROM jobs WHERE visitor = ?1 AND created_ms > ?2",
                params![job.visitor, hour_ago],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if in_hour >= bounds.jobs_per_hour {
                let retry_after_ms = oldest.map_or(HOUR_MS, |o| o + HOUR_MS - now).max(1000);
                return Ok(Admission::Refused(Refusal::Rate {
                    limit: bounds.jobs_per_hour,
                    retry_after_ms,
                }));
            }
            let running: u32 = tx.query_row(
                "SELECT COUNT(*) FROM jobs WHERE visitor = ?1 AND settled_ms IS NULL AND created_ms > ?2",
                params![job.visitor, now - bounds.job_expiry_ms],
                |row| row.get(0),
            )?;
            if running >= bounds.concurrent_jobs {
                return Ok(Admission::Refused(Refusal::Concurrency {
                    limit: bounds.concurrent_jobs,
                }));
            }
            let day = day_of(now);
            let spent: i64 = tx
                .query_row(
                    "SELECT micros FROM spend WHERE day = ?1",
                    params![day],
                    |row| row.get(0),
                )
                .optional()?
                .unwrap_or(0);
            if spent + job.reserved_micros > bounds.daily_budget_micros {
                return Ok(Admission::Refused(Refusal::Budget {
                    spent_micros: spent,
                    retry_after_ms: (day + 1) * DAY_MS - now,
                }));
            }
            tx.execute(
                "INSERT INTO jobs (task_uuid, visitor, created_ms, day, reserved, seconds, results, size, include_cost)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    job.task_uuid,
                    job.visitor,
                    now,
                    day,
                    job.reserved_micros,
                    job.seconds,
                    job.results,
                    job.size,
                    job.include_cost
                ],
            )?;
            tx.execute(
                "INSERT INTO spend (day, micros) VALUES (?1, ?2)
                 ON CONFLICT (day) DO UPDATE SET micros = micros + excluded.micros",
                params![day, job.reserved_micros],
            )?;
            tx.commit()?;
            Ok(Admission::Admitted)
        })
        .await
    }

    async fn release(&self, task_uuid: &str) -> Result<(), StoreError> {
        let task_uuid = task_uuid.to_owned();
        self.with(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT day, reserved FROM jobs WHERE task_uuid = ?1 AND settled_ms IS NULL",
                    params![task_uuid],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            if let Some((day, reserved)) = found {
                tx.execute(
                    "UPDATE spend SET micros = micros - ?2 WHERE day = ?1",
                    params![day, reserved],
                )?;
                tx.execute("DELETE FROM jobs WHERE task_uuid = ?1", params![task_uuid])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn job(&self, task_uuid: &str) -> Result<Option<JobRecord>, StoreError> {
        let task_uuid = task_uuid.to_owned();
        self.with(move |connection| find_job(connection, &task_uuid))
            .await
    }

    async fn settle(
        &self,
        task_uuid: &str,
        cost_micros: i64,
        price_micros_per_second: Option<i64>,
        now: Millis,
    ) -> Result<bool, StoreError> {
        let task_uuid = task_uuid.to_owned();
        self.with(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<(i64, i64, String)> = tx
                .query_row(
                    "SELECT day, reserved, size FROM jobs WHERE task_uuid = ?1 AND settled_ms IS NULL",
                    params![task_uuid],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((day, reserved, size)) = found else {
                return Ok(false);
            };
            tx.execute(
                "UPDATE jobs SET settled_ms = ?2, cost = ?3 WHERE task_uuid = ?1",
                params![task_uuid, now, cost_micros],
            )?;
            tx.execute(
                "UPDATE spend SET micros = micros + ?2 WHERE day = ?1",
                params![day, cost_micros - reserved],
            )?;
            if let Some(price) = price_micros_per_second {
                tx.execute(
                    "INSERT INTO prices (size, micros_per_second, updated_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (size) DO UPDATE SET micros_per_second = excluded.micros_per_second,
                     updated_ms = excluded.updated_ms",
                    params![size, price, now],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn price_per_second(&self, size: &str) -> Result<Option<i64>, StoreError> {
        let size = size.to_owned();
        self.with(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT micros_per_second FROM prices WHERE size = ?1",
                    params![size],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    async fn spent(&self, day: i64) -> Result<i64, StoreError> {
        self.with(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT micros FROM spend WHERE day = ?1",
                    params![day],
                    |row| row.get(0),
                )
                .optional()?
                .unwrap_or(0))
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with(|connection| {
            connection.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }
}
