//! The submit bar, kept in view at the bottom of the form: what the job will likely cost, what
//! still blocks it (each item leads to its control), and the button (also Ctrl/Cmd+Enter).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::Settings;
use crate::draft::cost::{self, CostPoint};
use crate::draft::fields::Control;
use crate::draft::{Blocker, Draft};
use crate::jobs::{Jobs, NewJob};

/// Everything that blocks submitting, the connection included (tracked).
fn all_blockers(draft: Draft, settings: Settings, jobs: Option<Jobs>) -> Vec<Blocker> {
    let mut out = draft.blockers();
    if settings.missing_key() {
        out.push(Blocker {
            control: Control::Connection,
            message: "add your Runware API key".into(),
        });
    }
    if jobs.is_none() {
        out.push(Blocker {
            control: Control::Request,
            message: "jobs cannot be started here".into(),
        });
    }
    out
}

/// Moves focus to `control` inside `root`, opening the section it is folded into.
pub fn focus_control(root: &web_sys::Element, control: Control) {
    let Ok(Some(element)) = root.query_selector(&format!("#{}", control.dom_id())) else {
        return;
    };
    let mut parent = element.closest("details").ok().flatten();
    while let Some(details) = parent {
        let _ = details.set_attribute("open", "");
        parent = details
            .parent_element()
            .and_then(|p| p.closest("details").ok().flatten());
    }
    let focusable =
        "input:checked, input:not([type=radio]), textarea, select, button, [tabindex], summary";
    let target = if element.matches(focusable).unwrap_or(false) {
        Some(element)
    } else {
        element.query_selector(focusable).ok().flatten()
    };
    if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = target.focus();
    }
}

/// Submits the draft: what the button and the keyboard shortcut share. Built in the component
/// body, where the contexts are at hand (event handlers run outside the component tree).
#[derive(Clone, Copy)]
pub struct Submitter {
    draft: Draft,
    settings: Settings,
    jobs: Option<Jobs>,
    /// The form's root element, to find controls in (the studio may live in a shadow root).
    pub root: NodeRef<leptos::html::Section>,
    /// The last submission's outcome, for the live status line.
    pub status: RwSignal<Option<String>>,
}

impl Submitter {
    /// A submitter for the form under `root`.
    pub fn new(root: NodeRef<leptos::html::Section>) -> Self {
        Submitter {
            draft: Draft::expect(),
            settings: Settings::expect(),
            jobs: use_context::<Jobs>(),
            root,
            status: RwSignal::new(None),
        }
    }

    /// Everything that blocks submitting (tracked).
    pub fn blockers(&self) -> Vec<Blocker> {
        all_blockers(self.draft, self.settings, self.jobs)
    }

    /// Moves focus to `control`.
    pub fn focus(&self, control: Control) {
        if let Some(root) = self.root.get_untracked() {
            focus_control(root.unchecked_ref(), control);
        }
    }

    /// Submits if nothing blocks it; otherwise moves focus to the first thing to fix.
    pub fn submit(&self) {
        let blockers = untrack(|| self.blockers());
        match (blockers.first(), self.jobs) {
            (Some(first), _) => self.focus(first.control),
            (None, Some(jobs)) => {
                let Some(s) = self.draft.take_submission() else {
                    return;
                };
                let n = s.request.number_results_or_default().get();
                jobs.submit(NewJob {
                    request: s.request,
                    first_frame_thumb: s.first_frame_thumb,
                    last_frame_thumb: s.last_frame_thumb,
                });
                self.status.set(Some(match n {
                    1 => "Started: the video will appear under Results.".to_string(),
                    n => format!("Started: {n} videos will appear under Results."),
                }));
            }
            (None, None) => {}
        }
    }
}

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
    let estimate = move || {
        let samples = submitter.jobs?.cost_samples().get();
        let points: Vec<CostPoint> = samples
            .iter()
            .map(|s| CostPoint {
                width: s.width,
                height: s.height,
                duration_s: s.duration_s,
                results: s.results,
                cost_usd: s.cost_usd,
            })
            .collect();
        cost::estimate(
            &points,
            draft.output_size(),
            draft.duration.get().seconds(),
            u32::from(draft.results.get()),
        )
        .map(|e| e.sentence())
    };
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
                                    on:click=move |_| submitter.focus(b.control)>
                                    <strong>{b.control.label()}</strong>
                                </button>
                                ": " {crate::frames::ingest::sentence(&b.message)}
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="ks-field__hint" hidden=move || !more_than_three()>{move || format!("and {} more", blockers.with(Vec::len) - 3)}</p>
                </div>
            <div class="ks-submit__row">
                <p class="ks-submit__cost">{estimate}</p>
                <button type="submit" class="ks-button ks-button--primary ks-submit__button"
                    aria-disabled=move || blocked().to_string()
                    aria-describedby=move || blocked().then_some("ks-submit-blockers")
                    aria-keyshortcuts=if mac { "Meta+Enter" } else { "Control+Enter" }>
                    {label}
                    <span class="ks-submit__keys" aria-hidden="true">
                        <kbd>{if mac { "⌘" } else { "Ctrl" }}</kbd><kbd>"↵"</kbd>
                    </span>
                </button>
            </div>
            <p class="ks-submit__status" role="status">{move || status.get()}</p>
        </div>
    }
}
