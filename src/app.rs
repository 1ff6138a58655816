//! The root component: the page frame every part of the studio lives in.

use leptos::prelude::*;

use crate::components::handler::handler;
use crate::components::{
    element_beside, form_panel::FormPanel, results_panel::ResultsPanel,
    studio_footer::StudioFooter, studio_header::StudioHeader,
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
            <a class="ks-skip" href="#ks-form" on:click=handler(skip_to_form)>"Skip to the form"</a>
            <StudioHeader />
            <main class="ks-main">
                <FormPanel />
                <ResultsPanel />
            </main>
            <StudioFooter />
        </div>
    }
}

/// The skip link moves focus to the form's heading and brings the form into view itself: followed
/// as a link, `#ks-form` would land in the host page's URL (and a share link's fragment), and from
/// inside a shadow root it would move neither focus nor scroll.
fn skip_to_form(ev: leptos::ev::MouseEvent) {
    use wasm_bindgen::JsCast;
    ev.prevent_default();
    let Some(title) = element_beside(&ev, "ks-form-title") else {
        return;
    };
    if let Some(title) = title.dyn_ref::<web_sys::HtmlElement>() {
        let _ = title.focus();
    }
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Start);
    title.scroll_into_view_with_scroll_into_view_options(&options);
}
