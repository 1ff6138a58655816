//! Where a running job stands: sending, queued, processing (with the server's own `progress` as
//! a determinate bar when it reports one, elapsed time against the usual time on that backend
//! otherwise), or still waiting after the limit, with what the user can do about it.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::when::{When, condition};
use crate::jobs::Jobs;
use crate::jobs::model::{Job, Phase};
use crate::jobs::naming::{clock, spoken, spoken_range};
use crate::jobs::schedule::predicted_done_at;
use crate::num::fixed;

/// Status line, elapsed time against the usual range, and the buttons of a running job.
#[component]
pub fn JobProgress(
    /// The job, as it changes.
    job: Memo<Option<Job>>,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let get = move |f: fn(&Job) -> Option<String>| job.with(|j| j.as_ref().and_then(f));
    let id = move || get(|j| Some(j.id.clone())).unwrap_or_default();
    // No memo of its own: `When` only reacts when its condition itself changes.
    let phase = move || job.with(|j| j.as_ref().map(|j| j.phase));
    let elapsed = move || job.with(|j| j.as_ref().map_or(0.0, |j| jobs.now() - j.started_at()));
    // The usual time on the job's backend, from this browser's own finished jobs there.
    let typical = Memo::new(move |_| {
        let backend = job.with(|j| j.as_ref().map(|j| j.backend.clone()));
        backend.map_or(crate::jobs::schedule::TYPICAL_MS, |b| jobs.typical(&b))
    });
    let usual = move || typical.with(|(lo, hi)| spoken_range(*lo, *hi));
    let reported = move || job.with(|j| j.as_ref().and_then(|j| j.progress));
    let queued = move || {
        job.with(|j| {
            j.as_ref()
                .is_some_and(|j| j.queued && j.phase == Phase::Processing)
        })
    };
    let left = move || {
        job.with(|j| j.as_ref().and_then(predicted_done_at))
            .map(|at| at - jobs.now())
            .filter(|ms| *ms > 1_000.0)
    };
    let scale = move || (elapsed() + 30_000.0).max(typical.get().1 * 1.2 + 10_000.0);
    let pct = move |ms: f64| format!("{}%", fixed((ms / scale() * 100.0).min(100.0), 2));
    let status = move || {
        job.with(|j| {
            let j = j.as_ref()?;
            let n = j.expected_results();
            Some(match j.phase {
                Phase::Sending => match &j.send_problem {
                    Some(why) => {
                        let wait = j.next_send_at.map_or(0.0, |t| t - jobs.now());
                        format!("Attempt {} did not get through: {why}. Trying again in {}.", j.attempts, clock(wait))
                    }
                    None => "Sending to the server…".into(),
                },
                Phase::Waiting => "Still waiting: the server has not finished after a long time, so it is no longer checked on its own.".into(),
                Phase::Processing if j.queued => "Queued: the server will start it when its turn comes.".into(),
                Phase::Processing if j.needs_details => "Looking the job up in the server's task record…".into(),
                _ if n > 1 => format!("Making {n} videos: {} of {n} ready.", j.results.len()),
                _ => "Making the video…".into(),
            })
        })
    };
    let checked = move || {
        job.with(|j| j.as_ref()?.checked_at)
            .map(|t| format!("Last checked {} ago.", spoken(jobs.now() - t)))
    };
    let over = move || elapsed() > typical.get().1;
    view! {
        <div class="ks-job__progress">
            <p class="ks-job__status">{move || status().unwrap_or_default()}</p>
            <div
                class="ks-job__bar"
                class:ks-job__bar--over=move || reported().is_none() && typical.get().1 < elapsed()
                class:ks-job__bar--determinate=move || reported().is_some()
                class:ks-job__bar--queued=queued
                role="progressbar"
                aria-label=move || String::from(if reported().is_some() { "Progress reported by the server" } else { "Time since the job was accepted" })
                aria-valuemin="0"
                aria-valuemax=move || match reported() { Some(_) => "100".to_string(), None => fixed(scale() / 1000.0, 0) }
                aria-valuenow=move || match reported() { Some(p) => p.to_string(), None => fixed(elapsed() / 1000.0, 0) }
                aria-valuetext=move || match reported() {
                    Some(p) => format!("{p}% done"),
                    None if queued() => "queued".to_string(),
                    None => format!("{} elapsed; usually {}", spoken(elapsed()), usual()),
                }
            >
                <span class="ks-job__band" style:left=move || pct(typical.get().0) style:width=move || {
                    pct(typical.get().1 - typical.get().0)
                }></span>
                <span class="ks-job__fill" style:width=move || match reported() {
                    Some(p) => format!("{p}%"),
                    None => pct(elapsed()),
                }></span>
            </div>
            <p class="ks-job__elapsed">
                <span class="ks-job__clock">{move || clock(elapsed())}</span>
                {move || match (reported(), left()) {
                    (Some(p), Some(ms)) => format!(" elapsed · {p}% done · about {} left", spoken(ms)),
                    (Some(p), None) => format!(" elapsed · {p}% done"),
                    (None, _) if queued() => " since it was accepted".to_string(),
                    (None, _) if over() => format!(" elapsed · longer than the usual {}", usual()),
                    (None, _) => format!(" elapsed · usually {}", usual()),
                }}
                {move || checked().map(|c| format!(" · {c}")).unwrap_or_default()}
            </p>
            <div class="ks-job__buttons">
                <When when=condition(move || phase() == Some(Phase::Waiting))>
                    <button type="button" class="ks-results__button ks-results__button--primary" on:click=handler(move |_| jobs.check_now(id()))>
                        "Check now"
                    </button>
                    <button type="button" class="ks-results__button" on:click=handler(move |_| jobs.keep_waiting(id()))>
                        "Keep waiting"
                    </button>
                </When>
                <When when=condition(move || phase() == Some(Phase::Sending) && get(|j| j.send_problem.clone()).is_some())>
                    <button type="button" class="ks-results__button" on:click=handler(move |_| jobs.send_now(id()))>
                        "Try now"
                    </button>
                </When>
            </div>
        </div>
    }
}
