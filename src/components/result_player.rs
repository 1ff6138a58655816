//! One finished video: the player, its seed and cost, and what to do with it.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::ttl_notice::{TtlNotice, ms_left};
use crate::components::video_shape;
use crate::jobs::model::{JobResult, JobSettings};
use crate::jobs::{Jobs, files, naming};

/// A `<video>` with the first frame as poster, controls and loop; "Download" under a name made
/// of the prompt, seed and format; "Copy link"; seed and cost; and the link's expiry with `ttl`.
#[component]
pub fn ResultPlayer(
    /// The job's `taskUUID`.
    id: String,
    /// The job's settings.
    settings: JobSettings,
    /// This result.
    result: JobResult,
    /// Its position among the job's results (0-based).
    index: usize,
    /// How many results the job makes.
    total: usize,
    /// The first frame's picture.
    poster: RwSignal<Option<String>>,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let url = result.video_url.clone().unwrap_or_default();
    let name = naming::file_name(
        settings.prompt.as_deref(),
        &id,
        result.seed,
        index,
        settings.extension(),
    );
    let which = if total > 1 {
        format!("Video {} of {total}", index + 1)
    } else {
        "Video".to_owned()
    };
    let label = match result.seed {
        Some(seed) => format!("{which}, seed {seed}"),
        None => which.clone(),
    };
    let (ttl, received_at) = (settings.ttl_s, result.received_at);
    let download = {
        let (url, name) = (url.clone(), name.clone());
        move |_| {
            let (url, name) = (url.clone(), name.clone());
            leptos::task::spawn_local(async move {
                match files::save_video(&url, &name).await {
                    Ok(()) => jobs.announce(format!("Downloading {name}.")),
                    Err(e) => jobs.announce(format!("The download failed: {e}")),
                }
            });
        }
    };
    let copy = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            leptos::task::spawn_local(async move {
                match files::copy(&url).await {
                    Ok(()) => jobs.announce("The video's link is copied."),
                    Err(e) => jobs.announce(format!("The link could not be copied: {e}")),
                }
            });
        }
    };
    // The video's own size: the request's, or, when the server chose it from the frame, the
    // file's once its metadata is read.
    let read_size = RwSignal::new(None::<(u32, u32)>);
    let requested = settings.size;
    // The player dims itself once its link has expired (computed here, not told by the notice:
    // no effect needed).
    view! {
        <figure class="ks-result" class:ks-result--expired=move || ttl.is_some_and(|ttl| ms_left(jobs, received_at, ttl) <= 0.0)>
            <video
                class="ks-result__video"
                src=url.clone()
                poster=move || poster.get()
                controls
                loop
                playsinline
                preload="metadata"
                aria-label=label.clone()
                style=move || video_shape(requested.or(read_size.get()))
                on:loadedmetadata=handler(move |ev| {
                    let v: web_sys::HtmlVideoElement = event_target(&ev);
                    if v.video_width() > 0 && v.video_height() > 0 {
                        read_size.set(Some((v.video_width(), v.video_height())));
                    }
                })
            ></video>
            <figcaption class="ks-result__caption">
                <span class="ks-result__which">{which}</span>
                {result.seed.map(|s| view! { <span class="ks-result__fact">"seed " <code>{s.to_string()}</code></span> }.into_any())}
                {result.cost.map(|c| view! { <span class="ks-result__fact">{naming::usd(c)}</span> }.into_any())}
                {(result.nsfw == Some(true)).then(|| view! {
                    <span class="ks-result__fact ks-result__fact--flag">"flagged NSFW"</span>
                }.into_any())}
            </figcaption>
            {settings.ttl_s.map(|ttl| view! { <TtlNotice received_at=result.received_at ttl_s=ttl /> }.into_any())}
            <div class="ks-result__actions">
                <button type="button" class="ks-results__button ks-results__button--primary" on:click=handler(download)
                    title=name.clone()>
                    "Download"<span class="ks-visually-hidden">{format!(" {label}")}</span>
                </button>
                <button type="button" class="ks-results__button ks-results__button--quiet" on:click=handler(copy)>
                    "Copy link"<span class="ks-visually-hidden">{format!(" of {label}")}</span>
                </button>
            </div>
        </figure>
    }
}
