//! A frame's small picture on a job card.

use leptos::prelude::*;

use crate::jobs::Jobs;

/// The picture of a frame: given directly, or read from the journal by key. A placeholder of
/// the same size holds its place while it loads, so the card does not jump.
#[component]
pub fn FrameThumb(
    /// What the picture shows, for screen readers ("First frame").
    label: &'static str,
    /// The picture, when the card has it already.
    #[prop(optional, into)]
    picture: Option<RwSignal<Option<String>>>,
    /// The journal key of the picture, otherwise.
    #[prop(optional, into)]
    key: Option<String>,
) -> impl IntoView {
    let jobs = Jobs::expect();
    let src = match picture {
        Some(picture) => picture,
        None => jobs.picture(key),
    };
    view! {
        {move || match src.get() {
            Some(src) => view! { <img class="ks-job__thumb" src=src alt=label /> }.into_any(),
            None => view! { <span class="ks-job__thumb ks-job__thumb--empty" role="img" aria-label=label></span> }.into_any(),
        }}
    }
}
