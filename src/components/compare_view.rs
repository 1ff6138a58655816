//! Results side by side, playing, pausing and seeking together.

use leptos::html::Video;
use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::video_shape;
use crate::jobs::model::JobResult;
use crate::jobs::naming::clock;
use crate::num::{parse_decimal, short};

/// Drift beyond which a follower video is put back in step with the first (seconds).
const DRIFT_S: f64 = 0.12;

/// Every result in one row, muted, with one set of controls for all: play/pause and a seek bar.
#[component]
pub fn CompareView(
    /// The results to compare.
    results: Vec<JobResult>,
    /// The first frame's picture.
    poster: RwSignal<Option<String>>,
    /// The videos' width and height, when the request set them.
    size: Option<(u32, u32)>,
) -> impl IntoView {
    let refs: Vec<NodeRef<Video>> = results.iter().map(|_| NodeRef::new()).collect();
    let playing = RwSignal::new(false);
    let (time, duration) = (RwSignal::new(0.0f64), RwSignal::new(0.0f64));
    let each = {
        let refs = refs.clone();
        move |f: &dyn Fn(&web_sys::HtmlVideoElement)| {
            refs.iter()
                .filter_map(|r| r.get_untracked())
                .for_each(|v| f(&v))
        }
    };
    let seek = {
        let each = each.clone();
        move |t: f64| each(&|v| v.set_current_time(t))
    };
    let toggle = {
        let each = each.clone();
        move |_| {
            let play = !playing.get_untracked();
            let t = time.get_untracked();
            each(&|v| {
                v.set_current_time(t);
                if play {
                    let _ = v.play();
                } else {
                    let _ = v.pause();
                }
            });
            playing.set(play);
        }
    };
    // The first video leads: its clock drives the bar and corrects the others.
    let lead_tick = {
        let refs = refs.clone();
        move |_| {
            let Some(lead) = refs.first().and_then(|r| r.get_untracked()) else {
                return;
            };
            let t = lead.current_time();
            time.set(t);
            for v in refs.iter().skip(1).filter_map(|r| r.get_untracked()) {
                if (v.current_time() - t).abs() > DRIFT_S {
                    v.set_current_time(t);
                }
            }
        }
    };
    let n = results.len();
    view! {
        <div class="ks-compare" role="group" aria-label="Videos side by side">
            <div class="ks-compare__row" data-count=n.to_string()>
                {results.into_iter().zip(refs.iter().cloned()).enumerate().map(|(i, (r, node))| {
                    let lead_tick = lead_tick.clone();
                    let label = format!("Video {} of {n}{}", i + 1, r.seed.map(|s| format!(", seed {s}")).unwrap_or_default());
                    let caption = r.seed.map(|s| format!("seed {s}")).unwrap_or_else(|| format!("#{}", i + 1));
                    view! {
                        <figure class="ks-compare__cell">
                            <video
                                node_ref=node
                                class="ks-compare__video"
                                style=video_shape(size)
                                src=r.video_url.clone().unwrap_or_default()
                                poster=move || poster.get()
                                muted
                                loop
                                playsinline
                                preload="auto"
                                aria-label=label
                                on:loadedmetadata=handler(move |ev| {
                                    let v: web_sys::HtmlVideoElement = event_target(&ev);
                                    duration.update(|d| *d = d.max(v.duration()));
                                })
                                on:timeupdate=handler(move |ev| if i == 0 { lead_tick(ev) })
                            ></video>
                            <figcaption class="ks-compare__caption">{caption}</figcaption>
                        </figure>
                    }.into_any()
                }).collect_view()}
            </div>
            <div class="ks-compare__controls">
                <button type="button" class="ks-results__button ks-results__button--primary" on:click=handler(toggle)
                    aria-label=move || String::from(if playing.get() { "Pause all videos" } else { "Play all videos" })>
                    {move || String::from(if playing.get() { "Pause" } else { "Play" })}
                </button>
                <input
                    type="range"
                    class="ks-compare__seek"
                    aria-label="Position in all videos"
                    min="0"
                    step="0.01"
                    max=move || short(duration.get().max(0.01), 3)
                    // As text, like every reactive property here (one copy of the code).
                    prop:value=move || short(time.get(), 2)
                    on:input=handler(move |ev| {
                        let t = parse_decimal(&event_target_value(&ev)).unwrap_or(0.0);
                        time.set(t);
                        seek(t);
                    })
                />
                <span class="ks-compare__time">
                    {move || format!("{} / {}", clock(time.get() * 1000.0), clock(duration.get() * 1000.0))}
                </span>
            </div>
        </div>
    }
}
