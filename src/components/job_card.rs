//! One job: what was asked, where it stands, and what came back.

use leptos::prelude::*;

use crate::components::{
    job_actions::JobActions,
    job_error::JobError,
    job_progress::JobProgress,
    job_summary::JobSummary,
    result_grid::ResultGrid,
    when::{When, condition},
};
use crate::jobs::Jobs;
use crate::jobs::model::{Job, Phase};

/// The card of job `id`. Parts that change (phase, results, error) are separate memos, so a
/// poll that changes nothing re-renders nothing, and a playing video is never rebuilt.
#[component]
pub fn JobCard(
    /// The job's `taskUUID`.
    id: String,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let job = {
        let id = id.clone();
        Memo::new(move |_| jobs.job(&id))
    };
    let Some(first) = job.get_untracked() else {
        return ().into_any();
    };
    let phase = Memo::new(move |_| job.with(|j| j.as_ref().map_or(Phase::Failed, |j| j.phase)));
    let queued = Memo::new(move |_| job.with(|j| j.as_ref().is_some_and(|j| j.queued)));
    let results =
        Memo::new(move |_| job.with(|j| j.as_ref().map(|j| j.results.clone()).unwrap_or_default()));
    let error = Memo::new(move |_| job.with(|j| j.as_ref().and_then(|j| j.error.clone())));
    // Once some results are in, the others hold their places until they arrive.
    let pending = Signal::derive(move || {
        job.with(|j| match j {
            Some(j) if !j.phase.is_finished() => {
                j.expected_results().saturating_sub(j.results.len())
            }
            _ => 0,
        })
    });
    let poster = jobs.picture(first.thumbs.first.clone());
    let title_id = format!("ks-job-{}", first.id);
    let Job { settings, .. } = first.clone();
    let (grid_id, actions_id) = (first.id.clone(), first.id.clone());
    view! {
        <article
            class=move || format!("ks-job ks-job--{}", phase.get().slug())
            aria-labelledby=title_id.clone()
            data-task-uuid=first.id.clone()
        >
            <JobSummary job=first.clone() title_id=title_id.clone() phase queued poster />
            <When when=condition(move || !phase.get().is_finished())>
                <JobProgress job />
            </When>
            <When when=condition(move || results.with(|r| !r.is_empty()))>
                <ResultGrid id=grid_id.clone() settings=settings.clone() results poster pending />
            </When>
            {move || error.get().map(|e| view! { <JobError id=id.clone() error=e /> }.into_any())}
            <JobActions id=actions_id phase />
        </article>
    }
    .into_any()
}
