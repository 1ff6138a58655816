//! Sending a job: journaled first, then sent, then sent again with backoff until the server
//! has it (a resend that meets `conflictTaskUUID` means the first one arrived).

use std::rc::Rc;

use leptos::prelude::*;
use runware::{ApiError, ErrorCode, Task, VideoInference};
use wasm_bindgen_futures::spawn_local;

use super::engine::{Engine, SEND_TIMEOUT_MS, now};
use super::frames::{self, Blob};
use super::model::{Job, JobSettings, Phase, Thumbs};
use super::progress::{self, Submitted};
use super::schedule;
use super::tabs::{self, Note};
use super::{NewJob, naming};
use crate::transport::TransportError;

impl Engine {
    /// Journals a new job, shows it, and sends it.
    pub fn submit(self: &Rc<Self>, job: NewJob, retry_of: Option<String>) {
        let request = job.request.clone();
        let id = request.task_uuid.to_string();
        let (record, blobs) = self.record(job, retry_of);
        self.show(&record, "sending");
        // Taken before any other tab hears of the job, so none of them sends it too.
        let lock = tabs::sending(&id);
        let this = self.clone();
        spawn_local(async move {
            // Journaled first: a tab closed while sending loses nothing.
            this.persist(std::slice::from_ref(&record), &blobs).await;
            this.send(id, Some(request)).await;
            drop(lock);
        });
    }

    /// Journals a job the server has already accepted without being asked to run it (a dry
    /// run it did not honour), so that its videos are followed and kept like any other's.
    pub async fn adopt(self: &Rc<Self>, job: NewJob) {
        let (mut record, blobs) = self.record(job, None);
        progress::accept(&mut record, now());
        record.attempts = 1;
        record.sending_since = None;
        self.show(&record, "the server ran it, so it is followed here");
        self.persist(std::slice::from_ref(&record), &blobs).await;
        self.tell(&Note::Wake);
        self.poke();
    }

    /// The journal record of a new job, and the pictures it stores.
    fn record(&self, job: NewJob, retry_of: Option<String>) -> (Job, Vec<Blob>) {
        let now = now();
        let request = job.request;
        // Written as text and read back rather than `to_value`: the same writer as the request
        // on the wire.
        let mut stored = serde_json::to_string(&request)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let mut blobs = frames::strip(&mut stored);
        let mut thumbs = Thumbs::default();
        for (slot, thumb) in [
            (&mut thumbs.first, job.first_frame_thumb),
            (&mut thumbs.last, job.last_frame_thumb),
        ] {
            if let Some(value) = thumb {
                let blob = Blob::of(value);
                *slot = Some(blob.key.clone());
                self.remember(blob.clone());
                blobs.push(blob);
            }
        }
        let record = Job {
            id: request.task_uuid.to_string(),
            created_at: now,
            backend: self.settings.backend.get_untracked(),
            request: stored,
            settings: JobSettings::of(&request),
            thumbs,
            phase: Phase::Sending,
            results: Vec::new(),
            error: None,
            accepted_at: None,
            finished_at: None,
            checked_at: None,
            attempts: 0,
            // Other tabs leave it alone while this one sends it.
            next_send_at: Some(now + f64::from(SEND_TIMEOUT_MS) + 5_000.0),
            sending_since: Some(now),
            progress: None,
            queued: false,
            needs_details: false,
            progress_span: None,
            send_problem: None,
            retry_of,
            waiting_since: None,
        };
        (record, blobs)
    }

    /// Shows a new job and says what is happening to it.
    fn show(&self, record: &Job, what: &str) {
        self.signals.book.update(|b| {
            b.upsert(record.clone());
        });
        self.announce(format!(
            "{}: {what}.",
            record
                .settings
                .prompt
                .as_deref()
                .map(|p| format!("“{}”", naming::shorten(p, 40)))
                .unwrap_or_else(|| "Untitled video".into())
        ));
    }

    /// The full request of `job`, its frames read back from the journal.
    pub(super) async fn full_request(&self, job: &Job) -> Result<VideoInference, String> {
        let mut value = job.request.clone();
        // Frames are read for this request only: megabytes are not worth keeping in memory.
        let mut found: Vec<Blob> = Vec::new();
        if let Some(store) = self.store().await {
            for key in frames::references(&value) {
                if let Ok(Some(blob)) = store.blob(&key).await {
                    found.push(Blob { key, value: blob });
                }
            }
        }
        let missing = frames::inline(&mut value, |key| {
            found.iter().find(|b| b.key == key).map(|b| b.value.clone())
        });
        if !missing.is_empty() {
            return Err("a frame image of this job is no longer stored in this browser".into());
        }
        // Jobs journaled before the contract's revision 2 may hold a fixed `seed`, which
        // `klingai:5@2` does not take: their other settings are still good.
        if let Some(task) = value.as_object_mut() {
            task.remove("seed");
        }
        // Read through the contract's own rules, as the server will.
        runware::validate_video_inference(&value).map_err(|errors| {
            errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Sends job `id` (its `request` when at hand), and records what came of it.
    pub(super) async fn send(self: &Rc<Self>, id: String, request: Option<VideoInference>) {
        if self.sending.borrow().contains(&id) {
            return;
        }
        self.sending.borrow_mut().push(id.clone());
        let _lock = tabs::sending(&id);
        let job = self.signals.book.with_untracked(|b| b.get(&id).cloned());
        let Some(job) = job.filter(|j| j.phase == Phase::Sending) else {
            self.sending.borrow_mut().retain(|s| *s != id);
            return;
        };
        let request = match request {
            Some(request) => Ok(request),
            None => self.full_request(&job).await,
        };
        let request = match request {
            Ok(request) => request,
            Err(reason) => {
                let error = ApiError::new(ErrorCode::Other("requestUnavailable".into()), reason);
                self.change(&id, &mut |j| {
                    progress::finish(j, Phase::Failed, Some(error.clone()), now());
                    true
                })
                .await;
                self.sending.borrow_mut().retain(|s| *s != id);
                return;
            }
        };
        let Some(job) = self
            .change(&id, &mut |j| {
                j.attempts += 1;
                j.next_send_at = Some(now() + f64::from(SEND_TIMEOUT_MS) + 5_000.0);
                j.sending_since = Some(now());
                true
            })
            .await
        else {
            self.sending.borrow_mut().retain(|s| *s != id);
            return;
        };
        let transport = self.transport(&job.backend);
        let answer = transport
            .send(&[Task::from(request)], SEND_TIMEOUT_MS)
            .await;
        let policy = self.policy;
        let outcome = match answer {
            Ok(reply) => match progress::read_submission(&job, &reply) {
                Submitted::Accepted => Sent::Accepted,
                Submitted::Refused(error) => Sent::Refused(error),
                Submitted::Unclear => {
                    Sent::Again("the server's answer did not mention this job".into())
                }
            },
            Err(TransportError::Refused { status, body }) => {
                Sent::Refused(Box::new(ApiError::new(
                    ErrorCode::Other(format!("http{status}")),
                    format!("The server refused the request (HTTP {status}): {body}"),
                )))
            }
            Err(error) => Sent::Again(error.to_string()),
        };
        let accepted = outcome == Sent::Accepted;
        self.change(&id, &mut |j| {
            let now = now();
            j.sending_since = None;
            match outcome.clone() {
                Sent::Accepted => progress::accept(j, now),
                Sent::Refused(error) => progress::finish(j, Phase::Failed, Some(*error), now),
                Sent::Again(reason) if j.attempts >= policy.max_attempts => {
                    let error = ApiError::new(
                        ErrorCode::Other("notDelivered".into()),
                        format!(
                            "The job could not be sent after {} attempts: {reason}.",
                            j.attempts
                        ),
                    )
                    .with_task_uuid(&j.id);
                    progress::finish(j, Phase::Failed, Some(error), now);
                }
                Sent::Again(reason) => {
                    j.next_send_at = Some(now + schedule::resend_delay(j.attempts, &policy));
                    j.send_problem = Some(reason);
                }
            }
            true
        })
        .await;
        self.sending.borrow_mut().retain(|s| *s != id);
        if accepted {
            self.tell(&Note::Wake);
        }
        self.poke();
    }
}

/// What came of one send attempt.
#[derive(Clone, Debug, PartialEq)]
enum Sent {
    /// The server has the task.
    Accepted,
    /// The server refused it: the job fails with this error.
    Refused(Box<ApiError>),
    /// No clear answer: send again later, for this reason.
    Again(String),
}
