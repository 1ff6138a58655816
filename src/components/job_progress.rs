//! Where a running job stands: sending, processing against the usual 2–5 minutes, or still
//! waiting after the limit, with what the user can do about it.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::when::{When, condition};
use crate::jobs::Jobs;
use crate::jobs::model::{Job, Phase};
use crate::jobs::naming::{clock, spoken};
use crate::num::fixed;

/// A Kling 2.1 Pro video usually takes 2 to 5 minutes.
const TYPICAL_MS: (f64, f64) = (120_000.0, 300_000.0);

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
    let scale = move || (elapsed() + 30_000.0).max(TYPICAL_MS.1 + 60_000.0);
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
                _ if n > 1 => format!("Making {n} videos: {} of {n} ready.", j.results.len()),
                _ => "Making the video…".into(),
            })
        })
    };
    let checked = move || {
        job.with(|j| j.as_ref()?.checked_at)
            .map(|t| format!("Last checked {} ago.", spoken(jobs.now() - t)))
    };
    let over = move || elapsed() > TYPICAL_MS.1;
    view! {
        <div class="ks-job__progress">
            <p class="ks-job__status">{move || status().unwrap_or_default()}</p>
            <div
                class="ks-job__bar"
                class:ks-job__bar--over=move || TYPICAL_MS.1 < elapsed()
                role="progressbar"
                aria-label="Time since the job was accepted"
                aria-valuemin="0"
                aria-valuemax=move || fixed(scale() / 1000.0, 0)
                aria-valuenow=move || fixed(elapsed() / 1000.0, 0)
                aria-valuetext=move || format!("{} elapsed; usually 2 to 5 min", spoken(elapsed()))
            >
                <span class="ks-job__band" style:left=move || pct(TYPICAL_MS.0) style:width=move || {
                    pct(TYPICAL_MS.1 - TYPICAL_MS.0)
                }></span>
                <span class="ks-job__fill" style:width=move || pct(elapsed())></span>
            </div>
            <p class="ks-job__elapsed">
                <span class="ks-job__clock">{move || clock(elapsed())}</span>
                {move || String::from(if over() { " elapsed · longer than the usual 2–5 min" } else { " elapsed · usually 2–5 min" })}
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
