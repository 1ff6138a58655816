//! What the page asks of the engine: check now, keep waiting, send now, retry, the request of
//! a job, pictures, delete, export and import.

use std::rc::Rc;

use leptos::prelude::*;
use runware::VideoInference;

use super::NewJob;
use super::engine::{Engine, fresh_id, now};
use super::frames::{self, Blob};
use super::model::{Job, Phase};
use super::tabs::Note;

/// Why a job asked about cannot be found.
const GONE: &str = "This job is no longer in the history.";

/// The keys of every picture `job` refers to: its frames and its card's images.
fn pictures_of(job: &Job) -> Vec<String> {
    let mut keys = frames::references(&job.request);
    keys.extend(job.thumbs.first.iter().chain(&job.thumbs.last).cloned());
    keys
}

impl Engine {
    /// Asks the server about job `id` once, now (a "still waiting" job, or any).
    pub async fn check_now(self: &Rc<Self>, id: &str) -> Result<bool, String> {
        let Some(backend) = self.job(id).map(|j| j.backend) else {
            return Err(GONE.into());
        };
        let ids = [id.to_owned()];
        let changed = self.poll(&backend, &ids).await.map_err(|_| {
            self.signals
                .poll_problem
                .get_untracked()
                .unwrap_or_else(|| "The server could not be reached.".into())
        })?;
        self.signals.book.update(|b| {
            b.update(id, &mut |j| {
                j.checked_at = Some(now());
                true
            });
        });
        Ok(changed)
    }

    /// Follows a "still waiting" job automatically again, for another full waiting period.
    pub async fn keep_waiting(self: &Rc<Self>, id: &str) {
        self.change(id, &mut |j| {
            if j.phase != Phase::Waiting {
                return false;
            }
            j.phase = Phase::Processing;
            j.waiting_since = Some(now());
            true
        })
        .await;
        self.tell(&Note::Wake);
        self.poke();
    }

    /// Sends a job that is waiting to be sent again right away.
    pub async fn send_now(self: &Rc<Self>, id: &str) {
        self.change(id, &mut |j| {
            if j.phase != Phase::Sending {
                return false;
            }
            j.next_send_at = Some(now());
            true
        })
        .await;
        self.send(id.to_owned(), None).await;
    }

    /// Sends job `id` again as a new job: same settings and frames, a fresh `taskUUID`.
    pub async fn retry(self: &Rc<Self>, id: &str) -> Result<(), String> {
        let job = self.job(id).ok_or(GONE)?;
        let mut request = self.full_request(&job).await?;
        request.task_uuid = fresh_id();
        let first_frame_thumb = self.thumb(job.thumbs.first.as_deref()).await;
        let last_frame_thumb = self.thumb(job.thumbs.last.as_deref()).await;
        self.submit(
            NewJob {
                request,
                first_frame_thumb,
                last_frame_thumb,
            },
            Some(job.id),
        );
        Ok(())
    }

    /// The request of job `id`, frames included, for the form.
    pub async fn request_of(&self, id: &str) -> Result<VideoInference, String> {
        let job = self.job(id).ok_or(GONE)?;
        self.full_request(&job).await
    }

    /// A stored picture by key.
    pub async fn thumb(&self, key: Option<&str>) -> Option<String> {
        let key = key?;
        if let Some(blob) = self.blobs.borrow().iter().find(|b| b.key == key) {
            return Some(blob.value.clone());
        }
        let value = self.store().await?.blob(key).await.ok()??;
        self.remember(Blob {
            key: key.to_owned(),
            value: value.clone(),
        });
        Some(value)
    }

    /// Deletes job `id` from the history (and its images no other job uses).
    pub async fn delete(&self, id: &str) {
        let Some(job) = self.signals.book.try_update(|b| b.remove(id)).flatten() else {
            return;
        };
        let mut keys = pictures_of(&job);
        let used: Vec<String> = self
            .signals
            .book
            .with_untracked(|b| b.iter().flat_map(pictures_of).collect());
        keys.retain(|k| !used.contains(k));
        self.blobs.borrow_mut().retain(|b| !keys.contains(&b.key));
        if let Some(store) = self.store().await
            && let Err(e) = store.delete(id, &keys).await
        {
            self.signals.storage_problem.set(Some(e.to_string()));
        }
        self.tell(&Note::Remove { id: id.to_owned() });
    }

    /// Every job and the images they refer to, for an export file.
    pub async fn archive(&self) -> super::archive::Archive {
        let jobs: Vec<Job> = self.signals.book.with_untracked(|b| {
            b.ordered(super::book::Filter::All)
                .iter()
                .filter_map(|id| b.get(id).cloned())
                .collect()
        });
        let mut blobs: Vec<Blob> = Vec::new();
        for job in &jobs {
            for key in pictures_of(job) {
                if !blobs.iter().any(|b| b.key == key)
                    && let Some(value) = self.thumb(Some(&key)).await
                {
                    blobs.push(Blob { key, value });
                }
            }
        }
        super::archive::Archive::new(jobs, blobs, now())
    }

    /// Imports a file: a history is merged in (its pending jobs are followed from here on), a
    /// request is submitted. Returns what was done, in words.
    pub async fn import(self: &Rc<Self>, text: &str) -> Result<String, String> {
        match super::archive::read(text, fresh_id).map_err(|e| e.to_string())? {
            super::archive::Import::Archive(archive) => {
                let blobs = archive.blobs;
                let mut merged = Vec::new();
                self.signals.book.update(|b| {
                    for mut job in archive.jobs {
                        job.id = job.id.to_ascii_lowercase();
                        if let Some(job) = b.upsert(job) {
                            merged.push(job);
                        }
                    }
                });
                let count = merged.len();
                self.persist(&merged, &blobs).await;
                self.tell(&Note::Wake);
                self.poke();
                Ok(match count {
                    0 => "Every job in this file is already in your history.".to_owned(),
                    1 => "Imported 1 job.".to_owned(),
                    n => format!("Imported {n} jobs."),
                })
            }
            super::archive::Import::Requests(requests) => {
                let count = requests.len();
                for request in requests {
                    // The frames themselves serve as the card's pictures when they are links
                    // or small enough to keep beside the record.
                    let thumb = |image: Option<&runware::FrameImage>| {
                        let image = image?.to_wire();
                        (image.starts_with("http") || image.len() <= 400_000).then_some(image)
                    };
                    let first_frame_thumb = thumb(request.frame_images().first_frame());
                    let last_frame_thumb = thumb(request.frame_images().last_frame());
                    self.submit(
                        NewJob {
                            request,
                            first_frame_thumb,
                            last_frame_thumb,
                        },
                        None,
                    );
                }
                Ok(if count == 1 {
                    "Submitted the request from the file.".to_owned()
                } else {
                    format!("Submitted {count} requests from the file.")
                })
            }
        }
    }
}
