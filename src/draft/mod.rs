//! The draft: the form's state, and the only place that turns it into a `runware` request.
//!
//! Every control writes one signal here. The raw task is derived from them and run through
//! `runware::validate_video_inference`; the result is either the typed request that is sent, or
//! every broken rule at its field path, which [`fields`] maps back to the control that shows it.

pub mod case;
pub mod cost;
pub mod devtools;
pub mod fields;
pub mod host;
pub mod presets;
pub mod request;
pub mod server_check;
pub mod settings;
pub mod submit;

use leptos::prelude::*;
use leptos::task::spawn_local;
use runware::{
    ApiError, Aspect, Duration, FrameImage, OutputFormat, OutputSize, SafetyMode, TaskId, Tier,
    VideoInference,
};
use serde_json::Value;

use crate::frames::geometry::{self, FitError, Size};
use crate::frames::{Frames, Origin, Plan, Slot, ingest};
use crate::host_options::{Field, HostOptions, KeyPolicy};
use crate::pick::{Options, Pick};
use fields::{Control, FrameLayout};
use request::FrameWires;
use server_check::ServerCheck;
use settings::DraftSettings;

/// The raw task and what validation made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    /// The task as the form stands, before validation.
    pub raw: Value,
    /// The request that would be sent, or every broken rule.
    pub result: Result<VideoInference, Vec<ApiError>>,
    /// Which slot each frame item came from.
    pub layout: FrameLayout,
}

/// Something that keeps the form from being submitted, and the control it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocker {
    /// The control to fix.
    pub control: Control,
    /// What is wrong.
    pub message: String,
}

/// What the submit button hands to the jobs part.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// The validated request.
    pub request: VideoInference,
    /// A small image of the first frame for the job card (a data URI, or the frame's URL).
    pub first_frame_thumb: Option<String>,
    /// A small image of the last frame.
    pub last_frame_thumb: Option<String>,
}

/// The form's state: a small `Copy` handle of signals, provided once by the root component.
#[derive(Clone, Copy)]
pub struct Draft {
    /// `positivePrompt` as typed.
    pub prompt: RwSignal<String>,
    /// `negativePrompt` as typed.
    pub negative_prompt: RwSignal<String>,
    /// Resolution tier.
    pub tier: Pick<Tier>,
    /// The aspect chosen, or `None` to follow the first frame.
    pub aspect: Pick<Option<Aspect>>,
    /// Whether local frames are cropped to the output aspect.
    pub crop: RwSignal<bool>,
    /// Duration.
    pub duration: Pick<Duration>,
    /// `CFGScale` as typed.
    pub cfg: RwSignal<String>,
    /// `numberResults`.
    pub results: RwSignal<u8>,
    /// `outputFormat`.
    pub format: Pick<OutputFormat>,
    /// `outputQuality` as typed.
    pub quality: RwSignal<String>,
    /// `includeCost`.
    pub include_cost: RwSignal<bool>,
    /// `safety.mode`.
    pub safety: Pick<SafetyMode>,
    /// `ttl` as typed.
    pub ttl: RwSignal<String>,
    /// `webhookURL` as typed.
    pub webhook: RwSignal<String>,
    /// `uploadEndpoint` as typed.
    pub upload: RwSignal<String>,
    /// The two frame slots.
    pub frames: Frames,
    /// The `taskUUID` of the next submission; renewed after each.
    pub task_uuid: RwSignal<TaskId>,
    /// A note for the user about the draft itself (e.g. settings taken from a shared link).
    pub notice: RwSignal<Option<String>>,
    /// The backend's verdict on the request, from the last "Check with the server".
    pub server_check: RwSignal<ServerCheck>,
    /// Whether the prompt box has been left once, or a submit tried: until then an empty prompt
    /// is listed among what blocks submitting, but its box is not marked as wrong.
    pub prompt_visited: RwSignal<bool>,
    /// What the embedding page configures (defaults, locked and hidden fields).
    host: StoredValue<HostOptions>,
    /// The settings the page starts from: the spec's defaults with the page's own on top; locked
    /// fields always hold these.
    site: StoredValue<DraftSettings>,
    checked: Memo<Checked>,
}

impl Draft {
    /// Creates the draft with the spec's defaults, provides it, and starts keeping local frames
    /// encoded for the current output size.
    pub fn provide() -> Self {
        let draft = Draft::new();
        provide_context(draft);
        draft.keep_frames_encoded();
        draft
    }

    /// The draft provided by the root component.
    pub fn expect() -> Self {
        expect_context::<Draft>()
    }

    fn new() -> Self {
        let d = DraftSettings::default();
        let mut draft = Draft {
            prompt: RwSignal::new(d.prompt),
            negative_prompt: RwSignal::new(d.negative_prompt),
            tier: Pick::new(settings::tier_of(&d.tier)),
            aspect: Pick::new(settings::aspect_of(&d.aspect)),
            crop: RwSignal::new(d.crop),
            duration: Pick::new(settings::duration_of(d.duration)),
            cfg: RwSignal::new(d.cfg),
            results: RwSignal::new(d.results),
            format: Pick::new(settings::format_of(&d.format)),
            quality: RwSignal::new(d.quality),
            include_cost: RwSignal::new(d.include_cost),
            safety: Pick::new(settings::safety_of(&d.safety)),
            ttl: RwSignal::new(d.ttl),
            webhook: RwSignal::new(d.webhook),
            upload: RwSignal::new(d.upload),
            frames: Frames::new(),
            task_uuid: RwSignal::new(TaskId::new_v4()),
            notice: RwSignal::new(None),
            server_check: RwSignal::new(ServerCheck::Idle),
            prompt_visited: RwSignal::new(false),
            host: StoredValue::new(HostOptions::default()),
            site: StoredValue::new(DraftSettings::default()),
            // Replaced below: the memo needs the finished handle it reads from.
            checked: checked_memo(None),
        };
        draft.checked = checked_memo(Some(draft));
        draft
    }

    /// Starts the draft for a page: the page's defaults (each one that cannot be used is named in
    /// a console warning), then the settings of the last visit, then those of a shared link in
    /// the fragment (removed from the address bar: it has been used); locked fields keep the
    /// page's values throughout. From then on the settings are saved in this browser, so that a
    /// reload loses nothing.
    pub fn start(&self, host: HostOptions) {
        let mut site = DraftSettings::default();
        for (field, text) in &host.defaults {
            if let Err(warning) = host::apply_default(&mut site, *field, text) {
                leptos::logging::warn!("Kling Studio: {warning}");
            }
        }
        self.site.set_value(site.clone());
        self.host.set_value(host);
        self.apply_settings(&site);
        if let Some(saved) = presets::load_draft() {
            self.apply_settings(&saved);
        }
        let location = web_sys::window().map(|w| (w.location(), w.history()));
        if let Some((location, history)) = location
            && let Some(shared) = location
                .hash()
                .ok()
                .and_then(|h| DraftSettings::from_fragment(&h))
        {
            self.apply_settings(&shared);
            self.notice
                .set(Some("Settings loaded from a shared link.".into()));
            let clean = format!(
                "{}{}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            );
            if let Ok(history) = history {
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
            }
        }
        let this = *self;
        Effect::new(move |_| presets::save_draft(&this.settings()));
    }

    /// Every setting but the frames, as plain data (tracked).
    pub fn settings(&self) -> DraftSettings {
        DraftSettings {
            prompt: self.prompt.get(),
            negative_prompt: self.negative_prompt.get(),
            tier: self.tier.get().label().into(),
            aspect: settings::aspect_label(self.aspect.get()).into(),
            crop: self.crop.get(),
            duration: self.duration.get().seconds(),
            cfg: self.cfg.get(),
            results: self.results.get(),
            format: self.format.get().as_str().into(),
            quality: self.quality.get(),
            include_cost: self.include_cost.get(),
            safety: self.safety.get().as_str().into(),
            ttl: self.ttl.get(),
            webhook: self.webhook.get(),
            upload: self.upload.get(),
        }
    }

    /// Whether the page locks `field`.
    pub fn is_locked(&self, field: Field) -> bool {
        self.host.with_value(|h| h.locked.contains(&field))
    }

    /// Whether the page hides `field`.
    pub fn is_hidden(&self, field: Field) -> bool {
        self.host.with_value(|h| h.hidden.contains(&field))
    }

    /// Whether the page offers the developer panel.
    pub fn shows_developer(&self) -> bool {
        self.host.with_value(|h| h.show_developer)
    }

    /// Whether visitors are asked for an API key.
    pub fn asks_for_key(&self) -> bool {
        self.host.with_value(|h| h.key_policy == KeyPolicy::Ask)
    }

    /// Sets every setting but the frames (locked fields keep the page's values).
    pub fn apply_settings(&self, s: &DraftSettings) {
        let mut kept = s.clone();
        let locked = self.host.with_value(|h| h.locked.clone());
        self.site
            .with_value(|site| host::keep(&mut kept, site, &locked));
        let s = &kept;
        self.prompt.set(s.prompt.clone());
        self.negative_prompt.set(s.negative_prompt.clone());
        self.tier.set(settings::tier_of(&s.tier));
        self.aspect.set(settings::aspect_of(&s.aspect));
        self.crop.set(s.crop);
        self.duration.set(settings::duration_of(s.duration));
        self.cfg.set(s.cfg.clone());
        self.results.set(s.results.clamp(1, 4));
        self.format.set(settings::format_of(&s.format));
        self.quality.set(s.quality.clone());
        self.include_cost.set(s.include_cost);
        self.safety.set(settings::safety_of(&s.safety));
        self.ttl.set(s.ttl.clone());
        self.webhook.set(s.webhook.clone());
        self.upload.set(s.upload.clone());
    }

    /// Loads a past request into the form, frames included (inline frames are decoded again, and
    /// sent untouched when they still fit), with a fresh `taskUUID`.
    pub fn load_request(&self, request: &VideoInference) {
        let mut s = settings::of_request(request);
        // Cropping is a property of this browser's ingest, not of the request: keep the choice.
        s.crop = self.crop.get_untracked();
        self.apply_settings(&s);
        let images = request.frame_images();
        for (slot, image) in [
            (Slot::First, images.first_frame()),
            (Slot::Last, images.last_frame()),
        ] {
            match image {
                Some(image) => ingest::ingest_image(self.frames, slot, image.clone()),
                None => self.frames.clear(slot),
            }
        }
        self.task_uuid.set(TaskId::new_v4());
    }

    /// The aspect in use: the one chosen, or the nearest to the first frame (then the last),
    /// or 16:9 before any frame is known.
    pub fn effective_aspect(&self) -> Aspect {
        self.aspect.get().unwrap_or_else(|| {
            Slot::ALL
                .into_iter()
                .find_map(|slot| {
                    self.frames
                        .slot(slot)
                        .with(|s| s.frame().and_then(|f| f.source))
                })
                .map_or(Aspect::Landscape16x9, geometry::nearest_aspect)
        })
    }

    /// The output size in use.
    pub fn output_size(&self) -> OutputSize {
        OutputSize::from_parts(self.tier.get(), self.effective_aspect())
    }

    /// The encoding plan the form asks for, for a local frame in `slot` (tracked); `None` for an
    /// empty slot or a remote image.
    pub fn plan(&self, slot: Slot) -> Option<Result<Plan, FitError>> {
        let crop = self.crop.get().then(|| self.effective_aspect());
        let bound = Size::of_output(self.output_size());
        self.frames.slot(slot).with(|state| {
            let frame = state.frame().filter(|f| f.origin == Origin::Local)?;
            let source = frame.source?;
            let region = geometry::region(source, crop, frame.position);
            Some(geometry::fit(region.size(), bound).map(|output| Plan {
                region,
                output,
                png: frame.alpha,
            }))
        })
    }

    /// Whether `slot` is being read, decoded or encoded (tracked).
    pub fn is_busy(&self, slot: Slot) -> bool {
        let state = self.frames.slot(slot);
        match state.with(|s| {
            s.frame()
                .map(|f| (f.origin.clone(), f.output.as_ref().and_then(|o| o.plan)))
        }) {
            None => state.with(|s| matches!(s, crate::frames::FrameState::Busy(_))),
            Some((Origin::Local, made)) => match self.plan(slot) {
                Some(Ok(plan)) => made != Some(plan),
                _ => false,
            },
            Some(_) => false,
        }
    }

    /// Why the local frame in `slot` cannot be sent as the form stands, if it cannot (tracked).
    pub fn frame_problem(&self, slot: Slot) -> Option<String> {
        match self.plan(slot) {
            Some(Err(error)) => Some(error.to_string()),
            _ => None,
        }
    }

    /// The raw task and its validation (tracked).
    pub fn checked(&self) -> Memo<Checked> {
        self.checked
    }

    fn check(&self) -> Checked {
        let settings = self.settings();
        let frames = FrameWires {
            first: self.frames.first.with(|s| s.wire()),
            last: self.frames.last.with(|s| s.wire()),
        };
        let layout = FrameLayout {
            has_first: frames.first.is_some(),
        };
        let raw = request::raw_request(&settings, self.output_size(), frames, self.task_uuid.get());
        let result = runware::validate_video_inference(&raw);
        Checked {
            raw,
            result,
            layout,
        }
    }

    /// The validation messages that belong to `control`, and what the server said of it in the
    /// last check while the request is still the one checked (tracked).
    pub fn messages(&self, control: Control) -> Vec<String> {
        let quiet_missing_prompt = control == Control::Prompt && !self.prompt_visited.get();
        // A slot whose picture was refused (or is still being made) already says why it holds
        // no frame: "is required" beside it would only repeat that, less helpfully.
        let slot_speaks = match control {
            Control::FirstFrame => self.frames.first.with(|s| {
                matches!(
                    s,
                    crate::frames::FrameState::Failed(_) | crate::frames::FrameState::Busy(_)
                )
            }),
            _ => false,
        };
        let hidden = |e: &ApiError| {
            (quiet_missing_prompt && fields::is_missing_prompt(e))
                || (slot_speaks && e.code == runware::ErrorCode::MissingParameter)
        };
        self.checked.with(|c| {
            let mut out = match &c.result {
                Ok(_) => Vec::new(),
                Err(errors) => {
                    let errors: Vec<ApiError> =
                        errors.iter().filter(|e| !hidden(e)).cloned().collect();
                    fields::messages_for(&errors, control, c.layout)
                }
            };
            self.server_check.with(|check| {
                if check.is_about(&c.raw) {
                    out.extend(
                        fields::messages_for(check.errors(), control, c.layout)
                            .into_iter()
                            .map(|m| format!("the server says: {m}")),
                    );
                }
            });
            out
        })
    }

    /// A warning when the request's body is large enough for proxies to refuse it (tracked).
    pub fn body_warning(&self) -> Option<String> {
        let bytes = self.checked.with(|c| request::body_bytes(&c.raw));
        (bytes > request::BODY_WARN_BYTES).then(|| {
            format!(
                "This request is about {:.0} MB: some servers and proxies refuse bodies above {} MB. \
                 Smaller frames, or an image URL for one of them, make it lighter.",
                bytes as f64 / (1024.0 * 1024.0),
                request::BODY_WARN_BYTES / (1024 * 1024)
            )
        })
    }

    /// Everything that keeps the form from being submitted, in the order of the form (tracked).
    pub fn blockers(&self) -> Vec<Blocker> {
        let mut out = Vec::new();
        let mut handled = Vec::new();
        for (slot, control) in [
            (Slot::First, Control::FirstFrame),
            (Slot::Last, Control::LastFrame),
        ] {
            let failure = self.frames.slot(slot).with(|s| match s {
                crate::frames::FrameState::Failed(f) => Some(f.message.clone()),
                _ => None,
            });
            let empty_first = slot == Slot::First
                && self
                    .frames
                    .slot(slot)
                    .with(|s| *s == crate::frames::FrameState::Empty);
            let message = failure
                .or_else(|| self.frame_problem(slot))
                .or_else(|| {
                    self.is_busy(slot)
                        .then(|| "still being prepared".to_string())
                })
                // The validator's "inputs.frameImages is required", said for people.
                .or_else(|| {
                    empty_first.then(|| {
                        "add an image: a file, a URL or an uploaded image's UUID".to_string()
                    })
                });
            if let Some(message) = message {
                out.push(Blocker { control, message });
                handled.push(control);
            }
        }
        self.checked.with(|c| {
            if let Err(errors) = &c.result {
                for error in errors {
                    let control = fields::control_of_error(error, c.layout);
                    if !handled.contains(&control) {
                        out.push(Blocker {
                            control,
                            message: fields::local_message(error),
                        });
                    }
                }
            }
        });
        out
    }

    /// The request to send, if nothing blocks it, with the job-card images; the `taskUUID` is
    /// renewed so that the next submission is a new task.
    pub fn take_submission(&self) -> Option<Submission> {
        if !untrack(|| self.blockers()).is_empty() {
            return None;
        }
        let request = self.checked.get_untracked().result.ok()?;
        let thumb = |slot: Slot| {
            self.frames.slot(slot).with_untracked(|s| {
                let frame = s.frame()?;
                let output = frame.output.as_ref()?;
                match output.image.as_ref() {
                    FrameImage::Url(url) => Some(url.clone()),
                    _ => output.thumb.clone(),
                }
            })
        };
        let submission = Submission {
            request,
            first_frame_thumb: thumb(Slot::First),
            last_frame_thumb: thumb(Slot::Last),
        };
        self.task_uuid.set(TaskId::new_v4());
        Some(submission)
    }

    /// Re-encodes local frames whenever the plan the form asks for changes (a new picture, a
    /// moved crop box, another aspect or tier, cropping turned on or off).
    fn keep_frames_encoded(self) {
        for slot in Slot::ALL {
            let wanted = Memo::new(move |_| self.encode_job(slot));
            Effect::new(move |_| {
                if let Some(job) = wanted.get() {
                    spawn_local(self.run_encode(slot, job));
                }
            });
        }
    }

    fn encode_job(&self, slot: Slot) -> Option<EncodeJob> {
        let plan = self.plan(slot)?.ok()?;
        self.frames.slot(slot).with(|state| {
            let frame = state.frame()?;
            let made = frame.output.as_ref().and_then(|o| o.plan);
            (made != Some(plan)).then(|| EncodeJob {
                id: frame.id,
                source: frame.source.unwrap_or(plan.output),
                plan,
                again: frame.output.is_some(),
            })
        })
    }

    async fn run_encode(self, slot: Slot, job: EncodeJob) {
        if job.again {
            // A crop box nudged with the keyboard or a tier clicked twice: wait until the user
            // pauses, and skip what has been superseded meanwhile.
            ingest::sleep(150).await;
        }
        let current = || untrack(|| self.encode_job(slot)) == Some(job);
        if !current() {
            return;
        }
        let result = ingest::encode(self.frames, slot, job.id, job.source, job.plan).await;
        if !current() {
            return;
        }
        match result {
            Ok(output) => {
                self.frames
                    .update_frame(slot, job.id, |frame| frame.output = Some(output));
                ingest::add_thumb(self.frames, slot, job.id, job.source, job.plan).await;
            }
            Err(message) => ingest::fail(self.frames, slot, job.id, message),
        }
    }
}

// The choices of the form, in the order its controls offer them.

impl Options for Tier {
    const OPTIONS: &'static [Tier] = &[Tier::P720, Tier::P1080];
}

impl Options for Option<Aspect> {
    const OPTIONS: &'static [Option<Aspect>] = &[
        None,
        Some(Aspect::Landscape16x9),
        Some(Aspect::Square),
        Some(Aspect::Portrait9x16),
    ];
}

impl Options for Duration {
    const OPTIONS: &'static [Duration] = &Duration::ALL;
}

impl Options for OutputFormat {
    const OPTIONS: &'static [OutputFormat] = &OutputFormat::ALL;
}

impl Options for SafetyMode {
    const OPTIONS: &'static [SafetyMode] = &SafetyMode::ALL;
}

/// The memo of `draft`'s task and its validation; `None` makes the placeholder the handle is
/// built with (never read). One closure for both: one memo instantiation in the wasm.
fn checked_memo(draft: Option<Draft>) -> Memo<Checked> {
    Memo::new(move |_| match draft {
        Some(draft) => draft.check(),
        None => Checked {
            raw: Value::Null,
            result: Err(Vec::new()),
            layout: FrameLayout::default(),
        },
    })
}

/// One encoding the form asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EncodeJob {
    id: u64,
    source: Size,
    plan: Plan,
    again: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pick::assert_options;

    #[test]
    fn every_choice_of_the_form_is_listed_once() {
        assert_options::<Tier>();
        assert_options::<Option<Aspect>>();
        assert_options::<Duration>();
        assert_options::<OutputFormat>();
        assert_options::<SafetyMode>();
        assert!(Tier::ALL.iter().all(|t| Tier::OPTIONS.contains(t)));
        assert!(
            Aspect::ALL
                .iter()
                .all(|a| <Option<Aspect>>::OPTIONS.contains(&Some(*a)))
        );
    }
}
