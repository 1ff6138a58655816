//! The root component: the page frame every part of the studio lives in.

use leptos::prelude::*;

use crate::components::{
    form_panel::FormPanel, results_panel::ResultsPanel, studio_footer::StudioFooter,
    studio_header::StudioHeader,
};
use crate::config::Settings;
use crate::draft::Draft;
use crate::host_options::HostOptions;
use crate::jobs::Jobs;

/// The whole studio: header, the form and results regions side by side (stacked on narrow
/// screens), and the footer.
#[component]
pub fn App() -> impl IntoView {
    // Embedded, the host's data- attributes are in context already; standalone, the defaults.
    let embedded = use_context::<HostOptions>().is_some();
    let options = use_context::<HostOptions>().unwrap_or_default();
    provide_context(options.clone());
    let settings = Settings::provide();
    settings.restore_and_persist();
    if let Some(backend) = options.backend.clone() {
        settings.backend.set(backend);
    }
    if let Some(transport) = options.transport {
        settings.transport.set(transport);
    }
    Jobs::provide();
    Draft::provide().start(options.clone());
    view! {
        <div
            class="ks-app"
            class:ks-app--embedded=embedded
            class:ks-app--compact=options.compact
            data-theme=options.theme.attribute()
        >
            <a class="ks-skip" href="#ks-form">"Skip to the form"</a>
            <StudioHeader />
            <main class="ks-main">
                <FormPanel />
                <ResultsPanel />
            </main>
            <StudioFooter />
        </div>
    }
}
