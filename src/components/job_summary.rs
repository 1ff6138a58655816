//! The head of a job card: frame pictures, prompt, status and settings.

use leptos::prelude::*;

use crate::components::frame_thumb::FrameThumb;
use crate::jobs::model::{Job, JobSettings, Phase};
use crate::jobs::naming;
use crate::num::fixed;

/// The settings in a line of short facts, e.g. "1080p 16:9 · 5 s · CFG 0.50 · 3 results · MP4".
fn facts(s: &JobSettings) -> Vec<String> {
    let mut facts = Vec::new();
    match s.size {
        Some((w, h)) => facts.push(format!("{w}×{h}")),
        None => facts.push("size from frame".into()),
    }
    facts.push(format!("{} s", s.duration_s));
    facts.push(format!("CFG {}", fixed(s.cfg_scale, 2)));
    if s.number_results > 1 {
        facts.push(format!("{} results", s.number_results));
    }
    facts.push(format!("{} q{}", s.format, s.quality));
    if let Some(seed) = s.seed {
        facts.push(format!("seed {seed}"));
    }
    if s.safety != "none" && !s.safety.is_empty() {
        facts.push(format!("safety {}", s.safety));
    }
    if let Some(ttl) = s.ttl_s {
        facts.push(format!("link for {}", naming::spoken(ttl as f64 * 1000.0)));
    }
    facts
}

/// Frame pictures, the prompt as the card's title, the status badge and the settings.
#[component]
pub fn JobSummary(
    /// The job as first shown (its request never changes).
    job: Job,
    /// The id of the title element, which names the card.
    title_id: String,
    /// The job's phase.
    phase: Memo<Phase>,
    /// Whether the server said the job waits its turn.
    queued: Memo<bool>,
    /// The first frame's picture, once loaded.
    poster: RwSignal<Option<String>>,
) -> impl IntoView {
    let s = job.settings.clone();
    let title = s
        .prompt
        .clone()
        .unwrap_or_else(|| "Untitled video (no prompt)".into());
    let created = js_sys::Date::new(&job.created_at.into());
    let when = created
        .to_locale_string("default", &js_sys::Object::new())
        .as_string()
        .unwrap_or_default();
    let has_last = job.thumbs.last.is_some();
    view! {
        <header class="ks-job__head">
            <div class="ks-job__frames">
                <FrameThumb picture=poster label="First frame" />
                {has_last.then(|| view! {
                    <span class="ks-job__arrow" aria-hidden="true">"→"</span>
                    <FrameThumb key=job.thumbs.last.clone().unwrap_or_default() label="Last frame" />
                }.into_any())}
            </div>
            <div class="ks-job__text">
                <div class="ks-job__titlebar">
                    <h3 class="ks-job__title" id=title_id title=title.clone()>{title.clone()}</h3>
                    <span class=move || match (phase.get(), queued.get()) {
                        (Phase::Processing, true) => "ks-job__badge ks-job__badge--queued".to_string(),
                        (p, _) => format!("ks-job__badge ks-job__badge--{}", p.slug()),
                    }>
                        {move || match (phase.get(), queued.get()) {
                            (Phase::Processing, true) => "Queued".to_string(),
                            (p, _) => p.label().to_owned(),
                        }}
                    </span>
                </div>
                {s.negative_prompt.clone().map(|n| view! {
                    <p class="ks-job__negative"><span class="ks-job__label">"Avoid: "</span>{n}</p>
                }.into_any())}
                <p class="ks-job__facts">{facts(&s).join(" · ")}</p>
                <p class="ks-job__when">
                    <time datetime=created.to_iso_string().as_string().unwrap_or_default()>{when}</time>
                    {job.retry_of.as_ref().map(|_| " · retry")}
                </p>
            </div>
        </header>
    }
}
