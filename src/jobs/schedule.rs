//! When to poll and when to send again: the polite schedule, as plain arithmetic on milliseconds.
//!
//! One tick polls every pending job at once. After an initial delay (a video takes minutes, so
//! asking at once only wastes a request), the gap between ticks starts at 2 s and grows ×1.5 up
//! to 10 s while nothing changes, and drops back to 2 s when something does, since results of
//! one batch tend to land close together. Failed requests (network, 429, 5xx) back off faster and
//! further (2, 4, 8, 16, then 30 s), and a server's `Retry-After` is honoured.
//!
//! When the server reports `progress`, each job's pace gives the moment it is likely done, and a
//! tick is placed just after it (then, if the job is late, again soon and less and less often).
//! Results then show within a second or two of being ready while the ticks between stay at the
//! longest quiet gap: fewer requests and faster results than any blind backoff.

use super::model::{Job, Phase};

/// The timings of polling and sending.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Wait after acceptance before a job's first poll.
    pub initial_delay_ms: f64,
    /// Gap after a tick that saw a change.
    pub base_ms: f64,
    /// Growth of the gap per quiet tick.
    pub factor: f64,
    /// Largest gap between quiet ticks.
    pub max_ms: f64,
    /// Largest gap after failed requests.
    pub error_max_ms: f64,
    /// Smallest gap between two ticks, whatever wakes the poller.
    pub min_gap_ms: f64,
    /// How long after the moment a job is likely done it is looked at.
    pub done_margin_ms: f64,
    /// A job still processing this long after acceptance is "still waiting".
    pub wait_limit_ms: f64,
    /// Send attempts before a job that never got through fails.
    pub max_attempts: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            initial_delay_ms: 3_000.0,
            base_ms: 2_000.0,
            factor: 1.5,
            max_ms: 10_000.0,
            error_max_ms: 30_000.0,
            min_gap_ms: 1_000.0,
            done_margin_ms: 300.0,
            wait_limit_ms: 20.0 * 60_000.0,
            max_attempts: 8,
        }
    }
}

/// The poller's memory between ticks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backoff {
    /// Ticks in a row that changed nothing.
    pub quiet: u32,
    /// Requests in a row that failed.
    pub failures: u32,
}

impl Backoff {
    /// A tick brought news: back to the shortest gap.
    pub fn progressed(&mut self) {
        *self = Backoff::default();
    }

    /// A tick got an answer with nothing new.
    pub fn quiet_tick(&mut self) {
        self.quiet = self.quiet.saturating_add(1);
        self.failures = 0;
    }

    /// A tick's request failed.
    pub fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// The gap before the next tick; `retry_after_ms` is a server's `Retry-After`, if any.
    pub fn delay(&self, policy: &Policy, retry_after_ms: Option<f64>) -> f64 {
        let gap = if self.failures > 0 {
            (policy.base_ms * 2f64.powi(self.failures.saturating_sub(1).min(16) as i32))
                .min(policy.error_max_ms)
        } else {
            (policy.base_ms * policy.factor.powi(self.quiet.min(64) as i32)).min(policy.max_ms)
        };
        gap.max(retry_after_ms.unwrap_or(0.0))
            .max(policy.min_gap_ms)
    }
}

/// When `job` may first be polled.
pub fn first_poll_at(job: &Job, policy: &Policy) -> f64 {
    job.started_at() + policy.initial_delay_ms
}

/// The jobs to poll in a tick at `now`: every processing job past its initial delay.
pub fn due<'a>(jobs: impl IntoIterator<Item = &'a Job>, now: f64, policy: &Policy) -> Vec<String> {
    jobs.into_iter()
        .filter(|job| job.is_polled() && first_poll_at(job, policy) <= now)
        .map(|job| job.id.clone())
        .collect()
}

/// A Kling 2.1 Pro video usually takes 2 to 5 minutes on Runware (spec §5.7): the range shown
/// until this browser has finished jobs of its own on a backend.
pub const TYPICAL_MS: (f64, f64) = (120_000.0, 300_000.0);

/// The usual time of a job on a backend, from how long its finished jobs took there (ms): the
/// shortest and longest, widened a little when they are close (one job says little), or `None`
/// without any.
pub fn typical_range(durations: &[f64]) -> Option<(f64, f64)> {
    let lo = durations.iter().copied().reduce(f64::min)?;
    let hi = durations.iter().copied().reduce(f64::max)?;
    Some(((lo * 0.9).min(hi * 0.8), (hi * 1.1).max(lo * 1.25)))
}

/// When `job` is likely done, from the server's `progress`: the pace between the first and the
/// latest reading this tab saw, or, with one reading, the pace since acceptance (which counts
/// any time queued, so it errs late: a late guess costs nothing, the usual ticks go on).
pub fn predicted_done_at(job: &Job) -> Option<f64> {
    let ((t0, p0), (t1, p1)) = job.progress_span?;
    if p1 >= 100 {
        return Some(t1);
    }
    let per_ms = if p1 > p0 && t1 > t0 {
        f64::from(p1 - p0) / (t1 - t0)
    } else {
        let since = t1 - job.started_at();
        if p1 == 0 || since <= 0.0 {
            return None;
        }
        f64::from(p1) / since
    };
    Some(t1 + f64::from(100 - p1) / per_ms)
}

/// When `job` itself wants the next look, given the last tick and the quiet gap.
fn wanted_at(job: &Job, last_tick_at: Option<f64>, gap_ms: f64, policy: &Policy) -> f64 {
    let first = first_poll_at(job, policy);
    let usual = match (last_tick_at, job.checked_at) {
        // Never polled yet: its own first moment.
        (_, None) | (None, Some(_)) => first,
        (Some(last), Some(_)) => (last + gap_ms).max(first),
    };
    let (Some(done_at), Some(last)) = (predicted_done_at(job), last_tick_at) else {
        return usual;
    };
    // Just after the moment it should be done; if it was not, again soon, then less and less
    // often, up to the usual gap.
    let likely = if last < done_at {
        done_at + policy.done_margin_ms
    } else {
        last + ((last - done_at) / 2.0).clamp(policy.min_gap_ms, gap_ms)
    };
    usual.min(likely.max(first))
}

/// When the next tick should run: the earliest moment a pending job wants a look (see
/// [`wanted_at`]): the backoff gap after the last tick, or just after a job is likely done, or a
/// job's first moment (a new job should not wait for a long gap to end). `None` when nothing is
/// pending.
///
/// While every pending job reports `progress`, the gap is the longest quiet one: the likely
/// moments bring the results, and the ticks between only refresh the pace.
pub fn next_tick_at<'a>(
    jobs: impl IntoIterator<Item = &'a Job>,
    last_tick_at: Option<f64>,
    gap_ms: f64,
    policy: &Policy,
) -> Option<f64> {
    let pending: Vec<&Job> = jobs.into_iter().filter(|job| job.is_polled()).collect();
    let all_predicted = pending.iter().all(|j| predicted_done_at(j).is_some());
    let gap = if all_predicted {
        gap_ms.max(policy.max_ms)
    } else {
        gap_ms
    };
    let next = pending
        .iter()
        .map(|job| wanted_at(job, last_tick_at, gap, policy))
        .reduce(f64::min);
    let floor = last_tick_at.map_or(0.0, |last| last + policy.min_gap_ms);
    next.map(|n| n.max(floor))
}

/// Whether a processing job has waited past the limit and should become "still waiting": only
/// once it has been asked about after the limit passed, so a job that finished while the tab
/// was closed is found finished rather than given up on.
pub fn overdue(job: &Job, now: f64, policy: &Policy) -> bool {
    let since = job.waiting_since.unwrap_or_else(|| job.started_at());
    job.phase == Phase::Processing
        && now - since >= policy.wait_limit_ms
        && job
            .checked_at
            .is_some_and(|checked| checked - since >= policy.wait_limit_ms)
}

/// The wait before send attempt number `attempts + 1`, after `attempts` failed ones.
pub fn resend_delay(attempts: u32, policy: &Policy) -> f64 {
    (policy.base_ms * 2f64.powi(attempts.saturating_sub(1).min(16) as i32)).min(60_000.0)
}

/// The jobs whose next send attempt is due at `now`.
pub fn resends_due<'a>(jobs: impl IntoIterator<Item = &'a Job>, now: f64) -> Vec<String> {
    jobs.into_iter()
        .filter(|job| job.phase == Phase::Sending && job.next_send_at.is_some_and(|t| t <= now))
        .map(|job| job.id.clone())
        .collect()
}

/// The earliest pending resend.
pub fn next_resend_at<'a>(jobs: impl IntoIterator<Item = &'a Job>) -> Option<f64> {
    jobs.into_iter()
        .filter(|job| job.phase == Phase::Sending)
        .filter_map(|job| job.next_send_at)
        .reduce(f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, accepted_at: f64) -> Job {
        Job::accepted(id, accepted_at)
    }

    #[test]
    fn the_usual_time_comes_from_the_backends_own_jobs() {
        assert_eq!(typical_range(&[]), None);
        let (lo, hi) = typical_range(&[10_000.0]).expect("a range");
        assert!(lo < 10_000.0 && hi > 10_000.0, "{lo}..{hi}");
        let (lo, hi) = typical_range(&[8_000.0, 12_000.0, 9_500.0]).expect("a range");
        assert!(
            (lo - 7_200.0).abs() < 1e-6 && (hi - 13_200.0).abs() < 1e-6,
            "{lo}..{hi}"
        );
    }

    #[test]
    fn quiet_ticks_grow_to_ten_seconds_and_progress_resets() {
        let p = Policy::default();
        let mut b = Backoff::default();
        let mut gaps = vec![b.delay(&p, None)];
        for _ in 0..6 {
            b.quiet_tick();
            gaps.push(b.delay(&p, None));
        }
        assert_eq!(
            gaps,
            vec![2000.0, 3000.0, 4500.0, 6750.0, 10000.0, 10000.0, 10000.0]
        );
        b.progressed();
        assert_eq!(b.delay(&p, None), 2000.0);
    }

    #[test]
    fn failures_back_off_to_thirty_seconds_and_honour_retry_after() {
        let p = Policy::default();
        let mut b = Backoff::default();
        let mut gaps = vec![];
        for _ in 0..6 {
            b.failed();
            gaps.push(b.delay(&p, None));
        }
        assert_eq!(
            gaps,
            vec![2000.0, 4000.0, 8000.0, 16000.0, 30000.0, 30000.0]
        );
        assert_eq!(b.delay(&p, Some(45_000.0)), 45_000.0);
        b.quiet_tick();
        assert_eq!(b.failures, 0);
    }

    #[test]
    fn new_jobs_wait_the_initial_delay_then_join_the_batch() {
        let p = Policy::default();
        let a = job("a", 0.0);
        assert!(due([&a], 2_999.0, &p).is_empty());
        assert_eq!(due([&a], 3_000.0, &p), vec!["a".to_string()]);
        assert_eq!(next_tick_at([&a], None, 2_000.0, &p), Some(3_000.0));

        let mut polled = job("b", 0.0);
        polled.checked_at = Some(5_000.0);
        let fresh = job("c", 6_000.0);
        // b alone would wait out a 10 s gap; c comes due at 9 s and pulls the tick forward.
        assert_eq!(
            next_tick_at([&polled], Some(5_000.0), 10_000.0, &p),
            Some(15_000.0)
        );
        assert_eq!(
            next_tick_at([&polled, &fresh], Some(5_000.0), 10_000.0, &p),
            Some(9_000.0)
        );
        let done = Job {
            phase: Phase::Done,
            ..job("d", 0.0)
        };
        assert_eq!(next_tick_at([&done], None, 2_000.0, &p), None);
    }

    #[test]
    fn ticks_never_come_closer_than_the_minimum_gap() {
        let p = Policy::default();
        let fresh = job("a", 0.0);
        assert_eq!(
            next_tick_at([&fresh], Some(2_900.0), 2_000.0, &p),
            Some(3_900.0)
        );
    }

    #[test]
    fn jobs_become_still_waiting_after_the_limit_and_one_more_look() {
        let p = Policy::default();
        let mut j = job("a", 0.0);
        j.checked_at = Some(p.wait_limit_ms - 5_000.0);
        assert!(!overdue(&j, p.wait_limit_ms - 1.0, &p));
        // Past the limit, but not asked about since: one more poll first.
        assert!(!overdue(&j, p.wait_limit_ms, &p));
        j.checked_at = Some(p.wait_limit_ms + 2_000.0);
        assert!(overdue(&j, p.wait_limit_ms + 3_000.0, &p));
    }

    #[test]
    fn resends_back_off() {
        let p = Policy::default();
        let gaps: Vec<f64> = (1..=7).map(|n| resend_delay(n, &p)).collect();
        assert_eq!(
            gaps,
            vec![2000.0, 4000.0, 8000.0, 16000.0, 32000.0, 60000.0, 60000.0]
        );
    }

    /// Ten jobs due over 30–90 s that report `progress` as the simulator does (queued for the
    /// first 1.5 s, then the whole percent of the time elapsed): polled on this schedule, their
    /// results are seen soon after they are ready, at few requests per minute.
    #[test]
    fn progress_places_the_ticks_where_the_results_are() {
        let p = Policy::default();
        let start = |i: usize| i as f64 * 700.0;
        let total = |i: usize| 30_000.0 + i as f64 * 6_666.0;
        let queued_ms = 1_500.0;
        let mut jobs: Vec<Job> = (0..10).map(|i| job(&i.to_string(), start(i))).collect();
        let mut seen_late = Vec::new();
        let mut backoff = Backoff::default();
        let (mut now, mut last, mut requests) = (0.0, None, 0u32);
        while let Some(at) = next_tick_at(&jobs, last, backoff.delay(&p, None), &p) {
            now = at;
            let ids = due(&jobs, now, &p);
            requests += 1;
            let mut news = false;
            for job in jobs.iter_mut().filter(|j| ids.contains(&j.id)) {
                job.checked_at = Some(now);
                let i: usize = job.id.parse().expect("index");
                let running = now - start(i) - queued_ms;
                let ready_at = start(i) + queued_ms + total(i);
                if now >= ready_at {
                    job.phase = Phase::Done;
                    seen_late.push(now - ready_at);
                    news = true;
                } else if running > 0.0 {
                    let value = (running / total(i) * 100.0).floor() as u8;
                    job.progress = Some(value);
                    job.progress_span = Some(match job.progress_span {
                        Some((first, _)) => (first, (now, value)),
                        None => ((now, value), (now, value)),
                    });
                }
            }
            if news {
                backoff.progressed();
            } else {
                backoff.quiet_tick();
            }
            last = Some(now);
        }
        seen_late.sort_by(f64::total_cmp);
        let p90 = seen_late[(seen_late.len() * 9).div_ceil(10) - 1];
        let per_minute = f64::from(requests) / (now / 60_000.0);
        assert_eq!(seen_late.len(), 10);
        assert!(p90 <= 3_000.0, "p90 {p90} ms after ready: {seen_late:?}");
        assert!(per_minute <= 15.0, "{per_minute} requests per minute");
    }

    /// Ten jobs of 2–5 minutes, polled on this schedule: the request rate stays far below the
    /// 300 per minute of polling each job every 2 s.
    #[test]
    fn ten_jobs_in_flight_cost_few_requests() {
        let p = Policy::default();
        let mut jobs: Vec<Job> = (0..10)
            .map(|i| job(&i.to_string(), i as f64 * 500.0))
            .collect();
        let ready: Vec<f64> = (0..10).map(|i| 120_000.0 + i as f64 * 20_000.0).collect();
        let mut backoff = Backoff::default();
        let (mut now, mut last, mut requests) = (0.0, None, 0u32);
        while let Some(at) = next_tick_at(&jobs, last, backoff.delay(&p, None), &p) {
            now = at;
            let ids = due(&jobs, now, &p);
            requests += 1;
            let mut changed = false;
            for job in jobs.iter_mut().filter(|j| ids.contains(&j.id)) {
                job.checked_at = Some(now);
                let i: usize = job.id.parse().expect("index");
                if ready[i] <= now {
                    job.phase = Phase::Done;
                    changed = true;
                }
            }
            if changed {
                backoff.progressed();
            } else {
                backoff.quiet_tick();
            }
            last = Some(now);
        }
        let per_minute = f64::from(requests) / (now / 60_000.0);
        assert!(per_minute <= 15.0, "{per_minute} requests per minute");
    }
}
