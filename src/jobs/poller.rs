//! The one poller: in the tab holding the poller lock, one request per tick carrying one
//! `getResponse` per pending job, on the schedule of [`super::schedule`].

use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::select;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use runware::{GetResponse, GetTaskDetails, Task, TaskId};

use super::engine::{Engine, Errand, POLL_TIMEOUT_MS, now};
use super::model::Phase;
use super::schedule;
use super::tabs;
use crate::config::Backend;

impl Engine {
    /// The poller: in the polling tab, one tick at a time on the polite schedule; elsewhere,
    /// asleep until woken.
    pub(super) async fn run(self: Rc<Self>) {
        loop {
            // Armed before the housekeeping, so that a poke meanwhile cuts the sleep short; a
            // poke during a tick is not needed (the next turn looks at everything anyway).
            let (wake, woken) = oneshot::channel();
            *self.wake.borrow_mut() = Some(wake);
            let at = if self.leader.get() {
                self.housekeeping().await
            } else {
                None
            };
            let now = now();
            match at {
                Some(at) if at <= now => self.tick().await,
                Some(at) => {
                    let sleep = TimeoutFuture::new((at - now).ceil().min(600_000.0) as u32);
                    select(sleep, woken).await;
                }
                None => {
                    let _ = woken.await;
                }
            }
        }
    }

    /// Marks overdue jobs as "still waiting", starts due resends, and returns when the next
    /// tick should run.
    pub(super) async fn housekeeping(self: &Rc<Self>) -> Option<f64> {
        let now = now();
        let policy = self.policy;
        let (overdue, resends) = self.signals.book.with_untracked(|b| {
            let overdue: Vec<String> = b
                .iter()
                .filter(|j| schedule::overdue(j, now, &policy))
                .map(|j| j.id.clone())
                .collect();
            (overdue, schedule::resends_due(b.iter(), now))
        });
        for id in overdue {
            self.change(&id, &mut |j| {
                j.phase = Phase::Waiting;
                true
            })
            .await;
        }
        let resends = self.with_orphans(resends, now).await;
        for id in resends {
            if !self.sending.borrow().contains(&id) {
                self.errand(Errand::Send(id));
            }
        }
        let gap = self.backoff.get().delay(&policy, self.retry_after.get());
        let sending = self.sending.borrow();
        self.signals.book.with_untracked(|b| {
            let tick = schedule::next_tick_at(b.iter(), self.last_tick.get(), gap, &policy);
            let others = || b.iter().filter(|j| !sending.contains(&j.id));
            let mut resend = schedule::next_resend_at(others()).map(|t| t.max(now + 250.0));
            // A send under way in another tab: look again soon in case that tab goes away.
            if others().any(|j| j.phase == Phase::Sending && j.sending_since.is_some()) {
                resend = Some(resend.map_or(now + 2_000.0, |t| t.min(now + 2_000.0)));
            }
            match (tick, resend) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        })
    }

    /// `due`, plus jobs waiting to be sent whose sending tab is gone (closed mid-send): they
    /// need not wait out the guard time meant for a tab that is still sending.
    pub(super) async fn with_orphans(&self, mut due: Vec<String>, now: f64) -> Vec<String> {
        let waiting: Vec<String> = self.signals.book.with_untracked(|b| {
            b.iter()
                .filter(|j| {
                    j.phase == Phase::Sending && j.sending_since.is_some_and(|t| now - t > 1_000.0)
                })
                .map(|j| j.id.clone())
                .filter(|id| !self.sending.borrow().contains(id))
                .collect()
        });
        if waiting.is_empty() {
            return due;
        }
        if let Some(busy) = tabs::sends_in_progress().await {
            due.extend(waiting.into_iter().filter(|id| !busy.contains(id)));
        }
        due
    }

    /// One tick: one request per server, holding one `getResponse` per pending job.
    pub(super) async fn tick(self: &Rc<Self>) {
        let now = now();
        self.last_tick.set(Some(now));
        let policy = self.policy;
        let due: Vec<(String, Backend)> = self.signals.book.with_untracked(|b| {
            schedule::due(b.iter(), now, &policy)
                .into_iter()
                .filter_map(|id| b.get(&id).map(|j| (id, j.backend.clone())))
                .collect()
        });
        if due.is_empty() {
            return;
        }
        self.signals.book.update(|b| {
            for (id, _) in &due {
                b.update(id, &mut |j| {
                    j.checked_at = Some(now);
                    true
                });
            }
        });
        let mut backends: Vec<Backend> = Vec::new();
        for (_, backend) in &due {
            if !backends.contains(backend) {
                backends.push(backend.clone());
            }
        }
        let (mut progressed, mut failed) = (false, None::<Option<f64>>);
        for backend in backends {
            let ids: Vec<String> = due
                .iter()
                .filter(|(_, b)| *b == backend)
                .map(|(id, _)| id.clone())
                .collect();
            match self.poll(&backend, &ids).await {
                Ok(changed) => progressed |= changed,
                Err(retry_after) => failed = Some(retry_after),
            }
        }
        let mut backoff = self.backoff.get();
        match failed {
            Some(retry_after) => {
                backoff.failed();
                self.retry_after.set(retry_after);
            }
            None if progressed => backoff.progressed(),
            None => backoff.quiet_tick(),
        }
        if failed.is_none() {
            self.retry_after.set(None);
        }
        self.backoff.set(backoff);
    }

    /// Polls `ids` at `backend`: `Ok(changed)`, or `Err(retry_after)` when the request failed.
    pub(super) async fn poll(
        self: &Rc<Self>,
        backend: &Backend,
        ids: &[String],
    ) -> Result<bool, Option<f64>> {
        // `getResponse` for each job, but `getTaskDetails` for one the response of which has
        // expired: Runware's long-term record may still hold its videos.
        let tasks: Vec<Task> = self.signals.book.with_untracked(|b| {
            ids.iter()
                .filter_map(|id| {
                    let task_uuid = TaskId::parse(id).ok()?;
                    Some(if b.get(id).is_some_and(|j| j.needs_details) {
                        Task::from(GetTaskDetails::new(task_uuid))
                    } else {
                        Task::from(GetResponse::new(task_uuid))
                    })
                })
                .collect()
        });
        let transport = self.transport(backend);
        match transport.send(&tasks, POLL_TIMEOUT_MS).await {
            Ok(reply) => {
                let changed = self.absorb(&reply, ids).await;
                // Errors naming no task concern the whole request (a wrong key, say).
                let general = reply.errors.iter().find(|e| e.task_uuid.is_none());
                match general {
                    Some(e) => {
                        self.signals.poll_problem.set(Some(format!(
                            "Checking on your jobs failed: {}: {}. Retrying; nothing is lost.",
                            e.code, e.message
                        )));
                        Err(None)
                    }
                    None => {
                        if self.signals.poll_problem.get_untracked().is_some() {
                            self.signals.poll_problem.set(None);
                        }
                        Ok(changed)
                    }
                }
            }
            Err(error) => {
                self.signals.poll_problem.set(Some(format!(
                    "Checking on your jobs: {error}. Retrying with a longer pause; nothing is lost."
                )));
                Err(error.retry_after_ms())
            }
        }
    }
}
