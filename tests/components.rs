//! Component tests: the studio's components mounted in a real headless Chromium
//! (`cargo xtask test component`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts `view` into a fresh element of the test page and returns that element.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .expect("a div")
        .dyn_into()
        .expect("an HtmlElement");
    document
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("appended");
    leptos::mount::mount_to(host.clone(), view).forget();
    host
}

fn text_of(root: &web_sys::Element, selector: &str) -> Option<String> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
}

#[wasm_bindgen_test]
fn page_frame_has_its_landmarks_and_named_regions() {
    let root = mount(kling_studio::app::App);
    assert_eq!(
        text_of(&root, "header h1").as_deref(),
        Some(kling_studio::PRODUCT_NAME)
    );
    assert!(
        root.query_selector("main").ok().flatten().is_some(),
        "a main landmark"
    );
    assert!(
        root.query_selector("footer a[href='README.md']")
            .ok()
            .flatten()
            .is_some()
    );
    for (id, title) in [("ks-form-title", "Create"), ("ks-results-title", "Results")] {
        let region = root
            .query_selector(&format!("section[aria-labelledby='{id}']"))
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("a region labelled by #{id}"));
        assert_eq!(text_of(&region, "h2").as_deref(), Some(title));
    }
    root.remove();
}

#[wasm_bindgen_test]
async fn empty_results_region_says_what_will_appear() {
    let root = mount(|| {
        kling_studio::config::Settings::provide();
        kling_studio::jobs::Jobs::provide();
        view! { <kling_studio::components::results_panel::ResultsPanel /> }
    });
    // The history loads from IndexedDB first; the empty state shows once it is known to be empty.
    let mut empty = String::new();
    for _ in 0..100 {
        empty = text_of(&root, ".ks-results__empty").unwrap_or_default();
        if !empty.is_empty() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    assert!(
        empty.contains("No videos yet"),
        "empty state text, got {empty:?}"
    );
    root.remove();
}
