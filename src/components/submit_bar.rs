//! The submit bar, kept in view at the bottom of the form: what the job will likely cost, what
//! still blocks it (each item leads to its control), and the button (also Ctrl/Cmd+Enter).

use leptos::prelude::*;

use crate::components::aria_flag;

use crate::components::handler::handler;
use crate::components::server_check_panel::ServerCheckPanel;
use crate::draft::Draft;
use crate::draft::submit::Submitter;

/// The bar at the bottom of the form.
#[component]
pub fn SubmitBar(
    /// Submits the form (shared with the keyboard shortcut).
    submitter: Submitter,
) -> impl IntoView {
    let draft = Draft::expect();
    let blockers = Memo::new(move |_| submitter.blockers());
    let blocked = move || blockers.with(|b| !b.is_empty());
    let more_than_three = move || blockers.with(Vec::len).saturating_sub(3) != 0;
    let estimate = move || submitter.estimate();
    let label = move || match draft.results.get() {
        1 => "Generate video".to_string(),
        n => format!("Generate {n} videos"),
    };
    let mac = web_sys::window()
        .and_then(|w| w.navigator().platform().ok())
        .is_some_and(|p| p.starts_with("Mac"));
    let status = submitter.status;
    view! {
        <div class="ks-submit">
            <div class="ks-submit__blockers" id="ks-submit-blockers" hidden=move || !blocked()>
                    <p class="ks-submit__lead">"Before you generate:"</p>
                    <ul class="ks-submit__list">
                        {move || blockers.get().into_iter().take(3).map(|b| view! {
                            <li>
                                <button type="button" class="ks-link-button"
                                    on:click=handler(move |_| submitter.focus(b.control))>
                                    <strong>{b.control.label()}</strong>
                                </button>
                                ": " {crate::frames::ingest::sentence(&b.message)}
                            </li>
                        }.into_any()).collect_view()}
                    </ul>
                    <p class="ks-field__hint" hidden=move || !more_than_three()>{move || format!("and {} more", blockers.with(Vec::len).saturating_sub(3))}</p>
                </div>
            {move || draft.body_warning().map(|w| view! { <p class="ks-submit__warning" role="note">{w}</p> }.into_any())}
            <div class="ks-submit__row">
                <p class="ks-submit__cost">{move || estimate().unwrap_or_default()}</p>
                <button type="submit" class="ks-button ks-button--primary ks-submit__button"
                    aria-disabled=move || aria_flag(blocked())
                    aria-describedby=move || blocked().then(|| String::from("ks-submit-blockers"))
                    aria-keyshortcuts=if mac { "Meta+Enter" } else { "Control+Enter" }>
                    {move || label()}
                    <span class="ks-submit__keys" aria-hidden="true">
                        <kbd>{if mac { "⌘" } else { "Ctrl" }}</kbd><kbd>"↵"</kbd>
                    </span>
                </button>
            </div>
            <ServerCheckPanel submitter=submitter />
            <p class="ks-submit__status" role="status">{move || status.get().unwrap_or_default()}</p>
        </div>
    }
}
