//! The Redis store, for several gateway instances sharing one set of limits and one budget.
//!
//! Every decision is one Lua script: Redis runs a script alone, start to end, so the checks and
//! the writes of one admission can never interleave with another's, whichever instance sent it.
//!
//! Keys (under the configured prefix `P`):
//! - `P:job:<taskUUID>`: a hash describing the job (visitor, day, reserved, seconds, results,
//!   size, include_cost, created, settled).
//! - `P:rate:<visitor>`: a sorted set of the visitor's jobs by start time (the hourly window).
//! - `P:running:<visitor>`: a sorted set of the visitor's unsettled jobs by start time.
//! - `P:spend:<day>`: spent and reserved micro-dollars of a UTC day (days since the epoch).
//! - `P:price:<size>`: the site's latest price per second at a size, micro-dollars.

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};

use super::{
    Admission, Bounds, DAY_MS, HOUR_MS, JobRecord, Millis, NewJob, Refusal, Store, StoreError,
    day_of,
};

/// How long a job's record is kept: `getTaskDetails` may come back days later.
const JOB_TTL_S: i64 = 60 * 24 * 3600;
/// How long a day's spend is kept after the day.
const SPEND_TTL_S: i64 = 8 * 24 * 3600;

const ADMIT: &str = r"
-- KEYS: job, rate, running, spend
-- ARGV: now, hour_ms, rate_limit, concurrency_limit, expiry_ms, budget, reserved,
--       visitor, day, seconds, results, size, include_cost, job_ttl_s, spend_ttl_s, task_uuid
local now = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {1, 0, 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {2, tonumber(oldest[2]) + tonumber(ARGV[2]) - now, 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then
  return {3, 0, 0}
end
local spent = tonumber(redis.call('GET', KEYS[4]) or '0')
local reserved = tonumber(ARGV[7])
if spent + reserved > tonumber(ARGV[6]) then
  return {4, 0, spent}
end
redis.call('INCRBY', KEYS[4], reserved)
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[15]))
redis.call('ZADD', KEYS[2], now, ARGV[16])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
redis.call('ZADD', KEYS[3], now, ARGV[16])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]))
redis.call('HSET', KEYS[1], 'visitor', ARGV[8], 'created', ARGV[1], 'day', ARGV[9],
  'reserved', ARGV[7], 'seconds', ARGV[10], 'results', ARGV[11], 'size', ARGV[12],
  'include_cost', ARGV[13], 'settled', '0')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[14]))
return {0, 0, 0}
";

const RELEASE: &str = r"
-- KEYS: job, rate, running, spend;  ARGV: task_uuid
if redis.call('HGET', KEYS[1], 'settled') ~= '0' then
  return 0
end
redis.call('DECRBY', KEYS[4], tonumber(redis.call('HGET', KEYS[1], 'reserved')))
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
";

const SETTLE: &str = r"
-- KEYS: job, running, spend, price;  ARGV: task_uuid, cost, price (or ''), now
if redis.call('HGET', KEYS[1], 'settled') ~= '0' then
  return 0
end
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved'))
redis.call('HSET', KEYS[1], 'settled', '1', 'cost', ARGV[2], 'settled_at', ARGV[4])
redis.call('INCRBY', KEYS[3], tonumber(ARGV[2]) - reserved)
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[4], ARGV[3])
end
return 1
";

/// The Redis store.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    admit: Script,
    release: Script,
    settle: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects (and reconnects by itself later when the connection drops).
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url)?;
        let connection = ConnectionManager::new(client).await?;
        Ok(RedisStore {
            connection,
            prefix: prefix.to_owned(),
            admit: Script::new(ADMIT),
            release: Script::new(RELEASE),
            settle: Script::new(SETTLE),
        })
    }

    fn key(&self, kind: &str, id: impl std::fmt::Display) -> String {
        format!("{}:{kind}:{id}", self.prefix)
    }
}

fn field<T: std::str::FromStr>(
    map: &std::collections::HashMap<String, String>,
    name: &str,
) -> Result<T, StoreError> {
    map.get(name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("job field {name}")))
}

#[async_trait]
impl Store for RedisStore {
    async fn admit(
        &self,
        job: &NewJob,
        bounds: &Bounds,
        now: Millis,
    ) -> Result<Admission, StoreError> {
        let day = day_of(now);
        let mut connection = self.connection.clone();
        let (outcome, retry_after_ms, spent): (i64, i64, i64) = self
            .admit
            .key(self.key("job", &job.task_uuid))
            .key(self.key("rate", &job.visitor))
            .key(self.key("running", &job.visitor))
            .key(self.key("spend", day))
            .arg(now)
            .arg(HOUR_MS)
            .arg(bounds.jobs_per_hour)
            .arg(bounds.concurrent_jobs)
            .arg(bounds.job_expiry_ms)
            .arg(bounds.daily_budget_micros)
            .arg(job.reserved_micros)
            .arg(&job.visitor)
            .arg(day)
            .arg(job.seconds)
            .arg(u32::from(job.results))
            .arg(&job.size)
            .arg(u32::from(job.include_cost))
            .arg(JOB_TTL_S)
            .arg(SPEND_TTL_S)
            .arg(&job.task_uuid)
            .invoke_async(&mut connection)
            .await?;
        Ok(match outcome {
            0 => Admission::Admitted,
            1 => match self.job(&job.task_uuid).await? {
                Some(known) => Admission::Known(known),
                // Released between the two calls: the visitor may simply try again.
                None => Admission::Refused(Refusal::Concurrency {
                    limit: bounds.concurrent_jobs,
                }),
            },
            2 => Admission::Refused(Refusal::Rate {
                limit: bounds.jobs_per_hour,
                retry_after_ms: retry_after_ms.max(1000),
            }),
            3 => Admission::Refused(Refusal::Concurrency {
                limit: bounds.concurrent_jobs,
            }),
            4 => Admission::Refused(Refusal::Budget {
                spent_micros: spent,
                retry_after_ms: (day + 1) * DAY_MS - now,
            }),
            other => return Err(StoreError::Corrupt(format!("admit answered {other}"))),
        })
    }

    async fn release(&self, task_uuid: &str) -> Result<(), StoreError> {
        // The visitor and the day never change once written, so reading them first is safe;
        // the script checks again that the job is still unsettled.
        let Some(job) = self.job(task_uuid).await? else {
            return Ok(());
        };
        let mut connection = self.connection.clone();
        let day: i64 = connection.hget(self.key("job", task_uuid), "day").await?;
        let _: i64 = self
            .release
            .key(self.key("job", task_uuid))
            .key(self.key("rate", &job.visitor))
            .key(self.key("running", &job.visitor))
            .key(self.key("spend", day))
            .arg(task_uuid)
            .invoke_async(&mut connection)
            .await?;
        Ok(())
    }

    async fn job(&self, task_uuid: &str) -> Result<Option<JobRecord>, StoreError> {
        let mut connection = self.connection.clone();
        let map: std::collections::HashMap<String, String> =
            connection.hgetall(self.key("job", task_uuid)).await?;
        if map.is_empty() {
            return Ok(None);
        }
        Ok(Some(JobRecord {
            task_uuid: task_uuid.to_owned(),
            visitor: field(&map, "visitor")?,
            created_ms: field(&map, "created")?,
            reserved_micros: field(&map, "reserved")?,
            seconds: field(&map, "seconds")?,
            results: field(&map, "results")?,
            size: field(&map, "size")?,
            include_cost: field::<u8>(&map, "include_cost")? == 1,
            settled: field::<u8>(&map, "settled")? == 1,
        }))
    }

    async fn settle(
        &self,
        task_uuid: &str,
        cost_micros: i64,
        price_micros_per_second: Option<i64>,
        now: Millis,
    ) -> Result<bool, StoreError> {
        let Some(job) = self.job(task_uuid).await? else {
            return Ok(false);
        };
        let mut connection = self.connection.clone();
        let day: i64 = connection.hget(self.key("job", task_uuid), "day").await?;
        let settled: i64 = self
            .settle
            .key(self.key("job", task_uuid))
            .key(self.key("running", &job.visitor))
            .key(self.key("spend", day))
            .key(self.key("price", &job.size))
            .arg(task_uuid)
            .arg(cost_micros)
            .arg(
                price_micros_per_second
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            )
            .arg(now)
            .invoke_async(&mut connection)
            .await?;
        Ok(settled == 1)
    }

    async fn price_per_second(&self, size: &str) -> Result<Option<i64>, StoreError> {
        let mut connection = self.connection.clone();
        Ok(connection.get(self.key("price", size)).await?)
    }

    async fn spent(&self, day: i64) -> Result<i64, StoreError> {
        let mut connection = self.connection.clone();
        let spent: Option<i64> = connection.get(self.key("spend", day)).await?;
        Ok(spent.unwrap_or(0))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let _: String = redis::cmd("PING").query_async(&mut connection).await?;
        Ok(())
    }
}
