//! The jobs held in memory: lookup by `taskUUID`, the history's order and filters, and the
//! merge that lets several tabs write the same job without losing news.

use std::cmp::Ordering;

use super::CostSample;
use super::model::{Job, Phase};

/// How many of a backend's newest finished jobs say how long its jobs usually take.
pub const TYPICAL_SAMPLES: usize = 20;

/// The history's status filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Filter {
    /// Every job.
    #[default]
    All,
    /// Sending, processing or still waiting.
    Active,
    /// Every result in.
    Done,
    /// Ended with an error.
    Failed,
}

impl crate::pick::Options for Filter {
    const OPTIONS: &'static [Filter] = &Filter::ALL;
}

impl Filter {
    /// Every filter, in the order shown.
    pub const ALL: [Filter; 4] = [Filter::All, Filter::Active, Filter::Done, Filter::Failed];

    /// The filter's label.
    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "All",
            Filter::Active => "Running",
            Filter::Done => "Done",
            Filter::Failed => "Failed",
        }
    }

    /// Whether `job` passes.
    pub fn admits(self, job: &Job) -> bool {
        match self {
            Filter::All => true,
            Filter::Active => !job.phase.is_finished(),
            Filter::Done => job.phase == Phase::Done,
            Filter::Failed => job.phase == Phase::Failed,
        }
    }
}

/// How far along a phase is; a merge never goes back.
fn rank(phase: Phase) -> u8 {
    match phase {
        Phase::Sending => 0,
        Phase::Processing | Phase::Waiting => 1,
        Phase::Done | Phase::Failed => 2,
    }
}

/// Two copies of one job, merged: the further phase wins (on a tie, `incoming`), and results
/// from both are kept, each once, with the earliest time it was seen.
pub fn merge(current: &Job, incoming: &Job) -> Job {
    let mut merged = if rank(incoming.phase) >= rank(current.phase) {
        incoming.clone()
    } else {
        current.clone()
    };
    let mut results = current.results.clone();
    for result in &incoming.results {
        match results.iter_mut().find(|known| known.same_video(result)) {
            Some(known) => known.received_at = known.received_at.min(result.received_at),
            None => results.push(result.clone()),
        }
    }
    merged.results = results;
    merged.attempts = current.attempts.max(incoming.attempts);
    merged.accepted_at = current.accepted_at.or(incoming.accepted_at);
    merged
}

/// The history's order: newest first, then by `taskUUID` (ids are unique, so the order is
/// total).
fn history_order(a: &Job, b: &Job) -> Ordering {
    b.created_at
        .total_cmp(&a.created_at)
        .then_with(|| a.id.cmp(&b.id))
}

/// Every job known to this tab, kept in the history's order.
///
/// A plain `Vec` rather than a map: the history is read in order far more often than it is
/// changed, so no sort runs at all, and the wasm carries neither a hash map nor a sort for it.
/// A lookup by id scans, which is quick at a thousand jobs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    jobs: Vec<Job>,
}

impl Book {
    /// A book of `jobs`.
    pub fn from_jobs(jobs: impl IntoIterator<Item = Job>) -> Self {
        let mut book = Book::default();
        for job in jobs {
            book.upsert(job);
        }
        book
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.jobs.iter().position(|j| j.id == id)
    }

    /// The job `id`.
    pub fn get(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Every job, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter()
    }

    /// How many jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Adds `job`, or merges it into the copy held; returns the job as now held, if that
    /// differs from before.
    pub fn upsert(&mut self, job: Job) -> Option<Job> {
        let next = match self.position(&job.id) {
            Some(i) => {
                let merged = merge(&self.jobs[i], &job);
                if merged == self.jobs[i] {
                    return None;
                }
                self.jobs.remove(i);
                merged
            }
            None => job,
        };
        let at = self
            .jobs
            .partition_point(|j| history_order(j, &next) == Ordering::Less);
        self.jobs.insert(at, next.clone());
        Some(next)
    }

    /// Replaces the job `id` through `change` (which leaves its id and creation time alone);
    /// returns `(before, after)` if it changed.
    pub fn update(
        &mut self,
        id: &str,
        change: &mut dyn FnMut(&mut Job) -> bool,
    ) -> Option<(Job, Job)> {
        let i = self.position(id)?;
        let job = &mut self.jobs[i];
        let before = job.clone();
        change(job).then(|| (before, job.clone()))
    }

    /// Removes the job `id`.
    pub fn remove(&mut self, id: &str) -> Option<Job> {
        let i = self.position(id)?;
        Some(self.jobs.remove(i))
    }

    /// The ids passing `filter`, newest first.
    pub fn ordered(&self, filter: Filter) -> Vec<String> {
        self.jobs
            .iter()
            .filter(|j| filter.admits(j))
            .map(|j| j.id.clone())
            .collect()
    }

    /// How many jobs pass each filter.
    pub fn count(&self, filter: Filter) -> usize {
        self.jobs.iter().filter(|j| filter.admits(j)).count()
    }

    /// How long jobs on `backend` took from acceptance to their last video: the newest
    /// [`TYPICAL_SAMPLES`] finished ones, newest first.
    pub fn durations_on(&self, backend: &crate::config::Backend) -> Vec<f64> {
        self.jobs
            .iter()
            .filter(|j| j.phase == Phase::Done && j.backend == *backend)
            .filter_map(|j| Some(j.finished_at? - j.accepted_at?))
            .filter(|ms| *ms > 0.0)
            .take(TYPICAL_SAMPLES)
            .collect()
    }

    /// The costs of finished jobs that reported one for every result, newest first.
    pub fn cost_samples(&self) -> Vec<CostSample> {
        self.jobs
            .iter()
            .filter(|j| j.phase == Phase::Done && j.settings.include_cost)
            .filter_map(|job| {
                let (width, height) = job.settings.size?;
                Some(CostSample {
                    width,
                    height,
                    duration_s: job.settings.duration_s,
                    results: u32::try_from(job.results.len()).ok()?,
                    cost_usd: job.total_cost()?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::model::{JobResult, JobSettings};

    fn job(id: &str, created_at: f64, phase: Phase) -> Job {
        Job {
            settings: JobSettings {
                number_results: 2,
                size: Some((1920, 1080)),
                duration_s: 5,
                include_cost: true,
                ..JobSettings::default()
            },
            phase,
            accepted_at: None,
            waiting_since: None,
            ..Job::accepted(id, created_at)
        }
    }

    fn result(n: u32, at: f64) -> JobResult {
        JobResult {
            video_uuid: Some(format!("v{n}")),
            video_url: Some(format!("https://x/v{n}.mp4")),
            seed: Some(i64::from(n)),
            cost: Some(0.25),
            nsfw: None,
            received_at: at,
        }
    }

    #[test]
    fn merging_never_goes_back_and_keeps_every_result() {
        let mut tab_a = job("a", 0.0, Phase::Processing);
        tab_a.results = vec![result(1, 10.0)];
        let mut tab_b = job("a", 0.0, Phase::Sending);
        tab_b.results = vec![result(1, 5.0), result(2, 12.0)];
        let merged = merge(&tab_a, &tab_b);
        assert_eq!(merged.phase, Phase::Processing);
        assert_eq!(merged.results.len(), 2);
        assert_eq!(merged.results[0].received_at, 5.0);
        let done = job("a", 0.0, Phase::Done);
        assert_eq!(merge(&done, &tab_a).phase, Phase::Done);
    }

    #[test]
    fn upserting_the_same_job_twice_reports_no_change() {
        let mut book = Book::default();
        assert!(book.upsert(job("a", 0.0, Phase::Sending)).is_some());
        assert!(book.upsert(job("a", 0.0, Phase::Sending)).is_none());
        assert!(book.upsert(job("a", 0.0, Phase::Processing)).is_some());
    }

    #[test]
    fn every_filter_is_listed_once() {
        crate::pick::assert_options::<Filter>();
    }

    #[test]
    fn history_is_newest_first_and_filtered() {
        let book = Book::from_jobs([
            job("old", 1.0, Phase::Done),
            job("new", 3.0, Phase::Failed),
            job("mid", 2.0, Phase::Processing),
        ]);
        assert_eq!(book.ordered(Filter::All), vec!["new", "mid", "old"]);
        assert_eq!(book.ordered(Filter::Active), vec!["mid"]);
        assert_eq!(book.ordered(Filter::Failed), vec!["new"]);
        assert_eq!(book.count(Filter::Done), 1);
    }

    #[test]
    fn a_thousand_jobs_sort_quickly() {
        let book =
            Book::from_jobs((0..1000).map(|i| job(&format!("{i:04}"), f64::from(i), Phase::Done)));
        let started = std::time::Instant::now();
        for _ in 0..100 {
            assert_eq!(book.ordered(Filter::Done).len(), 1000);
        }
        assert!(started.elapsed().as_millis() < 2_000);
    }

    #[test]
    fn cost_samples_come_from_finished_jobs_with_costs() {
        let mut done = job("a", 1.0, Phase::Done);
        done.results = vec![result(1, 1.0), result(2, 2.0)];
        let mut no_cost = done.clone();
        no_cost.id = "b".into();
        no_cost.results[1].cost = None;
        let running = job("c", 3.0, Phase::Processing);
        let samples = Book::from_jobs([done, no_cost, running]).cost_samples();
        assert_eq!(
            samples,
            vec![CostSample {
                width: 1920,
                height: 1080,
                duration_s: 5,
                results: 2,
                cost_usd: 0.5
            }]
        );
    }
}
