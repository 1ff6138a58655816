//! The page footer: where to read more.

use leptos::prelude::*;

/// The footer with a link to the README (copied next to the app by the build).
#[component]
pub fn StudioFooter() -> impl IntoView {
    view! {
        <footer class="ks-footer">
            <p>
                "Videos are made by KlingAI 2.1 Pro through the Runware API. "
                <a class="ks-footer__link" href="README.md">"Read the README"</a>
                " for set-up, embedding and keys."
            </p>
        </footer>
    }
}
