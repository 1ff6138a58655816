//! The root component: the page frame every part of the studio lives in.

use leptos::prelude::*;

use crate::components::{
    form_panel::FormPanel, results_panel::ResultsPanel, studio_footer::StudioFooter,
    studio_header::StudioHeader,
};

/// The whole studio: header, the form and results regions side by side (stacked on narrow
/// screens), and the footer.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <div class="ks-app">
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
