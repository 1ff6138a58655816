//! Submitting the draft: everything that blocks it (the draft's own problems, a missing key, no
//! job runner), moving focus to what needs fixing, and handing the validated request to the jobs
//! part. Shared by the submit button and the Ctrl/Cmd+Enter shortcut.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::cost::{self, CostPoint};
use super::fields::Control;
use super::server_check::ServerCheck;
use super::{Blocker, Draft};
use crate::config::Settings;
use crate::jobs::{Jobs, NewJob};

/// How long "Started: …" stays under the button.
const STATUS_SHOWN: std::time::Duration = std::time::Duration::from_secs(6);

/// Everything that blocks submitting, the connection included (tracked).
fn all_blockers(draft: Draft, settings: Settings, jobs: Option<Jobs>) -> Vec<Blocker> {
    let mut out = draft.blockers();
    if draft.asks_for_key() && settings.missing_key() {
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

    /// The cost estimate for the draft from the user's own finished jobs, in words; `None`
    /// without history at this tier (tracked).
    pub fn estimate(&self) -> Option<String> {
        let samples = self.jobs?.cost_samples().get();
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
        let draft = self.draft;
        cost::estimate(
            &points,
            draft.output_size(),
            draft.duration.get().seconds(),
            u32::from(draft.results.get()),
        )
        .map(|e| e.sentence())
    }

    /// Moves focus to `control`.
    pub fn focus(&self, control: Control) {
        if let Some(root) = self.root.get_untracked() {
            focus_control(root.unchecked_ref(), control);
        }
    }

    /// Checks the request with the server (a dry run) if nothing blocks it; otherwise moves
    /// focus to the first thing to fix. The verdict lands in [`Draft::server_check`].
    pub fn check_with_server(&self) {
        self.draft.prompt_visited.set(true);
        let blockers = untrack(|| self.blockers());
        if let Some(first) = blockers.first() {
            self.focus(first.control);
            return;
        }
        let (Some(jobs), checked) = (self.jobs, self.draft.checked().get_untracked()) else {
            return;
        };
        let Ok(request) = checked.result else {
            return;
        };
        let key = ServerCheck::key(&checked.raw);
        let verdict = self.draft.server_check;
        verdict.set(ServerCheck::Checking {
            request: key.clone(),
        });
        leptos::task::spawn_local(async move {
            let answer = jobs.dry_run(request).await;
            // A newer check wins over a late answer (a changed form hides it anyway).
            if verdict.with_untracked(
                |v| matches!(v, ServerCheck::Checking { request } if *request == key),
            ) {
                verdict.set(ServerCheck::Answered {
                    request: key,
                    verdict: answer,
                });
            }
        });
    }

    /// Submits if nothing blocks it; otherwise moves focus to the first thing to fix.
    pub fn submit(&self) {
        self.draft.prompt_visited.set(true);
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
                let said = match n {
                    1 => "Started: the video will appear under Results.".to_string(),
                    n => format!("Started: {n} videos will appear under Results."),
                };
                self.status.set(Some(said.clone()));
                // The line confirms the click; once read it would only go stale.
                let status = self.status;
                set_timeout(
                    move || {
                        if status.try_get_untracked().flatten().as_deref() == Some(said.as_str()) {
                            status.try_set(None);
                        }
                    },
                    STATUS_SHOWN,
                );
            }
            (None, None) => {}
        }
    }
}
