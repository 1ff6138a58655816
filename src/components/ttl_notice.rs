//! The countdown of a result link that expires (`ttl`), and the prompt to download in time.

use leptos::prelude::*;

use crate::jobs::Jobs;
use crate::jobs::naming::clock;

/// Below this much time left, the notice asks the user to download now.
const WARN_MS: f64 = 5.0 * 60_000.0;

/// Milliseconds left before a link that arrived at `received_at` and lives `ttl_s` expires (at
/// or below zero: expired), as the jobs' clock ticks.
pub fn ms_left(jobs: Jobs, received_at: f64, ttl_s: u64) -> f64 {
    received_at + ttl_s as f64 * 1000.0 - jobs.now()
}

/// "Link expires in 12:34" (counted from when the result arrived), a warning near the end and
/// "Link expired" after.
#[component]
pub fn TtlNotice(
    /// When the result arrived (ms since the epoch).
    received_at: f64,
    /// The link's lifetime in seconds.
    ttl_s: u64,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let left = move || ms_left(jobs, received_at, ttl_s);
    let warn_below = WARN_MS.min(ttl_s as f64 * 500.0);
    let warn = move || (0.0..warn_below).contains(&left());
    view! {
        <p
            class="ks-result__ttl"
            class:ks-result__ttl--warn=move || (0.0..warn_below).contains(&left())
            class:ks-result__ttl--gone=move || left() <= 0.0
        >
            {move || {
                let left = left();
                if left <= 0.0 {
                    "The link has expired: the server no longer keeps this video.".to_owned()
                } else if warn() {
                    format!("Link expires in {} — download it now to keep it.", clock(left))
                } else {
                    format!("Link expires in {}.", clock(left))
                }
            }}
        </p>
    }
}
