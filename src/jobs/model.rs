//! A job as the journal keeps it: what was asked, where it stands, and what came back.
//!
//! Everything here is plain data, tested natively. The journal, the export file and the messages
//! between tabs all share one JSON shape of it, written and read in [`super::json`].

use runware::reply::VideoResult;
use runware::{ApiError, VideoInference};
use serde_json::Value;

use crate::config::Backend;

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Journaled; the server has not acknowledged it yet (first send, or a resend after a reply
    /// that never arrived).
    Sending,
    /// Acknowledged; results are being made.
    Processing,
    /// Processing for longer than the waiting limit: no longer polled on its own.
    Waiting,
    /// Every result is in.
    Done,
    /// Ended with an error.
    Failed,
}

impl Phase {
    /// Whether the job is over.
    pub fn is_finished(self) -> bool {
        matches!(self, Phase::Done | Phase::Failed)
    }

    /// The word shown on the card's badge.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Sending => "Sending",
            Phase::Processing => "Processing",
            Phase::Waiting => "Still waiting",
            Phase::Done => "Done",
            Phase::Failed => "Failed",
        }
    }

    /// A stable name for CSS modifiers and test selectors.
    pub fn slug(self) -> &'static str {
        match self {
            Phase::Sending => "sending",
            Phase::Processing => "processing",
            Phase::Waiting => "waiting",
            Phase::Done => "done",
            Phase::Failed => "failed",
        }
    }
}

/// One finished video of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobResult {
    /// `videoUUID`.
    pub video_uuid: Option<String>,
    /// `videoURL`.
    pub video_url: Option<String>,
    /// `seed` of this result.
    pub seed: Option<i64>,
    /// `cost` in USD, with `includeCost`.
    pub cost: Option<f64>,
    /// `NSFWContent`, when safety checking ran.
    pub nsfw: Option<bool>,
    /// When this tab first saw the result (ms since the epoch): the base of the ttl countdown.
    pub received_at: f64,
}

impl JobResult {
    /// A result from a reply item, seen at `now`.
    pub fn from_video(video: &VideoResult, now: f64) -> Self {
        JobResult {
            video_uuid: video.video_uuid.clone(),
            video_url: video.video_url.clone(),
            seed: video.seed,
            cost: video.cost,
            nsfw: video.nsfw_content,
            received_at: now,
        }
    }

    /// The result as the reply item it came from, for the `runware` fold.
    pub fn to_video(&self, task_uuid: &str) -> VideoResult {
        let mut video = VideoResult::processing(task_uuid);
        video.status = runware::reply::Status::Success;
        video.video_uuid = self.video_uuid.clone();
        video.video_url = self.video_url.clone();
        video.seed = self.seed;
        video.cost = self.cost;
        video.nsfw_content = self.nsfw;
        video
    }

    /// Whether two records are the same video (by `videoUUID`, else by URL).
    pub fn same_video(&self, other: &JobResult) -> bool {
        match (&self.video_uuid, &other.video_uuid) {
            (Some(a), Some(b)) => a == b,
            _ => self.video_url.is_some() && self.video_url == other.video_url,
        }
    }
}

/// The settings of a job in the terms the card shows, taken from the request once at submission
/// (the stored request has its inline frames moved out, so it is not re-read for display).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobSettings {
    /// `positivePrompt`.
    pub prompt: Option<String>,
    /// `negativePrompt`.
    pub negative_prompt: Option<String>,
    /// `width` × `height`, when given (otherwise the server derives them from the frame).
    pub size: Option<(u32, u32)>,
    /// `duration` in seconds.
    pub duration_s: u32,
    /// `CFGScale`.
    pub cfg_scale: f64,
    /// `seed`, when fixed.
    pub seed: Option<i64>,
    /// `numberResults`.
    pub number_results: u8,
    /// `outputFormat` (`MP4`, `WEBM`, `MOV`).
    pub format: String,
    /// `outputQuality`.
    pub quality: u8,
    /// `ttl` in seconds.
    pub ttl_s: Option<u64>,
    /// `includeCost`.
    pub include_cost: bool,
    /// The safety mode in effect.
    pub safety: String,
    /// How many frame images (1 or 2).
    pub frames: u8,
}

impl JobSettings {
    /// The settings of `request`, with the server's defaults filled in.
    pub fn of(request: &VideoInference) -> Self {
        JobSettings {
            prompt: Some(request.positive_prompt.as_str().to_owned()),
            negative_prompt: request
                .negative_prompt
                .as_ref()
                .map(|p| p.as_str().to_owned()),
            size: request.size.map(|s| (s.width(), s.height())),
            duration_s: request.duration_or_default().seconds(),
            cfg_scale: request.cfg_scale_or_default().value(),
            seed: None,
            number_results: request.number_results_or_default().get(),
            format: request.output_format_or_default().as_str().to_owned(),
            quality: request.output_quality_or_default().get(),
            ttl_s: request.ttl.map(|t| t.get()),
            include_cost: request.include_cost_or_default(),
            safety: request.safety_mode().as_str().to_owned(),
            frames: u8::try_from(request.frame_images().items().len()).unwrap_or(2),
        }
    }

    /// The file extension of the output format.
    pub fn extension(&self) -> &'static str {
        match self.format.as_str() {
            "WEBM" => "webm",
            "MOV" => "mov",
            _ => "mp4",
        }
    }
}

/// Blob keys of the small frame pictures shown on the card.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thumbs {
    /// The first frame's picture.
    pub first: Option<String>,
    /// The last frame's picture.
    pub last: Option<String>,
}

/// One job of the journal.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// `taskUUID`, the job's identity.
    pub id: String,
    /// When the job was journaled (ms since the epoch).
    pub created_at: f64,
    /// The server the job was sent to: it is polled there whatever the settings say later.
    pub backend: Backend,
    /// The request as sent, with inline frame images replaced by blob references.
    pub request: Value,
    /// The settings, for display.
    pub settings: JobSettings,
    /// Blob keys of the frame pictures.
    pub thumbs: Thumbs,
    /// Where it stands.
    pub phase: Phase,
    /// Finished results, in the order first seen.
    pub results: Vec<JobResult>,
    /// Why it failed.
    pub error: Option<ApiError>,
    /// When the server acknowledged it.
    pub accepted_at: Option<f64>,
    /// When it finished (done, failed).
    pub finished_at: Option<f64>,
    /// When this tab last asked for its state. Not saved: after a reload, a job is always asked
    /// about again before it can be declared "still waiting".
    pub checked_at: Option<f64>,
    /// Send attempts so far.
    pub attempts: u32,
    /// Not before this time (ms) is it sent again.
    pub next_send_at: Option<f64>,
    /// Why the last send did not get through, while it is retried.
    pub send_problem: Option<String>,
    /// `taskUUID` of the job this one retries.
    pub retry_of: Option<String>,
    /// Start of the current waiting period (acceptance, or a manual re-check that found
    /// progress): the "still waiting" limit counts from here.
    pub waiting_since: Option<f64>,
    /// While a send attempt is under way: when it started.
    pub sending_since: Option<f64>,
}

#[cfg(test)]
impl Job {
    /// A job the server accepted at `at` (ms) and is now making, with default settings: the
    /// base every unit test's job is built from.
    pub(crate) fn accepted(id: &str, at: f64) -> Job {
        Job {
            id: id.into(),
            created_at: at,
            backend: Backend::default(),
            request: Value::Null,
            settings: JobSettings::default(),
            thumbs: Thumbs::default(),
            phase: Phase::Processing,
            results: vec![],
            error: None,
            accepted_at: Some(at),
            finished_at: None,
            checked_at: None,
            attempts: 1,
            next_send_at: None,
            send_problem: None,
            retry_of: None,
            waiting_since: Some(at),
            sending_since: None,
        }
    }
}

impl Job {
    /// `numberResults` of the job.
    pub fn expected_results(&self) -> usize {
        usize::from(self.settings.number_results.max(1))
    }

    /// The sum of the results' costs, when every result has one.
    pub fn total_cost(&self) -> Option<f64> {
        if self.results.is_empty() {
            return None;
        }
        self.results.iter().map(|r| r.cost).sum()
    }

    /// The time the job's clock started: acceptance, else journaling.
    pub fn started_at(&self) -> f64 {
        self.accepted_at.unwrap_or(self.created_at)
    }

    /// Whether the server still owes this job something that polling can bring.
    pub fn is_polled(&self) -> bool {
        self.phase == Phase::Processing
    }
}
