//! Replies applied to jobs: the `runware` fold does the reading, this module only records what
//! it concluded in the journal's terms.

use runware::reply::{Item, Reply, TaskProgress, TaskState};
use runware::{ApiError, ErrorCode, NumberResults};

use super::model::{Job, JobResult, Phase};

/// How long after acceptance a `taskFailedOrNotFound` is taken for a server that has not
/// registered the task yet rather than for a verdict (ms).
pub const NOT_FOUND_GRACE_MS: f64 = 60_000.0;

/// The fold of `job`'s replies so far, rebuilt from the results it already holds.
fn progress_of(job: &Job) -> TaskProgress {
    let n = NumberResults::new(job.settings.number_results).unwrap_or_default();
    let mut progress = TaskProgress::new(job.id.clone(), n);
    let known: Vec<Item> = job
        .results
        .iter()
        .map(|r| Item::Video(r.to_video(&job.id)))
        .collect();
    progress.observe(&Reply::success(known));
    progress
}

/// Applies one reply (a poll answer, a `getTaskDetails` answer, or a result the server pushed)
/// to `job`; returns whether anything changed. Items and errors about other tasks are ignored.
///
/// A `taskFailedOrNotFound` for a job the server accepted is not taken at its word: the job is
/// asked about with `getTaskDetails` next, whose long-term record may still hold its videos (the
/// response expired, the tab was away for days). When that does not know it either, the job is
/// lost, unless it was accepted less than [`NOT_FOUND_GRACE_MS`] ago: then the server may not
/// have registered it yet, and `getResponse` is asked again.
pub fn apply(job: &mut Job, reply: &Reply, now: f64) -> bool {
    if job.phase.is_finished() {
        return false;
    }
    let id = job.id.clone();
    if let Some(response) = details_of(reply, &id) {
        return apply_details(job, response, now);
    }
    let mentioned = reply.items_for(&job.id).next().is_some();
    let codes: Vec<&ErrorCode> = reply.errors_for(&job.id).map(|e| &e.code).collect();
    let not_found_only =
        !codes.is_empty() && codes.iter().all(|c| **c == ErrorCode::TaskFailedOrNotFound);
    if !mentioned && not_found_only {
        let early = job.accepted_at.is_none_or(|t| now - t < NOT_FOUND_GRACE_MS);
        if !job.needs_details {
            job.needs_details = true;
        } else if early {
            job.needs_details = false;
        } else {
            finish(job, Phase::Failed, Some(lost(&job.id)), now);
        }
        return true;
    }
    fold_into(job, reply, now)
}

/// The `response` of a `getTaskDetails` answer about task `id`.
fn details_of<'a>(reply: &'a Reply, id: &'a str) -> Option<&'a Reply> {
    reply.items_for(id).find_map(|item| match item {
        Item::TaskDetails { response, .. } => Some(response),
        _ => None,
    })
}

/// Applies the task's response as `getTaskDetails` recorded it. A record without a response
/// about the task yet says nothing new: `getResponse` is asked again at the next tick.
fn apply_details(job: &mut Job, response: &Reply, now: f64) -> bool {
    let about = response.items_for(&job.id).next().is_some()
        || response.errors_for(&job.id).next().is_some();
    if !about {
        job.needs_details = false;
        return true;
    }
    fold_into(job, response, now)
}

/// The error a job ends with when neither `getResponse` nor `getTaskDetails` knows it.
fn lost(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::TaskFailedOrNotFound,
        format!(
            "The server no longer knows this job: neither getResponse nor getTaskDetails found \
             task {id}, so its videos cannot be fetched."
        ),
    )
    .with_task_uuid(id)
}

/// Folds `reply` into `job`: new results, the end of the job, and the server's `progress` and
/// queue state. Returns whether anything changed.
fn fold_into(job: &mut Job, reply: &Reply, now: f64) -> bool {
    let mentioned = reply.items_for(&job.id).next().is_some();
    let mut progress = progress_of(job);
    progress.observe(reply);
    let mut changed = false;
    for video in progress.results() {
        let result = JobResult::from_video(video, now);
        if !job.results.iter().any(|known| known.same_video(&result)) {
            job.results.push(result);
            changed = true;
        }
    }
    if job.phase == Phase::Sending && (mentioned || changed) {
        accept(job, now);
        changed = true;
    }
    match progress.state() {
        TaskState::Processing {
            progress: reported,
            queued,
            ..
        } => {
            if mentioned {
                // A queued task's progress (0, if any) says nothing of its pace.
                if let Some(value) = reported.filter(|_| !queued)
                    && job.progress != Some(value)
                {
                    job.progress = Some(value);
                    job.progress_span = Some(match job.progress_span {
                        Some((first, _)) => (first, (now, value)),
                        None => ((now, value), (now, value)),
                    });
                    changed = true;
                }
                if job.queued != queued {
                    job.queued = queued;
                    changed = true;
                }
            }
        }
        TaskState::Done { .. } => {
            finish(job, Phase::Done, None, now);
            changed = true;
        }
        TaskState::Failed { error } => {
            finish(job, Phase::Failed, Some(*error), now);
            changed = true;
        }
    }
    if changed && job.phase == Phase::Waiting {
        // News for a job that was given up on: follow it again, with a fresh limit.
        job.phase = Phase::Processing;
        job.waiting_since = Some(now);
    }
    changed
}

/// Whether going from `before` to `after` is news for the poller's pace: a result, an end, a
/// phase. The server's `progress` moving on is not: it is expected at every look.
pub fn is_news(before: &Job, after: &Job) -> bool {
    before.phase != after.phase || before.results.len() != after.results.len()
}

/// Marks `job` as acknowledged by the server.
pub fn accept(job: &mut Job, now: f64) {
    if job.phase == Phase::Sending {
        job.phase = Phase::Processing;
    }
    job.accepted_at.get_or_insert(now);
    job.waiting_since.get_or_insert(now);
    job.next_send_at = None;
    job.send_problem = None;
}

/// Ends `job`.
pub fn finish(job: &mut Job, phase: Phase, error: Option<ApiError>, now: f64) {
    job.phase = phase;
    job.queued = false;
    job.needs_details = false;
    job.error = error;
    job.finished_at = Some(now);
    job.next_send_at = None;
}

/// What the answer to a submission says about the job.
#[derive(Clone, Debug, PartialEq)]
pub enum Submitted {
    /// The server has the task.
    Accepted,
    /// The server refused it, for this reason.
    Refused(Box<ApiError>),
    /// The answer does not say: send again later.
    Unclear,
}

/// Reads the answer to the submission of `job` (a request holding this one task).
///
/// A `conflictTaskUUID` on a *second* attempt means the first one did arrive although its
/// answer was lost, so the job is accepted rather than failed. Errors without a `taskUUID` are
/// this task's, since the request held nothing else.
pub fn read_submission(job: &Job, reply: &Reply) -> Submitted {
    let error = reply
        .errors_for(&job.id)
        .next()
        .or_else(|| reply.errors.iter().find(|e| e.task_uuid.is_none()));
    if let Some(error) = error {
        return if error.code == ErrorCode::ConflictTaskUuid && job.attempts > 1 {
            Submitted::Accepted
        } else {
            Submitted::Refused(Box::new(error.clone()))
        };
    }
    if reply.items_for(&job.id).next().is_some() {
        Submitted::Accepted
    } else {
        Submitted::Unclear
    }
}

/// The sentence announced when `before` became `after`, if the change is worth announcing.
pub fn announcement(before: &Job, after: &Job) -> Option<String> {
    let name = after
        .settings
        .prompt
        .as_deref()
        .map(|p| format!("“{}”", super::naming::shorten(p, 40)))
        .unwrap_or_else(|| "Untitled video".to_owned());
    let n = after.expected_results();
    match (before.phase, after.phase) {
        (a, b) if a == b && after.results.len() > before.results.len() && n > 1 => Some(format!(
            "{name}: video {} of {n} is ready.",
            after.results.len()
        )),
        (a, b) if a == b => None,
        (_, Phase::Processing) if before.phase == Phase::Sending => {
            Some(format!("{name}: accepted, now processing."))
        }
        (_, Phase::Processing) => Some(format!("{name}: processing again.")),
        (_, Phase::Done) if n > 1 => Some(format!("{name}: all {n} videos are ready.")),
        (_, Phase::Done) => Some(format!("{name}: the video is ready.")),
        (_, Phase::Failed) => {
            let why = after
                .error
                .as_ref()
                .map(|e| format!(" {}: {}", e.code, e.message))
                .unwrap_or_default();
            Some(format!("{name}: failed.{why}"))
        }
        (_, Phase::Waiting) => Some(format!(
            "{name}: still waiting after a long time; you can check again."
        )),
        (_, Phase::Sending) => Some(format!("{name}: sending.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::model::JobSettings;
    use runware::reply::decode;

    const ID: &str = "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";

    fn job(results: u8) -> Job {
        Job {
            settings: JobSettings {
                number_results: results,
                prompt: Some("A cat".into()),
                ..JobSettings::default()
            },
            ..Job::accepted(ID, 0.0)
        }
    }

    fn video(n: u32) -> String {
        format!(
            r#"{{"taskType":"videoInference","taskUUID":"{ID}","status":"success","videoUUID":"v{n}","videoURL":"https://x/v{n}.mp4","seed":{n},"cost":0.5}}"#
        )
    }

    fn reply(items: &[String]) -> Reply {
        decode(format!(r#"{{"data":[{}]}}"#, items.join(",")).as_bytes()).expect("a reply")
    }

    #[test]
    fn results_arrive_one_by_one_and_the_job_ends_when_all_are_in() {
        let processing =
            format!(r#"{{"taskType":"videoInference","taskUUID":"{ID}","status":"processing"}}"#);
        let mut j = job(2);
        assert!(!apply(
            &mut j,
            &reply(&[processing.clone(), processing.clone()]),
            10.0
        ));
        assert!(apply(&mut j, &reply(&[video(1), processing]), 20.0));
        assert_eq!((j.phase, j.results.len()), (Phase::Processing, 1));
        // The full state again: nothing new.
        assert!(!apply(&mut j, &reply(&[video(1)]), 25.0));
        // A pushed result alone.
        assert!(apply(&mut j, &reply(&[video(2)]), 30.0));
        assert_eq!((j.phase, j.results.len()), (Phase::Done, 2));
        assert_eq!(j.finished_at, Some(30.0));
        assert_eq!(j.total_cost(), Some(1.0));
        assert_eq!(j.results[0].received_at, 20.0);
        assert!(
            !apply(&mut j, &reply(&[video(3)]), 40.0),
            "a finished job stays finished"
        );
    }

    #[test]
    fn an_error_ends_the_job_with_its_code() {
        let mut j = job(1);
        let body = format!(
            r#"{{"errors":[{{"code":"timeoutProvider","message":"upstream timed out","taskUUID":"{ID}","status":"error"}}]}}"#
        );
        assert!(apply(&mut j, &decode(body.as_bytes()).expect("reply"), 5.0));
        assert_eq!(j.phase, Phase::Failed);
        let error = j.error.as_ref().expect("an error");
        assert_eq!(error.code, ErrorCode::TimeoutProvider);
        assert_eq!(error.message, "upstream timed out");
    }

    #[test]
    fn not_found_is_looked_up_in_the_task_record_before_the_job_is_lost() {
        let body = format!(
            r#"{{"errors":[{{"code":"taskFailedOrNotFound","message":"no such task","taskUUID":"{ID}"}}]}}"#
        );
        let r = decode(body.as_bytes()).expect("reply");
        let details_not_found = body.replace(r#""code""#, r#""taskType":"getTaskDetails","code""#);
        let d = decode(details_not_found.as_bytes()).expect("reply");
        let mut j = job(1);
        // Asked about with getTaskDetails next; when that does not know it either so soon after
        // acceptance, with getResponse again: the server may not have registered it yet.
        assert!(apply(&mut j, &r, 5_000.0));
        assert_eq!((j.phase, j.needs_details), (Phase::Processing, true));
        assert!(apply(&mut j, &d, 6_000.0));
        assert_eq!((j.phase, j.needs_details), (Phase::Processing, false));
        // Past the grace time: neither knows it, so it is lost, with the task named.
        assert!(apply(&mut j, &r, NOT_FOUND_GRACE_MS + 1.0));
        assert!(j.needs_details);
        assert!(apply(&mut j, &d, NOT_FOUND_GRACE_MS + 3_000.0));
        assert_eq!(j.phase, Phase::Failed);
        let error = j.error.as_ref().expect("an error");
        assert_eq!(error.code, ErrorCode::TaskFailedOrNotFound);
        assert!(error.message.contains(ID), "{}", error.message);
        assert!(!j.needs_details);
    }

    #[test]
    fn task_details_recover_the_videos_of_an_expired_response() {
        let mut j = job(2);
        j.needs_details = true;
        let details = |items: &str| {
            decode(
                format!(
                    r#"{{"data":[{{"taskType":"getTaskDetails","taskUUID":"{ID}","request":{{"taskType":"videoInference"}},"response":{{"data":[{items}]}}}}]}}"#
                )
                .as_bytes(),
            )
            .expect("reply")
        };
        // A record without a response yet: getResponse is asked again.
        assert!(apply(&mut j, &details(""), 1.0));
        assert!(!j.needs_details);
        j.needs_details = true;
        assert!(apply(
            &mut j,
            &details(&format!("{},{}", video(1), video(2))),
            2.0
        ));
        assert_eq!((j.phase, j.results.len()), (Phase::Done, 2));
        assert!(!j.needs_details);
    }

    #[test]
    fn progress_and_the_queue_are_followed() {
        let item = |status: &str, progress: Option<u8>| {
            let progress = progress
                .map(|p| format!(r#","progress":{p}"#))
                .unwrap_or_default();
            format!(
                r#"{{"taskType":"videoInference","taskUUID":"{ID}","status":"{status}"{progress}}}"#
            )
        };
        let mut j = job(1);
        assert!(apply(&mut j, &reply(&[item("queued", None)]), 1_000.0));
        assert!(j.queued && j.progress.is_none());
        assert!(!apply(&mut j, &reply(&[item("queued", None)]), 2_000.0));
        assert!(apply(
            &mut j,
            &reply(&[item("processing", Some(10))]),
            3_000.0
        ));
        assert!(!j.queued);
        assert_eq!(j.progress, Some(10));
        let before = j.clone();
        assert!(apply(
            &mut j,
            &reply(&[item("processing", Some(40))]),
            6_000.0
        ));
        assert_eq!(j.progress_span, Some(((3_000.0, 10), (6_000.0, 40))));
        assert!(!is_news(&before, &j), "progress alone is not news");
        assert!(apply(&mut j, &reply(&[video(1)]), 9_000.0));
        assert!(is_news(&before, &j));
    }

    #[test]
    fn errors_inside_data_end_the_job_like_any_other() {
        let mut j = job(1);
        let body = format!(
            r#"{{"data":[{{"taskType":"videoInference","taskUUID":"{ID}","status":"error","error":{{"code":"timeoutProvider","message":"upstream timed out"}}}}]}}"#
        );
        assert!(apply(&mut j, &decode(body.as_bytes()).expect("reply"), 5.0));
        assert_eq!(j.phase, Phase::Failed);
        assert_eq!(
            j.error.as_ref().map(|e| e.code.clone()),
            Some(ErrorCode::TimeoutProvider)
        );
    }

    #[test]
    fn other_tasks_are_ignored() {
        let other = video(1).replace(ID, "11111111-2222-4333-8444-555555555555");
        let mut j = job(1);
        assert!(!apply(&mut j, &reply(&[other]), 5.0));
    }

    #[test]
    fn news_wakes_a_job_that_was_given_up_on() {
        let mut j = job(2);
        j.phase = Phase::Waiting;
        assert!(apply(&mut j, &reply(&[video(1)]), 99.0));
        assert_eq!(j.phase, Phase::Processing);
        assert_eq!(j.waiting_since, Some(99.0));
    }

    #[test]
    fn submissions_are_read_with_resends_in_mind() {
        let mut j = job(1);
        j.phase = Phase::Sending;
        let ack = reply(&[format!(
            r#"{{"taskType":"videoInference","taskUUID":"{ID}"}}"#
        )]);
        assert_eq!(read_submission(&j, &ack), Submitted::Accepted);
        assert_eq!(read_submission(&j, &Reply::default()), Submitted::Unclear);
        let conflict = decode(
            format!(
                r#"{{"errors":[{{"code":"conflictTaskUUID","message":"used","taskUUID":"{ID}"}}]}}"#
            )
            .as_bytes(),
        )
        .expect("reply");
        assert!(matches!(
            read_submission(&j, &conflict),
            Submitted::Refused(_)
        ));
        j.attempts = 2;
        assert_eq!(read_submission(&j, &conflict), Submitted::Accepted);
        let credits = decode(br#"{"errors":[{"code":"insufficientCredits","message":"top up"}]}"#)
            .expect("r");
        assert!(
            matches!(read_submission(&j, &credits), Submitted::Refused(e) if e.code == ErrorCode::InsufficientCredits)
        );
    }

    #[test]
    fn a_late_acknowledgement_accepts_a_job_still_sending() {
        let mut j = job(1);
        j.phase = Phase::Sending;
        j.accepted_at = None;
        let ack = reply(&[format!(
            r#"{{"taskType":"videoInference","taskUUID":"{ID}"}}"#
        )]);
        assert!(apply(&mut j, &ack, 7.0));
        assert_eq!((j.phase, j.accepted_at), (Phase::Processing, Some(7.0)));
    }

    #[test]
    fn changes_are_announced_in_words() {
        let before = job(3);
        let mut after = before.clone();
        after.results.push(JobResult::from_video(
            &reply(&[video(1)]).videos().next().expect("video").clone(),
            1.0,
        ));
        assert_eq!(
            announcement(&before, &after).as_deref(),
            Some("“A cat”: video 1 of 3 is ready.")
        );
        after.phase = Phase::Failed;
        after.error = Some(ApiError::new(ErrorCode::TimeoutProvider, "too slow"));
        assert_eq!(
            announcement(&before, &after).as_deref(),
            Some("“A cat”: failed. timeoutProvider: too slow")
        );
        assert_eq!(announcement(&before, &before), None);
    }
}
