//! What is known of a frame: its pixel size, format and weight, and what is sent in its place.

use leptos::prelude::*;

use crate::draft::Draft;
use crate::draft::devtools::human_bytes;
use crate::frames::{Origin, Slot};

/// One line of facts under a frame, plus any notice or problem.
#[component]
pub fn FrameFacts(
    /// Which slot.
    which: Slot,
) -> impl IntoView {
    let slot = which;
    let draft = Draft::expect();
    let state = draft.frames.slot(slot);
    let source = move || {
        state.with(|s| {
            let f = s.frame()?;
            let size = f.source.map(|s| format!("{} × {}", s.width, s.height));
            Some(match f.origin {
                Origin::Local => {
                    let format = f.source_format.clone().unwrap_or_default();
                    let bytes = f.source_bytes.map(human_bytes).unwrap_or_default();
                    format!("{} {format} · {bytes}", size.unwrap_or_default())
                }
                Origin::Url => match size {
                    Some(size) => format!("{size} · sent by URL"),
                    None => "Sent by URL".to_string(),
                },
                Origin::Uuid => format!("Sent by UUID · {}", f.name),
            })
        })
    };
    let sent = move || {
        let local = state.with(|s| s.frame().is_some_and(|f| f.origin == Origin::Local));
        if !local {
            return None;
        }
        if draft.frame_problem(slot).is_some() {
            return None;
        }
        if draft.is_busy(slot) {
            let plan = draft.plan(slot).and_then(Result::ok)?;
            return Some(format!(
                "preparing {} × {}…",
                plan.output.width, plan.output.height
            ));
        }
        state.with(|s| {
            let out = s.frame()?.output.as_ref()?;
            let size = out
                .size
                .map(|s| format!("{} × {}", s.width, s.height))
                .unwrap_or_default();
            let format = out.format.map(|f| f.to_string()).unwrap_or_default();
            let bytes = out.bytes.map(|b| human_bytes(b as u64)).unwrap_or_default();
            let how = if out.untouched { " · as is" } else { "" };
            Some(format!("{size} {format} · {bytes}{how}"))
        })
    };
    let notice = move || state.with(|s| s.frame().and_then(|f| f.notice.clone()));
    let name = move || state.with(|s| s.frame().map(|f| f.name.clone()).unwrap_or_default());
    view! {
        <div class="ks-facts">
            <p class="ks-facts__line">
                <span class="ks-facts__name" title=move || state.with(|s| s.frame().map(|f| f.name.clone()).unwrap_or_default())>{move || name()}</span>
            </p>
            <p class="ks-facts__line" aria-live="polite">
                <span>{move || source().unwrap_or_default()}</span>
                {move || sent().map(|sent| view! {
                    <span class="ks-facts__arrow" aria-label="sent as">" → "</span>
                    <span class="ks-facts__sent">{sent}</span>
                }.into_any())}
            </p>
            {move || notice().map(|n| view! { <p class="ks-facts__notice">{n}</p> }.into_any())}
            {move || draft.frame_problem(slot).map(|p| view! {
                <p class="ks-field__error" role="alert">{crate::frames::ingest::sentence(&p)}</p>
            }.into_any())}
        </div>
    }
}
