//! The form region: where a creator sets up a video, from connection to submit.

use leptos::prelude::*;

use crate::components::advanced_section::AdvancedSection;
use crate::components::cfg_slider::CfgSlider;
use crate::components::connection_settings::ConnectionSettings;
use crate::components::developer_panel::DeveloperPanel;
use crate::components::duration_and_results::DurationAndResults;
use crate::components::frames_field::FramesField;
use crate::components::handler::handler;
use crate::components::presets_panel::PresetsPanel;
use crate::components::prompt_field::PromptField;
use crate::components::size_picker::SizePicker;
use crate::components::submit_bar::SubmitBar;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::draft::submit::Submitter;

/// The region that holds the generation form. Ctrl+Enter (Cmd+Enter on a Mac) anywhere in it
/// submits.
#[component]
pub fn FormPanel() -> impl IntoView {
    let draft = Draft::expect();
    let root = NodeRef::<leptos::html::Section>::new();
    let submitter = Submitter::new(root);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            submitter.submit();
        }
    };
    view! {
        <section class="ks-panel ks-panel--form" id="ks-form" aria-labelledby="ks-form-title"
            node_ref=root on:keydown=handler(on_key)>
            <div class="ks-form__title-row">
                <h2 class="ks-panel__title" id="ks-form-title" tabindex="-1">"Create"</h2>
                <p class="ks-form__tagline">"First frame, motion, size. Checked before it is sent."</p>
            </div>
            {move || draft.notice.get().map(|n| view! { <p class="ks-form__notice" role="status">{n}</p> }.into_any())}
            <ConnectionSettings />
            <form class="ks-form" novalidate on:submit=handler(move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); submitter.submit(); })>
                <FramesField />
                <PromptField control=Control::Prompt />
                <PromptField control=Control::NegativePrompt />
                <SizePicker />
                <DurationAndResults />
                <CfgSlider />
                <AdvancedSection />
                <PresetsPanel />
                {draft.shows_developer().then(|| view! { <DeveloperPanel /> }.into_any())}
                <SubmitBar submitter=submitter />
            </form>
        </section>
    }
}
